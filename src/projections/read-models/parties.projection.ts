import type { RecordedEvent } from '../../eventstore';
import type { PartyEvent, PartyKind } from '../../domain/party/party.decider';
import { type ProjectionDefinition, type ProjectionView, eventData } from '../projection';

/** A customer or merchant as operators look them up: by name, by party id or by wallet id. */
export interface PartyDoc {
  id: string;
  kind: PartyKind;
  name: string;
  walletId: string;
  /** The business date the party was registered on. */
  registeredOn: string;
  /** The log position of the registration, as a decimal string. */
  registeredPosition: string;
}

const PARTIES = 'parties';

async function apply(event: RecordedEvent, view: ProjectionView): Promise<void> {
  const { data } = { data: eventData(event) } as Extract<PartyEvent, { type: 'PartyRegistered' }>;
  const party: PartyDoc = {
    id: data.partyId,
    kind: data.kind,
    name: data.name,
    walletId: data.walletId,
    registeredOn: String(event.metadata.businessDate ?? ''),
    registeredPosition: event.position.toString(),
  };
  // Written once: a party is registered once and its registration never changes.
  view.put(PARTIES, data.partyId, { ...party });
}

export const partiesProjection: ProjectionDefinition = {
  name: 'parties',
  description: 'Customers and merchants with their wallet ids, names and registration, for listing and search by name or id.',
  collections: [
    {
      name: PARTIES,
      indexes: [
        ['kind', 'name'],
        ['kind', 'walletId'],
      ],
    },
  ],
  eventTypes: ['PartyRegistered'],
  apply,
};

export const PARTIES_COLLECTION = PARTIES;
