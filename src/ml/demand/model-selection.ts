/**
 * Order selection by AIC over a small grid (not the package's auto-ARIMA, which takes about a second a
 * series and often disagrees with R's auto.arima).
 *
 * The budget decides the design: 1,000 merchants in 30 s on 2 cores is 60 ms of CPU a series. The full grid
 * (p, q ∈ {0,1,2}, d ∈ {0,1}, P, Q ∈ {0,1}, D ∈ {0,1}: 144 models) fitted by CSS-ML takes about 2 s for one
 * 365-day series, and even the 36 ARMA orders of one (d, D) take 140–550 ms. So:
 * 1. d and D are chosen by tests (differencing-tests.ts), as R's auto.arima does; AIC cannot compare models
 *    fitted to differently differenced data anyway.
 * 2. The grid is bounded: p + q + P + Q ≤ 5 (auto.arima's max.order) and, when D = 0, no order with both a
 *    seasonal AR and a seasonal MA term (`prune`; those are the slowest fits, 8–19 ms each, and the ones that
 *    fail most, their seasonal AR root running to 1, which is what D = 1 is for).
 * 3. The remaining ARMA orders are ranked cheaply, then the best `compare` of them are fitted exactly by
 *    CSS-ML (R's default) and the lowest R AIC wins; failed fits are skipped (up to compare + refits − 1
 *    attempts), and if every attempt fails the best order's CSS fit is returned (method 'css', aic null).
 *    Ranking, `search`:
 *    - 'hannan-rissanen' (default): least-squares scores (hannan-rissanen.ts), no package call; compare 3.
 *    - 'css-approx': a CSS fit of every order, scored n·log σ²_CSS + 2(k + 1), the approximation
 *      forecast::auto.arima uses for long seasonal series; compare 1.
 *    - 'exact': every order by CSS-ML, ranked by R's AIC.
 *    Measured on 120 merchants of each of three simulated populations (test/ml/demand/fixtures/merchants.ts;
 *    src/ml/market's inflow; its withdrawal demand), 365 training days, one-week holdout; ms a series on one
 *    core of a busy 2-core machine:
 *    | ranking                | ms a series     | mean AIC above the exact best | MASE h=7 (seasonal naive 0.98 / 1.25 / 1.42) |
 *    | hannan-rissanen, top 3 | 22 / 29 / 43    | 3.2 / 5.2 / 3.2               | 0.823 / 0.929 / 1.138 |
 *    | css-approx, top 1      | 30 / 46 / 86    | 3.7 / 2.4 / 3.5               | 0.821 / 0.923 / 1.141 |
 *    | exact                  | 149 / 147 / 223 | 0                             | 0.820 / 0.925 / 1.136 |
 *    The forecasts are equally good; the default is the one that keeps the withdrawal series in budget.
 *    Measured again on 2026-12-03 with the market simulator of that day (its inflow and withdrawal series
 *    differ from the first table's) on a machine running about 2.3 times slower, so compare rows, not times:
 *    | ranking                | ms a series     | mean AIC above the exact best | MASE h=7 (seasonal naive 1.01 / 1.21 / 1.35) |
 *    | hannan-rissanen, top 3 | 57 / 76 / 97    | 2.7 / 3.7 / 3.8               | 0.804 / 0.960 / 1.176 |
 *    | hannan-rissanen, top 1 | 22 / 19 / 48    | 6.2 / 7.0 / 8.4               | 0.805 / 0.959 / 1.177 |
 *    | exact                  | 341 / 335 / 438 | 0                             | 0.804 / 0.958 / 1.171 |
 *    The best-ranked order alone forecasts as well at a quarter to a half of the CPU; the model configuration
 *    (src/ml/model-configuration.ts) fits it alone, and the default here stays at 3 for the lower AIC.
 */
import {
  checkHorizon,
  checkSeries,
  coefficientCount,
  describe,
  forecastChecked,
  minimumPoints,
  normalizeSpec,
  standardise,
  type ArimaForecast,
  type ArimaMethod,
  type NormalizedSpec,
} from './arima-forecast';
import { chooseDifferencing, type DifferencingChoice } from './differencing-tests';
import { difference } from './exact-ar1';
import { hannanRissanenContext, hannanRissanenScore } from './hannan-rissanen';
import { DemandForecastError } from './errors';
import { CTSA_METHOD, ctsaFit } from './wasm-arima';

export interface ArimaGrid {
  p: readonly number[];
  d: readonly number[];
  q: readonly number[];
  P: readonly number[];
  D: readonly number[];
  Q: readonly number[];
}

export const DEFAULT_GRID: ArimaGrid = Object.freeze({ p: [0, 1, 2], d: [0, 1], q: [0, 1, 2], P: [0, 1], D: [0, 1], Q: [0, 1] });

