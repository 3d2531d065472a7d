import type { Database, Statement } from 'better-sqlite3';
import type { ChainBreak, ChainDamage, ChainReport } from '../event-store';
import { GENESIS_HASH, chainHash } from '../hash-chain';
import { LIMITS } from '../limits';
import { EVENT_COLUMNS, type EventRow } from './event-row';

/** An event row with its stream's integer id, which orders the walk. */
interface ChainRow extends EventRow {
  stream_id: number;
}

export interface StreamHead {
  stream_id: number;
  name: string;
  revision: number;
  last_hash: string;
}

/** Only the earliest break is reported; scanning past this many broken streams adds nothing for the auditor. */
export const MAX_BREAKS_TRACKED = 1_000;

/** What a walk over a range of streams found. */
export interface StreamRangeReport {
  eventsChecked: number;
  streamsChecked: number;
  breaks: ChainBreak[];
}

/**
 * Recomputes the hash chains of the streams in a range of stream ids from the stored rows, walking the
 * (stream, revision) index a page at a time, so memory stays flat however many streams there are. It finds
 * edited rows (hash mismatch), removed or reordered rows (a gap in revisions, a broken link, positions out of
 * revision order), and a removed tail (the stream's head disagrees). The stored texts are the canonical JSON
 * that was hashed, so no parsing is needed.
 */
export class StreamChainWalk {
  private readonly pageFrom: Statement<[number, number, number, number], ChainRow>;
  private readonly pageOfStream: Statement<[number, number, number], ChainRow>;
  private readonly headById: Statement<[number], StreamHead>;

  constructor(db: Database) {
    const columns = `e.stream_id, ${EVENT_COLUMNS}`;
    this.pageFrom = db.prepare(
      `SELECT ${columns} FROM events e JOIN streams s ON s.stream_id = e.stream_id
       WHERE (e.stream_id, e.revision) > (?, ?) AND e.stream_id <= ? ORDER BY e.stream_id, e.revision LIMIT ?`,
    );
    this.pageOfStream = db.prepare(
      `SELECT ${columns} FROM events e JOIN streams s ON s.stream_id = e.stream_id
       WHERE e.stream_id = ? AND e.revision > ? ORDER BY e.revision LIMIT ?`,
    );
    this.headById = db.prepare('SELECT stream_id, name, revision, last_hash FROM streams WHERE stream_id = ?');
  }

  /** The streams with ids in (afterStreamId, lastStreamId]. */
  walkRange(afterStreamId: number, lastStreamId: number): StreamRangeReport {
    const walk = new ChainWalk((streamId) => this.headById.get(streamId));
    let afterStream = afterStreamId;
    let afterRevision = Number.MAX_SAFE_INTEGER;
    for (;;) {
      const rows = this.pageFrom.all(afterStream, afterRevision, lastStreamId, LIMITS.readPageSize);
      for (const row of rows) walk.visit(row);
      if (rows.length < LIMITS.readPageSize) break;
      const last = rows[rows.length - 1]!;
      afterStream = last.stream_id;
      afterRevision = last.revision;
    }
    walk.finishStream();
    return walk.rangeReport();
  }

  /** One stream, whose head is given. */
  walkStream(head: StreamHead): ChainReport {
    const walk = new ChainWalk(() => head);
    for (let after = -1; ; ) {
      const rows = this.pageOfStream.all(head.stream_id, after, LIMITS.readPageSize);
      for (const row of rows) walk.visit(row);
      if (rows.length < LIMITS.readPageSize) break;
      after = rows[rows.length - 1]!.revision;
    }
    walk.finishStream();
    if (walk.eventsChecked === 0) walk.checkEmptyHead(head);
    return walk.report();
  }
}

/** The state of one pass over events ordered by (stream, revision); also the report of several such passes. */
export class ChainWalk {
  eventsChecked = 0;
  streamsChecked = 0;
  private readonly breaks: ChainBreak[] = [];
  private streamId = -1;
  private stream = '';
  private expectedRevision = 0;
  private previousHash = GENESIS_HASH;
  private lastPosition = 0;
  private broken = false;

  constructor(private readonly headOf: (streamId: number) => StreamHead | undefined) {}

