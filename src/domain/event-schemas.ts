/**
 * The schema version of every event type, and the upcasters that bring an event stored in an older version to
 * today's shape when it is read. The log is never rewritten: an event keeps the text it was hashed with, and
 * its `metadata.schemaVersion` (absent on events stored before versions were recorded: version 1) tells which
 * shape that text has. See docs/eventstore.md, "Schema versions".
 */
import type { EventInput, JsonObject, RecordedEvent } from '../eventstore';
import { invariant } from '../invariant';

/** Turns the stored data of `type` at `fromVersion` into its data at `fromVersion + 1`: a pure function of the stored event. */
export interface Upcaster {
  type: string;
  fromVersion: number;
  upcast(data: JsonObject, metadata: JsonObject): JsonObject;
}

export interface SchemaRegistry {
  /** Types not listed are at version 1. */
  currentVersions: Readonly<Record<string, number>>;
  upcasters: readonly Upcaster[];
}

/** Events stored before schema versions were recorded carry none: they are this version. */
const UNVERSIONED = 1;

/** An event written by newer code than this: reading it as if it were today's shape would misread it. */
export class EventSchemaTooNewError extends Error {
  constructor(event: RecordedEvent, storedVersion: number, currentVersion: number) {
    super(
      `${event.type} at revision ${event.revision} of "${event.stream}" is stored in schema version ${storedVersion}, ` +
        `but this IFW reads ${event.type} up to version ${currentVersion}: upgrade IFW to read this log`,
    );
    this.name = 'EventSchemaTooNewError';
  }
}

/** What a registry answers: the version to stamp on append, and the upcasting of an event read. */
export interface EventSchemas {
  currentVersion(type: string): number;
  upcast(event: RecordedEvent): RecordedEvent;
}

/** Checks the registry once, so a missing step in a chain fails at start-up rather than on the first old event read. */
export function eventSchemas(registry: SchemaRegistry): EventSchemas {
  const steps = new Map(registry.upcasters.map((upcaster) => [stepKey(upcaster.type, upcaster.fromVersion), upcaster]));
  const currentVersion = (type: string) => registry.currentVersions[type] ?? UNVERSIONED;
  checkChains(registry, steps, currentVersion);
  return {
    currentVersion,
    upcast(event) {
      const stored = storedVersion(event);
      const current = currentVersion(event.type);
      if (stored > current) throw new EventSchemaTooNewError(event, stored, current);
      // Most events read were written by today's code: hand them out as they are.
      if (stored === current && event.metadata.schemaVersion !== undefined) return event;
      let data = event.data;
      for (let version = stored; version < current; version++) data = steps.get(stepKey(event.type, version))!.upcast(data, event.metadata);
      return { ...event, data, metadata: { ...event.metadata, schemaVersion: stored } };
    },
  };
}

/** Every type above version 1 has one upcaster from each older version, and none leads past its current version. */
function checkChains(registry: SchemaRegistry, steps: ReadonlyMap<string, Upcaster>, currentVersion: (type: string) => number): void {
  invariant(steps.size === registry.upcasters.length, 'two upcasters start from the same version of the same type');
  for (const { type, fromVersion } of registry.upcasters) {
    invariant(fromVersion >= UNVERSIONED && fromVersion < currentVersion(type), () => `the upcaster of ${type} from version ${fromVersion} leads past its current version ${currentVersion(type)}`);
  }
  for (const [type, current] of Object.entries(registry.currentVersions)) {
    for (let version = UNVERSIONED; version < current; version++) {
      invariant(steps.has(stepKey(type, version)), () => `${type} is at version ${current} but no upcaster starts from version ${version}`);
    }
  }
}

function stepKey(type: string, fromVersion: number): string {
  return `${type}@${fromVersion}`;
}

function storedVersion(event: RecordedEvent): number {
  const version = event.metadata.schemaVersion;
  if (version === undefined) return UNVERSIONED;
  invariant(
    typeof version === 'number' && Number.isSafeInteger(version) && version >= UNVERSIONED,
    () => `${event.type} at revision ${event.revision} of "${event.stream}" has schemaVersion ${JSON.stringify(version)}, which is not a version`,
  );
  return version;
}

/** Accounts opened before tiers were recorded keep the use they had: the widest tier. */
const walletOpenedToV2: Upcaster = {
  type: 'WalletOpened',
  fromVersion: 1,
  upcast: (data) => (data.ownerKind === 'customer' ? { ...data, accountTier: 'III' } : data),
};

/** The tier a registration opens the customer's wallet with: the one its upcast WalletOpened has. */
const partyRegisteredToV2: Upcaster = {
  type: 'PartyRegistered',
  fromVersion: 1,
  upcast: (data) => (data.kind === 'customer' ? { ...data, accountTier: 'III' } : data),
};

/**
 * Version 3 seals the name, and the phone and bank card it adds, in `sealedPersonalData`. A version-2
 * registration reads as a version-3 one recorded before sealing: its name stays in the clear, where the
 * hashed log keeps it (it cannot be sealed without rewriting that log; docs/personal-data.md).
 */
const partyRegisteredToV3: Upcaster = {
  type: 'PartyRegistered',
  fromVersion: 2,
  upcast: (data) => data,
};

/** A payment was always decided on its business date, which its metadata recorded before its data did. */
const paymentSentToV2: Upcaster = {
  type: 'PaymentSent',
  fromVersion: 1,
  upcast: (data, metadata) => {
    invariant(typeof metadata.businessDate === 'string', () => `a version 1 PaymentSent ${String(data.paymentId)} has no businessDate in its metadata`);
    return { ...data, businessDate: metadata.businessDate };
  },
};

export const EVENT_SCHEMAS = eventSchemas({
  currentVersions: { WalletOpened: 2, PaymentSent: 2, PartyRegistered: 3 },
  upcasters: [walletOpenedToV2, paymentSentToV2, partyRegisteredToV2, partyRegisteredToV3],
});

/** Every event the product appends goes through here, so each records the version of the shape it was written in. */
export function withSchemaVersion(input: EventInput): EventInput {
  return { ...input, metadata: { ...input.metadata, schemaVersion: EVENT_SCHEMAS.currentVersion(input.type) } };
}

/** What the product's stores are opened with: every event read comes in today's shape. */
export function upcastToCurrent(event: RecordedEvent): RecordedEvent {
  return EVENT_SCHEMAS.upcast(event);
}