export interface SelectionOptions {
  /** Seasonal period; 7 for the weekly pattern of daily demand. Below 2 the grid's P, D, Q are ignored. */
  period: number;
  grid?: Partial<ArimaGrid>;
  /** Forecast horizon of the chosen model. Default: one period. */
  horizon?: number;
  /** How the orders are ranked before the exact fit: 'hannan-rissanen' (default), 'css-approx' or 'exact'
   *  (see the module comment). */
  search?: 'css-approx' | 'hannan-rissanen' | 'exact';
  /** How many of the best-ranked orders are fitted exactly (CSS-ML), the lowest AIC of them winning.
   *  Default 3 with 'hannan-rissanen', 1 with 'css-approx'. */
  compare?: number;
  /** Method of the final fit; default 'css-ml'. */
  method?: ArimaMethod;
  /** Extra ranked orders to try when exact fits fail, before falling back to CSS: up to compare + refits − 1
   *  exact fits are attempted. Default 3. */
  refits?: number;
  allowNegative?: boolean;
  /** When D = 0, leave out the orders with both a seasonal AR and a seasonal MA term. Default true. */
  prune?: boolean;
  /** Largest p + q + P + Q considered; default 5, as R's auto.arima (max.order). */
  maxOrder?: number;
}

export interface Candidate {
  spec: NormalizedSpec;
  /** The ranking score: the Hannan–Rissanen or CSS approximation of AIC, or R's AIC with search 'exact';
   *  null when the order could not be scored (failed fit, singular regression, too few points). */
  score: number | null;
  error?: string;
}

export interface SelectionResult {
  spec: NormalizedSpec;
  forecast: ArimaForecast;
  differencing: DifferencingChoice;
  /** Every order considered, in grid order, with its score. */
  candidates: Candidate[];
  /** Fits done by the package (CSS ranking fits, if any, plus exact fits). */
  fits: number;
}

function values(list: readonly number[] | undefined, fallback: readonly number[], name: string): readonly number[] {
  const v = list ?? fallback;
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => Number.isInteger(x) && x >= 0)) {
    throw new DemandForecastError('BAD_SPEC', `grid.${name} must be a non-empty list of non-negative integers`);
  }
  return [...new Set(v)].sort((a, b) => a - b);
}

function cssScore(series: Float64Array, spec: NormalizedSpec): { score: number | null; error?: string } {
  const [p, d, q] = spec.order;
  const [P, D, Q] = spec.seasonal;
  try {
    const { scale, scaled } = standardise(series, d + D === 0);
    const fit = ctsaFit(scaled, { p, d, q, P, D, Q, s: spec.period }, CTSA_METHOD.css, 0);
    if (fit.retval !== 1) return { score: null, error: `retval ${fit.retval}` };
    const coefs = [...fit.phi, ...fit.theta, ...fit.PHI, ...fit.THETA, fit.mean, fit.sigma2];
    if (!coefs.every(Number.isFinite) || !(fit.sigma2 > 0)) return { score: null, error: 'non-finite' };
    return { score: fit.nUsed * Math.log(scale * scale * fit.sigma2) + 2 * (coefficientCount(spec) + 1) };
  } catch (error) {
    return { score: null, error: error instanceof DemandForecastError ? error.code : String(error) };
  }
}

/**
 * Chooses an ARIMA order for `series` (d and D by tests, the ARMA orders by AIC over the grid) and returns
 * it with its forecast. Throws what forecastArima throws for bad input, and NO_MODEL if nothing fits.
 */
