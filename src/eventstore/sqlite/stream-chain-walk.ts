import type { Database, Statement } from 'better-sqlite3';
import type { ChainBreak, ChainDamage, ChainReport } from '../event-store';
import { GENESIS_HASH, chainHash } from '../hash-chain';
import { LIMITS } from '../limits';

/**
 * A row as the walk reads it: an array in the order of CHAIN_COLUMNS, not an object, and without the stream's
 * name, which comes once per stream with its head. Both halve what reading a row costs.
 */
type ChainRow = [streamId: number, position: number, revision: number, id: string, type: string, data: string, metadata: string, recordedAtMs: number, hash: string];
const CHAIN_COLUMNS = 'stream_id, position, revision, id, type, data, metadata, recorded_at, hash';

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
    this.pageFrom = db
      .prepare<[number, number, number, number], ChainRow>(
        `SELECT ${CHAIN_COLUMNS} FROM events WHERE (stream_id, revision) > (?, ?) AND stream_id <= ? ORDER BY stream_id, revision LIMIT ?`,
      )
      .raw(true);
    this.pageOfStream = db
      .prepare<[number, number, number], ChainRow>(`SELECT ${CHAIN_COLUMNS} FROM events WHERE stream_id = ? AND revision > ? ORDER BY revision LIMIT ?`)
      .raw(true);
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
      afterStream = last[0];
      afterRevision = last[2];
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
      after = rows[rows.length - 1]![2];
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
  /** The head of the stream being walked, read when its first row is met; undefined when it has none. */
  private head: StreamHead | undefined;
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
    const [streamId, position, revision, id, type, dataJson, metadataJson, recordedAtMs, hash] = row;
    this.eventsChecked++;
    if (streamId !== this.streamId) this.beginStream(streamId, position);
    if (this.broken) return;
    if (revision !== this.expectedRevision) {
      this.fail(revision, position, 'removed', `revision ${this.expectedRevision} is missing: the next stored revision is ${revision}`);
      return;
    }
    if (position <= this.lastPosition && revision > 0) {
      this.fail(revision, position, 'reordered', `revision ${revision} is at position ${position}, before revision ${revision - 1} at ${this.lastPosition}: events were moved in the log`);
      return;
    }
    const recomputed = chainHash(this.previousHash, { stream: this.stream, revision, id, type, recordedAtMs, dataJson, metadataJson });
    if (recomputed !== hash) {
      this.fail(revision, position, 'edited', 'the event does not match its hash: it was altered, or an earlier one was');
      return;
    }
    this.previousHash = hash;
    this.lastPosition = position;
    this.expectedRevision++;
  }

  /** A stream's first row: its name and last revision come from its head, which every stream with events must have. */
  private beginStream(streamId: number, position: number): void {
    this.finishStream();
    this.streamsChecked++;
    this.streamId = streamId;
    this.head = this.headOf(streamId);
    this.stream = this.head?.name ?? `#${streamId}`;
    this.expectedRevision = 0;
    this.previousHash = GENESIS_HASH;
    this.lastPosition = 0;
    this.broken = false;
    if (!this.head) {
      this.broken = true;
      this.record({ kind: 'removed', stream: this.stream, revision: 0n, position: BigInt(position), reason: `stream id ${streamId} has events but no head record: the stream's row was removed` });
    }
  }

  /** The stream's head records its last revision and hash: a removed tail shows up as a disagreement. */
  finishStream(): void {
    const streamId = this.streamId;
    this.streamId = -1;
    const head = this.head;
    // A stream without a head was reported, and left, at its first row.
    if (streamId < 0 || this.broken || !head) return;
    const lastRevision = this.expectedRevision - 1;
    if (head.revision === lastRevision && head.last_hash === this.previousHash) return;
    this.record({
      kind: 'removed',
      stream: this.stream,
      revision: BigInt(lastRevision + 1),
      position: BigInt(this.lastPosition),
      reason:
        `the stream records revision ${head.revision} but its events end at revision ${lastRevision}: ` +
        `events after position ${this.lastPosition} were removed, or the stream's head was altered`,
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

  private fail(revision: number, position: number, kind: ChainDamage, reason: string): void {
    this.broken = true;
    this.record({ kind, stream: this.stream, revision: BigInt(revision), position: BigInt(position), reason });
  }

  private record(chainBreak: ChainBreak): void {
    if (this.breaks.length < MAX_BREAKS_TRACKED) this.breaks.push(chainBreak);
  }
}

/** Breaks with no position (a stream head without events) come after those with one. */
function positionOrder(chainBreak: ChainBreak): bigint {
  return chainBreak.position >= 0n ? chainBreak.position : BigInt(Number.MAX_SAFE_INTEGER);
}
