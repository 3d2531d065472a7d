import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database, { type Database as Db, type Statement } from 'better-sqlite3';
import {
  checkMaxCount,
  checkNonNegative,
  checkStreamName,
  prepareAppend,
  prepareAppendMany,
} from '../append-validation';
import { canonicalJson } from '../canonical-json';
import type {
  AppendManyResult,
  AppendOptions,
  AppendResult,
  ChainReport,
  EventFilter,
  EventInput,
  EventStore,
  EventUpcaster,
  LogHead,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  Snapshot,
  StreamAppend,
  SubscribeToAllOptions,
  Subscription,
  VerifyOptions,
} from '../event-store';
import { asStored } from '../event-store';
import { AppendManyUnsupportedError, CorruptDatabaseError, InvalidEventError, StoreClosedError, StoreNotFoundError, type StoreWriteFailure } from '../errors';
import { LIMITS } from '../limits';
import { AppendWriter } from './append-writer';
import { diskFailure } from './disk-failure';
import { ChainVerifier } from './chain-verifier';
import { EVENT_COLUMNS, type EventRow, toRecordedEvent } from './event-row';
import { migrate, requireCurrentSchema } from './schema';
import { SnapshotTable } from './snapshot-table';
import { SqliteSubscription } from './sqlite-subscription';

export interface SqliteEventStoreOptions {
  /** Milliseconds since the epoch recorded on each event; injected so tests and simulations are deterministic. */
  clock?: () => number;
  /** False refuses appendMany as EventStoreDB does; true (the default) commits it as one transaction. */
  multiStreamAppend?: boolean;
  /** The key of the log's keyed checkpoints (IFW_AUDIT_KEY); none are written without it. */
  auditKey?: string;
  /** Opened to be read only (a verification): the file must exist and is never created, migrated or written. */
  readOnly?: boolean;
  /** Told of a snapshot the loader refused (its stream is folded instead); a warning on stderr by default. */
  onSnapshotRefused?: (stream: string, reason: string) => void;
  /** Applied to every event read (the domain's upcasters); events are handed out as stored without it. */
  upcast?: EventUpcaster;
}

function warnSnapshotRefused(stream: string, reason: string): void {
  console.warn(`the snapshot of ${stream} was refused and the stream folded instead: ${reason}`);
}

/** A keyed checkpoint of the log's head every this many events, when an audit key is set. */
export const LOG_CHECKPOINT_EVERY_EVENTS = 1_000;

/** SQLite error codes that mean the file itself is damaged or is not a database. */
const CORRUPTION_CODES = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);

/**
 * The embedded default event store: one SQLite file in WAL mode with synchronous=FULL, so an append
 * resolves only after its transaction is on disk. Writes go through the group-committing AppendWriter;
 * reads page through the log with bounded queries.
 */
export class SqliteEventStore implements EventStore {
  private readonly writer: AppendWriter;
  private readonly verifier: ChainVerifier;
  private readonly commitWaiters = new Set<() => void>();
  private readonly filteredPages = new Map<string, Statement<unknown[], EventRow>>();
  private readonly streamId: Statement<[string], { stream_id: number; revision: number }>;
  private readonly streamForwards: Statement<[number, number, number], EventRow>;
  private readonly streamBackwards: Statement<[number, number, number], EventRow>;
  private readonly maxPosition: Statement<[], { position: number | null }>;
  private readonly snapshots: SnapshotTable;
  private closed = false;

  private constructor(
    private readonly db: Db,
    clock: () => number,
    private readonly multiStreamAppend: boolean,
    auditKey: string | undefined,
    private readonly onSnapshotRefused: (stream: string, reason: string) => void,
    private readonly upcast: EventUpcaster,
  ) {
    const checkpoints = auditKey === undefined ? undefined : { key: auditKey, everyEvents: LOG_CHECKPOINT_EVERY_EVENTS };
    this.writer = new AppendWriter(db, clock, () => this.wakeSubscriptions(), checkpoints);
    this.snapshots = new SnapshotTable(db, auditKey);
    this.verifier = new ChainVerifier(db, auditKey, this.snapshots);
    this.streamId = db.prepare('SELECT stream_id, revision FROM streams WHERE name = ?');
    const fromStream = `SELECT ${EVENT_COLUMNS} FROM events e JOIN streams s ON s.stream_id = e.stream_id`;
    this.streamForwards = db.prepare(`${fromStream} WHERE e.stream_id = ? AND e.revision >= ? ORDER BY e.revision LIMIT ?`);
    this.streamBackwards = db.prepare(`${fromStream} WHERE e.stream_id = ? AND e.revision <= ? ORDER BY e.revision DESC LIMIT ?`);
    this.maxPosition = db.prepare('SELECT max(position) AS position FROM events');
  }

