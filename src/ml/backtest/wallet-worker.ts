/**
 * Worker-thread entry of the wallet simulations (runs as dist/ml/backtest/wallet-worker.js on the ML worker
 * pool): simulates each wallet it is sent on the inputs it was started with, with its own HiGHS instance.
 */
import { workerData } from 'node:worker_threads';
import { createOptimiser, type IimmfOptimiser } from '../portfolio/iimmf';
import { serveJobs } from '../../worker-pool';
import type { WalletJob } from './wallet-pool';
import { simulateWallet, type SimulationInputs, type WalletOutcome } from './wallet-simulation';

const inputs = workerData as SimulationInputs;
let optimiser: Promise<IimmfOptimiser> | undefined;
serveJobs<WalletJob, WalletOutcome>(async (job) => {
  const solver = job.strategy === 'iimmf' ? await (optimiser ??= createOptimiser()) : undefined;
  return simulateWallet(inputs, job.strategy, job.flows, solver, job);
});