  add(chainBreak: ChainBreak): void {
    this.record(chainBreak);
  }

  /** Counts in what a walk over another range found, taken in range order. */
  absorb(range: StreamRangeReport): void {
    this.eventsChecked += range.eventsChecked;
    this.streamsChecked += range.streamsChecked;
    for (const chainBreak of range.breaks) this.record(chainBreak);
  }

  rangeReport(): StreamRangeReport {
    return { eventsChecked: this.eventsChecked, streamsChecked: this.streamsChecked, breaks: [...this.breaks] };
  }

  visit(row: ChainRow): void {
    this.eventsChecked++;
    if (row.stream_id !== this.streamId) {
      this.finishStream();
      this.streamsChecked++;
      this.streamId = row.stream_id;
      this.stream = row.name;
      this.expectedRevision = 0;
      this.previousHash = GENESIS_HASH;
      this.lastPosition = 0;
      this.broken = false;
    }
    if (this.broken) return;
    if (row.revision !== this.expectedRevision) {
      this.fail(row, 'removed', `revision ${this.expectedRevision} is missing: the next stored revision is ${row.revision}`);
      return;
    }
    if (row.position <= this.lastPosition && row.revision > 0) {
      this.fail(row, 'reordered', `revision ${row.revision} is at position ${row.position}, before revision ${row.revision - 1} at ${this.lastPosition}: events were moved in the log`);
      return;
    }
    const recomputed = chainHash(this.previousHash, {
      stream: row.name,
      revision: BigInt(row.revision),
      id: row.id,
      type: row.type,
      recordedAtMs: row.recorded_at,
      dataJson: row.data,
      metadataJson: row.metadata,
    });
    if (recomputed !== row.hash) {
      this.fail(row, 'edited', 'the event does not match its hash: it was altered, or an earlier one was');
      return;
    }
    this.previousHash = row.hash;
    this.lastPosition = row.position;
    this.expectedRevision++;
  }

  /** The stream's head records its last revision and hash: a removed tail shows up as a disagreement. */
  finishStream(): void {
    const streamId = this.streamId;
    this.streamId = -1;
    if (streamId < 0 || this.broken) return;
    const head = this.headOf(streamId);
    const lastRevision = this.expectedRevision - 1;
    if (head && head.revision === lastRevision && head.last_hash === this.previousHash) return;
    this.record({
      kind: 'removed',
      stream: this.stream,
      revision: BigInt(lastRevision + 1),
      position: BigInt(this.lastPosition),
      reason: head
        ? `the stream records revision ${head.revision} but its events end at revision ${lastRevision}: ` +
          `events after position ${this.lastPosition} were removed, or the stream's head was altered`
        : 'the stream has events but no head record',
    });
  }

  checkEmptyHead(head: StreamHead): void {
    if (head.revision < 0) return;
    this.streamsChecked++;
    this.record({ kind: 'removed', stream: head.name, revision: 0n, position: -1n, reason: `the stream records revision ${head.revision} but has no events` });
  }

  report(): ChainReport {
    const byPosition = [...this.breaks].sort((a, b) => (positionOrder(a) < positionOrder(b) ? -1 : positionOrder(a) > positionOrder(b) ? 1 : 0));
    const firstBreak = byPosition[0];
    return {
      ok: firstBreak === undefined,
      eventsChecked: this.eventsChecked,
      streamsChecked: this.streamsChecked,
      ...(firstBreak ? { firstBreak, breaks: byPosition.slice(0, LIMITS.maxBreaksReported) } : {}),
    };
  }

  private fail(row: ChainRow, kind: ChainDamage, reason: string): void {
    this.broken = true;
    this.record({ kind, stream: this.stream, revision: BigInt(row.revision), position: BigInt(row.position), reason });
  }

  private record(chainBreak: ChainBreak): void {
    if (this.breaks.length < MAX_BREAKS_TRACKED) this.breaks.push(chainBreak);
  }
}

/** Breaks with no position (a stream head without events) come after those with one. */
function positionOrder(chainBreak: ChainBreak): bigint {
  return chainBreak.position >= 0n ? chainBreak.position : BigInt(Number.MAX_SAFE_INTEGER);
}
