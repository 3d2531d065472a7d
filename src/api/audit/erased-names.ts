import type { EventStore, JsonObject, RecordedEvent } from '../../eventstore';
import { partyStream } from '../../domain/party/party.decider';
import { ERASED_NAME } from '../../personal-data/personal-details';
import { REQUEST_RECORDED } from '../commands/idempotency-claims';
import { loadPerson } from '../parties/person-aggregate';

/** An event as the audit routes show it: `erasedFields` names what was hidden of its data. */
export type ShownEvent = RecordedEvent & { erasedFields?: string[] };

const PARTY_PREFIX = partyStream('');

/**
 * The names recorded in the clear before version 3 of persons erased since, hidden: a PartyRegistered's
 * `name`, and the `name` of the answer an Idempotency-Key recorded for it. The stored text keeps them, and
 * each event's hash covers that text (`GET /audit/verify` reads it), so such an event shown here no longer
 * hashes to its `hash`. Sealed details are shown sealed: the audit routes never open them.
 */
export async function withErasedNamesHidden(store: EventStore, events: readonly RecordedEvent[]): Promise<ShownEvent[]> {
  const erased = new Map<string, boolean>();
  const isErased = async (partyId: string) => {
    if (!erased.has(partyId)) {
      const person = await loadPerson(store, partyId);
      erased.set(partyId, person.registered && person.erased);
    }
    return erased.get(partyId)!;
  };
  const shown: ShownEvent[] = [];
  for (const event of events) {
    const hidden = nameInTheClear(event) && (await isErased(event.stream.slice(PARTY_PREFIX.length)));
    shown.push(hidden ? hideName(event) : event);
  }
  return shown;
}

function nameInTheClear(event: RecordedEvent): boolean {
  if (!event.stream.startsWith(PARTY_PREFIX)) return false;
  if (event.type === 'PartyRegistered') return typeof event.data.name === 'string';
  return event.type === REQUEST_RECORDED && typeof (event.data.body as JsonObject | undefined)?.name === 'string';
}

function hideName(event: RecordedEvent): ShownEvent {
  if (event.type === 'PartyRegistered') return { ...event, data: { ...event.data, name: ERASED_NAME }, erasedFields: ['name'] };
  return { ...event, data: { ...event.data, body: { ...(event.data.body as JsonObject), name: ERASED_NAME } }, erasedFields: ['body.name'] };
}
