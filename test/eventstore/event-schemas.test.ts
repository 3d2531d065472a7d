import { EVENT_SCHEMAS, EventSchemaTooNewError, type Upcaster, eventSchemas, withSchemaVersion } from '../../src/domain/event-schemas';
import type { JsonObject, RecordedEvent } from '../../src/eventstore';

/** An event as a store hands it out before upcasting: only type, data and metadata matter here. */
function stored(type: string, data: JsonObject, metadata: JsonObject = {}): RecordedEvent {
  return { id: '00000000-0000-4000-8000-000000000001', stream: 'wallet-w1', type, revision: 3n, position: 9n, data, metadata, recordedAt: new Date(0), hash: 'h'.repeat(64) };
}

const V1_METADATA = { correlationId: 'c', causationId: 'c', principal: 'operator:x', ruleSetVersion: 'csrc-pboc-2018-06', businessDate: '2026-01-05' };

describe('the upcasters of today', () => {
  it('open a version-1 customer wallet at tier III, and leave a merchant wallet without a tier', () => {
    const customer = EVENT_SCHEMAS.upcast(stored('WalletOpened', { walletId: 'w1', ownerKind: 'customer', ownerId: 'p1' }, V1_METADATA));
    const merchant = EVENT_SCHEMAS.upcast(stored('WalletOpened', { walletId: 'w2', ownerKind: 'merchant', ownerId: 'p2' }, V1_METADATA));
    expect(customer.data).toEqual({ walletId: 'w1', ownerKind: 'customer', ownerId: 'p1', accountTier: 'III' });
    expect(merchant.data).toEqual({ walletId: 'w2', ownerKind: 'merchant', ownerId: 'p2' });
  });

  it('register a version-1 customer at tier III, the tier its wallet opens with', () => {
    const data = { partyId: 'p1', kind: 'customer', name: 'Ann', walletId: 'w1', apiKeyHash: 'sha256:x' };
    expect(EVENT_SCHEMAS.upcast(stored('PartyRegistered', data, V1_METADATA)).data).toEqual({ ...data, accountTier: 'III' });
    const merchant = { ...data, kind: 'merchant' };
    expect(EVENT_SCHEMAS.upcast(stored('PartyRegistered', merchant, V1_METADATA)).data).toEqual(merchant);
  });

  it('give a version-1 payment the business date its metadata recorded', () => {
    const data = { paymentId: 'pay-1', toWalletId: 'w2', amountFen: '3550', postings: [] };
    expect(EVENT_SCHEMAS.upcast(stored('PaymentSent', data, V1_METADATA)).data).toEqual({ ...data, businessDate: '2026-01-05' });
  });

  it('are pure: the stored event is left as it was, and the same event upcasts the same way twice', () => {
    const event = stored('WalletOpened', { walletId: 'w1', ownerKind: 'customer', ownerId: 'p1' }, V1_METADATA);
    const before = structuredClone(event);
    const first = EVENT_SCHEMAS.upcast(event);
    expect(EVENT_SCHEMAS.upcast(event)).toEqual(first);
    expect(event).toEqual(before);
  });

  it('leave an event written at today\'s version as it is', () => {
    const event = stored('WalletOpened', { walletId: 'w1', ownerKind: 'customer', ownerId: 'p1', accountTier: 'I' }, { ...V1_METADATA, schemaVersion: 2 });
    expect(EVENT_SCHEMAS.upcast(event)).toBe(event);
  });
});

describe('a schema registry', () => {
  const renamed: Upcaster = { type: 'Thing', fromVersion: 1, upcast: ({ amount, ...rest }) => ({ ...rest, amountFen: amount! }) };
  const dated: Upcaster = { type: 'Thing', fromVersion: 2, upcast: (data, metadata) => ({ ...data, on: metadata.businessDate! }) };
  const schemas = eventSchemas({ currentVersions: { Thing: 3 }, upcasters: [dated, renamed] });

  it('chains the upcasters from the stored version to the current one, in order, and keeps telling the stored version', () => {
    const fromV1 = schemas.upcast(stored('Thing', { amount: '5' }, { businessDate: '2026-01-05' }));
    const fromV2 = schemas.upcast(stored('Thing', { amountFen: '7' }, { businessDate: '2026-01-06', schemaVersion: 2 }));
    expect([fromV1.data, fromV1.metadata.schemaVersion]).toEqual([{ amountFen: '5', on: '2026-01-05' }, 1]);
    expect([fromV2.data, fromV2.metadata.schemaVersion]).toEqual([{ amountFen: '7', on: '2026-01-06' }, 2]);
  });

  it('refuses an event written by newer code, naming its type, stream and versions', () => {
    const tooNew = stored('Thing', { amountFen: '5' }, { schemaVersion: 4 });
    expect(() => schemas.upcast(tooNew)).toThrow(EventSchemaTooNewError);
    expect(() => schemas.upcast(tooNew)).toThrow('Thing at revision 3 of "wallet-w1" is stored in schema version 4, but this IFW reads Thing up to version 3');
    expect(() => schemas.upcast(stored('Unlisted', {}, { schemaVersion: 2 }))).toThrow('reads Unlisted up to version 1');
  });

  it('passes an unlisted type unchanged, telling readers it is version 1', () => {
    const event = stored('Unlisted', { amountFen: '5' }, V1_METADATA);
    const read = schemas.upcast(event);
    expect(read.data).toBe(event.data);
    expect(read.metadata).toEqual({ ...V1_METADATA, schemaVersion: 1 });
  });

  it('refuses a stored version that is not a version', () => {
    expect(() => schemas.upcast(stored('Thing', {}, { schemaVersion: '2' }))).toThrow('has schemaVersion "2", which is not a version');
    expect(() => schemas.upcast(stored('Thing', {}, { schemaVersion: 0 }))).toThrow('which is not a version');
  });

  it('is refused when a step of a chain is missing, or an upcaster leads past the current version', () => {
    expect(() => eventSchemas({ currentVersions: { Thing: 3 }, upcasters: [renamed] })).toThrow('Thing is at version 3 but no upcaster starts from version 2');
    expect(() => eventSchemas({ currentVersions: {}, upcasters: [renamed] })).toThrow('the upcaster of Thing from version 1 leads past its current version 1');
    expect(() => eventSchemas({ currentVersions: { Thing: 2 }, upcasters: [renamed, renamed] })).toThrow('two upcasters start from the same version');
  });
});

describe('withSchemaVersion', () => {
  it('stamps the current version of the event\'s type, 1 for a type not listed, and keeps the rest of the metadata', () => {
    expect(withSchemaVersion({ type: 'PaymentSent', data: {}, metadata: V1_METADATA }).metadata).toEqual({ ...V1_METADATA, schemaVersion: 2 });
    expect(withSchemaVersion({ type: 'CashDeposited', data: {} }).metadata).toEqual({ schemaVersion: 1 });
  });
});
