import type { Database, Statement } from 'better-sqlite3';
import type { PreparedAppend } from '../append-validation';
import type { AppendManyResult } from '../event-store';
import { EventStoreError, LimitExceededError, StoreClosedError, type StoreWriteFailure, WrongExpectedRevisionError } from '../errors';
import { WriteFailureWatch } from '../write-failure-watch';
import { diskFailure } from './disk-failure';
import { GENESIS_HASH, chainHash, checkpointMac, logChainHash } from '../hash-chain';
import { LIMITS } from '../limits';
import { invariant } from '../../invariant';

interface PendingWrite {
  appends: PreparedAppend[];
  eventCount: number;
  resolve(result: AppendManyResult): void;
  reject(error: Error): void;
}

type Outcome = { ok: AppendManyResult } | { error: Error };

interface StreamRow {
  stream_id: number;
  revision: number;
  last_hash: string;
}

/** Keyed checkpoints of the log's head, written in the transaction of the event they name. */
export interface LogCheckpointOptions {
  key: string;
  everyEvents: number;
}

/** The checked plan for one stream of a write: either new events to insert or an idempotent repeat. */
type StreamPlan =
  | { kind: 'insert'; append: PreparedAppend; row: StreamRow | undefined; current: number }
  | { kind: 'repeat'; stream: string; nextRevision: number; position: number };

/**
 * Group commit: every append that arrives within one turn of the event loop joins one transaction and one
 * fsync. Each write is checked against its own expected revisions before any of its rows are inserted, so
 * a write that fails leaves nothing behind and does not fail the others in its transaction. Promises
 * resolve only after COMMIT has returned, that is after the WAL is synced (synchronous=FULL).
 */
export class AppendWriter {
  private readonly queue: PendingWrite[] = [];
  private flushScheduled = false;
  private closed = false;
  /** Counts commits, so a subscription can tell whether anything was written since it last looked. */
  commitCount = 0;
  private readonly onCommit: () => void;

  private readonly selectStream: Statement<[string], StreamRow>;
  private readonly insertStream: Statement<[string, string]>;
  private readonly updateStream: Statement<[number, string, number]>;
  private readonly insertEvent: Statement<[number, number, number, string, string, string, string, number, string, string]>;
  private readonly selectLogHead: Statement<[], { position: number; log_hash: string; recorded_at: number }>;
  private readonly insertCheckpoint: Statement<[number, string, string]>;
  /**
   * The log's last position, link and time, read at the start of each transaction (another process may have
   * appended). No event is recorded before the one ahead of it, even when the clock steps back: reads as of a
   * moment stop at the first event recorded after it.
   */
  private logHead = { position: 0, hash: GENESIS_HASH, recordedAtMs: 0 };
  private readonly selectIdsInRange: Statement<[number, number, number], { id: string; position: number }>;
  private highestPosition: number;
  /** A commit the disk refused, until the next lands: what GET /ready reports. */
  private readonly failures: WriteFailureWatch;

