/**
 * Worker-thread entry of the wallet pool (runs as dist/ml/backtest/wallet-worker.js): simulates each wallet
 * it is sent, with its own HiGHS instance, and answers with the outcome.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createOptimiser, type IimmfOptimiser } from '../portfolio/iimmf';
import type { WorkerJobMessage, WorkerReply } from './wallet-pool';
import { simulateWallet, type SimulationInputs } from './wallet-simulation';

if (!parentPort) throw new Error('wallet-worker.js is a worker-thread entry; simulateWallets starts it');
const port = parentPort;
const inputs = workerData as SimulationInputs;
let optimiser: Promise<IimmfOptimiser> | undefined;
port.on('message', (message: WorkerJobMessage) => {
  void (async () => {
    try {
      const solver = message.job.strategy === 'iimmf' ? await (optimiser ??= createOptimiser()) : undefined;
      const reply: WorkerReply = { id: message.id, outcome: simulateWallet(inputs, message.job.strategy, message.job.flows, solver, message.job) };
      port.postMessage(reply);
    } catch (error) {
      const reply: WorkerReply = { id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
      port.postMessage(reply);
    }
  })();
});