export function chooseArimaByAic(series: readonly number[], options: SelectionOptions): SelectionResult {
  const period = options.period;
  if (!Number.isInteger(period) || period < 1 || period > 366) {
    throw new DemandForecastError('BAD_SPEC', `period must be an integer in [1, 366], not ${String(period)}`);
  }
  const horizon = options.horizon ?? Math.max(1, period);
  checkHorizon(horizon);
  const method = options.method ?? 'css-ml';
  const refits = options.refits ?? 3;
  const prune = options.prune ?? true;
  const maxOrder = options.maxOrder ?? 5;
  const grid = options.grid ?? {};
  const seasonalPeriod = period >= 2 ? period : 0;
  const g: ArimaGrid = {
    p: values(grid.p, DEFAULT_GRID.p, 'p'),
    d: values(grid.d, DEFAULT_GRID.d, 'd'),
    q: values(grid.q, DEFAULT_GRID.q, 'q'),
    P: seasonalPeriod ? values(grid.P, DEFAULT_GRID.P, 'P') : [0],
    D: seasonalPeriod ? values(grid.D, DEFAULT_GRID.D, 'D') : [0],
    Q: seasonalPeriod ? values(grid.Q, DEFAULT_GRID.Q, 'Q') : [0],
  };
  const checked = checkSeries(series, { allowNegative: options.allowNegative });
  const y = Array.from(checked);
  if (y.length > 0 && y.every((v) => v === y[0])) {
    throw new DemandForecastError('CONSTANT_SERIES', `the series is constant (every value is ${y[0]})`, { value: y[0]! });
  }
  // Seasonal differencing is only considered when at least two periods remain after it.
  const allowedD = y.length >= 3 * period ? g.D : [0];
  const differencing = chooseDifferencing(y, seasonalPeriod, { d: g.d, D: allowedD });
  const { d, D } = differencing;

  const candidates: Candidate[] = [];
  const specs: NormalizedSpec[] = [];
  for (const p of g.p) {
    for (const q of g.q) {
      for (const P of g.P) {
        for (const Q of g.Q) {
          if (prune && D === 0 && P > 0 && Q > 0) continue;
          if (p + q + P + Q > maxOrder) continue;
          const hasSeasonal = P + D + Q > 0;
          const spec = normalizeSpec({
            order: [p, d, q],
            seasonal: [P, D, Q],
            ...(hasSeasonal ? { period: seasonalPeriod } : {}),
            method,
          });
          if (minimumPoints(spec) > y.length) {
            candidates.push({ spec, score: null, error: 'TOO_FEW_POINTS' });
            continue;
          }
          specs.push(spec);
        }
      }
    }
  }
  if (specs.length === 0) {
    const smallest = normalizeSpec({ order: [0, d, 0], seasonal: [0, D, 0], ...(D ? { period: seasonalPeriod } : {}) });
    const required = minimumPoints(smallest);
    throw new DemandForecastError('TOO_FEW_POINTS', `even ${describe(smallest)} needs ${required} points; the series has ${y.length}`, {
      points: y.length,
      required,
    });
  }

  let fits = 0;
  if ((options.search ?? 'hannan-rissanen') === 'exact') {
    let best: { spec: NormalizedSpec; forecast: ArimaForecast; aic: number } | undefined;
    for (const spec of specs) {
      fits++;
      try {
        const forecast = forecastChecked(checked, spec, horizon);
        const aic = forecast.aic ?? Infinity;
        candidates.push({ spec, score: forecast.aic });
        if (!best || aic < best.aic) best = { spec, forecast, aic };
      } catch (error) {
        candidates.push({ spec, score: null, error: error instanceof DemandForecastError ? error.code : String(error) });
      }
    }
    if (!best) throw noModel(candidates);
    return { spec: best.spec, forecast: best.forecast, differencing, candidates: ordered(candidates), fits };
  }

  const search = options.search ?? 'hannan-rissanen';
  const hr =
    search === 'hannan-rissanen'
      ? hannanRissanenContext(
          difference(Array.from(standardise(checked, d + D === 0).scaled), d, D, seasonalPeriod),
          seasonalPeriod || 1,
          Math.max(...specs.map((s) => Math.max(s.order[0] + s.period * s.seasonal[0], s.order[2] + s.period * s.seasonal[2]))),
          d + D === 0,
        )
      : undefined;
  for (const spec of specs) {
    if (hr) {
      const score = hannanRissanenScore(hr, { p: spec.order[0], q: spec.order[2], P: spec.seasonal[0], Q: spec.seasonal[2] });
      candidates.push(score === null ? { spec, score, error: 'SINGULAR' } : { spec, score });
    } else {
      fits++;
      candidates.push({ spec, ...cssScore(checked, spec) });
    }
  }
  const ranked = candidates
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.score !== null)
    .sort((a, b) => a.c.score! - b.c.score! || a.i - b.i)
    .map(({ c }) => c);
  if (ranked.length === 0) throw noModel(candidates);
  const compare = Math.max(1, options.compare ?? (hr ? 3 : 1));
  const fitted: { spec: NormalizedSpec; forecast: ArimaForecast }[] = [];
  let attempts = 0;
  for (const candidate of ranked) {
    if (fitted.length >= compare || attempts >= compare + Math.max(1, refits) - 1) break;
    attempts++;
    fits++;
    try {
      fitted.push({ spec: candidate.spec, forecast: forecastChecked(checked, candidate.spec, horizon) });
    } catch (error) {
      if (!(error instanceof DemandForecastError) || !['FIT_FAILED', 'NON_FINITE_RESULT'].includes(error.code)) throw error;
    }
  }
  if (fitted.length > 0) {
    const best = fitted.reduce((a, b) => ((b.forecast.aic ?? Infinity) < (a.forecast.aic ?? Infinity) ? b : a));
    return { spec: best.spec, forecast: best.forecast, differencing, candidates: ordered(candidates), fits };
  }
  const fallback = { ...ranked[0]!.spec, method: 'css' as const };
  fits++;
  try {
    const forecast = forecastChecked(checked, fallback, horizon);
    return { spec: fallback, forecast, differencing, candidates: ordered(candidates), fits };
  } catch (error) {
    if (error instanceof DemandForecastError && ['FIT_FAILED', 'NON_FINITE_RESULT'].includes(error.code)) throw noModel(candidates);
    throw error;
  }
}

function ordered(candidates: Candidate[]): Candidate[] {
  const key = (c: Candidate): string => [...c.spec.order, ...c.spec.seasonal].join(',');
  return [...candidates].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function noModel(candidates: Candidate[]): DemandForecastError {
  return new DemandForecastError('NO_MODEL', `none of the ${candidates.length} orders of the grid could be fitted`, {
    tried: candidates.length,
    errors: [...new Set(candidates.map((c) => c.error ?? ''))].filter(Boolean).join(','),
  });
}
