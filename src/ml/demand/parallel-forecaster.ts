/**
 * Forecasts many merchants' series on a pool of worker threads.
 *
 * - Pool: the worker pool (src/worker-pool.ts) with `workers` threads (default os.availableParallelism()),
 *   each with its own wasm instance of the `arima` package and the batch's options. Series travel in chunks
 *   (`chunkSize` series per message) and each worker has one chunk in flight, so what the pool holds in flight
 *   is bounded by the number of workers.
 * - The worker entry is the compiled `demand-worker.js` next to this file (dist/ml/demand/). Where there is
 *   none — jest runs src/ as ES modules through ts-jest, where `__dirname` does not exist and a worker could
 *   not load a .ts file; tsx runs src/ without a compiled sibling — or when `workers` is 0, the series are
 *   forecast in this thread instead. `forecastManyWithStats` says which happened.
 * - Every series is validated here, before it is sent (a hole would not survive the trip as a
 *   Float64Array), and forecast by the same deterministic code in whichever thread: the results are
 *   identical, bit for bit, whatever the number of workers or the chunk size.
 * - One bad series does not fail the batch: its item is `{ ok: false, error }` with the typed error's code.
 */
import { availableParallelism } from 'node:os';
import { checkHorizon, checkSeries, forecastChecked, normalizeSpec, type ArimaForecast, type ArimaSpec, type NormalizedSpec } from './arima-forecast';
import type { DifferencingChoice } from './differencing-tests';
import { DemandForecastError, type DemandForecastErrorCode } from './errors';
import { chooseArimaByAic, type ArimaGrid } from './model-selection';
import { compiledWorkerEntry, runOnWorkerThreads } from '../../worker-pool';

export interface ForecastManyOptions {
  horizon: number;
  /** Seasonal period for order selection; default 7. */
  period?: number;
  /** A fixed model for every series; without it each series gets its own order by AIC (model-selection.ts). */
  spec?: ArimaSpec;
  grid?: Partial<ArimaGrid>;
  search?: 'css-approx' | 'hannan-rissanen' | 'exact';
  compare?: number;
  refits?: number;
  allowNegative?: boolean;
}

export interface PoolOptions {
  /** Worker threads; default os.availableParallelism(). 0 forecasts in this thread. */
  workers?: number;
  /** Series per message; default: enough for about 16 chunks per worker, between 1 and 20 (small chunks keep
   *  the last worker from finishing long after the others). */
  chunkSize?: number;
}

export type ForecastItem =
  | { ok: true; spec: NormalizedSpec; forecast: ArimaForecast; differencing?: DifferencingChoice; fits: number }
  | { ok: false; error: { code: DemandForecastErrorCode | 'INTERNAL_ERROR'; message: string; details: Readonly<Record<string, string | number>> } };

export interface ForecastManyStats {
  results: ForecastItem[];
  mode: 'workers' | 'in-thread';
  workers: number;
  chunks: number;
}

function failure(error: unknown): ForecastItem {
  if (error instanceof DemandForecastError) return { ok: false, error: error.toJSON() };
  return { ok: false, error: { code: 'INTERNAL_ERROR', message: error instanceof Error ? error.message : String(error), details: {} } };
}

/** Forecasts one already-validated series (what each worker runs). */
export function forecastOne(values: Float64Array, options: ForecastManyOptions): ForecastItem {
  try {
    if (options.spec) {
      const spec = normalizeSpec(options.spec);
      return { ok: true, spec, forecast: forecastChecked(values, spec, options.horizon), fits: 1 };
    }
    const result = chooseArimaByAic(Array.from(values), {
      period: options.period ?? 7,
      horizon: options.horizon,
      ...(options.grid ? { grid: options.grid } : {}),
      ...(options.search ? { search: options.search } : {}),
      ...(options.refits !== undefined ? { refits: options.refits } : {}),
      ...(options.compare !== undefined ? { compare: options.compare } : {}),
      allowNegative: options.allowNegative ?? false,
    });
    return { ok: true, spec: result.spec, forecast: result.forecast, differencing: result.differencing, fits: result.fits };
  } catch (error) {
    return failure(error);
  }
}

/** The compiled worker entry, or undefined where there is none (jest, tsx). */
export function workerEntryPath(): string | undefined {
  return compiledWorkerEntry('ml/demand/demand-worker.js');
}

export async function forecastMany(seriesList: readonly (readonly number[])[], options: ForecastManyOptions, pool: PoolOptions = {}): Promise<ForecastItem[]> {
  return (await forecastManyWithStats(seriesList, options, pool)).results;
}

export async function forecastManyWithStats(
  seriesList: readonly (readonly number[])[],
  options: ForecastManyOptions,
  pool: PoolOptions = {},
): Promise<ForecastManyStats> {
  if (!Array.isArray(seriesList)) throw new DemandForecastError('BAD_SPEC', 'seriesList must be an array of series');
  checkHorizon(options.horizon);
  if (options.spec) normalizeSpec(options.spec);
  const requested = pool.workers ?? availableParallelism();
  if (!Number.isInteger(requested) || requested < 0) throw new DemandForecastError('BAD_SPEC', `workers must be a non-negative integer, not ${String(requested)}`);

  const results: ForecastItem[] = new Array<ForecastItem>(seriesList.length);
  const pending: { index: number; values: Float64Array }[] = [];
  seriesList.forEach((series, index) => {
    try {
      pending.push({ index, values: checkSeries(series, { allowNegative: options.allowNegative ?? false }) });
    } catch (error) {
      results[index] = failure(error);
    }
  });

  const entry = workerEntryPath();
  if (requested === 0 || pending.length === 0 || entry === undefined) {
    for (const { index, values } of pending) results[index] = forecastOne(values, options);
    return { results, mode: 'in-thread', workers: 0, chunks: 0 };
  }

  const chunkSize = pool.chunkSize ?? Math.min(20, Math.max(1, Math.ceil(pending.length / (requested * 16))));
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new DemandForecastError('BAD_SPEC', `chunkSize must be a positive integer, not ${String(chunkSize)}`);
  const chunks: (typeof pending)[] = [];
  for (let i = 0; i < pending.length; i += chunkSize) chunks.push(pending.slice(i, i + chunkSize));
  const workers = Math.min(requested, chunks.length);
  const answers = await runOnWorkerThreads<Float64Array[], ForecastItem[]>({
    entry,
    threads: workers,
    jobs: chunks.map((chunk) => chunk.map((c) => c.values)),
    workerData: options,
    describe: (id) => `demand forecast chunk ${id} (series ${chunks[id]![0]!.index} to ${chunks[id]!.at(-1)!.index})`,
  });
  answers.forEach((items, id) => items.forEach((item, i) => (results[chunks[id]![i]!.index] = item)));
  return { results, mode: 'workers', workers, chunks: chunks.length };
}
