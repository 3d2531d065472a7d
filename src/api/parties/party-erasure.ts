import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { EventStore, JsonObject } from '../../eventstore';
import { type PartyKind, partyStream } from '../../domain/party/party.decider';
import { BusinessCalendar } from '../calendar/business-calendar';
import type { CommandContext } from '../commands/command-context';
import { DecideCommand } from '../commands/decide-command';
import type { CommandResponse } from '../commands/idempotency-claims';
import { EVENT_STORE } from '../event-store.module';
import { HttpProblem } from '../http/problem';
import { recordedUnder } from '../wallets/wallet-commands';
import { PersonalDataKeys } from './personal-data.module';
import { PERSON } from '../commands/aggregates';
import { loadPerson } from './person-aggregate';

/**
 * Erases a person's details: PersonErased on the party's stream, then their data key deleted. The order is
 * what a stop leaves recoverable. The key store notes the erasure as begun first; the event makes it a fact;
 * settling it as the log has it ends it (the key deleted). A stop after the event leaves a key that the next
 * start deletes (and a second erasure, a no-op, deletes it too); a stop before it leaves the key, and the start
 * drops the note. Deleting the key first could erase a person whose erasure the log never recorded.
 */
@Injectable()
export class PartyErasure {
  constructor(
    private readonly commands: CommandBus,
    private readonly calendar: BusinessCalendar,
    private readonly personalData: PersonalDataKeys,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async erase(context: CommandContext, kind: PartyKind, partyId: string): Promise<CommandResponse<JsonObject>> {
    const person = await loadPerson(this.store, partyId);
    if (!person.registered) throw HttpProblem.notFound(`no ${kind} ${partyId}`);
    if (person.kind !== kind) throw HttpProblem.notFound(`no ${kind} ${partyId}: it is a ${person.kind}, erased by POST /${person.kind}s/${partyId}/erasure`);
    // Registrations before version 3 have no key: their name, in the clear in the log, is hidden by the event alone.
    const { keyId } = person;
    if (keyId !== null) await this.personalData.keys.beginErasure({ keyId, partyId });
    const today = await this.calendar.today();
    const command = new DecideCommand(context, PERSON, partyStream(partyId), { type: 'ErasePerson' as const, partyId }, recordedUnder(today), () => ({
      status: 200,
      body: { id: partyId, kind, erased: true },
    }));
    try {
      const answer: CommandResponse<JsonObject> = await this.commands.execute(command);
      return answer;
    } finally {
      // Refused or failed, the request may still have recorded the erasure: the log says which.
      if (keyId !== null) await this.personalData.settleErasure({ keyId, partyId });
    }
  }
}
