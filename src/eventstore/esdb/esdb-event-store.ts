import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  MaxAppendSizeExceededError,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  eventTypeFilter,
  jsonEvent,
  streamNameFilter,
  type AppendResult as EsdbAppendResult,
  type Direction as EsdbDirection,
  type Filter,
  type ReadPosition,
  type ReadRevision,
  type StreamingRead,
} from '@eventstore/db-client';
import { checkMaxCount, checkNonNegative, checkStreamName, prepareAppend, prepareAppendMany } from '../append-validation';
import type {
  AppendManyResult,
  AppendOptions,
  AppendResult,
  ChainBreak,
  ChainReport,
  EventInput,
  EventStore,
  EventUpcaster,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  Snapshot,
  StreamAppend,
  SubscribeToAllOptions,
  Subscription,
  LogHead,
  VerifyOptions,
} from '../event-store';
import { asStored } from '../event-store';
import {
  AppendManyUnsupportedError,
  EventStoreError,
  InvalidEventError,
  LogChainUnavailableError,
  LimitExceededError,
  StoreClosedError,
  type StoreWriteFailure,
  UnsupportedEventStoreUrlError,
  WrongExpectedRevisionError,
} from '../errors';
import { GENESIS_HASH } from '../hash-chain';
import { WriteFailureWatch } from '../write-failure-watch';
import { LIMITS } from '../limits';
import { ForeignEventError, PositionUnavailableError } from './esdb-errors';
import {
  CHAIN_START,
  type ChainCursor,
  type CheckedFilter,
  type ParsedEvent,
  type ServerFilter,
  type StoredEvent,
  SNAPSHOT_EVENT_TYPE,
  checkFilter,
  checkLink,
  chainOutgoing,
  decodeLogEvent,
  decodeStored,
  esdbExpectedFor,
  exactRevision,
  expectationHolds,
  isLogStream,
  parseForEsdb,
  parseSnapshot,
  positionOf,
  sameIds,
  serverFilterFor,
  snapshotData,
  snapshotStreamOf,
  toReadPosition,
} from './esdb-mapping';
import { EsdbSubscription } from './esdb-subscription';

/** What the adapter uses of the client; a narrower type lets tests stand in for the server. */
export type EsdbClient = Pick<
  EventStoreDBClient,
  'appendToStream' | 'readStream' | 'readAll' | 'subscribeToAll' | 'setStreamMetadata' | 'dispose'
>;

export interface EsdbEventStoreOptions {
  /** Milliseconds since the epoch recorded on each event (and hashed); injected for deterministic tests. */
  clock?: () => number;
  /** Applied to every event read (the domain's upcasters); events are handed out as stored without it. */
  upcast?: EventUpcaster;
}

/** Appends with 'any' or 'stream_exists' re-read the tail and try again this often when another writer got in first. */
const MAX_APPEND_ATTEMPTS = 5;
const PROGRESS_EVERY_EVENTS = 10_000;
/**
 * A snapshot stream keeps one event (maxCount 1). Its stream metadata is written when the stream is created and
 * again every this many saves, so a metadata write lost after the first save is repaired without a read per save.
 */
const SNAPSHOT_METADATA_REFRESH = 100n;
const NO_FILTER: CheckedFilter = { streamPrefixes: [], eventTypes: [] };
const READABLE_OPTIONS = { highWaterMark: LIMITS.readPageSize };

interface Tail {
  revision: bigint;
  hash: string;
  id?: string;
  position?: bigint;
}

/**
 * The event store port on EventStoreDB (23.10 LTS, or KurrentDB, which speaks the same protocol). Events are
 * stored as JSON events; each one's link in its stream's hash chain (hash and recorded time) rides in the
 * event metadata under `$ifw`, and is stripped again on reading. To hash an append onto the chain the adapter
 * reads the stream's last event first, then appends with that exact revision as the expected revision, so the
 * server refuses the write if anyone appended in between. Reads hand events out through the injected
 * upcaster; verification and the tail an append hashes onto use the event as stored.
 */
