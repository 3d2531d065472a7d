import type { EventStore } from '../../eventstore';
import { partyStream } from '../../domain/party/party.decider';
import type { PersonState } from '../../domain/party/person.decider';
import { PERSON } from '../commands/aggregates';
import { loadStored } from '../commands/stored-aggregate';

export { PERSON };

export async function loadPerson(store: EventStore, partyId: string): Promise<PersonState> {
  return (await loadStored(store, partyStream(partyId), PERSON.decider, PERSON.schema)).state;
}
