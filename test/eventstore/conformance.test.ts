import { randomUUID } from 'node:crypto';
import {
  AppendManyUnsupportedError,
  type EventInput,
  type EventStore,
  InvalidEventError,
  InvalidRevisionError,
  LIMITS,
  PayloadTooLargeError,
  type RecordedEvent,
  WrongExpectedRevisionError,
  loadAggregate,
} from '../../src/eventstore';
import { backends, collect } from './backends';

const deposited = (n: number, id?: string): EventInput => ({
  ...(id ? { id } : {}),
  type: 'Deposited',
  data: { amountFen: String(n * 100), n },
  metadata: { correlationId: `c-${n}` },
});

describe.each(backends())('event store conformance: $name', (backend) => {
  let store: EventStore;
  // Unique names keep runs apart on a shared EventStoreDB; the embedded stores are fresh per test anyway.
  let run: string;
  const stream = (name: string) => `${run}${name}`;
  const ofRun = () => ({ filter: { streamPrefixes: [run] } });

  beforeEach(() => {
    store = backend.open();
    run = `t${randomUUID().slice(0, 8)}-`;
  });
  afterEach(async () => {
    await store.close();
    backend.cleanup();
  });

  describe('expected revision', () => {
    it('no_stream creates a stream at revision 0 and refuses an existing one', async () => {
      const s = stream('wallet-1');
      expect((await store.append(s, [deposited(1)], { expectedRevision: 'no_stream' })).nextRevision).toBe(0n);
      const error = await store.append(s, [deposited(2)], { expectedRevision: 'no_stream' }).catch((e) => e);
      expect(error).toBeInstanceOf(WrongExpectedRevisionError);
      expect(error).toMatchObject({ stream: s, expected: 'no_stream', actual: 0n });
    });

    it('stream_exists refuses a missing stream and accepts an existing one', async () => {
      const s = stream('wallet-2');
      const error = await store.append(s, [deposited(1)], { expectedRevision: 'stream_exists' }).catch((e) => e);
      expect(error).toBeInstanceOf(WrongExpectedRevisionError);
      expect(error).toMatchObject({ actual: -1n });
      await store.append(s, [deposited(1)]);
      expect((await store.append(s, [deposited(2)], { expectedRevision: 'stream_exists' })).nextRevision).toBe(1n);
    });

    it('a bigint must be the revision of the last event', async () => {
      const s = stream('wallet-3');
      await store.append(s, [deposited(1), deposited(2)], { expectedRevision: 'no_stream' });
      await expect(store.append(s, [deposited(3)], { expectedRevision: 0n })).rejects.toMatchObject({ actual: 1n, expected: 0n });
      await expect(store.append(s, [deposited(3)], { expectedRevision: 5n })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      await expect(store.append(stream('missing'), [deposited(3)], { expectedRevision: 0n })).rejects.toMatchObject({ actual: -1n });
      expect((await store.append(s, [deposited(3)], { expectedRevision: 1n })).nextRevision).toBe(2n);
    });

    it('tells the revision of a stream, -1n when it does not exist', async () => {
      expect(await store.streamRevision(stream('rev'))).toBe(-1n);
      await store.append(stream('rev'), [deposited(1), deposited(2)]);
      expect(await store.streamRevision(stream('rev'))).toBe(1n);
    });

    it('any appends whatever the stream holds', async () => {
      const s = stream('wallet-4');
      expect((await store.append(s, [deposited(1)])).nextRevision).toBe(0n);
      expect((await store.append(s, [deposited(2)], { expectedRevision: 'any' })).nextRevision).toBe(1n);
    });

    it('exactly one of 100 concurrent appends on the same expected revision wins', async () => {
      const s = stream('hot');
      await store.append(s, [deposited(0)], { expectedRevision: 'no_stream' });
      const results = await Promise.allSettled(
        Array.from({ length: 100 }, (_, i) => store.append(s, [deposited(i + 1)], { expectedRevision: 0n })),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(99);
      for (const r of lost) expect(r.reason).toBeInstanceOf(WrongExpectedRevisionError);
      expect((await collect(store.readStream(s))).map((e) => e.revision)).toEqual([0n, 1n]);
    });

    it('one failing append does not fail the others committed with it', async () => {
      await store.append(stream('a'), [deposited(0)]);
      const results = await Promise.allSettled([
        store.append(stream('a'), [deposited(1)], { expectedRevision: 0n }),
        store.append(stream('b'), [deposited(1)], { expectedRevision: 7n }),
        store.append(stream('c'), [deposited(1)], { expectedRevision: 'no_stream' }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(await collect(store.readStream(stream('b')))).toEqual([]);
    });
  });

  describe('idempotency by event id', () => {
    it('re-appending the same ids at the same expected revision succeeds and writes nothing', async () => {
      const s = stream('idem');
      const events = [deposited(1, randomUUID()), deposited(2, randomUUID())];
      const first = await store.append(s, events, { expectedRevision: 'no_stream' });
      const again = await store.append(s, events, { expectedRevision: 'no_stream' });
      expect(again).toEqual(first);
      await store.append(s, [deposited(3)], { expectedRevision: 1n });
      const third = [deposited(4, randomUUID())];
      const written = await store.append(s, third, { expectedRevision: 2n });
      await store.append(s, [deposited(5)], { expectedRevision: 3n });
      expect(await store.append(s, third, { expectedRevision: 2n })).toEqual(written);
      expect(await collect(store.readStream(s))).toHaveLength(5);
    });

    it('the same ids at a different revision, or different ids, are a conflict', async () => {
      const s = stream('idem-2');
      const ids = [randomUUID(), randomUUID()];
      await store.append(s, [deposited(1, ids[0]), deposited(2, ids[1])], { expectedRevision: 'no_stream' });
      await expect(store.append(s, [deposited(1, randomUUID())], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(
        WrongExpectedRevisionError,
      );
      await expect(store.append(s, [deposited(2, ids[1])], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(
        WrongExpectedRevisionError,
      );
    });

    it("with 'any', a repeat of the latest append is recognised", async () => {
      const s = stream('idem-any');
      const events = [deposited(1, randomUUID())];
      const first = await store.append(s, events);
      expect(await store.append(s, events)).toEqual(first);
      expect(await collect(store.readStream(s))).toHaveLength(1);
    });
  });

  describe('reading', () => {
    it('reads a stream forwards and backwards, from a revision, with a maximum count', async () => {
      const s = stream('read');
      await store.append(s, Array.from({ length: 5 }, (_, i) => deposited(i)));
      const all = await collect(store.readStream(s));
      expect(all.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
      expect(all[2]).toMatchObject({ stream: s, type: 'Deposited', data: { amountFen: '200', n: 2 }, metadata: { correlationId: 'c-2' } });
      expect(all[2]!.recordedAt).toBeInstanceOf(Date);
      expect(all[2]!.hash).toMatch(/^[0-9a-f]{64}$/);
      expect((await collect(store.readStream(s, { direction: 'backwards' }))).map((e) => e.revision)).toEqual([4n, 3n, 2n, 1n, 0n]);
      expect((await collect(store.readStream(s, { fromRevision: 3n }))).map((e) => e.revision)).toEqual([3n, 4n]);
      expect((await collect(store.readStream(s, { fromRevision: 2n, direction: 'backwards', maxCount: 2 }))).map((e) => e.revision)).toEqual([
        2n,
        1n,
      ]);
      expect(await collect(store.readStream(s, { maxCount: 0 }))).toEqual([]);
      expect(await collect(store.readStream(stream('none')))).toEqual([]);
    });

    it('reads the whole log in commit order, across page boundaries', async () => {
      const total = LIMITS.readPageSize + 7;
      for (let i = 0; i < total; i += 100) {
        await store.append(stream(`s${i % 3}`), Array.from({ length: Math.min(100, total - i) }, (_, j) => deposited(i + j)));
      }
      const log = await collect(store.readAll(ofRun()));
      expect(log).toHaveLength(total);
      expect(log.map((e) => e.data.n)).toEqual(Array.from({ length: total }, (_, i) => i));
      for (let i = 1; i < log.length; i++) expect(log[i]!.position > log[i - 1]!.position).toBe(true);
      const tail = await collect(store.readAll({ ...ofRun(), fromPosition: log[total - 3]!.position }));
      expect(tail.map((e) => e.data.n)).toEqual([total - 3, total - 2, total - 1]);
      expect(await collect(store.readAll({ ...ofRun(), maxCount: 2 }))).toHaveLength(2);
      expect(await store.lastPosition()).toBeGreaterThanOrEqual(log[total - 1]!.position);
    });

    it('filters the log by stream prefix and event type', async () => {
      await store.append(stream('wallet-1'), [deposited(1), { type: 'Withdrawn', data: { n: 2 } }]);
      await store.append(stream('fund-1'), [{ type: 'FundRegistered', data: { n: 3 } }]);
      await store.append(stream('wallet_%'), [deposited(4)]);
      const byPrefix = await collect(store.readAll({ filter: { streamPrefixes: [stream('wallet-')] } }));
      expect(byPrefix.map((e) => e.data.n)).toEqual([1, 2]);
      const byLiteralPrefix = await collect(store.readAll({ filter: { streamPrefixes: [stream('wallet_')] } }));
      expect(byLiteralPrefix.map((e) => e.data.n)).toEqual([4]);
      const byType = await collect(store.readAll({ filter: { streamPrefixes: [run], eventTypes: ['Withdrawn', 'FundRegistered'] } }));
      expect(byType.map((e) => e.data.n)).toEqual([2, 3]);
      const both = await collect(
        store.readAll({ filter: { streamPrefixes: [stream('wallet-'), stream('fund-')], eventTypes: ['Deposited', 'FundRegistered'] } }),
      );
      expect(both.map((e) => e.data.n)).toEqual([1, 3]);
    });
  });

  describe('subscription', () => {
    it('catches up, then goes live, with no gap and no duplicate', async () => {
      const before = 1500;
      for (let i = 0; i < before; i += 500) await store.append(stream('sub'), Array.from({ length: 500 }, (_, j) => deposited(i + j)));
      const subscription = store.subscribeToAll(ofRun());
      const after = 300;
      const received: RecordedEvent[] = [];
      let writing: Promise<unknown> = Promise.resolve();
      const writeLive = () =>
        (writing = (async () => {
          for (let i = 0; i < after; i++) await store.append(stream(`live-${i % 7}`), [deposited(before + i)]);
        })());
      const reading = (async () => {
        for await (const event of subscription) {
          received.push(event);
          // Writes arrive while the subscription is still catching up and after it has gone live.
          if (received.length === 10) void writeLive();
          if (received.length === before + after) break;
        }
      })();
      await reading;
      await writing;
      await subscription.close();
      expect(received.map((e) => e.data.n)).toEqual(Array.from({ length: before + after }, (_, i) => i));
      const log = await collect(store.readAll(ofRun()));
      expect(received.map((e) => e.position)).toEqual(log.map((e) => e.position));
    });

    it('starts after a given position, or at the end, and honours its filter', async () => {
      await store.append(stream('x'), [deposited(1), deposited(2)]);
      const [first] = await collect(store.readAll({ ...ofRun(), maxCount: 1 }));
      const fromFirst = store.subscribeToAll({ fromPosition: first!.position, filter: { streamPrefixes: [run], eventTypes: ['Deposited'] } });
      const fromEnd = store.subscribeToAll({ fromPosition: 'end', ...ofRun() });
      await store.append(stream('x'), [{ type: 'Other', data: { n: 3 } }, deposited(4)]);
      const next = async (subscription: AsyncIterable<RecordedEvent>, count: number) => {
        const out: unknown[] = [];
        for await (const event of subscription) if (out.push(event.data.n) === count) break;
        return out;
      };
      expect(await next(fromFirst, 2)).toEqual([2, 4]);
      expect(await next(fromEnd, 2)).toEqual([3, 4]);
      await fromFirst.close();
      await fromEnd.close();
    });

    it('ends its iteration when closed while waiting', async () => {
      const subscription = store.subscribeToAll(ofRun());
      const reading = collect(subscription);
      await store.append(stream('y'), [deposited(1)]);
      await subscription.close();
      expect((await reading).length).toBeLessThanOrEqual(1);
    });
  });

  describe('appendMany', () => {
    it(backend.atomicAppendMany ? 'writes all streams or none' : 'is refused with a clear error', async () => {
      const from = stream('payer');
      const to = stream('payee');
      await store.append(from, [deposited(1)], { expectedRevision: 'no_stream' });
      const payment = (expectedPayer: bigint) =>
        store.appendMany([
          { stream: from, events: [{ type: 'PaymentSent', data: { amountFen: '100' } }], expectedRevision: expectedPayer },
          { stream: to, events: [{ type: 'PaymentReceived', data: { amountFen: '100' } }], expectedRevision: 'any' },
        ]);
      if (!backend.atomicAppendMany) {
        await expect(payment(0n)).rejects.toBeInstanceOf(AppendManyUnsupportedError);
        return;
      }
      const result = await payment(0n);
      expect(result.streams).toEqual([
        { stream: from, nextRevision: 1n },
        { stream: to, nextRevision: 0n },
      ]);
      await expect(payment(0n)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      expect(await collect(store.readStream(to))).toHaveLength(1);
      await expect(
        store.appendMany([
          { stream: from, events: [deposited(2)] },
          { stream: from, events: [deposited(3)] },
        ]),
      ).rejects.toBeInstanceOf(InvalidEventError);
    });
  });

  describe('bad input', () => {
    const cases: [string, () => Promise<unknown>, new (...args: never[]) => Error][] = [
      ['a negative revision', () => store.append(stream('bad'), [deposited(1)], { expectedRevision: -1n }), InvalidRevisionError],
      ['a number revision', () => store.append(stream('bad'), [deposited(1)], { expectedRevision: 1.5 as unknown as bigint }), InvalidRevisionError],
      ['a bigint in data', () => store.append(stream('bad'), [{ type: 'T', data: { amountFen: 5n as unknown as string } }]), InvalidEventError],
      ['NaN in data', () => store.append(stream('bad'), [{ type: 'T', data: { rate: NaN } }]), InvalidEventError],
      ['a Date in data', () => store.append(stream('bad'), [{ type: 'T', data: { at: new Date() as unknown as string } }]), InvalidEventError],
      ['a string as data', () => store.append(stream('bad'), [{ type: 'T', data: 'x' as unknown as { x: string } }]), InvalidEventError],
      ['an empty type', () => store.append(stream('bad'), [{ type: '', data: {} }]), InvalidEventError],
      ['an id that is not a UUID', () => store.append(stream('bad'), [{ id: '42', type: 'T', data: {} }]), InvalidEventError],
      ['no events', () => store.append(stream('bad'), []), InvalidEventError],
      ['a reserved stream name', () => store.append('$all', [deposited(1)]), InvalidEventError],
      [
        'an event over the size limit',
        () => store.append(stream('bad'), [{ type: 'T', data: { blob: 'x'.repeat(LIMITS.maxEventBytes) } }]),
        PayloadTooLargeError,
      ],
      [
        'a good event followed by a bad one',
        () => store.append(stream('bad'), [deposited(1), { type: 'T', data: { f: (() => 1) as unknown as string } }]),
        InvalidEventError,
      ],
      ['a negative read position', () => collect(store.readAll({ fromPosition: -5n })), InvalidRevisionError],
    ];
    it.each(cases)('%s is a typed error and writes nothing', async (_what, act, errorType) => {
      const before = await store.lastPosition();
      const error = await act().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(errorType);
      expect((error as Error).message.length).toBeGreaterThan(20);
      expect(await store.lastPosition()).toBe(before);
      expect(await collect(store.readStream(stream('bad')))).toEqual([]);
    });
  });

  describe('hash chain and snapshots', () => {
    it('links every event of a stream to the one before', async () => {
      const s = stream('chain');
      await store.append(s, [deposited(1), deposited(2)]);
      await store.append(s, [deposited(3)]);
      expect(await store.verifyStream(s)).toMatchObject({ ok: true, eventsChecked: 3 });
      const [a, b] = await collect(store.readStream(s));
      expect(a!.hash).not.toEqual(b!.hash);
    });

    it('loads a long stream from its latest snapshot plus the events after it', async () => {
      const s = stream('counter');
      for (let i = 0; i < 5; i++) await store.append(s, Array.from({ length: 50 }, (_, j) => deposited(i * 50 + j)));
      const fold = { initialState: { total: 0 }, evolve: (st: { total: number }, e: RecordedEvent) => ({ total: st.total + Number(e.data.n) }) };
      const policy = { schema: 'counter-v1', everyEvents: 100, encode: (st: { total: number }) => st, decode: (j: unknown) => j as { total: number } };
      const first = await loadAggregate(store, s, fold, policy);
      expect(first).toMatchObject({ state: { total: (249 * 250) / 2 }, revision: 249n, eventsReplayed: 250 });
      expect(await store.loadSnapshot(s)).toMatchObject({ revision: 249n, schema: 'counter-v1' });
      await store.append(s, [deposited(250)]);
      const second = await loadAggregate(store, s, fold, policy);
      expect(second).toMatchObject({ state: { total: (250 * 251) / 2 }, revision: 250n, eventsReplayed: 1 });
      const otherSchema = await loadAggregate(store, s, fold, { ...policy, schema: 'counter-v2' });
      expect(otherSchema.eventsReplayed).toBe(251);
    });
  });
});
