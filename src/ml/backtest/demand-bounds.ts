/**
 * Walk-forward forecasts of each merchant's withdrawals, for the demand bounds of IIMMF's capacity constraint
 * and the cap reserve: at every origin t, the mean and the standard error of the withdrawals of days
 * t + 1 … t + maxHorizon from data up to t only. The bounds themselves are made from them by
 * bound-calibration.ts (mean + 1.96 se, or calibrated on the errors of the past).
 *
 * 'arima' (the default), on a fixed schedule counted from the day before the evaluation starts:
 * - every `selectDays` days (default 1,461, four years) each merchant's order is chosen by AIC with weekly
 *   seasonality on the last `trainDays` days by the demand module (`forecastManyWithStats`, on worker
 *   threads when the compiled code is there);
 * - every `refitDays` days (default 365) in between, the chosen order's coefficients are re-estimated on the
 *   last `trainDays` days (`forecastArima`); a refit that fails re-chooses the order by AIC;
 * - between refits the fitted model is kept and the new days are filtered through it (ArimaFilter), so each
 *   origin t has forecasts of days t+1…t+maxHorizon from data up to t only, and their standard errors.
 * A merchant for which no model can be fitted in a period (e.g. a series that never changes) falls back to
 * the seasonal-naive forecasts for that period; those periods are counted. Choosing the order every year
 * instead (`selectDays: 365`) costs ~0.1 s of CPU per merchant-year against ~0.01 s for a refit.
 *
 * 'seasonal-naive': the mean forecast of day t+h is the value on the same weekday a week before (data up to
 * t), and its "standard error" is the distance from it to the empirical 95 % quantile of the last 12 such
 * weekdays over 1.96, so that mean + 1.96 se is that quantile.
 */
import { quantileOf } from '../quantile';
import { forecastArima, forecastManyWithStats, type ArimaForecast, type ForecastItem, type ForecastManyOptions } from '../demand';
import { ArimaFilter, Z975 } from './arima-filter';

export type DemandMethod = 'arima' | 'seasonal-naive';

