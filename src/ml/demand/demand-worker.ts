/**
 * Worker-thread entry of the parallel forecaster (runs as dist/ml/demand/demand-worker.js): forecasts each
 * chunk of series it is sent and answers with the results, in order.
 */
import { parentPort } from 'node:worker_threads';
import { forecastOne, type WorkerRequest, type WorkerResponse } from './parallel-forecaster';

if (!parentPort) throw new Error('demand-worker.js is a worker-thread entry; forecastMany starts it');
const port = parentPort;
port.on('message', (request: WorkerRequest) => {
  const response: WorkerResponse = { id: request.id, results: request.series.map((values) => forecastOne(values, request.options)) };
  port.postMessage(response);
});
