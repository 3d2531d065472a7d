import { type ApiKeyIssuedEvent, type ApiKeyRevokedEvent, type PartyKind, type PartyRegisteredData, keyIdOf } from '../../domain/party/party.decider';
import { ERASED_NAME, shownDetails } from '../../personal-data/personal-details';
import { readModelKeys } from '../../personal-data/read-model-keys';
import { registeredDetails } from '../../personal-data/registered-details';
import { invariant } from '../../invariant';
import type { JsonObject, RecordedEvent } from '../../eventstore';
import { type ProjectionDefinition, type ProjectionView, eventData } from '../projection';

/**
 * A customer or merchant as operators look them up: by name, by party id or by wallet id. The details are
 * opened from the registration as it is applied, so the directory can be searched and sorted by name; the
 * bank card is kept masked. An erased person's document keeps only what is not personal.
 */
export interface PartyDoc {
  id: string;
  kind: PartyKind;
  /** ERASED_NAME once erased, or when the key the details were sealed under is gone. */
  name: string;
  phone?: string;
  /** Masked to its last four digits: the full number is never in a read model. */
  bankCard?: string;
  walletId: string;
  /** The business date the party was registered on. */
  registeredOn: string;
  /** The log position of the registration, as a decimal string. */
  registeredPosition: string;
  /** The log position of the erasure of the person's details, when they were erased. */
  erasedPosition?: string;
  /** Every API key the party was issued, oldest first, by id only: never a secret or its hash. */
  keys: ApiKeyDoc[];
}

export interface ApiKeyDoc {
  keyId: string;
  /** The business date and the log position of the issue (the registration's, for the first key). */
  issuedOn: string;
  issuedPosition: string;
  revokedOn?: string;
  revokedPosition?: string;
}

const PARTIES = 'parties';

async function applyRegistration(event: RecordedEvent, view: ProjectionView): Promise<void> {
  const data = eventData<PartyRegisteredData>(event);
  const details = await registeredDetails(data, readModelKeys);
  const party: PartyDoc = {
    id: data.partyId,
    kind: data.kind,
    ...shownDetails(details),
    walletId: data.walletId,
    registeredOn: businessDateOf(event),
    registeredPosition: event.position.toString(),
    keys: [{ keyId: keyIdOf(data.apiKeyHash), issuedOn: businessDateOf(event), issuedPosition: event.position.toString() }],
  };
  view.put(PARTIES, data.partyId, { ...party } as unknown as JsonObject);
}

const businessDateOf = (event: RecordedEvent) => String(event.metadata.businessDate ?? '');

/** The party of an event on its stream, which its registration, applied before, put in the read model. */
async function registered(view: ProjectionView, event: RecordedEvent): Promise<PartyDoc> {
  const partyId = event.stream.slice('party-'.length);
  const party = (await view.get(PARTIES, partyId)) as unknown as PartyDoc | undefined;
  invariant(party !== undefined, () => `${event.type} of party ${partyId}, which the parties read model has no registration of`);
  return party;
}

async function applyKeyIssued(event: RecordedEvent, view: ProjectionView): Promise<void> {
  const party = await registered(view, event);
  const { keyId } = eventData<ApiKeyIssuedEvent['data']>(event);
  const key: ApiKeyDoc = { keyId, issuedOn: businessDateOf(event), issuedPosition: event.position.toString() };
  view.put(PARTIES, party.id, { ...party, keys: [...party.keys, key] } as unknown as JsonObject);
}

async function applyKeyRevoked(event: RecordedEvent, view: ProjectionView): Promise<void> {
  const party = await registered(view, event);
  const { keyId } = eventData<ApiKeyRevokedEvent['data']>(event);
  invariant(party.keys.some((k) => k.keyId === keyId), () => `ApiKeyRevoked of key ${keyId}, which party ${party.id} was never issued`);
  const keys = party.keys.map((k) => (k.keyId === keyId ? { ...k, revokedOn: businessDateOf(event), revokedPosition: event.position.toString() } : k));
  view.put(PARTIES, party.id, { ...party, keys } as unknown as JsonObject);
}

/**
 * Overwrites the details, from whatever registration they came (sealed, or in the clear before version 3).
 * The document then follows from the log alone: a rebuild after the key was deleted, which finds the
 * registration's details erased already, ends with the same document.
 */
async function applyErasure(event: RecordedEvent, view: ProjectionView): Promise<void> {
  const { id, kind, walletId, registeredOn, registeredPosition, keys } = await registered(view, event);
  const erased: PartyDoc = { id, kind, name: ERASED_NAME, walletId, registeredOn, registeredPosition, erasedPosition: event.position.toString(), keys };
  view.put(PARTIES, id, { ...erased } as unknown as JsonObject);
}

const APPLY: Record<string, (event: RecordedEvent, view: ProjectionView) => Promise<void>> = {
  PartyRegistered: applyRegistration,
  PersonErased: applyErasure,
  ApiKeyIssued: applyKeyIssued,
  ApiKeyRevoked: applyKeyRevoked,
};

function apply(event: RecordedEvent, view: ProjectionView): Promise<void> {
  return APPLY[event.type]!(event, view);
}

export const partiesProjection: ProjectionDefinition = {
  name: 'parties',
  description:
    'Customers and merchants with their wallet ids, names, phones, masked bank cards, registration and API keys (ids and dates only), for listing and search by name or id; erased persons by the erased marker.',
  collections: [
    {
      name: PARTIES,
      indexes: [
        ['kind', 'name'],
        ['kind', 'walletId'],
      ],
    },
  ],
  eventTypes: Object.keys(APPLY),
  apply,
};

export const PARTIES_COLLECTION = PARTIES;
