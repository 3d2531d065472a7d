import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { IfwConfig } from '../../config';
import type { EventStore } from '../../eventstore';
import { keyIdOf, partyStream } from '../../domain/party/party.decider';
import { PARTY } from '../commands/aggregates';
import { loadStored } from '../commands/stored-aggregate';
import { EVENT_STORE } from '../event-store.module';
import { IFW_CONFIG } from '../config.module';
import { hashSecret, parseApiKey, sameDigest } from './api-key';
import type { Principal } from './principal';

/**
 * Turns a bearer key into the principal it belongs to, or undefined when it belongs to no one. A party's keys
 * are read from its stream at every request (the folded state is cached, and only the stream's revision is
 * read while it stands), so a key revoked by any process stops working at its next request.
 */
@Injectable()
export class PrincipalResolver {
  private readonly staff: { digest: string; principal: Principal }[];

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore, @Inject(IFW_CONFIG) config: IfwConfig) {
    this.staff = [...config.staffKeys].map(([key, role]) => ({
      digest: hashSecret(key),
      // The id names the key without revealing it: the first 12 hex digits of its hash.
      principal: { role, id: createHash('sha256').update(`id:${key}`).digest('hex').slice(0, 12) },
    }));
  }

  async resolve(bearer: string): Promise<Principal | undefined> {
    const party = parseApiKey(bearer);
    if (party) return this.resolveParty(party.partyId, party.secret);
    const digest = hashSecret(bearer);
    return this.staff.find((s) => sameDigest(s.digest, digest))?.principal;
  }

  private async resolveParty(partyId: string, secret: string): Promise<Principal | undefined> {
    const { state } = await loadStored(this.store, partyStream(partyId), PARTY.decider, PARTY.schema);
    if (!state.registered) return undefined;
    const digest = hashSecret(secret);
    const key = state.keys[keyIdOf(digest)];
    if (!key || key.revoked || !sameDigest(key.secretHash, digest)) return undefined;
    return { role: state.kind, id: partyId, walletId: state.walletId };
  }
}
