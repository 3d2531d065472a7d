import { availableParallelism } from 'node:os';
import type { Database, Statement } from 'better-sqlite3';
import type { ChainReport, LogHead, VerifyOptions } from '../event-store';
import type { SnapshotTable } from './snapshot-table';
import { ChainWalk, MAX_BREAKS_TRACKED, StreamChainWalk, type StreamHead } from './stream-chain-walk';
import { LogChainWalk } from './log-chain-walk';
import { RangeVerifier, combineLogRanges, planVerification, splitReports, type VerifyJob, type VerifyJobReport } from './verify-jobs';
import { compiledWorkerEntry, runOnWorkerThreads } from '../../worker-pool';

/** Events a verification job covers: small enough that one job between two yields never blocks a server long. */
const RANGE_EVENTS = 10_000;
/** Below this many events, starting threads costs about what the whole verification does. */
const WORKERS_FROM_EVENTS = 50_000;

/** What a worker thread of the verification is started with (verify-worker.ts). */
export interface VerifyWorkerData {
  readonly path: string;
  readonly auditKey: string | undefined;
  readonly anchor: LogHead | undefined;
}

/**
 * Verifies the store's hash chains: every stream's (stream-chain-walk.ts), then the log's own chain in
 * position order (log-chain-walk.ts), which finds what no stream's chain can: a whole stream removed, events
 * moved in the log, a log chained again; then every snapshot. The walks are cut into ranges
 * (verify-jobs.ts) run on the worker pool, each thread with its own read-only connection, when the store is
 * a file large enough to gain from it and the compiled worker is there; in this thread otherwise, yielding
 * between ranges. Either way the report is the same.
 */
export class ChainVerifier {
  private readonly streamWalk: StreamChainWalk;
  private readonly headByName: Statement<[string], StreamHead>;
  private readonly headsWithoutEvents: Statement<[], StreamHead>;
  private readonly logWalk: LogChainWalk;

  constructor(
    private readonly db: Database,
    private readonly auditKey: string | undefined,
    private readonly snapshots: SnapshotTable,
  ) {
    this.streamWalk = new StreamChainWalk(db);
    const head = 'SELECT stream_id, name, revision, last_hash FROM streams';
    this.headByName = db.prepare(`${head} WHERE name = ?`);
    this.headsWithoutEvents = db.prepare(
      `${head} s WHERE revision >= 0 AND NOT EXISTS (SELECT 1 FROM events e WHERE e.stream_id = s.stream_id) LIMIT ${MAX_BREAKS_TRACKED}`,
    );
    this.logWalk = new LogChainWalk(db, auditKey, undefined);
  }

  async verifyStream(stream: string): Promise<ChainReport> {
    const head = this.headByName.get(stream);
    if (!head) return { ok: true, eventsChecked: 0, streamsChecked: 0 };
    return this.streamWalk.walkStream(head);
  }

  async verifyAll(options: VerifyOptions = {}, rangeEvents = RANGE_EVENTS): Promise<ChainReport> {
    const jobs = planVerification(this.db, rangeEvents);
    const reports = await this.runJobs(jobs, options);
    const { streams, log: logRanges } = splitReports(reports);
    const walk = new ChainWalk(() => undefined);
    streams.forEach((range) => walk.absorb(range));
    for (const head of this.headsWithoutEvents.all()) walk.checkEmptyHead(head);
    const log = combineLogRanges(logRanges, options.anchor);
    for (const chainBreak of log.breaks) walk.add(chainBreak);
    const snapshotsChecked = await this.verifySnapshots(walk, options);
    options.onProgress?.(walk.eventsChecked);
    return { ...walk.report(), head: log.head, ...(this.auditKey !== undefined && { checkpoints: log.checkpoints }), snapshotsChecked };
  }

  /** Progress counts half of each job's planned events, as every event is walked twice (by stream, by position). */
  private async runJobs(jobs: VerifyJob[], options: VerifyOptions): Promise<VerifyJobReport[]> {
    let plannedDone = 0;
    const done = (job: VerifyJob) => {
      plannedDone += job.plannedEvents;
      options.onProgress?.(Math.floor(plannedDone / 2));
    };
    const entry = compiledWorkerEntry('eventstore/sqlite/verify-worker.js');
    const planned = jobs.reduce((sum, job) => sum + job.plannedEvents, 0) / 2;
    const threads = availableParallelism();
    if (entry && !this.db.memory && threads > 1 && planned >= WORKERS_FROM_EVENTS) {
      const workerData: VerifyWorkerData = { path: this.db.name, auditKey: this.auditKey, anchor: options.anchor };
      return runOnWorkerThreads<VerifyJob, VerifyJobReport>({
        entry,
        threads,
        jobs,
        workerData,
        describe: (index) => describeJob(jobs[index]!),
        onProgress: (_done, _total, index) => done(jobs[index]!),
      });
    }
    const verifier = new RangeVerifier(this.db, this.auditKey, options.anchor);
    const reports: VerifyJobReport[] = [];
    for (const job of jobs) {
      reports.push(verifier.run(job));
      done(job);
      // Let the process serve other work between ranges of a long verification.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return reports;
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

function describeJob(job: VerifyJob): string {
  if (job.kind === 'streams') return `the chains of streams ${job.afterStreamId + 1} to ${job.lastStreamId}`;
  return `the log's chain from position ${job.afterPosition + 1} to ${job.lastPosition}`;
}
