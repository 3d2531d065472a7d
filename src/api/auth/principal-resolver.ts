import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { IfwConfig } from '../../config';
import type { EventStore } from '../../eventstore';
import { type PartyEvent, partyStream } from '../../domain/party/party.decider';
import { toDomainEvent } from '../commands/stored-aggregate';
import { EVENT_STORE } from '../event-store.module';
import { IFW_CONFIG } from '../config.module';
import { hashSecret, parseApiKey, sameDigest } from './api-key';
import type { Principal } from './principal';

/** Parties looked up recently; registration is immutable, so entries never go stale, only old. */
const MAX_CACHED_PARTIES = 10_000;

/** Turns a bearer key into the principal it belongs to, or undefined when it belongs to no one. */
@Injectable()
export class PrincipalResolver {
  private readonly staff: { digest: string; principal: Principal }[];
  private readonly parties = new Map<string, { secretHash: string; principal: Principal }>();

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
    let entry = this.parties.get(partyId);
    if (!entry) {
      for await (const recorded of this.store.readStream(partyStream(partyId), { maxCount: 1 })) {
        const event = toDomainEvent<PartyEvent>(recorded);
        const { kind, walletId, apiKeyHash } = event.data;
        entry = { secretHash: apiKeyHash, principal: { role: kind, id: partyId, walletId } };
      }
      if (!entry) return undefined;
      if (this.parties.size >= MAX_CACHED_PARTIES) this.parties.delete(this.parties.keys().next().value!);
      this.parties.set(partyId, entry);
    }
    return sameDigest(entry.secretHash, hashSecret(secret)) ? entry.principal : undefined;
  }
}
