import type { Database, Statement } from 'better-sqlite3';
import type { ChainBreak, LogHead } from '../event-store';
import { GENESIS_HASH, checkpointMac, logChainHash } from '../hash-chain';
import { LIMITS } from '../limits';

interface LogRow {
  position: number;
  hash: string;
  log_hash: string;
}

interface CheckpointRow {
  position: number;
  log_hash: string;
  mac: string;
}

/** What a walk over a range of positions found. */
export interface LogRangeReport {
  eventsChecked: number;
  /** The first break of each kind in the range. */
  breaks: ChainBreak[];
  /** The range's last event, or null when it holds none. */
  last: LogHead | null;
  checkpoints: { checked: number; lastPosition: bigint | null };
}

/** Checkpoints read per query while they are walked beside the log. */
const CHECKPOINT_PAGE = 1_000;

/**
 * Walks the log in position order, recomputing its chain from each event's stream hash (which the stream
 * walk has checked against the event itself): positions must follow one another and every link recompute.
 * Each link is checked against the stored link before it, so any range of positions can be walked on its
 * own, starting from the event before it. With an anchor, the link at its position must be the anchor's
 * hash; read with the audit key, every keyed checkpoint must verify and name the link the log has at its
 * position. Memory stays flat: a page of rows and a page of checkpoints at a time.
 */
export class LogChainWalk {
  private readonly page: Statement<[number, number, number], LogRow>;
  private readonly checkpointPage: Statement<[number, number, number], CheckpointRow>;
  private readonly atOrBefore: Statement<[number], { position: number; log_hash: string }>;

  constructor(
    db: Database,
    private readonly auditKey: string | undefined,
    private readonly anchor: LogHead | undefined,
  ) {
    this.page = db.prepare('SELECT position, hash, log_hash FROM events WHERE position > ? AND position <= ? ORDER BY position LIMIT ?');
    this.checkpointPage = db.prepare(
      'SELECT position, log_hash, mac FROM log_checkpoints WHERE position > ? AND position <= ? ORDER BY position LIMIT ?',
    );
    this.atOrBefore = db.prepare('SELECT position, log_hash FROM events WHERE position <= ? ORDER BY position DESC LIMIT 1');
  }

  /** The log's last position and link, for an anchor. */
  head(): LogHead {
    const row = this.atOrBefore.get(Number.MAX_SAFE_INTEGER);
    return row ? { position: BigInt(row.position), hash: row.log_hash } : { position: 0n, hash: GENESIS_HASH };
  }

  /** The positions in (afterPosition, lastPosition]; the last range of a walk ends at Number.MAX_SAFE_INTEGER. */
  walkRange(afterPosition: number, lastPosition: number): LogRangeReport {
    const before = this.atOrBefore.get(afterPosition);
    const state = new LogState(this.anchor, before?.position ?? 0, before?.log_hash ?? GENESIS_HASH);
    const checkpoints =
      this.auditKey === undefined ? undefined : new CheckpointCursor(this.checkpointPage, this.auditKey, afterPosition, lastPosition);
    let eventsChecked = 0;
    let last: LogHead | null = null;
    for (let after = afterPosition; ; ) {
      const rows = this.page.all(after, lastPosition, LIMITS.readPageSize);
      for (const row of rows) {
        state.visit(row);
        checkpoints?.meet(row, state);
      }
      eventsChecked += rows.length;
      if (rows.length > 0) {
        after = rows[rows.length - 1]!.position;
        last = { position: BigInt(after), hash: rows[rows.length - 1]!.log_hash };
      }
      if (rows.length < LIMITS.readPageSize) break;
    }
    checkpoints?.finish(state, lastPosition === Number.MAX_SAFE_INTEGER);
    return { eventsChecked, breaks: state.breaks, last, checkpoints: { checked: checkpoints?.checked ?? 0, lastPosition: checkpoints?.lastPosition ?? null } };
  }
}