export interface DemandBoundOptions {
  readonly method: DemandMethod;
  /** Days of history each fit uses (default 365). */
  readonly trainDays?: number;
  /** Days between refits of the coefficients (default 365). */
  readonly refitDays?: number;
  /** Days between choices of the order by AIC (default 1,461; a multiple of refitDays is sensible). */
  readonly selectDays?: number;
  /** Worker threads for the ARIMA fits (default: the demand module's, os.availableParallelism()). */
  readonly workers?: number;
  /** How each merchant's order is chosen: seasonal period, grid, search (default: the demand module's defaults, period 7). */
  readonly selection?: Pick<ForecastManyOptions, 'period' | 'grid' | 'search' | 'compare' | 'refits'>;
  /** Largest horizon a bound is needed for (3: Friday to Monday). */
  readonly maxHorizon?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface MerchantDemandBounds {
  /** mean[h − 1][t]: forecast of the withdrawals of day t + h made at origin t, fen, not floored (NaN outside the range). */
  readonly mean: Float64Array[];
  /** se[h − 1][t]: its standard error, fen. */
  readonly se: Float64Array[];
  /** Periods that fell back to the seasonal-naive bound (ARIMA fit failed). */
  readonly fallbacks: number;
  /** The model of each period, e.g. "ARIMA(1,0,1)(1,0,0)[7]", or "seasonal-naive". */
  readonly models: string[];
}

export interface DemandBounds {
  readonly method: DemandMethod;
  readonly trainDays: number;
  readonly refitDays: number;
  readonly selectDays: number;
  /** Orders chosen by AIC (each a grid search) and coefficient refits of a chosen order. */
  readonly selections: number;
  readonly fits: number;
  readonly fallbacks: number;
  readonly mode: 'workers' | 'in-thread' | 'none';
  /** The origins at which the coefficients were fitted (each period runs to the day before the next). */
  readonly refitOrigins: number[];
  readonly merchants: MerchantDemandBounds[];
}

const QUANTILE = 0.95;
const NAIVE_WEEKS = 12;

/** Seasonal-naive forecasts at origin t (data y[0..t]) for day t + h. */
export function seasonalNaiveBound(y: ArrayLike<number>, t: number, h: number): { mean: number; upper: number } {
  const sample: number[] = [];
  for (let k = 1; k <= NAIVE_WEEKS; k += 1) {
    const day = t + h - 7 * k;
    if (day < 0) break;
    if (day <= t) sample.push(y[day]!);
  }
  if (sample.length === 0) return { mean: 0, upper: 0 };
  return { mean: sample[0]!, upper: quantileOf(sample, QUANTILE) };
}

/**
 * Forecasts for origins from `firstOrigin` to `lastOrigin` (inclusive) for each merchant's withdrawal series
 * (all of the same length, indexed like the market's days).
 */
export async function demandBounds(
  series: readonly (readonly number[])[],
  firstOrigin: number,
  lastOrigin: number,
  options: DemandBoundOptions,
): Promise<DemandBounds> {
  const trainDays = options.trainDays ?? 365;
  const refitDays = options.refitDays ?? 365;
  const selectDays = options.selectDays ?? 1461;
  const maxHorizon = options.maxHorizon ?? 3;
  const days = series[0]?.length ?? 0;
  if (firstOrigin - trainDays + 1 < 0) throw new RangeError(`demand bounds need ${trainDays} days before the first origin`);
  const horizons = () => Array.from({ length: maxHorizon }, () => new Float64Array(days).fill(NaN));
  const merchants = series.map(() => ({ mean: horizons(), se: horizons(), fallbacks: 0, models: [] as string[] }));
  const naive = (m: number, from: number, to: number) => {
    const y = series[m]!;
    const out = merchants[m]!;
    for (let t = from; t <= to; t += 1) {
      for (let h = 1; h <= maxHorizon; h += 1) {
        const f = seasonalNaiveBound(y, t, h);
        out.mean[h - 1]![t] = f.mean;
        out.se[h - 1]![t] = Math.max(0, f.upper - f.mean) / Z975;
      }
    }
  };

  const refits: number[] = [];
  for (let r = firstOrigin; r <= lastOrigin; r += refitDays) refits.push(r);
  if (options.method === 'seasonal-naive') {
    series.forEach((_, m) => {
      naive(m, firstOrigin, lastOrigin);
      merchants[m]!.models.push('seasonal-naive');
    });
    return { method: 'seasonal-naive', trainDays, refitDays, selectDays, selections: 0, fits: 0, fallbacks: 0, mode: 'none', refitOrigins: refits, merchants };
  }

  let selections = 0;
  let fits = 0;
  let fallbacks = 0;
  let mode: DemandBounds['mode'] = 'none';
  const pool = options.workers === undefined ? {} : { workers: options.workers };
  const chosen: (ArimaForecast['spec'] | undefined)[] = series.map(() => undefined);
  let lastSelection = -Infinity;
  for (let k = 0; k < refits.length; k += 1) {
    const origin = refits[k]!;
    const until = Math.min(lastOrigin, (refits[k + 1] ?? lastOrigin + 1) - 1);
    const window = (m: number) => Array.from(series[m]!.slice(origin - trainDays + 1, origin + 1));
    const results: ForecastItem[] = new Array<ForecastItem>(series.length);
    const select: number[] = [];
    if (origin - lastSelection >= selectDays) {
      lastSelection = origin;
      series.forEach((_, m) => select.push(m));
    } else {
      series.forEach((_, m) => {
        const spec = chosen[m];
        if (!spec) return select.push(m);
        fits += 1;
        try {
          results[m] = { ok: true, spec, forecast: forecastArima(window(m), spec, maxHorizon), fits: 1 };
        } catch {
          select.push(m); // the kept order no longer fits: choose again
        }
      });
    }
    if (select.length > 0) {
      const run = await forecastManyWithStats(select.map(window), { period: 7, ...options.selection, horizon: maxHorizon }, pool);
      if (run.mode === 'workers' || mode === 'none') mode = run.mode;
      selections += select.length;
      run.results.forEach((item, j) => (results[select[j]!] = item));
    }
    results.forEach((item, m) => {
      const out = merchants[m]!;
      if (!item.ok) {
        chosen[m] = undefined;
        fallbacks += 1;
        out.fallbacks += 1;
        out.models.push(`seasonal-naive (ARIMA failed: ${item.error.code})`);
        naive(m, origin, until);
        return;
      }
      const { forecast } = item;
      const spec = forecast.spec;
      chosen[m] = spec;
      out.models.push(`ARIMA(${spec.order.join(',')})(${spec.seasonal.join(',')})${spec.period ? `[${spec.period}]` : ''}`);
      const filter = new ArimaFilter({ spec, coef: forecast.coef, sigma2: forecast.sigma2 }, maxHorizon);
      const y = series[m]!;
      for (let t = origin - trainDays + 1; t <= origin; t += 1) filter.push(y[t]!);
      for (let t = origin; t <= until; t += 1) {
        if (t > origin) filter.push(y[t]!);
        const means = filter.forecast(maxHorizon);
        for (let h = 1; h <= maxHorizon; h += 1) {
          out.mean[h - 1]![t] = means[h - 1]!;
          out.se[h - 1]![t] = filter.se[h - 1]!;
        }
      }
    });
    options.onProgress?.(k + 1, refits.length);
  }
  return { method: 'arima', trainDays, refitDays, selectDays, selections, fits, fallbacks, mode, refitOrigins: refits, merchants };
}
