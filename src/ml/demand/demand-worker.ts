/**
 * Worker-thread entry of the parallel forecaster (runs as dist/ml/demand/demand-worker.js on the ML worker
 * pool): forecasts each chunk of series it is sent, with the batch's options it was started with, in order.
 */
import { workerData } from 'node:worker_threads';
import { serveJobs } from '../../worker-pool';
import { forecastOne, type ForecastItem, type ForecastManyOptions } from './parallel-forecaster';

const options = workerData as ForecastManyOptions;
serveJobs<Float64Array[], ForecastItem[]>((series) => series.map((values) => forecastOne(values, options)));
