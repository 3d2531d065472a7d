/**
 * The worker-thread pool of every parallel job (the backtest's wallet simulations, the demand forecasts, the
 * verification of the embedded event store's chains): a fixed number of threads started on one compiled
 * entry, each holding one job at a time, so what the pool has in flight is bounded by its threads and the
 * rest waits in the caller's array. Results are kept by job index,
 * whatever order the jobs are sent or finish in. The first failure — a job that threw in its worker, a worker
 * that crashed or exited — rejects the run with a WorkerJobError naming the job; success or failure, every
 * thread is terminated before the promise settles, so a run never leaves a thread behind.
 *
 * A worker entry calls `serveJobs` with the function that runs one job.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, parentPort } from 'node:worker_threads';

/**
 * The compiled worker entry at `relativePath` from this module (dist/…), or undefined where there is none:
 * jest runs src/ as ES modules, where __dirname does not exist and a worker could not load a .ts file, and
 * tsx runs src/ without a compiled sibling. Callers then run their jobs in their own thread.
 */
export function compiledWorkerEntry(relativePath: string): string | undefined {
  if (typeof __dirname !== 'string') return undefined;
  const file = join(__dirname, relativePath);
  return existsSync(file) ? file : undefined;
}

export interface JobMessage<Job> {
  readonly index: number;
  readonly job: Job;
}

export type JobReply<Result> = { readonly index: number; readonly result: Result } | { readonly index: number; readonly error: string };

/** A job that failed on a worker thread: `job` names it as the caller does, `index` is its place in the batch. */
export class WorkerJobError extends Error {
  constructor(
    readonly job: string,
    readonly index: number,
    detail: string,
  ) {
    super(`${job} failed on a worker thread: ${detail}`);
    this.name = 'WorkerJobError';
  }
}

export interface WorkerPoolRun<Job> {
  /** The compiled entry the threads run (see compiledWorkerEntry). */
  readonly entry: string;
  /** Threads to start; no more than there are jobs are started. At least 1. */
  readonly threads: number;
  readonly jobs: readonly Job[];
  /** The order jobs are sent in (a permutation of their indexes); default: as given. */
  readonly order?: readonly number[];
  /** Given to every thread once, at its start (node:worker_threads' workerData). */
  readonly workerData?: unknown;
  /** Names job `index` in an error, e.g. "wallet simulation 3 (iimmf)". */
  describe(index: number): string;
  /** After each job's answer: how many are done, of how many, and the index of the one just done. */
  onProgress?(done: number, total: number, index: number): void;
}

/** Runs every job on the pool's threads and resolves with their results, by job index. */
export function runOnWorkerThreads<Job, Result>(run: WorkerPoolRun<Job>): Promise<Result[]> {
  if (!Number.isInteger(run.threads) || run.threads < 1) throw new RangeError(`a worker pool needs at least one thread, not ${String(run.threads)}`);
  const order = run.order ?? run.jobs.map((_, index) => index);
  if (order.length !== run.jobs.length || new Set(order).size !== order.length || order.some((i) => !(i >= 0 && i < run.jobs.length))) {
    throw new RangeError('the order of a worker pool run must list every job exactly once');
  }
  if (run.jobs.length === 0) return Promise.resolve([]);
  return new Promise<Result[]>((resolve, reject) => new PoolRun<Job, Result>(run, order, resolve, reject).start());
}

/** One run of the pool: its threads, the job each is busy with, and the results so far. */
class PoolRun<Job, Result> {
  private readonly threads: Worker[] = [];
  private readonly busyWith = new Map<Worker, number>();
  private readonly results: Result[];
  private next = 0;
  private done = 0;
  private settled = false;

  constructor(
    private readonly run: WorkerPoolRun<Job>,
    private readonly order: readonly number[],
    private readonly resolve: (results: Result[]) => void,
    private readonly reject: (error: Error) => void,
  ) {
    this.results = new Array<Result>(run.jobs.length);
  }

  start(): void {
    const count = Math.min(this.run.threads, this.run.jobs.length);
    for (let w = 0; w < count && !this.settled; w += 1) {
      const worker = new Worker(this.run.entry, { workerData: this.run.workerData });
      this.threads.push(worker);
      worker.on('message', (reply: JobReply<Result>) => this.answer(worker, reply));
      worker.on('error', (error: Error) => this.fail(this.failure(worker, `the thread crashed: ${error.stack ?? error.message}`)));
      worker.on('exit', (code: number) => this.fail(this.failure(worker, `the thread exited with code ${code}`)));
      this.send(worker);
    }
  }

  private send(worker: Worker): void {
    if (this.next >= this.order.length) return;
    const index = this.order[this.next++]!;
    this.busyWith.set(worker, index);
    const message: JobMessage<Job> = { index, job: this.run.jobs[index]! };
    try {
      worker.postMessage(message);
    } catch (error) {
      // A job that cannot be cloned (a function or a class instance in it) fails here, on the pool's side.
      this.fail(new WorkerJobError(this.run.describe(index), index, `it could not be sent: ${error instanceof Error ? error.message : String(error)}`));
    }
  }

  private answer(worker: Worker, reply: JobReply<Result>): void {
    if (this.settled) return;
    this.busyWith.delete(worker);
    if ('error' in reply) return this.fail(new WorkerJobError(this.run.describe(reply.index), reply.index, reply.error));
    this.results[reply.index] = reply.result;
    this.done += 1;
    this.run.onProgress?.(this.done, this.run.jobs.length, reply.index);
    if (this.done === this.run.jobs.length) this.finish(() => this.resolve(this.results));
    else this.send(worker);
  }

  /** An error or exit of a thread is blamed on the job it was running; a thread between jobs names none. */
  private failure(worker: Worker, detail: string): Error {
    const index = this.busyWith.get(worker);
    if (index === undefined) return new Error(`a worker thread of ${this.run.entry} stopped between jobs: ${detail}`);
    return new WorkerJobError(this.run.describe(index), index, detail);
  }

  private fail(error: Error): void {
    this.finish(() => this.reject(error));
  }

  /** Settles once: every thread is terminated first (their exits, which follow, are then ignored). */
  private finish(settle: () => void): void {
    if (this.settled) return;
    this.settled = true;
    void Promise.allSettled(this.threads.map((thread) => thread.terminate())).then(settle);
  }
}

/**
 * The worker side: answers every job the pool sends with `runJob`'s result, or with the error it threw (its
 * stack), so the pool can reject with the job's name. Called once, at the top of a worker entry.
 */
export function serveJobs<Job, Result>(runJob: (job: Job) => Result | Promise<Result>): void {
  if (!parentPort) throw new Error('this module is a worker-thread entry: runOnWorkerThreads starts it');
  const port = parentPort;
  port.on('message', (message: JobMessage<Job>) => {
    void (async () => {
      let reply: JobReply<Result>;
      try {
        reply = { index: message.index, result: await runJob(message.job) };
      } catch (error) {
        reply = { index: message.index, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
      }
      port.postMessage(reply);
    })();
  });
}
