import type { Database, Statement } from 'better-sqlite3';
import type { ChainBreak, LogHead } from '../event-store';
import { GENESIS_HASH } from '../hash-chain';
import { invariant } from '../../invariant';
import { LogChainWalk, type LogRangeReport } from './log-chain-walk';
import { StreamChainWalk, type StreamRangeReport } from './stream-chain-walk';

/**
 * A verification of the whole store cut into jobs of about `rangeEvents` events each: ranges of stream ids
 * for the stream chains, ranges of positions for the log's chain. Each job reads in one read transaction of
 * its own connection, so jobs run in any order and on any thread, and their reports combine into the report
 * one walk over everything would give.
 */
export type VerifyJob =
  | { readonly kind: 'streams'; readonly afterStreamId: number; readonly lastStreamId: number; readonly plannedEvents: number }
  | { readonly kind: 'log'; readonly afterPosition: number; readonly lastPosition: number; readonly plannedEvents: number };

export type VerifyJobReport = { readonly kind: 'streams'; readonly report: StreamRangeReport } | { readonly kind: 'log'; readonly report: LogRangeReport };

/** The end of the last range: whatever is appended while the verification runs falls into it. */
const OPEN_END = Number.MAX_SAFE_INTEGER;

/** Stream ranges by the event counts their heads record, position ranges by the log's last position. */
export function planVerification(db: Database, rangeEvents: number): VerifyJob[] {
  invariant(Number.isInteger(rangeEvents) && rangeEvents > 0, () => `a verification range needs a positive number of events, not ${rangeEvents}`);
  const jobs: VerifyJob[] = [];
  let afterStreamId = -1;
  let planned = 0;
  const heads = db.prepare('SELECT stream_id, revision FROM streams ORDER BY stream_id') as Statement<[], { stream_id: number; revision: number }>;
  for (const head of heads.iterate()) {
    planned += Math.max(0, head.revision + 1);
    if (planned < rangeEvents) continue;
    jobs.push({ kind: 'streams', afterStreamId, lastStreamId: head.stream_id, plannedEvents: planned });
    afterStreamId = head.stream_id;
    planned = 0;
  }
  jobs.push({ kind: 'streams', afterStreamId, lastStreamId: OPEN_END, plannedEvents: planned });
  const { position } = db.prepare('SELECT coalesce(max(position), 0) AS position FROM events').get() as { position: number };
  for (let after = 0; after + rangeEvents < position; after += rangeEvents) {
    jobs.push({ kind: 'log', afterPosition: after, lastPosition: after + rangeEvents, plannedEvents: rangeEvents });
  }
  const lastAfter = Math.max(0, Math.floor((position - 1) / rangeEvents) * rangeEvents);
  jobs.push({ kind: 'log', afterPosition: lastAfter, lastPosition: OPEN_END, plannedEvents: position - lastAfter });
  return jobs;
}

/** Runs verification jobs on one connection (the store's own, or a worker thread's read-only one). */
export class RangeVerifier {
  private readonly streams: StreamChainWalk;
  private readonly log: LogChainWalk;

  constructor(
    private readonly db: Database,
    auditKey: string | undefined,
    anchor: LogHead | undefined,
  ) {
    this.streams = new StreamChainWalk(db);
    this.log = new LogChainWalk(db, auditKey, anchor);
  }

  /** In one read transaction, so a stream's events and its head are read as of one moment. */
  run(job: VerifyJob): VerifyJobReport {
    return this.db.transaction((): VerifyJobReport => {
      if (job.kind === 'streams') return { kind: 'streams', report: this.streams.walkRange(job.afterStreamId, job.lastStreamId) };
      return { kind: 'log', report: this.log.walkRange(job.afterPosition, job.lastPosition) };
    })();
  }
}

/** The log's chain over every range: counts summed, the first break of each kind, the last event the head. */
export interface LogReport {
  eventsChecked: number;
  breaks: ChainBreak[];
  head: LogHead;
  checkpoints: { checked: number; lastPosition: bigint | null };
}

/** Combines the log jobs' reports, given in position order; an anchor past the log's end is a removal. */
export function combineLogRanges(ranges: readonly LogRangeReport[], anchor: LogHead | undefined): LogReport {
  const firstOfKind = new Map<ChainBreak['kind'], ChainBreak>();
  // A tie is a checkpoint left over at a range's end and the gap the next range's first event shows at the
  // same position: one walk meets the gap first, so the later range's break is the one it names.
  const keep = (chainBreak: ChainBreak) => {
    const seen = firstOfKind.get(chainBreak.kind);
    if (!seen || chainBreak.position <= seen.position) firstOfKind.set(chainBreak.kind, chainBreak);
  };
  let eventsChecked = 0;
  let head: LogHead = { position: 0n, hash: GENESIS_HASH };
  const checkpoints = { checked: 0, lastPosition: null as bigint | null };
  for (const range of ranges) {
    eventsChecked += range.eventsChecked;
    range.breaks.forEach(keep);
    if (range.last) head = range.last;
    checkpoints.checked += range.checkpoints.checked;
    if (range.checkpoints.lastPosition !== null) checkpoints.lastPosition = range.checkpoints.lastPosition;
  }
  if (anchor && anchor.position > head.position) {
    keep({ kind: 'removed', stream: '', revision: -1n, position: anchor.position, reason: `the log ends at position ${head.position}, before the anchor at ${anchor.position}: events were removed` });
  }
  return { eventsChecked, breaks: [...firstOfKind.values()], head, checkpoints };
}

/** The stream jobs' reports in stream order, and the log jobs' in position order. */
export function splitReports(reports: readonly VerifyJobReport[]): { streams: StreamRangeReport[]; log: LogRangeReport[] } {
  const streams: StreamRangeReport[] = [];
  const log: LogRangeReport[] = [];
  for (const item of reports) {
    if (item.kind === 'streams') streams.push(item.report);
    else log.push(item.report);
  }
  return { streams, log };
}
