import type { Database, Statement } from 'better-sqlite3';
import type { ChainBreak, LogHead, VerifyOptions } from '../event-store';
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

export interface LogChainReport {
  eventsChecked: number;
  breaks: ChainBreak[];
  head: LogHead;
  checkpoints?: { checked: number; lastPosition: bigint | null };
}

const YIELD_EVERY_EVENTS = 10_000;
/** Checkpoints read per query while they are walked beside the log. */
const CHECKPOINT_PAGE = 1_000;

/**
 * Walks the log in position order, recomputing its chain from each event's stream hash (which the stream
 * walk has checked against the event itself): positions must follow one another and every link recompute.
 * With an anchor, the link at its position must be the anchor's hash; read with the audit key, every keyed
 * checkpoint must verify and name the link the log has at its position. Memory stays flat: a page of rows
 * and a page of checkpoints at a time.
 */
export class LogChainWalk {
  private readonly page: Statement<[number, number], LogRow>;
  private readonly checkpointPage: Statement<[number, number], CheckpointRow>;
  private readonly last: Statement<[], { position: number; log_hash: string }>;

  constructor(
    db: Database,
    private readonly auditKey: string | undefined,
  ) {
    this.page = db.prepare('SELECT position, hash, log_hash FROM events WHERE position > ? ORDER BY position LIMIT ?');
    this.checkpointPage = db.prepare('SELECT position, log_hash, mac FROM log_checkpoints WHERE position > ? ORDER BY position LIMIT ?');
    this.last = db.prepare('SELECT position, log_hash FROM events ORDER BY position DESC LIMIT 1');
  }

  head(): LogHead {
    const row = this.last.get();
    return row ? { position: BigInt(row.position), hash: row.log_hash } : { position: 0n, hash: GENESIS_HASH };
  }

  async verify(options: VerifyOptions): Promise<LogChainReport> {
    const state = new LogState(options);
    const checkpoints = this.auditKey === undefined ? undefined : new CheckpointCursor(this.checkpointPage, this.auditKey);
    let nextYield = YIELD_EVERY_EVENTS;
    for (let after = 0; ; ) {
      const rows = this.page.all(after, LIMITS.readPageSize);
      for (const row of rows) {
        state.visit(row);
        checkpoints?.meet(row, state);
      }
      if (state.eventsChecked >= nextYield) {
        nextYield = state.eventsChecked + YIELD_EVERY_EVENTS;
        // Let the process serve other work between pages of a long verification.
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (rows.length < LIMITS.readPageSize) break;
      after = rows[rows.length - 1]!.position;
    }
    checkpoints?.finish(state);
    state.finish();
    return {
      eventsChecked: state.eventsChecked,
      breaks: state.breaks,
      head: { position: BigInt(state.position), hash: state.hash },
      ...(checkpoints && { checkpoints: { checked: checkpoints.checked, lastPosition: checkpoints.lastPosition } }),
    };
  }
}

/** The walk's place in the log's chain, and the first break of each kind it found. */
class LogState {
  eventsChecked = 0;
  position = 0;
  hash = GENESIS_HASH;
  readonly breaks: ChainBreak[] = [];
  private broken = false;

  constructor(private readonly options: VerifyOptions) {}

  visit(row: LogRow): void {
    this.eventsChecked++;
    if (!this.broken) this.check(row);
    this.position = row.position;
    this.hash = row.log_hash;
  }

  private check(row: LogRow): void {
    if (row.position !== this.position + 1) {
      return this.fail('removed', this.position + 1, `positions ${this.position + 1} to ${row.position - 1} are missing: events were removed from the log`);
    }
    if (logChainHash(this.hash, BigInt(row.position), row.hash) !== row.log_hash) {
      return this.fail('reordered', row.position, "the event is not where the log's chain put it: events were moved or replaced before it, or its link was altered");
    }
    const anchor = this.options.anchor;
    if (anchor && BigInt(row.position) === anchor.position && row.log_hash !== anchor.hash) {
      this.fail('re-chained', row.position, `the log up to the anchor ${anchor.hash}@${anchor.position} was rewritten and chained again`);
    }
  }

  finish(): void {
    const anchor = this.options.anchor;
    if (anchor && anchor.position > BigInt(this.position)) {
      this.fail('removed', anchor.position, `the log ends at position ${this.position}, before the anchor at ${anchor.position}: events were removed`);
    }
  }

  fail(kind: ChainBreak['kind'], position: number | bigint, reason: string): void {
    if (kind !== 're-chained') this.broken = true;
    if (this.breaks.some((b) => b.kind === kind)) return;
    this.breaks.push({ kind, stream: '', revision: -1n, position: BigInt(position), reason });
  }
}

/** Reads the keyed checkpoints beside the log, a page at a time, and checks each one when the walk reaches it. */
class CheckpointCursor {
  checked = 0;
  lastPosition: bigint | null = null;
  private buffer: CheckpointRow[] = [];
  private after = 0;
  private exhausted = false;

  constructor(
    private readonly page: Statement<[number, number], CheckpointRow>,
    private readonly key: string,
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

  /** A checkpoint past the log's end vouches for events that are gone. */
  finish(state: LogState): void {
    const beyond = this.peek();
    if (beyond) state.fail('removed', beyond.position, `a keyed checkpoint names position ${beyond.position}, past the log's end at ${state.position}: events were removed`);
  }

  private peek(): CheckpointRow | undefined {
    if (this.buffer.length === 0 && !this.exhausted) {
      this.buffer = this.page.all(this.after, CHECKPOINT_PAGE);
      if (this.buffer.length < CHECKPOINT_PAGE) this.exhausted = true;
      if (this.buffer.length > 0) this.after = this.buffer[this.buffer.length - 1]!.position;
    }
    return this.buffer[0];
  }
}
