import { Readable } from 'node:stream';
import {
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AppendExpectedRevision,
  type EventData,
  type Filter,
} from '@eventstore/db-client';
import { prepareAppend } from '../../src/eventstore/append-validation';
import { AppendManyUnsupportedError, InvalidEventError, StoreClosedError, WrongExpectedRevisionError } from '../../src/eventstore/errors';
import type { JsonObject, RecordedEvent } from '../../src/eventstore/event-store';
import { EsdbEventStore, type EsdbClient } from '../../src/eventstore/esdb/esdb-event-store';
import { ForeignEventError } from '../../src/eventstore/esdb/esdb-errors';
import {
  CHAIN_START,
  type ChainCursor,
  type StoredEvent,
  checkFilter,
  checkLink,
  chainOutgoing,
  decodeLogEvent,
  decodeStored,
  esdbExpectedFor,
  escapeRegex,
  exactRevision,
  expectationHolds,
  isLogStream,
  parseForEsdb,
  parseSnapshot,
  passesFilter,
  positionOf,
  sameIds,
  serverFilterFor,
  snapshotData,
  snapshotStreamOf,
} from '../../src/eventstore/esdb/esdb-mapping';
import { GENESIS_HASH } from '../../src/eventstore/hash-chain';

const ID = (n: number): string => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;
const T0 = Date.UTC(2026, 0, 1);

/** What the client hands back after the server stored an outgoing event: its JSON re-parsed, as the client does. */
function stored(stream: string, revision: bigint, event: { id: string; type: string; data: unknown; metadata: unknown }, position = 100n + revision): StoredEvent {
  return {
    streamId: stream,
    id: event.id,
    type: event.type,
    revision,
    isJson: true,
    data: JSON.parse(JSON.stringify(event.data)),
    metadata: JSON.parse(JSON.stringify(event.metadata)),
    position: { commit: position, prepare: position },
  };
}

function outgoingFor(stream: string, events: { type: string; data: JsonObject; metadata?: JsonObject; id?: string }[], tail = { revision: -1n, hash: GENESIS_HASH }, at = T0) {
  const prepared = prepareAppend(stream, events, 'any');
  return chainOutgoing(stream, tail, at, parseForEsdb(prepared.events));
}

describe('esdb mapping: the chain link in metadata', () => {
  test('an outgoing event carries the caller metadata plus $ifw, and decodes back without it', () => {
    const [out] = outgoingFor('wallet-1', [{ id: ID(1), type: 'Deposited', data: { amount: '12.30' }, metadata: { correlationId: 'c1' } }]);
    expect(out!.metadata).toEqual({ correlationId: 'c1', $ifw: { hash: expect.stringMatching(/^[0-9a-f]{64}$/), recordedAtMs: T0 } });
    const decoded = decodeStored(stored('wallet-1', 0n, out!), 4242n);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    const event: RecordedEvent = decoded.event;
    expect(event).toEqual({
      id: ID(1),
      stream: 'wallet-1',
      type: 'Deposited',
      revision: 0n,
      position: 4242n,
      data: { amount: '12.30' },
      metadata: { correlationId: 'c1' },
      recordedAt: new Date(T0),
      hash: (out!.metadata.$ifw as JsonObject).hash,
    });
  });

  test('ids come back lowercased whatever case the server echoes', () => {
    const [out] = outgoingFor('s', [{ id: ID(7).toUpperCase(), type: 'T', data: {} }]);
    expect(out!.id).toBe(ID(7));
    const decoded = decodeStored({ ...stored('s', 0n, out!), id: ID(7).toUpperCase() }, 1n);
    expect(decoded.ok && decoded.event.id).toBe(ID(7));
  });

  test('callers may not use the reserved $ifw metadata key or snapshot stream names', () => {
    expect(() => prepareAppend('s', [{ type: 'T', data: {}, metadata: { $ifw: 'mine' } }], 'any')).toThrow(InvalidEventError);
    expect(() => prepareAppend('ifw-snapshot-s', [{ type: 'T', data: {} }], 'any')).toThrow(InvalidEventError);
  });

  test('events IFW did not write are recognised and say why', () => {
    const base = stored('s', 0n, { id: ID(1), type: 'T', data: {}, metadata: {} });
    expect(decodeStored({ ...base, metadata: undefined }, 1n)).toEqual({ ok: false, reason: 'the event carries no IFW hash metadata' });
    expect(decodeStored({ ...base, isJson: false, data: new Uint8Array([1]) }, 1n)).toEqual({ ok: false, reason: 'the event is not JSON' });
    expect(decodeStored({ ...base, data: [1, 2] }, 1n).ok).toBe(false);
    expect(decodeStored({ ...base, metadata: { $ifw: { hash: 'zz', recordedAtMs: 1 } } }, 1n).ok).toBe(false);
    expect(decodeStored({ ...base, metadata: { $ifw: { hash: 'a'.repeat(64), recordedAtMs: 1.5 } } }, 1n).ok).toBe(false);
    expect(decodeStored({ ...base, metadata: { $ifw: { hash: 'a'.repeat(64), recordedAtMs: 1 } } }, 1n).ok).toBe(true);
  });

  test('positions: the commit position, and none for the "no position" marker of older servers', () => {
    const base = stored('s', 0n, { id: ID(1), type: 'T', data: {}, metadata: {} }, 77n);
    expect(positionOf(base)).toBe(77n);
    expect(positionOf({ ...base, position: { commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n } })).toBeUndefined();
    const { position: _omitted, ...withoutPosition } = base;
    expect(positionOf(withoutPosition)).toBeUndefined();
  });
});

