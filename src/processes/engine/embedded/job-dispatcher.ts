import { invariant } from '../../../invariant';
import type { Job, JobHandler, JobWorker, WorkerOptions } from '../process-engine';
import type { RetryPolicy } from './instance-runtime';

export const DEFAULT_WORKER_OPTIONS: Required<WorkerOptions> = {
  maxRetries: 3,
  backoffMs: 1_000,
  maxBackoffMs: 60_000,
  timeoutMs: 5 * 60_000,
  maxConcurrentJobs: 32,
};

/** What the dispatcher needs from the engine: jobs to hand out, and where their outcomes go. */
export interface DispatchHost {
  clockMs(): number;
  /** Up to `limit` jobs of `taskType` a worker may take now, oldest first, none of those in `running`. */
  activatableJobs(taskType: string, limit: number, running: ReadonlySet<string>, defaultRetries: number): Job[];
  /** `policy` applies when the output is refused (not a JSON object): that counts as a failure. */
  jobSucceeded(job: Job, output: unknown, policy: RetryPolicy): void;
  jobFailed(job: Job, error: unknown, policy: RetryPolicy): void;
}

interface Worker {
  taskType: string;
  handler: JobHandler;
  options: Required<WorkerOptions>;
  running: number;
  closed: boolean;
}

interface Attempt {
  job: Job;
  worker: Worker;
  deadlineMs: number;
  /** Set once its outcome was reported (or it timed out): a late outcome is ignored. */
  settled: boolean;
}

/**
 * Hands jobs to the registered workers' handlers inside this process, within explicit bounds: at most
 * `maxRunningJobs` handlers at once overall and `maxConcurrentJobs` per worker. Jobs wait in the engine's file,
 * not in memory, so no queue grows here. Attempts past their `timeoutMs` (on the engine's clock) count as failed.
 */
export class JobDispatcher {
  private readonly workers = new Map<string, Worker>();
  private readonly attempts = new Map<string, Attempt>();
  private running = 0;
  /** Where the next dispatch begins among the workers: one further on each time (see dispatch). */
  private firstWorker = 0;
  private scheduled = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly host: DispatchHost,
    private readonly maxRunningJobs: number,
  ) {}

  register(taskType: string, handler: JobHandler, options: WorkerOptions): JobWorker {
    invariant(!this.workers.has(taskType), () => `a second worker for task type ${taskType}; one handler serves a type`);
    const worker: Worker = { taskType, handler, options: { ...DEFAULT_WORKER_OPTIONS, ...options }, running: 0, closed: false };
    this.workers.set(taskType, worker);
    this.poke();
    return {
      taskType,
      close: async () => {
        worker.closed = true;
        if (this.workers.get(taskType) === worker) this.workers.delete(taskType);
      },
    };
  }

  /** Something changed (a commit, a back-off that may have ended): look for jobs on the next turn. */
  poke(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => this.dispatch());
  }

  get idle(): boolean {
    return !this.scheduled && this.running === 0;
  }

  /** Resolves once no handler runs and no dispatch is pending (jobs waiting out a back-off do not count). */
  whenIdle(): Promise<void> {
    if (this.idle || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Attempts running past their deadline fail now; their handlers' late outcomes will be ignored. */
  expireAttempts(nowMs: number): number {
    let expired = 0;
    for (const attempt of [...this.attempts.values()]) {
      if (attempt.settled || attempt.deadlineMs > nowMs) continue;
      expired += 1;
      const { timeoutMs } = attempt.worker.options;
      this.settle(attempt, () => this.host.jobFailed(attempt.job, new Error(`the job timed out after ${timeoutMs} ms`), policyOf(attempt.worker)));
    }
    return expired;
  }

  /** Stops handing out jobs; handlers still running finish, and what they return is ignored. */
  close(): void {
    this.closed = true;
    this.notifyIdle();
  }

  /**
   * Hands out jobs, beginning one worker further on each time. With the running jobs at their bound, a freed
   * slot goes to the first worker with a job: always beginning with the same one would starve the workers
   * after it for as long as the first has jobs waiting.
   */
  private dispatch(): void {
    this.scheduled = false;
    if (this.closed) return;
    const workers = [...this.workers.values()];
    const running = new Set(this.attempts.keys());
    for (let i = 0; i < workers.length; i++) {
      const worker = workers[(this.firstWorker + i) % workers.length]!;
      const capacity = Math.min(worker.options.maxConcurrentJobs - worker.running, this.maxRunningJobs - this.running);
      if (worker.closed || capacity <= 0) continue;
      for (const job of this.host.activatableJobs(worker.taskType, capacity, running, worker.options.maxRetries)) {
        this.start(worker, job);
        running.add(job.key);
      }
    }
    this.firstWorker = workers.length === 0 ? 0 : (this.firstWorker + 1) % workers.length;
    if (this.idle) this.notifyIdle();
  }

  private start(worker: Worker, job: Job): void {
    const attempt: Attempt = { job, worker, deadlineMs: this.host.clockMs() + worker.options.timeoutMs, settled: false };
    this.attempts.set(job.key, attempt);
    worker.running += 1;
    this.running += 1;
    Promise.resolve()
      .then(() => worker.handler(job))
      .then(
        (output) => this.settle(attempt, () => this.host.jobSucceeded(job, output ?? {}, policyOf(worker))),
        (error: unknown) => this.settle(attempt, () => this.host.jobFailed(job, error, policyOf(worker))),
      );
  }

  private settle(attempt: Attempt, report: () => void): void {
    if (attempt.settled) return;
    attempt.settled = true;
    this.attempts.delete(attempt.job.key);
    attempt.worker.running -= 1;
    this.running -= 1;
    if (!this.closed) report();
    this.poke();
    if (this.idle) this.notifyIdle();
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function policyOf(worker: Worker): RetryPolicy {
  const { maxRetries, backoffMs, maxBackoffMs } = worker.options;
  return { maxRetries, backoffMs, maxBackoffMs };
}