  /** `path` is a file path or ':memory:'. The file is created, migrated, or refused with a typed error. */
  static open(path: string, options: SqliteEventStoreOptions = {}): SqliteEventStore {
    const inMemory = path === ':memory:';
    if (options.readOnly) return SqliteEventStore.openReadOnly(path, options);
    if (!inMemory) mkdirSync(dirname(path), { recursive: true });
    let db: Db | undefined;
    try {
      db = new Database(path);
      db.pragma('busy_timeout = 5000');
      if (!inMemory) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = FULL');
      }
      migrate(db, path);
      return new SqliteEventStore(db, options.clock ?? Date.now, options.multiStreamAppend ?? true, options.auditKey, options.onSnapshotRefused ?? warnSnapshotRefused, options.upcast ?? asStored);
    } catch (error) {
      db?.close();
      const code = (error as { code?: string }).code;
      if (code && CORRUPTION_CODES.has(code)) throw new CorruptDatabaseError(path, (error as Error).message);
      // A start on a full disk or in a read-only folder: one clear message, no stack.
      throw diskFailure(error) ?? error;
    }
  }

  private static openReadOnly(path: string, options: SqliteEventStoreOptions): SqliteEventStore {
    if (path === ':memory:' || !existsSync(path)) throw new StoreNotFoundError(path);
    let db: Db | undefined;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
      db.pragma('busy_timeout = 5000');
      requireCurrentSchema(db, path);
      return new SqliteEventStore(db, options.clock ?? Date.now, false, options.auditKey, options.onSnapshotRefused ?? warnSnapshotRefused, options.upcast ?? asStored);
    } catch (error) {
      db?.close();
      const code = (error as { code?: string }).code;
      if (code && CORRUPTION_CODES.has(code)) throw new CorruptDatabaseError(path, (error as Error).message);
      throw error;
    }
  }

  async append(stream: string, events: readonly EventInput[], options: AppendOptions = {}): Promise<AppendResult> {
    const prepared = prepareAppend(stream, events, options.expectedRevision);
    const result = await this.writer.write([prepared]);
    return { nextRevision: result.streams[0]!.nextRevision, position: result.position };
  }

  async appendMany(appends: readonly StreamAppend[]): Promise<AppendManyResult> {
    const prepared = prepareAppendMany(appends);
    if (!this.multiStreamAppend) throw new AppendManyUnsupportedError('this store (opened with multiStreamAppend=false)');
    return this.writer.write(prepared);
  }

  async *readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    checkStreamName(stream);
    this.checkOpen();
    const backwards = options.direction === 'backwards';
    if (options.direction !== undefined && options.direction !== 'forwards' && !backwards) {
      throw new InvalidEventError(`direction must be 'forwards' or 'backwards'; got ${String(options.direction)}`);
    }
    let remaining = checkMaxCount(options.maxCount);
    const head = this.streamId.get(stream);
    if (!head) return;
    const from = options.fromRevision ?? (backwards ? 'end' : 'start');
    let next = from === 'start' ? 0 : from === 'end' ? head.revision : Number(checkNonNegative(from, 'fromRevision'));
    const page = backwards ? this.streamBackwards : this.streamForwards;
    while (remaining > 0 && next >= 0) {
      const rows = page.all(head.stream_id, next, Math.min(remaining, LIMITS.readPageSize));
      for (const row of rows) yield this.eventOf(row);
      if (rows.length < Math.min(remaining, LIMITS.readPageSize)) return;
      remaining -= rows.length;
      next = rows[rows.length - 1]!.revision + (backwards ? -1 : 1);
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    this.checkOpen();
    let remaining = checkMaxCount(options.maxCount);
    const from = options.fromPosition ?? 'start';
    let after = from === 'start' ? -1n : checkNonNegative(from, 'fromPosition') - 1n;
    const filter = this.filteredPage(options.filter);
    while (remaining > 0) {
      const limit = Math.min(remaining, LIMITS.readPageSize);
      const rows = filter.statement.all(Number(after), ...filter.params, limit);
      for (const row of rows) yield this.eventOf(row);
      if (rows.length < limit) return;
      remaining -= rows.length;
      after = BigInt(rows[rows.length - 1]!.position);
    }
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Subscription {
    this.checkOpen();
    const from = options.fromPosition ?? 'start';
    const after =
      from === 'start' ? -1n : from === 'end' ? BigInt(this.maxPosition.get()?.position ?? -1) : checkNonNegative(from, 'fromPosition');
    const filter = this.filteredPage(options.filter);
    return new SqliteSubscription(
      {
        readPage: (afterPosition, maxCount) =>
          // One read transaction, so the end of the log it reports is the end of the rows it scanned.
          this.db.transaction(() => {
            const rows = filter.statement.all(Number(afterPosition), ...filter.params, maxCount);
            const events = rows.map((row) => this.eventOf(row));
            const scannedTo = rows.length < maxCount ? BigInt(this.maxPosition.get()?.position ?? -1) : events[events.length - 1]!.position;
            return { events, scannedTo };
          })(),
        commitCount: () => this.writer.commitCount,
        waitForCommit: (timeoutMs) => this.waitForCommit(timeoutMs),
      },
      after,
    );
  }

  async streamRevision(stream: string): Promise<bigint> {
    checkStreamName(stream);
    this.checkOpen();
    return BigInt(this.streamId.get(stream)?.revision ?? -1);
  }

  async lastPosition(): Promise<bigint> {
    this.checkOpen();
    return BigInt(this.maxPosition.get()?.position ?? -1);
  }

  async saveSnapshot(stream: string, snapshot: Snapshot): Promise<void> {
    checkStreamName(stream);
    this.checkOpen();
    const revision = checkNonNegative(snapshot.revision, 'snapshot.revision');
    if (typeof snapshot.schema !== 'string' || snapshot.schema.length === 0) throw new InvalidEventError('snapshot.schema must be a non-empty string');
    const state = canonicalJson(snapshot.state, 'snapshot.state');
    if (state.length * 3 > LIMITS.maxSnapshotBytes && Buffer.byteLength(state) > LIMITS.maxSnapshotBytes) {
      throw new InvalidEventError(`the snapshot of "${stream}" is over ${LIMITS.maxSnapshotBytes} bytes`);
    }
    const head = this.streamId.get(stream);
    if (!head || BigInt(head.revision) < revision) {
      throw new InvalidEventError(`cannot snapshot "${stream}" at revision ${revision}: the stream ${head ? `ends at ${head.revision}` : 'does not exist'}`);
    }
    try {
      this.snapshots.save(head.stream_id, stream, { ...snapshot, revision }, state);
    } catch (error) {
      throw diskFailure(error) ?? error;
    }
  }

  async writeFailure(): Promise<StoreWriteFailure | undefined> {
    this.checkOpen();
    return this.writer.writeFailure();
  }

  async loadSnapshot(stream: string): Promise<Snapshot | undefined> {
    checkStreamName(stream);
    this.checkOpen();
    const { snapshot, refused } = this.snapshots.load(stream);
    if (refused) this.onSnapshotRefused(stream, refused);
    return snapshot;
  }

  async verifyStream(stream: string): Promise<ChainReport> {
    checkStreamName(stream);
    this.checkOpen();
    return this.verifier.verifyStream(stream);
  }

  async verifyAll(options: VerifyOptions = {}): Promise<ChainReport> {
    this.checkOpen();
    return this.verifier.verifyAll(options);
  }

  async logHead(): Promise<LogHead> {
    this.checkOpen();
    return this.verifier.logHead();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.writer.close();
    this.closed = true;
    this.wakeSubscriptions();
    this.db.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }

  /** Every event a read hands out passes here; the verifier and the snapshots read the stored text instead. */
  private eventOf(row: EventRow): RecordedEvent {
    return this.upcast(toRecordedEvent(row));
  }

  /** A page of the log after a position, with the filter compiled into SQL; statements are cached per filter shape. */
  private filteredPage(filter: EventFilter = {}): { statement: Statement<unknown[], EventRow>; params: string[] } {
    const prefixes = filter.streamPrefixes ?? [];
    const types = filter.eventTypes ?? [];
    if (!Array.isArray(prefixes) || !prefixes.every((p) => typeof p === 'string' && p.length > 0)) {
      throw new InvalidEventError('filter.streamPrefixes must be an array of non-empty strings');
    }
    if (!Array.isArray(types) || !types.every((t) => typeof t === 'string' && t.length > 0)) {
      throw new InvalidEventError('filter.eventTypes must be an array of non-empty strings');
    }
    if (prefixes.length + types.length > 100) throw new InvalidEventError('a filter names at most 100 prefixes and types in all');
    const key = `${prefixes.length}:${types.length}`;
    let statement = this.filteredPages.get(key);
    if (!statement) {
      const where = ['e.position > ?'];
      if (prefixes.length) where.push(`(${prefixes.map(() => 'instr(s.name, ?) = 1').join(' OR ')})`);
      if (types.length) where.push(`e.type IN (${types.map(() => '?').join(', ')})`);
      statement = this.db.prepare(
        `SELECT ${EVENT_COLUMNS} FROM events e JOIN streams s ON s.stream_id = e.stream_id
         WHERE ${where.join(' AND ')} ORDER BY e.position LIMIT ?`,
      ) as Statement<unknown[], EventRow>;
      this.filteredPages.set(key, statement);
    }
    // instr() rather than LIKE: a prefix may contain % or _, which LIKE would treat as wildcards.
    const params = [...prefixes, ...types];
    return { statement, params };
  }

  private waitForCommit(timeoutMs: number): { promise: Promise<void>; cancel(): void } {
    let cancel = (): void => {};
    const promise = new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      }
      const waiters = this.commitWaiters;
      waiters.add(done);
      cancel = done;
    });
    return { promise, cancel };
  }

  private wakeSubscriptions(): void {
    for (const wake of [...this.commitWaiters]) wake();
  }
}