describe('esdb mapping: the hash chain', () => {
  function chainOf(stream: string, count: number): StoredEvent[] {
    const events = Array.from({ length: count }, (_, i) => ({ id: ID(i + 1), type: 'Step', data: { i, nested: { b: [1, { z: true, a: null }] } }, metadata: { by: 'test' } }));
    return outgoingFor(stream, events).map((out, i) => stored(stream, BigInt(i), out));
  }

  function walk(events: StoredEvent[]): ReturnType<typeof checkLink> {
    let cursor: ChainCursor = CHAIN_START;
    let last: ReturnType<typeof checkLink> = { ok: true, cursor };
    for (const event of events) {
      last = checkLink(cursor, event, positionOf(event)!);
      if (!last.ok) return last;
      cursor = last.cursor;
    }
    return last;
  }

  test('a chain written by chainOutgoing verifies after the JSON round trip (key order does not matter)', () => {
    const events = chainOf('s', 5);
    // The server may hand keys back in another order; the check re-canonicalises.
    events[2] = { ...events[2]!, data: { nested: { b: [1, { a: null, z: true }] }, i: 2 } };
    expect(walk(events)).toEqual({ ok: true, cursor: { nextRevision: 5n, previousHash: (events[4]!.metadata as { $ifw: { hash: string } }).$ifw.hash } });
  });

  test('an append continues the chain from the stored tail', () => {
    const first = chainOf('s', 2);
    const tailHash = (first[1]!.metadata as { $ifw: { hash: string } }).$ifw.hash;
    const more = outgoingFor('s', [{ id: ID(9), type: 'Step', data: {} }], { revision: 1n, hash: tailHash }, T0 + 5).map((out) => stored('s', 2n, out));
    expect(walk([...first, ...more]).ok).toBe(true);
  });

  test('altered data, metadata, type or recorded time break the chain at that event', () => {
    const alter: ((e: StoredEvent) => StoredEvent)[] = [
      (e) => ({ ...e, data: { ...(e.data as JsonObject), i: 99 } }),
      (e) => ({ ...e, metadata: { ...(e.metadata as JsonObject), by: 'mallory' } }),
      (e) => ({ ...e, type: 'Other' }),
      (e) => {
        const metadata = e.metadata as { $ifw: { hash: string; recordedAtMs: number } };
        return { ...e, metadata: { ...metadata, $ifw: { ...metadata.$ifw, recordedAtMs: metadata.$ifw.recordedAtMs + 1 } } };
      },
    ];
    for (const change of alter) {
      const events = chainOf('s', 4);
      events[2] = change(events[2]!);
      const result = walk(events);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.chainBreak).toMatchObject({ stream: 's', revision: 2n, position: 102n });
        expect(result.chainBreak.reason).toMatch(/does not match its hash/);
      }
    }
  });

  test('a removed or reordered event is a gap in revisions', () => {
    const events = chainOf('s', 4);
    const result = walk([events[0]!, events[2]!, events[3]!]);
    expect(result).toEqual({ ok: false, chainBreak: { kind: 'removed', stream: 's', revision: 2n, position: 102n, reason: 'revision 1 is missing: the next stored revision is 2' } });
    const truncated = walk(events.slice(1));
    expect(truncated.ok || truncated.chainBreak.reason).toBe('revision 0 is missing: the next stored revision is 1');
  });

  test('a foreign event inside a stream is a break', () => {
    const events = chainOf('s', 2);
    events.push({ ...events[1]!, revision: 2n, id: ID(50), metadata: { note: 'written by another client' }, position: { commit: 500n, prepare: 500n } });
    const result = walk(events);
    expect(result.ok || result.chainBreak).toMatchObject({ revision: 2n, position: 500n, reason: expect.stringMatching(/no IFW hash metadata/) });
  });
});

