import type { Database, Statement } from 'better-sqlite3';
import type { ChainBreak, ChainDamage, ChainReport, LogHead, VerifyOptions } from '../event-store';
import { GENESIS_HASH, chainHash } from '../hash-chain';
import { LogChainWalk } from './log-chain-walk';
import type { SnapshotTable } from './snapshot-table';
import { LIMITS } from '../limits';
import { EVENT_COLUMNS, type EventRow } from './event-row';

/** An event row with its stream's integer id, which orders the walk. */
interface ChainRow extends EventRow {
  stream_id: number;
}

interface StreamHead {
  stream_id: number;
  name: string;
  revision: number;
  last_hash: string;
}

const PROGRESS_EVERY_EVENTS = 10_000;
/** Only the earliest break is reported; scanning past this many broken streams adds nothing for the auditor. */
const MAX_BREAKS_TRACKED = 1_000;

/**
 * Recomputes every stream's hash chain from the stored rows, walking the (stream, revision) index so that
 * memory stays constant however many streams there are. It finds edited rows (hash mismatch), removed or
 * reordered rows (a gap in revisions, a broken link, positions out of revision order), and a removed tail
 * (the stream's head disagrees). Then the log's own chain, in position order (log-chain-walk.ts), finds
 * what no stream's chain can: a whole stream removed, events moved in the log, a log chained again.
 * The stored texts are the canonical JSON that was hashed, so no parsing is needed.
 */
export class ChainVerifier {
  private readonly pageFrom: Statement<[number, number, number], ChainRow>;
  private readonly pageOfStream: Statement<[number, number, number], ChainRow>;
  private readonly headById: Statement<[number], StreamHead>;
  private readonly headByName: Statement<[string], StreamHead>;
  private readonly headsWithoutEvents: Statement<[], StreamHead>;
  private readonly logWalk: LogChainWalk;

  constructor(
    db: Database,
    auditKey: string | undefined,
    private readonly snapshots: SnapshotTable,
  ) {
    const columns = `e.stream_id, ${EVENT_COLUMNS}`;
    this.pageFrom = db.prepare(
      `SELECT ${columns} FROM events e JOIN streams s ON s.stream_id = e.stream_id
       WHERE (e.stream_id, e.revision) > (?, ?) ORDER BY e.stream_id, e.revision LIMIT ?`,
    );
    this.pageOfStream = db.prepare(
      `SELECT ${columns} FROM events e JOIN streams s ON s.stream_id = e.stream_id
       WHERE e.stream_id = ? AND e.revision > ? ORDER BY e.revision LIMIT ?`,
    );
    const head = 'SELECT stream_id, name, revision, last_hash FROM streams';
    this.headById = db.prepare(`${head} WHERE stream_id = ?`);
    this.headByName = db.prepare(`${head} WHERE name = ?`);
    this.headsWithoutEvents = db.prepare(
      `${head} s WHERE revision >= 0 AND NOT EXISTS (SELECT 1 FROM events e WHERE e.stream_id = s.stream_id) LIMIT ${MAX_BREAKS_TRACKED}`,
    );
    this.logWalk = new LogChainWalk(db, auditKey);
  }

  async verifyStream(stream: string): Promise<ChainReport> {
    const head = this.headByName.get(stream);
    if (!head) return { ok: true, eventsChecked: 0, streamsChecked: 0 };
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

  async verifyAll(options: VerifyOptions = {}): Promise<ChainReport> {
    const walk = new ChainWalk((streamId) => this.headById.get(streamId));
    let nextProgress = PROGRESS_EVERY_EVENTS;
    let afterStream = -1;
    let afterRevision = -1;
    for (;;) {
      const rows = this.pageFrom.all(afterStream, afterRevision, LIMITS.readPageSize);
      for (const row of rows) walk.visit(row);
      if (walk.eventsChecked >= nextProgress) {
        options.onProgress?.(walk.eventsChecked);
        nextProgress = walk.eventsChecked + PROGRESS_EVERY_EVENTS;
        // Let the process serve other work between pages of a long verification.
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (rows.length < LIMITS.readPageSize) break;
      const last = rows[rows.length - 1]!;
      afterStream = last.stream_id;
      afterRevision = last.revision;
    }
    walk.finishStream();
    for (const head of this.headsWithoutEvents.all()) walk.checkEmptyHead(head);
    // The second pass reads three short columns in position order: fast enough to report with the first.
    const log = await this.logWalk.verify(options);
    for (const chainBreak of log.breaks) walk.add(chainBreak);
    const snapshotsChecked = await this.verifySnapshots(walk, options);
    options.onProgress?.(walk.eventsChecked);
    return { ...walk.report(), head: log.head, ...(log.checkpoints && { checkpoints: log.checkpoints }), snapshotsChecked };
  }

  /** Each snapshot against its seal and its stream's chain, then (given `checkSnapshot`) against the fold of its stream. */
  private async verifySnapshots(walk: ChainWalk, options: VerifyOptions): Promise<number> {
    let checked = 0;
    for (const { stream, snapshot, fault } of this.snapshots.walk()) {
      checked++;
      const reason = fault ?? (await options.checkSnapshot?.(stream, snapshot));
      if (reason) walk.add({ kind: 'snapshot-forged', stream, revision: snapshot.revision, position: -1n, reason });
    }
    return checked;
  }

  /** The log's last position and link, for an anchor. */
  logHead(): LogHead {
    return this.logWalk.head();
  }
}

/** The state of one pass over events ordered by (stream, revision). */
class ChainWalk {
  eventsChecked = 0;
  streamsChecked = 0;
  private readonly breaks: ChainBreak[] = [];
  private streamId = -1;
  private stream = '';
  private expectedRevision = 0;
  private previousHash = GENESIS_HASH;
  private lastPosition = 0;
  private broken = false;

  add(chainBreak: ChainBreak): void {
    this.record(chainBreak);
  }

  constructor(private readonly headOf: (streamId: number) => StreamHead | undefined) {}

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
