import { Inject, Injectable } from '@nestjs/common';
import type { EventStore, JsonObject } from '../../eventstore';
import { type PartyKind, type PartyRegisteredEvent, keyIdOf, partyStream } from '../../domain/party/party.decider';
import type { AccountTier } from '../../domain/rules/rule-set';
import { type PersonalDetails, shownDetails } from '../../personal-data/personal-details';
import { registeredDetails, sealForRegistration } from '../../personal-data/registered-details';
import { issueApiKey } from '../auth/api-key';
import { BusinessCalendar } from '../calendar/business-calendar';
import { PARTY } from '../commands/aggregates';
import { type CommandContext, newId } from '../commands/command-context';
import { DecideCommand } from '../commands/decide-command';
import type { CommandResponse } from '../commands/idempotency-claims';
import { toDomainEvent } from '../commands/stored-aggregate';
import { EVENT_STORE } from '../event-store.module';
import { recordedUnder } from '../wallets/wallet-commands';
import { PersonalDataKeys } from './personal-data.module';
import { loadPerson } from './person-aggregate';

type Registration = PersonalDetails & { accountTier?: AccountTier };

/**
 * A new customer or merchant. The party's stream is written first; its wallet is opened (and a merchant
 * listed) by the steps that follow. The API key is in the first response only and stored hashed. The
 * person's details are sealed under a key of their own before the event is decided, and are left out of
 * the answer an Idempotency-Key records: that answer is kept in the log, where nothing can be erased.
 */
@Injectable()
export class PartyCommands {
  constructor(
    private readonly calendar: BusinessCalendar,
    private readonly personalData: PersonalDataKeys,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async register(context: CommandContext, kind: PartyKind, registration: Registration) {
    const { accountTier, ...details } = registration;
    const today = await this.calendar.today();
    const id = newId(context, 'party');
    const walletId = newId(context, 'wallet');
    const { apiKey, secretHash } = issueApiKey(id);
    const sealedPersonalData = await sealForRegistration(this.personalData.keys, id, details);
    const command = { type: 'RegisterParty' as const, partyId: id, kind, walletId, apiKeyHash: secretHash, ...(accountTier && { accountTier }), sealedPersonalData };
    const body = { id, kind, walletId, ...(accountTier && { accountTier }) };
    const unrecorded = { ...shownDetails(details), apiKey };
    return new DecideCommand(context, PARTY, partyStream(id), command, recordedUnder(today), () => ({ status: 201, body, unrecorded }), false);
  }

  /** A new key for a party, for a lost registration answer or a new device; the secret is in this answer only. */
  async issueKey(context: CommandContext, kind: PartyKind, partyId: string) {
    const today = await this.calendar.today();
    const { apiKey, secretHash } = issueApiKey(partyId);
    const command = { type: 'IssueApiKey' as const, kind, secretHash };
    const body = { partyId, keyId: keyIdOf(secretHash) };
    return new DecideCommand(context, PARTY, partyStream(partyId), command, recordedUnder(today), () => ({ status: 201, body, unrecorded: { apiKey } }));
  }

  /** Revokes one key; every request with it is refused from the next one on, in every process. */
  async revokeKey(context: CommandContext, kind: PartyKind, partyId: string, keyId: string) {
    const today = await this.calendar.today();
    const command = { type: 'RevokeApiKey' as const, kind, keyId };
    return new DecideCommand(context, PARTY, partyStream(partyId), command, recordedUnder(today), () => ({ status: 200, body: { partyId, keyId, revoked: true } }));
  }

  /**
   * A replayed registration (its answer has no API key) gets the person's details back from the log, as they
   * read now: erased ones as erased, whatever the answer recorded (before version 3, it recorded the name).
   */
  async withDetails(answer: CommandResponse<JsonObject>): Promise<CommandResponse<JsonObject>> {
    if (answer.body.apiKey !== undefined) return answer;
    const partyId = String(answer.body.id);
    const [first] = await collect(this.store.readStream(partyStream(partyId), { maxCount: 1 }));
    const { data } = toDomainEvent<PartyRegisteredEvent>(first!);
    const person = await loadPerson(this.store, partyId);
    const details = person.registered && person.erased ? undefined : await registeredDetails(data, () => this.personalData.keys);
    // In the first answer's order, so the replay differs from it by the API key alone.
    const { position, ...recorded } = answer.body;
    return { ...answer, body: { ...recorded, ...shownDetails(details), position } };
  }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const collected: T[] = [];
  for await (const item of items) collected.push(item);
  return collected;
}