export class EsdbEventStore implements EventStore {
  private closed = false;
  /** An append that failed for want of the server, until the next append or probe reaches it. */
  private readonly failures: WriteFailureWatch;

  constructor(
    private readonly client: EsdbClient,
    private readonly clock: () => number,
    private readonly upcast: EventUpcaster = asStored,
  ) {
    this.failures = new WriteFailureWatch(clock);
  }

  async append(stream: string, events: readonly EventInput[], options: AppendOptions = {}): Promise<AppendResult> {
    try {
      const result = await this.appendChecked(stream, events, options);
      this.failures.landed();
      return result;
    } catch (error) {
      // Our own refusals (a revision, an invalid event) say nothing of the server; anything else is the connection.
      if (!(error instanceof EventStoreError)) this.failures.refused('unreachable', (error as Error).message);
      throw error;
    }
  }

  /** While appends fail, the probe is one read of the log's end: whether the server answers again. */
  writeFailure(): Promise<StoreWriteFailure | undefined> {
    return this.failures.current(async () => !this.closed && (await this.lastPosition().then(() => true, () => false)));
  }

  private async appendChecked(stream: string, events: readonly EventInput[], options: AppendOptions): Promise<AppendResult> {
    this.checkOpen();
    const prepared = prepareAppend(stream, events, options.expectedRevision);
    const parsed = parseForEsdb(prepared.events);
    const ids = parsed.map((event) => event.id);
    const expected = prepared.expectedRevision;
    let actual = -1n;
    for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt++) {
      const tail = await this.readTail(stream);
      actual = tail.revision;
      if (!expectationHolds(expected, actual)) {
        if (expected === 'any' || expected === 'stream_exists') throw new WrongExpectedRevisionError(stream, expected, actual);
        // The same events already written right after the expected revision: a retry of an append that succeeded.
        const earlier = await this.findAppended(stream, exactRevision(expected) + 1n, ids);
        if (earlier) return earlier;
        throw new WrongExpectedRevisionError(stream, expected, actual);
      }
      if ((expected === 'any' || expected === 'stream_exists') && tail.id?.toLowerCase() === ids[ids.length - 1]) {
        const earlier = await this.findAppended(stream, tail.revision - BigInt(ids.length) + 1n, ids);
        if (earlier) return earlier;
      }
      const written = await this.tryAppend(stream, tail, parsed);
      if (written) return written;
      // Someone appended after the tail was read; for an exact expectation the next pass reports it (or finds
      // that the other writer wrote these very events).
    }
    throw new WrongExpectedRevisionError(stream, expected, actual);
  }

  async appendMany(appends: readonly StreamAppend[]): Promise<AppendManyResult> {
    this.checkOpen();
    prepareAppendMany(appends);
    throw new AppendManyUnsupportedError('EventStoreDB');
  }

  async *readStream(stream: string, options: ReadStreamOptions = {}): AsyncGenerator<RecordedEvent> {
    checkStreamName(stream);
    this.checkOpen();
    const backwards = options.direction === 'backwards';
    if (options.direction !== undefined && options.direction !== 'forwards' && !backwards) {
      throw new InvalidEventError(`direction must be 'forwards' or 'backwards'; got ${String(options.direction)}`);
    }
    const maxCount = checkMaxCount(options.maxCount);
    const from = options.fromRevision ?? (backwards ? 'end' : 'start');
    const fromRevision: ReadRevision = from === 'start' ? START : from === 'end' ? END : checkNonNegative(from, 'fromRevision');
    if (maxCount === 0) return;
    const direction: EsdbDirection = backwards ? BACKWARDS : FORWARDS;
    for await (const raw of this.readRaw(stream, { fromRevision, direction, maxCount })) {
      // Events another client wrote into the stream carry no chain link; verifyStream reports them.
      const decoded = decodeStored(raw, this.streamPosition(raw));
      if (decoded.ok) yield this.upcast(decoded.event);
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncGenerator<RecordedEvent> {
    this.checkOpen();
    let remaining = checkMaxCount(options.maxCount);
    const filter = checkFilter(options.filter);
    const from = options.fromPosition ?? 'start';
    const fromPosition: ReadPosition = from === 'start' ? START : toReadPosition(checkNonNegative(from, 'fromPosition'));
    if (remaining === 0) return;
    // The 6.x client's readAll has no server-side filter: read on and keep what passes, counting only those.
    const read = this.client.readAll({ fromPosition, direction: FORWARDS }, READABLE_OPTIONS);
    for await (const resolved of this.iterate(read)) {
      const event = decodeLogEvent(resolved.event, filter);
      if (!event) continue;
      yield this.upcast(event);
      if (--remaining === 0) return;
    }
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Subscription {
    this.checkOpen();
    const filter = checkFilter(options.filter);
    const from = options.fromPosition ?? 'start';
    const fromPosition: ReadPosition =
      from === 'start' ? START : from === 'end' ? END : toReadPosition(checkNonNegative(from, 'fromPosition'));
    const source = this.client.subscribeToAll({ fromPosition, filter: toClientFilter(serverFilterFor(filter)) }, READABLE_OPTIONS);
    return new EsdbSubscription(source, filter, this.upcast);
  }

  /** Read without the upcaster: a stream whose last event is too new for this code to read still has a revision. */
  async streamRevision(stream: string): Promise<bigint> {
    checkStreamName(stream);
    this.checkOpen();
    for await (const raw of this.readRaw(stream, { fromRevision: END, direction: BACKWARDS, maxCount: 1 })) {
      return decodeStored(raw, this.streamPosition(raw)).ok ? raw.revision : -1n;
    }
    return -1n;
  }

  async lastPosition(): Promise<bigint> {
    this.checkOpen();
    // Backwards from the end of $all to the first IFW event; the server's own events (stats, stream metadata)
    // and snapshots are passed over. The walk ends at the first IFW event or at the start of the log.
    const read = this.client.readAll({ fromPosition: END, direction: BACKWARDS }, READABLE_OPTIONS);
    for await (const resolved of this.iterate(read)) {
      const event = decodeLogEvent(resolved.event, NO_FILTER);
      if (event) return event.position;
    }
    return -1n;
  }

  async saveSnapshot(stream: string, snapshot: Snapshot): Promise<void> {
    checkStreamName(stream);
    this.checkOpen();
    const data = snapshotData(snapshot);
    const head = await this.lastRevision(stream);
    if (head < snapshot.revision) {
      throw new InvalidEventError(
        `cannot snapshot "${stream}" at revision ${snapshot.revision}: the stream ${head >= 0n ? `ends at ${head}` : 'does not exist'}`,
      );
    }
    const snapshots = snapshotStreamOf(stream);
    const result = await this.appendOrLimit(snapshots, () =>
      this.client.appendToStream(snapshots, jsonEvent({ type: SNAPSHOT_EVENT_TYPE, data }), { expectedRevision: ANY }),
    );
    if (result.nextExpectedRevision % SNAPSHOT_METADATA_REFRESH === 0n) {
      await this.client.setStreamMetadata(snapshots, { maxCount: 1 });
    }
  }

  async loadSnapshot(stream: string): Promise<Snapshot | undefined> {
    checkStreamName(stream);
    this.checkOpen();
    for await (const raw of this.readRaw(snapshotStreamOf(stream), { fromRevision: END, direction: BACKWARDS, maxCount: 1 })) {
      return parseSnapshot(raw);
    }
    return undefined;
  }

  async verifyStream(stream: string): Promise<ChainReport> {
    checkStreamName(stream);
    this.checkOpen();
    let cursor = CHAIN_START;
    let eventsChecked = 0;
    let firstBreak: ChainBreak | undefined;
    for await (const raw of this.readRaw(stream, { fromRevision: START, direction: FORWARDS })) {
      eventsChecked++;
      if (firstBreak) continue;
      const link = checkLink(cursor, raw, this.streamPosition(raw));
      if (link.ok) cursor = link.cursor;
      else firstBreak = link.chainBreak;
    }
    return report(eventsChecked, eventsChecked > 0 ? 1 : 0, firstBreak);
  }

  async logHead(): Promise<LogHead> {
    throw new LogChainUnavailableError('an anchor of the log');
  }

  async verifyAll(options: VerifyOptions = {}): Promise<ChainReport> {
    this.checkOpen();
    if (options.anchor) throw new LogChainUnavailableError('verifying against an anchor');
    // $all is in position order, so the first break met is the one with the lowest position; after it the
    // walk only counts. The map holds one cursor per stream: memory grows with streams, not with events.
    const cursors = new Map<string, ChainCursor>();
    let eventsChecked = 0;
    let firstBreak: ChainBreak | undefined;
    const read = this.client.readAll({ fromPosition: START, direction: FORWARDS }, READABLE_OPTIONS);
    for await (const resolved of this.iterate(read)) {
      const raw = resolved.event;
      if (raw === undefined || !isLogStream(raw.streamId)) continue;
      eventsChecked++;
      const cursor = cursors.get(raw.streamId) ?? CHAIN_START;
      if (firstBreak) {
        cursors.set(raw.streamId, cursor);
      } else {
        const link = checkLink(cursor, raw, raw.position.commit);
        cursors.set(raw.streamId, link.ok ? link.cursor : cursor);
        if (!link.ok) firstBreak = link.chainBreak;
      }
      if (eventsChecked % PROGRESS_EVERY_EVENTS === 0) options.onProgress?.(eventsChecked);
    }
    options.onProgress?.(eventsChecked);
    return report(eventsChecked, cursors.size, firstBreak);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.dispose();
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }

  /** Hashes the events onto `tail` and writes them expecting exactly that tail; undefined when it had moved. */
  private async tryAppend(stream: string, tail: Tail, parsed: readonly ParsedEvent[]): Promise<AppendResult | undefined> {
    const recordedAtMs = Math.floor(this.clock());
    const outgoing = chainOutgoing(stream, tail, recordedAtMs, parsed).map((event) => jsonEvent(event));
    let result: EsdbAppendResult;
    try {
      result = await this.appendOrLimit(stream, () =>
        this.client.appendToStream(stream, outgoing, { expectedRevision: esdbExpectedFor(tail.revision) }),
      );
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) return undefined;
      throw error;
    }
    // With throwOnAppendFailure=false in the connection string a conflict resolves instead of throwing.
    if (!result.success) return undefined;
    return { nextRevision: result.nextExpectedRevision, position: await this.appendedPosition(stream, result) };
  }

  /** Maps the server's per-append size limit (MaxAppendSize, 1 MiB by default) to the port's limit error. */
  private async appendOrLimit(stream: string, write: () => Promise<EsdbAppendResult>): Promise<EsdbAppendResult> {
    try {
      return await write();
    } catch (error) {
      if (error instanceof MaxAppendSizeExceededError) {
        throw new LimitExceededError(
          `the append to "${stream}" is over EventStoreDB's MaxAppendSize of ${error.maxAppendSize} bytes: ` +
            `split it into smaller appends or raise MaxAppendSize on the server`,
        );
      }
      throw error;
    }
  }

  /**
   * The server reports the commit position of the append's last event (the position $all gives that event).
   * When it reports none (an append the server found idempotent) the event is read back for its position.
   */
  private async appendedPosition(stream: string, result: EsdbAppendResult): Promise<bigint> {
    if (result.position) return result.position.commit;
    for await (const raw of this.readRaw(stream, { fromRevision: result.nextExpectedRevision, direction: FORWARDS, maxCount: 1 })) {
      return this.streamPosition(raw);
    }
    throw new PositionUnavailableError(stream, result.nextExpectedRevision);
  }

  /** The stream's last event, which the next append must hash onto. */
  private async readTail(stream: string): Promise<Tail> {
    for await (const raw of this.readRaw(stream, { fromRevision: END, direction: BACKWARDS, maxCount: 1 })) {
      const decoded = decodeStored(raw, this.streamPosition(raw));
      if (!decoded.ok) throw new ForeignEventError(stream, raw.revision, decoded.reason);
      return { revision: raw.revision, hash: decoded.event.hash, id: raw.id, position: decoded.event.position };
    }
    return { revision: -1n, hash: GENESIS_HASH };
  }

  private async lastRevision(stream: string): Promise<bigint> {
    for await (const raw of this.readRaw(stream, { fromRevision: END, direction: BACKWARDS, maxCount: 1 })) return raw.revision;
    return -1n;
  }

  /** The result of an earlier append of exactly these events from `fromRevision` on, if there was one. */
  private async findAppended(stream: string, fromRevision: bigint, ids: readonly string[]): Promise<AppendResult | undefined> {
    if (fromRevision < 0n) return undefined;
    const stored: string[] = [];
    let last: StoredEvent | undefined;
    for await (const raw of this.readRaw(stream, { fromRevision, direction: FORWARDS, maxCount: ids.length })) {
      stored.push(raw.id);
      last = raw;
    }
    if (last === undefined || !sameIds(stored, ids)) return undefined;
    return { nextRevision: last.revision, position: this.streamPosition(last) };
  }

  /** A stream's events as the client returns them; a stream that does not exist reads as empty. */
  private async *readRaw(
    stream: string,
    options: { fromRevision: ReadRevision; direction: EsdbDirection; maxCount?: number },
  ): AsyncGenerator<StoredEvent> {
    const read = this.client.readStream(stream, options, READABLE_OPTIONS);
    try {
      for await (const resolved of this.iterate(read)) {
        if (resolved.event) yield resolved.event;
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return;
      throw error;
    }
  }

  /**
   * Iterates a client read and cancels the gRPC call when the consumer stops early: destroying the readable
   * alone would leave the call open (reads have no deadline).
   */
  private async *iterate<E>(read: StreamingRead<E>): AsyncGenerator<E> {
    let finished = false;
    try {
      for await (const item of read) yield item;
      finished = true;
    } finally {
      // cancel() rejects when the call never started (server unreachable); the read's own error is what matters.
      if (!finished) await read.cancel().catch(() => undefined);
    }
  }

  private streamPosition(raw: StoredEvent): bigint {
    const position = positionOf(raw);
    if (position === undefined) throw new PositionUnavailableError(raw.streamId, raw.revision);
    return position;
  }
}

/** `url` is an EventStoreDB connection string, e.g. `esdb://localhost:2113?tls=false`. */
export function openEsdbEventStore(url: string, options: EsdbEventStoreOptions = {}): EsdbEventStore {
  let client: EventStoreDBClient;
  try {
    client = EventStoreDBClient.connectionString(url);
  } catch {
    throw new UnsupportedEventStoreUrlError(url);
  }
  return new EsdbEventStore(client, options.clock ?? Date.now, options.upcast);
}

function toClientFilter(filter: ServerFilter): Filter {
  if (filter.on === 'eventType') return eventTypeFilter({ regex: filter.regex });
  return 'prefixes' in filter ? streamNameFilter({ prefixes: filter.prefixes }) : streamNameFilter({ regex: filter.regex });
}

function report(eventsChecked: number, streamsChecked: number, firstBreak: ChainBreak | undefined): ChainReport {
  return { ok: firstBreak === undefined, eventsChecked, streamsChecked, ...(firstBreak ? { firstBreak } : {}) };
}
