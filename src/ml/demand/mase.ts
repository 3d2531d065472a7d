/**
 * Forecast accuracy as MASE (Hyndman & Koehler 2006): mean absolute error on the holdout divided by the
 * in-sample mean absolute error of the seasonal-naive forecast (y_t = y_{t−m}, m = 7 for weekly patterns).
 *
 * The in-sample scale makes the seasonal-naive method's *in-sample* MASE 1 by construction, but its
 * out-of-sample MASE on the holdout is not 1, so comparing a model's holdout MASE with 1 is not a fair
 * comparison. `evaluateDemandForecasts` therefore forecasts the same holdout with the seasonal-naive
 * method too and reports both MASEs on the same scale: the model beats seasonal naive when
 * `mase < seasonalNaiveMase` (`relative` < 1).
 */
import { DemandForecastError } from './errors';
import { forecastMany, type ForecastManyOptions, type PoolOptions } from './parallel-forecaster';

/** Mean |y_t − y_{t−m}| over the training series. */
export function seasonalNaiveScale(train: readonly number[], period = 7): number {
  if (train.length <= period) {
    throw new DemandForecastError('TOO_FEW_POINTS', `the MASE scale needs more than ${period} training points; there are ${train.length}`, {
      points: train.length,
      required: period + 1,
    });
  }
  let sum = 0;
  for (let t = period; t < train.length; t++) sum += Math.abs(train[t]! - train[t - period]!);
  return sum / (train.length - period);
}

/** ŷ_{n+h} = y_{n+h−m·⌈h/m⌉}: the last observed value of the same season. */
export function seasonalNaiveForecast(train: readonly number[], horizon: number, period = 7): number[] {
  const n = train.length;
  if (n < period) throw new DemandForecastError('TOO_FEW_POINTS', `seasonal naive needs ${period} points; there are ${n}`, { points: n, required: period });
  return Array.from({ length: horizon }, (_, i) => train[n - period + (i % period)]!);
}

/** MASE of `forecast` against `actual`, scaled by the seasonal-naive in-sample MAE of `train`. */
export function mase(actual: readonly number[], forecast: readonly number[], train: readonly number[], period = 7): number {
  if (actual.length !== forecast.length || actual.length === 0) {
    throw new DemandForecastError('BAD_HORIZON', `actual (${actual.length}) and forecast (${forecast.length}) must have the same, non-zero length`);
  }
  const scale = seasonalNaiveScale(train, period);
  if (!(scale > 0)) {
    throw new DemandForecastError('CONSTANT_SERIES', 'the training series repeats itself exactly every period: the MASE scale is 0', { period });
  }
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs(actual[i]! - forecast[i]!);
  return sum / actual.length / scale;
}

export interface EvaluationOptions extends Omit<ForecastManyOptions, 'horizon'>, PoolOptions {
  /** Steps forecast from the end of the training window; default 1. */
  horizon?: number;
  /** Training points: series[0 .. trainDays) train, series[trainDays .. trainDays + horizon) is the holdout. */
  trainDays: number;
}

export interface SeriesEvaluation {
  index: number;
  mase: number;
  seasonalNaiveMase: number;
  model: string;
}

export interface Evaluation {
  /** Mean over the evaluated series of the model's holdout MASE. */
  mase: number;
  /** Mean over the same series of the seasonal-naive forecast's holdout MASE (same scale). */
  seasonalNaiveMase: number;
  /** mase / seasonalNaiveMase: below 1 the model beats seasonal naive. */
  relative: number;
  medianMase: number;
  medianSeasonalNaiveMase: number;
  /** Share of series where the model's error is smaller than seasonal naive's. */
  winRate: number;
  evaluated: number;
  failures: { index: number; code: string }[];
  perSeries: SeriesEvaluation[];
}

const median = (v: readonly number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Fits on the first `trainDays` points of every series, forecasts `horizon` steps, and scores the model and
 * the seasonal-naive forecast on the same holdout. Series whose model could not be fitted are listed in
 * `failures` and left out of both averages.
 */
export async function evaluateDemandForecasts(seriesList: readonly (readonly number[])[], options: EvaluationOptions): Promise<Evaluation> {
  const horizon = options.horizon ?? 1;
  const period = options.period ?? 7;
  const { trainDays } = options;
  if (!Number.isInteger(trainDays) || trainDays <= period) {
    throw new DemandForecastError('BAD_SPEC', `trainDays must be an integer above the period (${period}), not ${String(trainDays)}`);
  }
  const short = seriesList.findIndex((s) => s.length < trainDays + horizon);
  if (short >= 0) {
    throw new DemandForecastError('TOO_FEW_POINTS', `series ${short} has ${seriesList[short]!.length} points; trainDays + horizon = ${trainDays + horizon}`, {
      index: short,
      required: trainDays + horizon,
    });
  }
  const trains = seriesList.map((s) => s.slice(0, trainDays));
  const { workers, chunkSize, ...forecastOptions } = options;
  const results = await forecastMany(trains, { ...forecastOptions, horizon, period }, { ...(workers !== undefined ? { workers } : {}), ...(chunkSize !== undefined ? { chunkSize } : {}) });

  const perSeries: SeriesEvaluation[] = [];
  const failures: { index: number; code: string }[] = [];
  results.forEach((item, index) => {
    if (!item.ok) {
      failures.push({ index, code: item.error.code });
      return;
    }
    const train = trains[index]!;
    const actual = seriesList[index]!.slice(trainDays, trainDays + horizon);
    try {
      const [p, d, q] = item.spec.order;
      const [P, D, Q] = item.spec.seasonal;
      perSeries.push({
        index,
        mase: mase(actual, item.forecast.mean, train, period),
        seasonalNaiveMase: mase(actual, seasonalNaiveForecast(train, horizon, period), train, period),
        model: `(${p},${d},${q})(${P},${D},${Q})`,
      });
    } catch (error) {
      failures.push({ index, code: error instanceof DemandForecastError ? error.code : 'INTERNAL_ERROR' });
    }
  });
  if (perSeries.length === 0) throw new DemandForecastError('NO_MODEL', 'no series could be evaluated', { failures: failures.length });
  const avg = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  const model = perSeries.map((s) => s.mase);
  const naive = perSeries.map((s) => s.seasonalNaiveMase);
  return {
    mase: avg(model),
    seasonalNaiveMase: avg(naive),
    relative: avg(model) / avg(naive),
    medianMase: median(model),
    medianSeasonalNaiveMase: median(naive),
    winRate: perSeries.filter((s) => s.mase < s.seasonalNaiveMase).length / perSeries.length,
    evaluated: perSeries.length,
    failures,
    perSeries,
  };
}