  constructor(
    private readonly db: Database,
    private readonly clock: () => number,
    onCommit: () => void,
    private readonly checkpoints: LogCheckpointOptions | undefined,
  ) {
    this.onCommit = onCommit;
    this.failures = new WriteFailureWatch(clock);
    this.selectStream = db.prepare('SELECT stream_id, revision, last_hash FROM streams WHERE name = ?');
    this.insertStream = db.prepare('INSERT INTO streams (name, revision, last_hash) VALUES (?, -1, ?)');
    this.updateStream = db.prepare('UPDATE streams SET revision = ?, last_hash = ? WHERE stream_id = ?');
    this.insertEvent = db.prepare(
      'INSERT INTO events (position, stream_id, revision, id, type, data, metadata, recorded_at, hash, log_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.selectLogHead = db.prepare('SELECT position, log_hash, recorded_at FROM events ORDER BY position DESC LIMIT 1');
    this.insertCheckpoint = db.prepare('INSERT INTO log_checkpoints (position, log_hash, mac) VALUES (?, ?, ?)');
    this.selectIdsInRange = db.prepare(
      'SELECT id, position FROM events WHERE stream_id = ? AND revision BETWEEN ? AND ? ORDER BY revision',
    );
    const last = db.prepare('SELECT max(position) AS position FROM events').get() as { position: number | null };
    this.highestPosition = last.position ?? 0;
  }

  write(appends: PreparedAppend[]): Promise<AppendManyResult> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    if (this.queue.length >= LIMITS.maxQueuedAppends) {
      return Promise.reject(
        new LimitExceededError(`${this.queue.length} appends are already waiting for the disk: retry shortly`),
      );
    }
    return new Promise((resolve, reject) => {
      const eventCount = appends.reduce((n, a) => n + a.events.length, 0);
      this.queue.push({ appends, eventCount, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Writes what is queued, then refuses new appends. */
  async close(): Promise<void> {
    this.closed = true;
    for (let round = 0; this.queue.length > 0 && round < LIMITS.maxQueuedAppends; round++) this.flushNow();
  }

  /** Whether the disk takes writes; while it refuses them, the probe is one small write of the file header, as it is. */
  writeFailure(): Promise<StoreWriteFailure | undefined> {
    return this.failures.current(async () => {
      if (this.closed) return false;
      try {
        this.db.pragma(`user_version = ${this.db.pragma('user_version', { simple: true }) as number}`);
        return true;
      } catch (error) {
        if (!diskFailure(error)) throw error;
        return false;
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    this.flushNow();
    if (this.queue.length > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flushNow(): void {
    const batch = this.takeBatch();
    if (batch.length === 0) return;
    const outcomes = this.commit(batch);
    for (let i = 0; i < batch.length; i++) {
      const outcome = outcomes[i]!;
      if ('ok' in outcome) batch[i]!.resolve(outcome.ok);
      else batch[i]!.reject(outcome.error);
    }
  }

  private takeBatch(): PendingWrite[] {
    let events = 0;
    let count = 0;
    while (count < this.queue.length && count < LIMITS.maxAppendsPerCommit) {
      const next = this.queue[count]!;
      // The first write always goes, however large: validation already bounded it to maxEventsPerAppend.
      if (count > 0 && events + next.eventCount > LIMITS.maxEventsPerCommit) break;
      events += next.eventCount;
      count++;
    }
    return this.queue.splice(0, count);
  }

  private commit(batch: PendingWrite[]): Outcome[] {
    const outcomes: Outcome[] = [];
    const positionBefore = this.highestPosition;
    try {
      this.db.exec('BEGIN IMMEDIATE');
      const head = this.selectLogHead.get();
      this.logHead = head ? { position: head.position, hash: head.log_hash, recordedAtMs: head.recorded_at } : { position: 0, hash: GENESIS_HASH, recordedAtMs: 0 };
      for (const write of batch) outcomes.push(this.apply(write));
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.highestPosition = positionBefore;
      const refused = diskFailure(error);
      if (refused) this.failures.refused(refused.reason, refused.message);
      return batch.map(() => ({ error: refused ?? (error as Error) }));
    }
    this.failures.landed();
    this.commitCount++;
    this.onCommit();
    return outcomes;
  }

  /** Checks every stream of one write, then inserts; a business error leaves the transaction untouched. */
  private apply(write: PendingWrite): Outcome {
    const plans: StreamPlan[] = [];
    try {
      for (const append of write.appends) plans.push(this.plan(append));
    } catch (error) {
      if (error instanceof EventStoreError) return { error };
      throw error;
    }
    const result: AppendManyResult = { streams: [], position: 0n };
    let lastPosition = 0;
    for (const plan of plans) {
      if (plan.kind === 'repeat') {
        result.streams.push({ stream: plan.stream, nextRevision: BigInt(plan.nextRevision) });
        lastPosition = Math.max(lastPosition, plan.position);
        continue;
      }
      const written = this.insert(plan.append, plan.row, plan.current);
      result.streams.push({ stream: plan.append.stream, nextRevision: BigInt(written.nextRevision) });
      lastPosition = Math.max(lastPosition, written.position);
    }
    result.position = BigInt(lastPosition);
    return { ok: result };
  }

  private plan(append: PreparedAppend): StreamPlan {
    const row = this.selectStream.get(append.stream);
    const current = row ? row.revision : -1;
    const expected = append.expectedRevision;
    const insert: StreamPlan = { kind: 'insert', append, row, current };
    const count = append.events.length;
    if (expected === 'any' || expected === 'stream_exists') {
      if (expected === 'stream_exists' && current === -1) throw new WrongExpectedRevisionError(append.stream, expected, -1n);
      // Best effort, as in EventStoreDB: without an expected revision only a repeat of the latest append is recognised.
      return (row && this.repeatOf(append, row.stream_id, current - count + 1)) || insert;
    }
    const expectedNumber = expected === 'no_stream' ? -1 : Number(expected);
    if (current === expectedNumber) return insert;
    if (row && current > expectedNumber) {
      const repeat = this.repeatOf(append, row.stream_id, expectedNumber + 1);
      if (repeat) return repeat;
    }
    throw new WrongExpectedRevisionError(append.stream, expected, BigInt(current));
  }

  /** Recognises the same event ids already stored from `fromRevision` on: the append was done before. */
  private repeatOf(append: PreparedAppend, streamId: number, fromRevision: number): StreamPlan | undefined {
    if (fromRevision < 0) return undefined;
    const stored = this.selectIdsInRange.all(streamId, fromRevision, fromRevision + append.events.length - 1);
    if (stored.length !== append.events.length) return undefined;
    for (let i = 0; i < stored.length; i++) if (stored[i]!.id !== append.events[i]!.id) return undefined;
    return {
      kind: 'repeat',
      stream: append.stream,
      nextRevision: fromRevision + append.events.length - 1,
      position: stored[stored.length - 1]!.position,
    };
  }

  private insert(append: PreparedAppend, row: StreamRow | undefined, current: number): { nextRevision: number; position: number } {
    const streamId = row ? row.stream_id : Number(this.insertStream.run(append.stream, GENESIS_HASH).lastInsertRowid);
    let previousHash = row ? row.last_hash : GENESIS_HASH;
    let revision = current;
    let position = 0;
    for (const event of append.events) {
      revision++;
      const recordedAtMs = Math.max(this.clock(), this.logHead.recordedAtMs);
      const hash = chainHash(previousHash, {
        stream: append.stream,
        revision: BigInt(revision),
        id: event.id,
        type: event.type,
        recordedAtMs,
        dataJson: event.dataJson,
        metadataJson: event.metadataJson,
      });
      // Positions are gapless: a hole in them is an event removed, which the log's chain also shows.
      position = this.logHead.position + 1;
      const logHash = logChainHash(this.logHead.hash, BigInt(position), hash);
      this.insertEvent.run(position, streamId, revision, event.id, event.type, event.dataJson, event.metadataJson, recordedAtMs, hash, logHash);
      invariant(position > this.highestPosition, () => `position ${position} is not after ${this.highestPosition}`);
      this.highestPosition = position;
      this.logHead = { position, hash: logHash, recordedAtMs };
      if (this.checkpoints && position % this.checkpoints.everyEvents === 0) this.insertCheckpoint.run(position, logHash, checkpointMac(this.checkpoints.key, BigInt(position), logHash));
      previousHash = hash;
    }
    invariant(revision === current + append.events.length, 'revisions of an append are gapless');
    this.updateStream.run(revision, previousHash, streamId);
    return { nextRevision: revision, position };
  }
}
