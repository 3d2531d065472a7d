import { Metrics } from '../../src/api/metrics/metrics';
import { WALLET } from '../../src/api/commands/aggregates';
import type { CommandContext } from '../../src/api/commands/command-context';
import { DecideCommand, DecideCommandHandler } from '../../src/api/commands/decide-command';
import { EventSchemaTooNewError, upcastToCurrent } from '../../src/domain/event-schemas';
import { walletStream } from '../../src/domain/wallet/wallet.decider';
import { type EventStore, type RecordedEvent, openEventStore } from '../../src/eventstore';
import { collect, steppingClock } from './backends';

const WALLET_ID = '00000000-0000-4000-8000-0000000000aa';
const STREAM = walletStream(WALLET_ID);
const V1_METADATA = { correlationId: 'c', causationId: 'c', principal: 'operator:x', ruleSetVersion: 'csrc-pboc-2018-06', businessDate: '2026-01-05' };
const V1_OPENED = { type: 'WalletOpened', data: { walletId: WALLET_ID, ownerKind: 'customer', ownerId: 'p1' }, metadata: V1_METADATA };

async function first(events: AsyncIterable<RecordedEvent>): Promise<RecordedEvent> {
  for await (const event of events) return event;
  throw new Error('no event');
}

describe('a store opened with the upcaster', () => {
  let store: EventStore;
  beforeEach(() => (store = openEventStore('sqlite::memory:', { clock: steppingClock(), upcast: upcastToCurrent })));
  afterEach(() => store.close());

  it('hands out old events in today\'s shape from every read: a stream, the log, a subscription', async () => {
    await store.append(STREAM, [V1_OPENED]);
    const subscription = store.subscribeToAll();
    const reads = [await first(store.readStream(STREAM)), await first(store.readAll()), await first(subscription)];
    await subscription.close();
    expect(reads.map((event) => [event.data.accountTier, event.metadata.schemaVersion])).toEqual([['III', 1], ['III', 1], ['III', 1]]);
  });

  it('refuses to read an event newer code wrote, while its chain still verifies', async () => {
    await store.append(STREAM, [{ ...V1_OPENED, metadata: { ...V1_METADATA, schemaVersion: 3 } }]);
    await expect(collect(store.readStream(STREAM))).rejects.toThrow(EventSchemaTooNewError);
    await expect(collect(store.readAll())).rejects.toThrow(`WalletOpened at revision 0 of "${STREAM}" is stored in schema version 3`);
    expect(await store.streamRevision(STREAM)).toBe(0n);
    expect((await store.verifyAll()).ok).toBe(true);
  });
});

describe('a store opened without it', () => {
  it('hands out events as stored', async () => {
    const store = openEventStore('sqlite::memory:');
    await store.append(STREAM, [V1_OPENED]);
    const read = await first(store.readStream(STREAM));
    await store.close();
    expect([read.data, read.metadata]).toEqual([V1_OPENED.data, V1_METADATA]);
  });
});

describe('an event the product appends', () => {
  it('records the current schema version of its type, its request\'s recorded outcome too', async () => {
    const store = openEventStore('sqlite::memory:');
    const handler = new DecideCommandHandler(store, new Metrics());
    const recordedUnder = { businessDate: '2026-01-05', ruleSetVersion: 'csrc-pboc-2018-06' };
    const respond = () => ({ status: 201, body: {} });
    const context: CommandContext = { principal: { role: 'operator', id: 'test' }, correlationId: 'c1' };
    const keyed: CommandContext = { ...context, idempotency: { stream: 'idempotency-test', requestHash: 'h1' } };
    await handler.execute(new DecideCommand(context, WALLET, STREAM, { type: 'OpenWallet', walletId: WALLET_ID, ownerKind: 'merchant', ownerId: 'p1' }, recordedUnder, respond, false));
    await handler.execute(new DecideCommand(keyed, WALLET, STREAM, { type: 'Deposit', amountFen: 100n }, recordedUnder, respond));
    // Read without the upcaster: what was stored.
    const stored = await collect(store.readAll());
    await store.close();
    expect(stored.map((event) => [event.type, event.metadata.schemaVersion])).toEqual([
      ['WalletOpened', 2],
      ['RequestAccepted', 1],
      ['CashDeposited', 1],
      ['RequestRecorded', 1],
    ]);
  });
});