/**
 * The walk's place in the log's chain, and the first break of each kind it found. Every link is checked
 * against the stored one before it, so one damage is one break and the walk goes on: a break further on is
 * another damage, found as the same walk over its range alone would find it.
 */
class LogState {
  readonly breaks: ChainBreak[] = [];
  /** The anchor's position as the rows' positions are read, compared once per row. */
  private readonly anchorPosition: number;

  constructor(
    private readonly anchor: LogHead | undefined,
    public position: number,
    private hash: string,
  ) {
    this.anchorPosition = anchor === undefined ? -1 : Number(anchor.position);
  }

  visit(row: LogRow): void {
    this.check(row);
    this.position = row.position;
    this.hash = row.log_hash;
  }

  private check(row: LogRow): void {
    if (row.position !== this.position + 1) {
      return this.fail('removed', this.position + 1, `positions ${this.position + 1} to ${row.position - 1} are missing: events were removed from the log`);
    }
    if (logChainHash(this.hash, row.position, row.hash) !== row.log_hash) {
      return this.fail('reordered', row.position, "the event is not where the log's chain put it: events were moved or replaced before it, or its link was altered");
    }
    const anchor = this.anchor;
    if (anchor && row.position === this.anchorPosition && row.log_hash !== anchor.hash) {
      this.fail('re-chained', row.position, `the log up to the anchor ${anchor.hash}@${anchor.position} was rewritten and chained again`);
    }
  }

  fail(kind: ChainBreak['kind'], position: number | bigint, reason: string): void {
    if (this.breaks.some((b) => b.kind === kind)) return;
    this.breaks.push({ kind, stream: '', revision: -1n, position: BigInt(position), reason });
  }
}

/**
 * Reads the keyed checkpoints of the walk's range beside the log, a page at a time, and checks each one when
 * the walk reaches it.
 */
class CheckpointCursor {
  checked = 0;
  lastPosition: bigint | null = null;
  private buffer: CheckpointRow[] = [];
  private exhausted = false;

  constructor(
    private readonly page: Statement<[number, number, number], CheckpointRow>,
    private readonly key: string,
    private after: number,
    private readonly rangeEnd: number,
  ) {}

  meet(row: LogRow, state: LogState): void {
    for (let missed = this.peek(); missed && missed.position < row.position; missed = this.peek()) {
      this.buffer.shift();
      state.fail('removed', missed.position, `a keyed checkpoint names position ${missed.position}, which the log no longer has: events were removed`);
    }
    const checkpoint = this.peek();
    if (!checkpoint || checkpoint.position !== row.position) return;
    this.buffer.shift();
    this.checked++;
    if (checkpoint.mac !== checkpointMac(this.key, BigInt(checkpoint.position), checkpoint.log_hash)) {
      state.fail('re-chained', checkpoint.position, `the keyed checkpoint at position ${checkpoint.position} does not verify with this key: it was forged, or the key is not the one it was written with`);
    } else if (checkpoint.log_hash !== row.log_hash) {
      state.fail('re-chained', checkpoint.position, `the log's link at position ${checkpoint.position} is not the one its keyed checkpoint vouches for: the log was rewritten and chained again`);
    } else {
      this.lastPosition = BigInt(checkpoint.position);
    }
  }

  /** A checkpoint past the range's last event vouches for events that are gone: at the log's end or before. */
  finish(state: LogState, atLogEnd: boolean): void {
    const beyond = this.peek();
    if (!beyond) return;
    const where = atLogEnd ? `past the log's end at ${state.position}` : 'which the log no longer has';
    state.fail('removed', beyond.position, `a keyed checkpoint names position ${beyond.position}, ${where}: events were removed`);
  }

  private peek(): CheckpointRow | undefined {
    if (this.buffer.length === 0 && !this.exhausted) {
      this.buffer = this.page.all(this.after, this.rangeEnd, CHECKPOINT_PAGE);
      if (this.buffer.length < CHECKPOINT_PAGE) this.exhausted = true;
      if (this.buffer.length > 0) this.after = this.buffer[this.buffer.length - 1]!.position;
    }
    return this.buffer[0];
  }
}
