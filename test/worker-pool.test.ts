/**
 * The worker pool, run from src/ (as ES modules under jest) on real threads whose entry is a CommonJS
 * fixture serving jobs through the compiled pool (dist/, `npm run build`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WorkerJobError, compiledWorkerEntry, runOnWorkerThreads } from '../src/worker-pool';

type Job = { kind: 'square' | 'throw' | 'throw-once-spinning' | 'exit' | 'crash' | 'spin'; value: number };
type Answer = { value: number; threadId: number };

const entry = join(process.cwd(), 'test', 'fixtures', 'worker-pool-entry.cjs');
const IN_FLIGHT = 0;
const MAX_IN_FLIGHT = 1;
const SPINS = 2;

function counters(): { buffer: SharedArrayBuffer; view: Int32Array } {
  const buffer = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT);
  return { buffer, view: new Int32Array(buffer) };
}

function run(jobs: Job[], threads: number, shared = counters(), order?: number[]): Promise<Answer[]> {
  const label = (index: number) => `test job ${index} (${jobs[index]!.kind} ${jobs[index]!.value})`;
  return runOnWorkerThreads<Job, Answer>({ entry, threads, jobs, workerData: { factor: 3, counters: shared.buffer }, describe: label, ...(order ? { order } : {}) });
}

beforeAll(() => {
  if (!existsSync(join(process.cwd(), 'dist', 'worker-pool.js'))) throw new Error('run `npm run build` first: the fixture worker serves jobs through dist/worker-pool.js');
});

describe('compiledWorkerEntry', () => {
  it('finds no compiled entry under jest, where src/ runs as ES modules', () => {
    expect(compiledWorkerEntry('ml/backtest/wallet-worker.js')).toBeUndefined();
  });
});

describe('runOnWorkerThreads', () => {
  it('gives every job its result by index, whatever the order sent, with every thread used and one job a thread at a time', async () => {
    const jobs: Job[] = Array.from({ length: 23 }, (_, i) => ({ kind: 'square', value: i - 5 }));
    const shared = counters();
    const progress: number[] = [];
    const order = jobs.map((_, i) => (i * 7) % jobs.length);
    const answers = await runOnWorkerThreads<Job, Answer>({
      entry,
      threads: 3,
      jobs,
      order,
      workerData: { factor: 3, counters: shared.buffer },
      describe: (i) => `job ${i}`,
      onProgress: (done, total) => progress.push(done / total),
    });
    expect(answers.map((a) => a.value)).toEqual(jobs.map((j) => 3 * j.value * j.value));
    expect(new Set(answers.map((a) => a.threadId)).size).toBe(3);
    expect(progress).toHaveLength(jobs.length);
    expect(progress.at(-1)).toBe(1);
    expect(Atomics.load(shared.view, MAX_IN_FLIGHT)).toBeGreaterThanOrEqual(1);
    expect(Atomics.load(shared.view, MAX_IN_FLIGHT)).toBeLessThanOrEqual(3);
    expect(Atomics.load(shared.view, IN_FLIGHT)).toBe(0);
  });

  it('starts no more threads than jobs, and answers an empty batch without starting any', async () => {
    const answers = await run([{ kind: 'square', value: 4 }], 8);
    expect(answers).toEqual([{ value: 48, threadId: expect.any(Number) }]);
    await expect(run([], 2)).resolves.toEqual([]);
  });

  it('rejects with the name and index of a job that threw, and its error', async () => {
    const jobs: Job[] = [
      { kind: 'square', value: 1 },
      { kind: 'throw', value: 42 },
      { kind: 'square', value: 2 },
    ];
    const failure = run(jobs, 2);
    await expect(failure).rejects.toBeInstanceOf(WorkerJobError);
    await expect(failure).rejects.toMatchObject({ job: 'test job 1 (throw 42)', index: 1, message: expect.stringContaining('job 42 refuses') });
  });

  it('blames a thread that exits or crashes on the job it was running', async () => {
    await expect(run([{ kind: 'exit', value: 9 }], 1)).rejects.toMatchObject({ job: 'test job 0 (exit 9)', message: expect.stringContaining('exited with code 7') });
    await expect(run([{ kind: 'square', value: 1 }, { kind: 'crash', value: 8 }], 2)).rejects.toMatchObject({
      job: 'test job 1 (crash 8)',
      message: expect.stringContaining('a crash outside the job'),
    });
  });

  it('terminates every thread before it settles: a job spinning for ever on another thread stops with the failure', async () => {
    const shared = counters();
    await expect(run([{ kind: 'spin', value: 0 }, { kind: 'throw-once-spinning', value: 1 }], 2, shared)).rejects.toMatchObject({ index: 1 });
    const spinsAtFailure = Atomics.load(shared.view, SPINS);
    expect(spinsAtFailure).toBeGreaterThan(0);
    // Another whole run on the pool gives a live spinner ample time to move the counter.
    await run(Array.from({ length: 8 }, (_, i) => ({ kind: 'square', value: i })), 2);
    expect(Atomics.load(shared.view, SPINS)).toBe(spinsAtFailure);
  });

  it('refuses a run without a thread or with an order that is not a permutation of the jobs', () => {
    const jobs: Job[] = [
      { kind: 'square', value: 1 },
      { kind: 'square', value: 2 },
    ];
    expect(() => run(jobs, 0)).toThrow(RangeError);
    expect(() => run(jobs, 1, counters(), [0, 0])).toThrow(RangeError);
    expect(() => run(jobs, 1, counters(), [1])).toThrow(RangeError);
  });
});
