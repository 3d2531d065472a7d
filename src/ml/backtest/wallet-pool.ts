/**
 * Simulates many wallets, on worker threads when the compiled worker entry (dist/ml/backtest/wallet-worker.js)
 * is there, else in this thread (jest runs src/ as ES modules without __dirname; tsx runs src/ without a
 * compiled sibling). Each wallet is simulated by the same deterministic code wherever it runs, so the
 * outcomes are identical whatever the number of workers.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createOptimiser } from '../portfolio/iimmf';
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

export interface WorkerJobMessage {
  readonly id: number;
  readonly job: WalletJob;
}
export type WorkerReply = { readonly id: number; readonly outcome: WalletOutcome } | { readonly id: number; readonly error: string };

/** The compiled worker entry next to this module, or undefined where there is none (jest, tsx). */
export function walletWorkerPath(): string | undefined {
  if (typeof __dirname !== 'string') return undefined;
  const file = join(__dirname, 'wallet-worker.js');
  return existsSync(file) ? file : undefined;
}

export async function simulateWallets(
  inputs: SimulationInputs,
  jobs: readonly WalletJob[],
  options: WalletPoolOptions = {},
): Promise<{ outcomes: WalletOutcome[]; mode: 'workers' | 'in-thread'; workers: number }> {
  const requested = options.workers ?? availableParallelism();
  const entry = walletWorkerPath();
  const outcomes = new Array<WalletOutcome>(jobs.length);
  if (requested <= 0 || entry === undefined || jobs.length === 0 || jobs.some((j) => j.record)) {
    const optimiser = jobs.some((j) => j.strategy === 'iimmf') ? await createOptimiser() : undefined;
    jobs.forEach((job, id) => {
      outcomes[id] = simulateWallet(inputs, job.strategy, job.flows, optimiser, job);
      options.onProgress?.(id + 1, jobs.length);
    });
    optimiser?.dispose();
    return { outcomes, mode: 'in-thread', workers: 0 };
  }
  // The slow jobs (IIMMF solves an LP a business day) first, so no worker is left with one at the end.
  const order = jobs.map((_, id) => id).sort((a, b) => Number(jobs[b]!.strategy === 'iimmf') - Number(jobs[a]!.strategy === 'iimmf') || a - b);
  const workers = Math.min(requested, jobs.length);
  await new Promise<void>((resolve, reject) => {
    const threads: Worker[] = [];
    let next = 0;
    let done = 0;
    let finished = false;
    const stop = (error?: Error) => {
      if (finished) return;
      finished = true;
      for (const thread of threads) void thread.terminate();
      if (error) reject(error);
      else resolve();
    };
    const send = (worker: Worker) => {
      if (next >= order.length) return;
      const id = order[next++]!;
      const message: WorkerJobMessage = { id, job: jobs[id]! };
      worker.postMessage(message);
    };
    for (let w = 0; w < workers; w += 1) {
      const worker = new Worker(entry, { workerData: inputs });
      threads.push(worker);
      worker.on('message', (reply: WorkerReply) => {
        if ('error' in reply) return stop(new Error(`wallet simulation ${reply.id} failed in a worker: ${reply.error}`));
        outcomes[reply.id] = reply.outcome;
        done += 1;
        options.onProgress?.(done, jobs.length);
        if (done === jobs.length) stop();
        else send(worker);
      });
      worker.on('error', (error) => stop(error));
      worker.on('exit', (code) => {
        if (done < jobs.length) stop(new Error(`a wallet simulation worker exited with code ${code} before the work was done`));
      });
      send(worker);
    }
  });
  return { outcomes, mode: 'workers', workers };
}