describe('esdb mapping: expected revisions', () => {
  test('expectations against the stream tail (-1n: no stream)', () => {
    expect([-1n, 0n, 5n].map((a) => expectationHolds('any', a))).toEqual([true, true, true]);
    expect([-1n, 0n, 5n].map((a) => expectationHolds('stream_exists', a))).toEqual([false, true, true]);
    expect([-1n, 0n, 5n].map((a) => expectationHolds('no_stream', a))).toEqual([true, false, false]);
    expect([-1n, 0n, 5n].map((a) => expectationHolds(5n, a))).toEqual([false, false, true]);
    expect([-1n, 0n, 5n].map((a) => expectationHolds(0n, a))).toEqual([false, true, false]);
  });

  test('the adapter always sends the concrete tail it hashed against', () => {
    const sent: AppendExpectedRevision[] = [esdbExpectedFor(-1n), esdbExpectedFor(0n), esdbExpectedFor(41n)];
    expect(sent).toEqual(['no_stream', 0n, 41n]);
    expect(exactRevision('no_stream')).toBe(-1n);
    expect(exactRevision(3n)).toBe(3n);
  });

  test('ids match in order and length, case-insensitively', () => {
    expect(sameIds([ID(1).toUpperCase(), ID(2)], [ID(1), ID(2)])).toBe(true);
    expect(sameIds([ID(2), ID(1)], [ID(1), ID(2)])).toBe(false);
    expect(sameIds([ID(1)], [ID(1), ID(2)])).toBe(false);
  });
});

describe('esdb mapping: filters', () => {
  test('validation follows the SQLite adapter', () => {
    expect(checkFilter(undefined)).toEqual({ streamPrefixes: [], eventTypes: [] });
    expect(() => checkFilter({ streamPrefixes: [''] })).toThrow(InvalidEventError);
    expect(() => checkFilter({ eventTypes: 'Deposited' as unknown as string[] })).toThrow(InvalidEventError);
    expect(() => checkFilter({ eventTypes: Array.from({ length: 101 }, (_, i) => `T${i}`) })).toThrow(InvalidEventError);
  });

  test('prefixes OR together, types OR together, the two AND; empty lists do not filter', () => {
    const f = checkFilter({ streamPrefixes: ['wallet-', 'fund-'], eventTypes: ['Deposited'] });
    expect(passesFilter('wallet-1', 'Deposited', f)).toBe(true);
    expect(passesFilter('fund-1', 'Deposited', f)).toBe(true);
    expect(passesFilter('merchant-1', 'Deposited', f)).toBe(false);
    expect(passesFilter('wallet-1', 'DepositedTwice', f)).toBe(false);
    expect(passesFilter('anything', 'Any', checkFilter({ streamPrefixes: [], eventTypes: [] }))).toBe(true);
  });

  test('system and snapshot streams are not part of the log', () => {
    expect(isLogStream('wallet-1')).toBe(true);
    expect(isLogStream('$stats-127.0.0.1:2113')).toBe(false);
    expect(isLogStream('$$wallet-1')).toBe(false);
    expect(isLogStream(snapshotStreamOf('wallet-1'))).toBe(false);
  });

  test('decodeLogEvent drops system events, snapshots, foreign events and filtered-out events', () => {
    const [out] = outgoingFor('wallet-1', [{ id: ID(1), type: 'Deposited', data: {} }]);
    const event = stored('wallet-1', 0n, out!);
    const none = checkFilter(undefined);
    expect(decodeLogEvent(event, none)?.id).toBe(ID(1));
    expect(decodeLogEvent(undefined, none)).toBeUndefined();
    expect(decodeLogEvent({ ...event, streamId: '$ce-wallet' }, none)).toBeUndefined();
    expect(decodeLogEvent({ ...event, streamId: snapshotStreamOf('wallet-1') }, none)).toBeUndefined();
    expect(decodeLogEvent({ ...event, metadata: {} }, none)).toBeUndefined();
    expect(decodeLogEvent(event, checkFilter({ eventTypes: ['Withdrawn'] }))).toBeUndefined();
  });

  test('the server filter: stream prefixes first, exact types by anchored regex, else no $ streams', () => {
    expect(serverFilterFor(checkFilter({ streamPrefixes: ['wallet-'], eventTypes: ['A'] }))).toEqual({ on: 'streamName', prefixes: ['wallet-'] });
    const byType = serverFilterFor(checkFilter({ eventTypes: ['Deposit', 'Fee.Charged'] }));
    expect(byType).toEqual({ on: 'eventType', regex: '^(?:Deposit|Fee\\.Charged)$' });
    const regex = new RegExp((byType as { regex: string }).regex);
    expect(['Deposit', 'Fee.Charged', 'DepositReversed', 'FeexCharged'].map((t) => regex.test(t))).toEqual([true, true, false, false]);
    const unfiltered = serverFilterFor(checkFilter(undefined));
    expect(unfiltered).toEqual({ on: 'streamName', regex: '^[^$]' });
    expect(['wallet-1', '$stats', '$$wallet-1'].map((s) => new RegExp((unfiltered as { regex: string }).regex).test(s))).toEqual([true, false, false]);
    expect(escapeRegex('a+b(c)[d]$^|?*{}\\')).toBe('a\\+b\\(c\\)\\[d\\]\\$\\^\\|\\?\\*\\{\\}\\\\');
  });
});

