/**
 * Simulates many wallets, on the worker pool (src/worker-pool.ts) when the compiled worker entry
 * (dist/ml/backtest/wallet-worker.js) is there, else in this thread (jest runs src/ as ES modules without
 * __dirname; tsx runs src/ without a compiled sibling). Each wallet is simulated by the same deterministic code
 * wherever it runs, so the outcomes are identical whatever the number of workers.
 */
import { availableParallelism } from 'node:os';
import { createOptimiser } from '../portfolio/iimmf';
import { compiledWorkerEntry, runOnWorkerThreads } from '../../worker-pool';
import type { StrategyName } from './strategies';
import { simulateWallet, type SimulationInputs, type WalletFlows, type WalletOutcome } from './wallet-simulation';

export interface WalletJob {
  readonly strategy: StrategyName;
  readonly flows: WalletFlows;
  readonly daily?: boolean;
  readonly record?: boolean;
}

export interface WalletPoolOptions {
  /** Worker threads; default os.availableParallelism(). 0 simulates in this thread. */
  readonly workers?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** The compiled worker entry, or undefined where there is none (jest, tsx). */
export function walletWorkerPath(): string | undefined {
  return compiledWorkerEntry('ml/backtest/wallet-worker.js');
}

export async function simulateWallets(
  inputs: SimulationInputs,
  jobs: readonly WalletJob[],
  options: WalletPoolOptions = {},
): Promise<{ outcomes: WalletOutcome[]; mode: 'workers' | 'in-thread'; workers: number }> {
  const requested = options.workers ?? availableParallelism();
  const entry = walletWorkerPath();
  // A recorded run keeps every decision, too much to send back from a worker: it runs here.
  if (requested <= 0 || entry === undefined || jobs.length === 0 || jobs.some((j) => j.record)) {
    return { outcomes: await simulateInThread(inputs, jobs, options), mode: 'in-thread', workers: 0 };
  }
  // The slow jobs (IIMMF solves an LP a business day) first, so no worker is left with one at the end.
  const order = jobs.map((_, id) => id).sort((a, b) => Number(jobs[b]!.strategy === 'iimmf') - Number(jobs[a]!.strategy === 'iimmf') || a - b);
  const workers = Math.min(requested, jobs.length);
  const outcomes = await runOnWorkerThreads<WalletJob, WalletOutcome>({
    entry,
    threads: workers,
    jobs,
    order,
    workerData: inputs,
    describe: (id) => `wallet simulation ${id} (${jobs[id]!.strategy})`,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return { outcomes, mode: 'workers', workers };
}

async function simulateInThread(inputs: SimulationInputs, jobs: readonly WalletJob[], options: WalletPoolOptions): Promise<WalletOutcome[]> {
  const optimiser = jobs.some((j) => j.strategy === 'iimmf') ? await createOptimiser() : undefined;
  try {
    return jobs.map((job, id) => {
      const outcome = simulateWallet(inputs, job.strategy, job.flows, optimiser, job);
      options.onProgress?.(id + 1, jobs.length);
      return outcome;
    });
  } finally {
    optimiser?.dispose();
  }
}