describe('esdb mapping: snapshots', () => {
  test('round trip, with the revision as a decimal string', () => {
    const data = snapshotData({ revision: 12n, schema: 'wallet/v1', state: { balance: '10.00', holdings: [1, 2] } });
    expect(data).toEqual({ revision: '12', schema: 'wallet/v1', state: { balance: '10.00', holdings: [1, 2] } });
    const raw: StoredEvent = { streamId: snapshotStreamOf('w'), id: ID(1), type: 'Snapshot', revision: 3n, isJson: true, data: JSON.parse(JSON.stringify(data)), metadata: undefined };
    expect(parseSnapshot(raw)).toEqual({ revision: 12n, schema: 'wallet/v1', state: { balance: '10.00', holdings: [1, 2] } });
  });

  test('bad snapshots are refused on save and ignored on load', () => {
    expect(() => snapshotData({ revision: -1n, schema: 's', state: null })).toThrow();
    expect(() => snapshotData({ revision: 1n, schema: '', state: null })).toThrow(InvalidEventError);
    expect(() => snapshotData({ revision: 1n, schema: 's', state: { n: 1n } as unknown as JsonObject })).toThrow(InvalidEventError);
    const raw: StoredEvent = { streamId: 'x', id: ID(1), type: 'Snapshot', revision: 0n, isJson: true, data: { revision: 'x', schema: 's', state: 1 }, metadata: undefined };
    expect(parseSnapshot(raw)).toBeUndefined();
    expect(parseSnapshot({ ...raw, data: { revision: '1', schema: 's', state: 1 }, type: 'Other' })).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The store against an in-memory stand-in for EventStoreDB. It mimics what the store relies on: expected-revision
// checks with the client's WrongExpectedVersionError, StreamNotFoundError on reads of missing streams, JSON
// stored as text, positions that are sparse byte offsets (so nothing may assume position + 1), server-side
// subscription filters, and system events in $ streams. It is not a substitute for running the conformance
// suite against a real server (IFW_TEST_ESDB_URL).
// ---------------------------------------------------------------------------------------------------------------

interface FakeRecord {
  streamId: string;
  id: string;
  type: string;
  revision: bigint;
  isJson: boolean;
  data: string;
  metadata: string;
  position: bigint;
}

type FakeRead = Readable & { cancel(): Promise<void> };

class FakeEsdb {
  readonly records: FakeRecord[] = [];
  readonly streamMetadata = new Map<string, unknown>();
  appendCalls = 0;
  cancelled = 0;
  disposed = false;
  /** Runs before each append reaches the "server", to simulate another writer getting in first. */
  beforeAppend: (() => void) | undefined;
  private nextPosition = 1_000n;
  private readonly live = new Set<(record: FakeRecord) => void>();

  constructor() {
    this.write('$stats-127.0.0.1:2113', [{ id: ID(900), type: '$statsCollected', data: {}, metadata: undefined }]);
  }

  write(streamId: string, events: { id: string; type: string; data: unknown; metadata: unknown }[]): FakeRecord[] {
    let revision = this.lastRevision(streamId);
    return events.map((event) => {
      const record: FakeRecord = {
        streamId,
        id: event.id,
        type: event.type,
        revision: ++revision,
        isJson: true,
        data: JSON.stringify(event.data),
        metadata: event.metadata === undefined ? '' : JSON.stringify(event.metadata),
        position: this.nextPosition,
      };
      this.nextPosition += 137n;
      this.records.push(record);
      for (const notify of this.live) notify(record);
      return record;
    });
  }

  lastRevision(streamId: string): bigint {
    let last = -1n;
    for (const r of this.records) if (r.streamId === streamId && r.revision > last) last = r.revision;
    return last;
  }

  async appendToStream(streamName: string, events: EventData | EventData[], options: { expectedRevision?: AppendExpectedRevision } = {}) {
    this.beforeAppend?.();
    this.appendCalls++;
    const expected = options.expectedRevision ?? 'any';
    const current = this.lastRevision(streamName);
    const holds =
      expected === 'any' || (expected === 'no_stream' ? current === -1n : expected === 'stream_exists' ? current >= 0n : current === expected);
    if (!holds) {
      throw new WrongExpectedVersionError(undefined, { streamName, expected, current: current < 0n ? 'no_stream' : current });
    }
    const list = Array.isArray(events) ? events : [events];
    const written = this.write(
      streamName,
      list.map((e) => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata })),
    );
    const first = written[0]!;
    const last = written[written.length - 1]!;
    return { success: true, nextExpectedRevision: last.revision, position: { commit: last.position, prepare: first.position } };
  }

  async setStreamMetadata(streamName: string, metadata: Record<string, unknown>) {
    this.streamMetadata.set(streamName, metadata);
    const [record] = this.write(`$$${streamName}`, [{ id: ID(800 + this.records.length), type: '$metadata', data: metadata, metadata: undefined }]);
    return { success: true, nextExpectedRevision: record!.revision, position: { commit: record!.position, prepare: record!.position } };
  }

  readStream(streamName: string, options: { fromRevision?: 'start' | 'end' | bigint; direction?: 'forwards' | 'backwards'; maxCount?: number | bigint } = {}): FakeRead {
    const events = this.records.filter((r) => r.streamId === streamName).sort((a, b) => (a.revision < b.revision ? -1 : 1));
    if (events.length === 0) return this.readable([], new StreamNotFoundError(undefined, streamName));
    const from = options.fromRevision ?? 'start';
    const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    const picked =
      options.direction === 'backwards'
        ? events.filter((r) => from === 'end' || (from !== 'start' && r.revision <= from) || (from === 'start' && r.revision === 0n)).reverse()
        : events.filter((r) => from === 'start' || (from !== 'end' && r.revision >= from));
    return this.readable(picked.slice(0, max));
  }

  readAll(options: { fromPosition?: 'start' | 'end' | { commit: bigint }; direction?: 'forwards' | 'backwards'; maxCount?: number | bigint } = {}): FakeRead {
    const from = options.fromPosition ?? 'start';
    const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    const picked =
      options.direction === 'backwards'
        ? this.records.filter((r) => from === 'end' || (from !== 'start' && r.position <= from.commit)).reverse()
        : this.records.filter((r) => from === 'start' || (from !== 'end' && r.position >= from.commit));
    return this.readable(picked.slice(0, max));
  }

  subscribeToAll(options: { fromPosition?: 'start' | 'end' | { commit: bigint }; filter?: Filter } = {}) {
    const from = options.fromPosition ?? 'start';
    const after = from === 'start' ? -1n : from === 'end' ? (this.records[this.records.length - 1]?.position ?? -1n) : from.commit;
    const passes = (r: FakeRecord): boolean => {
      const filter = options.filter;
      if (!filter) return true;
      const subject = filter.filterOn === 'streamName' ? r.streamId : r.type;
      return 'prefixes' in filter ? filter.prefixes.some((p) => subject.startsWith(p)) : new RegExp(filter.regex).test(subject);
    };
    const readable = new Readable({ objectMode: true, read() {} });
    const push = (r: FakeRecord): void => {
      if (r.position > after && passes(r)) readable.push(this.resolved(r));
    };
    this.records.forEach(push);
    this.live.add(push);
    return Object.assign(readable, {
      unsubscribe: async () => {
        this.live.delete(push);
        readable.push(null);
      },
    });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }

  private readable(records: FakeRecord[], error?: Error): FakeRead {
    const items = records.map((r) => this.resolved(r));
    async function* source() {
      yield* items;
      if (error) throw error;
    }
    const readable = Readable.from(source(), { objectMode: true });
    return Object.assign(readable, {
      cancel: async () => {
        this.cancelled++;
        readable.destroy();
      },
    });
  }

  private resolved(r: FakeRecord) {
    const position = { commit: r.position, prepare: r.position };
    return {
      event: {
        streamId: r.streamId,
        id: r.id,
        type: r.type,
        revision: r.revision,
        isJson: r.isJson,
        data: JSON.parse(r.data) as unknown,
        metadata: r.metadata === '' ? undefined : (JSON.parse(r.metadata) as unknown),
        created: new Date(0),
        position,
      },
      commitPosition: r.position,
    };
  }
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Another IFW writer's append, landing between the store's read of the tail and its write. */
function writeChained(fake: FakeEsdb, stream: string, event: ReturnType<typeof deposit>): void {
  const last = [...fake.records].reverse().find((r) => r.streamId === stream);
  const tail = last ? { revision: last.revision, hash: (JSON.parse(last.metadata) as { $ifw: { hash: string } }).$ifw.hash } : { revision: -1n, hash: GENESIS_HASH };
  const [out] = outgoingFor(stream, [event], tail, T0 + 1000);
  fake.write(stream, [out!]);
}

function open(): { fake: FakeEsdb; store: EsdbEventStore } {
  const fake = new FakeEsdb();
  let now = T0;
  const store = new EsdbEventStore(fake as unknown as EsdbClient, () => now++);
  return { fake, store };
}

const deposit = (n: number, amount = '1.00') => ({ id: ID(n), type: 'Deposited', data: { amount }, metadata: { correlationId: `c${n}` } });

describe('EsdbEventStore against an in-memory stand-in', () => {
  test('append and read back a stream, with hashes and the global positions $all reports', async () => {
    const { fake, store } = open();
    const first = await store.append('wallet-1', [deposit(1), deposit(2)], { expectedRevision: 'no_stream' });
    const second = await store.append('wallet-1', [deposit(3)], { expectedRevision: first.nextRevision });
    expect(first.nextRevision).toBe(1n);
    expect(second.nextRevision).toBe(2n);
    const events = await collect(store.readStream('wallet-1'));
    expect(events.map((e) => [e.id, e.revision, e.metadata])).toEqual([
      [ID(1), 0n, { correlationId: 'c1' }],
      [ID(2), 1n, { correlationId: 'c2' }],
      [ID(3), 2n, { correlationId: 'c3' }],
    ]);
    expect(events[1]!.position).toBe(first.position);
    expect(events[2]!.position).toBe(second.position);
    expect(events.map((e) => e.recordedAt.getTime())).toEqual([T0, T0, T0 + 1]);
    const all = await collect(store.readAll());
    expect(all.map((e) => e.position)).toEqual(events.map((e) => e.position));
    expect(await store.verifyStream('wallet-1')).toEqual({ ok: true, eventsChecked: 3, streamsChecked: 1 });
    expect(fake.records.filter((r) => r.streamId === 'wallet-1')).toHaveLength(3);
  });

  test('readStream: backwards, from a revision, maxCount; a missing stream is empty', async () => {
    const { store } = open();
    await store.append('s', [deposit(1), deposit(2), deposit(3)]);
    const revisions = async (options: Parameters<EsdbEventStore['readStream']>[1]) => (await collect(store.readStream('s', options))).map((e) => e.revision);
    expect(await revisions({ direction: 'backwards' })).toEqual([2n, 1n, 0n]);
    expect(await revisions({ direction: 'backwards', fromRevision: 1n })).toEqual([1n, 0n]);
    expect(await revisions({ fromRevision: 1n, maxCount: 1 })).toEqual([1n]);
    expect(await revisions({ maxCount: 0 })).toEqual([]);
    expect(await collect(store.readStream('nothing-here'))).toEqual([]);
    await expect(collect(store.readStream('s', { fromRevision: -1n }))).rejects.toThrow();
    await expect(collect(store.readStream('$all'))).rejects.toThrow(InvalidEventError);
  });

  test('a wrong exact expectation throws with the actual revision; the same events again are idempotent', async () => {
    const { fake, store } = open();
    const first = await store.append('s', [deposit(1), deposit(2)], { expectedRevision: 'no_stream' });
    const calls = fake.appendCalls;
    expect(await store.append('s', [deposit(1), deposit(2)], { expectedRevision: 'no_stream' })).toEqual(first);
    expect(fake.appendCalls).toBe(calls);
    await store.append('s', [deposit(3)], { expectedRevision: 1n });
    expect(await store.append('s', [deposit(3)], { expectedRevision: 1n })).toMatchObject({ nextRevision: 2n });
    const error = await store.append('s', [deposit(4)], { expectedRevision: 0n }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ stream: 's', expected: 0n, actual: 2n });
    await expect(store.append('s', [deposit(2), deposit(1)], { expectedRevision: 'no_stream' })).rejects.toMatchObject({ actual: 2n });
    await expect(store.append('other', [deposit(5)], { expectedRevision: 3n })).rejects.toMatchObject({ actual: -1n });
    expect(fake.lastRevision('s')).toBe(2n);
  });

  test("'stream_exists' needs a stream; 'any' retries of the last events are idempotent", async () => {
    const { fake, store } = open();
    await expect(store.append('s', [deposit(1)], { expectedRevision: 'stream_exists' })).rejects.toMatchObject({
      expected: 'stream_exists',
      actual: -1n,
    });
    await store.append('s', [deposit(1)]);
    await store.append('s', [deposit(2), deposit(3)], { expectedRevision: 'stream_exists' });
    const again = await store.append('s', [deposit(2), deposit(3)]);
    expect(again.nextRevision).toBe(2n);
    expect(fake.lastRevision('s')).toBe(2n);
    // Same last id but not the same batch: a new append.
    await store.append('s', [deposit(9), deposit(3)]);
    expect(fake.lastRevision('s')).toBe(4n);
    expect((await store.verifyStream('s')).ok).toBe(true);
  });

  test("'any' re-reads the tail and re-hashes when another writer got in first; exact expectations then fail", async () => {
    const { fake, store } = open();
    await store.append('s', [deposit(1)]);
    let races = 2;
    fake.beforeAppend = () => {
      if (races-- > 0) writeChained(fake, 's', deposit(100 + races));
    };
    const result = await store.append('s', [deposit(2)]);
    expect(result.nextRevision).toBe(3n);
    expect((await collect(store.readStream('s'))).map((e) => e.id)).toEqual([ID(1), ID(101), ID(100), ID(2)]);
    expect(await store.verifyStream('s')).toEqual({ ok: true, eventsChecked: 4, streamsChecked: 1 });

    // A writer that always gets in first: the retries are bounded.
    const calls = fake.appendCalls;
    fake.beforeAppend = () => writeChained(fake, 's', deposit(200 + fake.appendCalls));
    await expect(store.append('s', [deposit(5)])).rejects.toMatchObject({ expected: 'any' });
    expect(fake.appendCalls - calls).toBe(5);

    const tail = fake.lastRevision('s');
    fake.beforeAppend = () => {
      fake.beforeAppend = undefined;
      writeChained(fake, 's', deposit(300));
    };
    await expect(store.append('s', [deposit(4)], { expectedRevision: tail })).rejects.toMatchObject({ expected: tail, actual: tail + 1n });
    expect((await store.verifyStream('s')).ok).toBe(true);
  });

  test('a stream ending in an event IFW did not write cannot be appended to, and verify names it', async () => {
    const { fake, store } = open();
    await store.append('s', [deposit(1)]);
    const [foreign] = fake.write('s', [{ id: ID(60), type: 'Foreign', data: { x: 1 }, metadata: { by: 'someone else' } }]);
    await expect(store.append('s', [deposit(2)])).rejects.toBeInstanceOf(ForeignEventError);
    expect((await collect(store.readStream('s'))).map((e) => e.id)).toEqual([ID(1)]);
    expect(await store.verifyStream('s')).toMatchObject({
      ok: false,
      firstBreak: { stream: 's', revision: 1n, position: foreign!.position, reason: expect.stringMatching(/no IFW hash metadata/) },
    });
  });

  test('reserved names and metadata are refused before anything is read', async () => {
    const { fake, store } = open();
    await expect(store.append(snapshotStreamOf('s'), [deposit(1)])).rejects.toThrow(InvalidEventError);
    await expect(store.append('s', [{ type: 'T', data: {}, metadata: { $ifw: {} } }])).rejects.toThrow(InvalidEventError);
    await expect(store.append('s', [])).rejects.toThrow(InvalidEventError);
    expect(fake.appendCalls).toBe(0);
  });

  test('readAll: inclusive fromPosition, client-side filter, maxCount counts matches; system and snapshot events skipped', async () => {
    const { store } = open();
    await store.append('wallet-1', [deposit(1)]);
    await store.append('fund-1', [{ id: ID(2), type: 'YieldPublished', data: {} }]);
    await store.append('wallet-2', [deposit(3), { id: ID(4), type: 'Withdrawn', data: {} }]);
    await store.saveSnapshot('wallet-1', { revision: 0n, schema: 'w/1', state: { balance: '1.00' } });
    await store.append('wallet-1', [deposit(5)]);
    const ids = async (options: Parameters<EsdbEventStore['readAll']>[0]) => (await collect(store.readAll(options))).map((e) => e.id);
    expect(await ids({})).toEqual([ID(1), ID(2), ID(3), ID(4), ID(5)]);
    expect(await ids({ filter: { streamPrefixes: ['wallet-'] } })).toEqual([ID(1), ID(3), ID(4), ID(5)]);
    expect(await ids({ filter: { streamPrefixes: ['wallet-'], eventTypes: ['Deposited'] }, maxCount: 2 })).toEqual([ID(1), ID(3)]);
    const all = await collect(store.readAll());
    expect(await ids({ fromPosition: all[2]!.position })).toEqual([ID(3), ID(4), ID(5)]);
    expect(await ids({ maxCount: 0 })).toEqual([]);
    expect(await store.lastPosition()).toBe(all[4]!.position);
  });

  test('lastPosition skips system events and snapshots, and is -1n on an empty log', async () => {
    const { fake, store } = open();
    expect(await store.lastPosition()).toBe(-1n);
    const { position } = await store.append('s', [deposit(1)]);
    await store.saveSnapshot('s', { revision: 0n, schema: 'x', state: 1 });
    fake.write('$stats-node', [{ id: ID(901), type: '$statsCollected', data: {}, metadata: undefined }]);
    expect(await store.lastPosition()).toBe(position);
  });

  test('snapshots: saved to a maxCount-1 stream, the latest loads, bad revisions are refused', async () => {
    const { fake, store } = open();
    expect(await store.loadSnapshot('s')).toBeUndefined();
    await store.append('s', [deposit(1), deposit(2)]);
    await expect(store.saveSnapshot('s', { revision: 2n, schema: 'x', state: null })).rejects.toThrow(/ends at 1/);
    await expect(store.saveSnapshot('nope', { revision: 0n, schema: 'x', state: null })).rejects.toThrow(/does not exist/);
    await store.saveSnapshot('s', { revision: 0n, schema: 'x', state: { n: 0 } });
    await store.saveSnapshot('s', { revision: 1n, schema: 'x', state: { n: 1 } });
    expect(await store.loadSnapshot('s')).toEqual({ revision: 1n, schema: 'x', state: { n: 1 } });
    expect(fake.streamMetadata.get(snapshotStreamOf('s'))).toEqual({ maxCount: 1 });
    expect(await store.verifyAll()).toMatchObject({ ok: true, eventsChecked: 2, streamsChecked: 1 });
  });

  test('verifyAll reports the break with the lowest position, counts everything, and reports progress', async () => {
    const { fake, store } = open();
    await store.append('a', [deposit(1), deposit(2)]);
    await store.append('b', [deposit(3), deposit(4)]);
    await store.append('a', [deposit(5)]);
    const progress: number[] = [];
    expect(await store.verifyAll({ onProgress: (n) => progress.push(n) })).toEqual({ ok: true, eventsChecked: 5, streamsChecked: 2 });
    expect(progress).toEqual([5]);
    const tamper = (id: string) => {
      const record = fake.records.find((r) => r.id === id)!;
      record.data = JSON.stringify({ amount: '1000000.00' });
      return record.position;
    };
    tamper(ID(5));
    const b = tamper(ID(4));
    const result = await store.verifyAll();
    expect(result).toMatchObject({ ok: false, eventsChecked: 5, streamsChecked: 2, firstBreak: { stream: 'b', revision: 1n, position: b } });
  });

  test('subscribeToAll catches up, goes live, filters exactly, and ends when closed', async () => {
    const { store } = open();
    await store.append('wallet-1', [deposit(1)]);
    await store.append('wallet-1', [{ id: ID(2), type: 'DepositedTwice', data: {} }]);
    const subscription = store.subscribeToAll({ filter: { eventTypes: ['Deposited'] } });
    const seen: string[] = [];
    const done = (async () => {
      for await (const event of subscription) {
        seen.push(event.id);
        if (seen.length === 1) await store.append('wallet-2', [deposit(3)]);
        if (seen.length === 2) await subscription.close();
      }
    })();
    await done;
    expect(seen).toEqual([ID(1), ID(3)]);
  });

  test('subscribeToAll from a position is exclusive; from the end sees only new events', async () => {
    const { store } = open();
    const first = await store.append('s', [deposit(1)]);
    await store.append('s', [deposit(2)]);
    const fromFirst = store.subscribeToAll({ fromPosition: first.position });
    const fromEnd = store.subscribeToAll({ fromPosition: 'end' });
    await store.append('s', [deposit(3)]);
    const take = async (subscription: ReturnType<EsdbEventStore['subscribeToAll']>, n: number) => {
      const ids: string[] = [];
      for await (const event of subscription) {
        ids.push(event.id);
        if (ids.length === n) break;
      }
      return ids;
    };
    expect(await take(fromFirst, 2)).toEqual([ID(2), ID(3)]);
    expect(await take(fromEnd, 1)).toEqual([ID(3)]);
  });

  test('appendMany validates its input, then refuses: EventStoreDB has no multi-stream transaction', async () => {
    const { fake, store } = open();
    await expect(store.appendMany([])).rejects.toThrow(InvalidEventError);
    await expect(store.appendMany([{ stream: 'a', events: [deposit(1)] }, { stream: 'b', events: [deposit(2)] }])).rejects.toBeInstanceOf(
      AppendManyUnsupportedError,
    );
    expect(fake.appendCalls).toBe(0);
  });

  test('reads stopped early cancel their call; a closed store refuses work', async () => {
    const { fake, store } = open();
    await store.append('s', [deposit(1), deposit(2), deposit(3)]);
    for await (const event of store.readStream('s')) {
      expect(event.revision).toBe(0n);
      break;
    }
    expect(fake.cancelled).toBeGreaterThan(0);
    await store.close();
    await store.close();
    expect(fake.disposed).toBe(true);
    await expect(store.append('s', [deposit(4)])).rejects.toBeInstanceOf(StoreClosedError);
    await expect(store.lastPosition()).rejects.toBeInstanceOf(StoreClosedError);
    expect(() => store.subscribeToAll()).toThrow(StoreClosedError);
  });
});
