/**
 * (S)ARIMA forecasts on the `arima` package, with R's names, signs and likelihood.
 *
 * Mapping to the package (see wasm-arima.ts for why its struct is read directly):
 * - the seasonal period is passed as ctsa's `s` (the package's JS option is lower-case `s`; `S` is ignored);
 * - MA coefficients come back with the opposite sign to R and are flipped (R: x_t = … + e_t + θ₁e_{t−1});
 * - `predict` gives forecast variances; `se` is their square root;
 * - method 'css-ml' (R's default) is ctsa method 0, 'ml' is 1 (starts from zero and can diverge), 'css' is 2;
 * - a mean ("intercept") is estimated exactly when R's `include.mean` applies: no differencing at all
 *   (d + D = 0). ctsa makes the same choice, and it is reported as `includeMean`.
 *
 * Likelihood and AIC: ctsa computes the log-likelihood with 3.14159 for π; it is corrected here to R's
 * −0.5·(2·n.used·value + n.used + n.used·log(2π)) (a 2e-5 shift on 48 points). AIC is R's:
 * −2·loglik + 2·(k + 1), k = number of coefficients including the intercept, +1 for σ². For 'css' R reports
 * no AIC (NA) and only a "part log likelihood": `aic` is null then and `loglik` is that conditional value.
 *
 * ARIMA(1,d,0)(0,D,0) is fitted by exact-ar1.ts instead of the package (ctsa drops a likelihood term for
 * that one model); `engine` says which did the work.
 */
import { DemandForecastError } from './errors';
import { difference, fitExactAr1, pureArForecast } from './exact-ar1';
import { CTSA_METHOD, ctsaFit, MAX_POINTS, type CtsaOrder } from './wasm-arima';

export type ArimaMethod = 'css-ml' | 'css' | 'ml';

export interface ArimaSpec {
  /** [p, d, q]. */
  order: readonly [number, number, number];
  /** [P, D, Q]; needs `period`. */
  seasonal?: readonly [number, number, number];
  /** Seasonal period (7 for a weekly pattern in daily data). */
  period?: number;
  /** Default 'css-ml', as R. */
  method?: ArimaMethod;
}

export interface ForecastOptions {
  /** Demand is not negative: a negative value is refused unless this is true. Default false. */
  allowNegative?: boolean;
}

export interface ArimaForecast {
  mean: number[];
  /** Standard errors of the forecasts (square roots of the package's variances). */
  se: number[];
  /** mean ∓ 1.959964·se (Gaussian 95 % prediction interval, as R's predict ± qnorm(0.975)·se). */
  lower95: number[];
  upper95: number[];
  /** R's names and signs: ar1.., ma1.., sar1.., sma1.., intercept. */
  coef: Record<string, number>;
  /** Standard errors of the coefficients (R's "s.e."; within 1.1e-4 of R's on the reference series); null
   *  when the Hessian is not positive definite, and for 'css', where the package's Hessian disagrees with R's
   *  (USAccDeaths airline model: ma1 s.e. 0.1547 against R's 0.1366). */
  coefSe: Record<string, number> | null;
  /** R's AIC; null for 'css' (R gives NA). */
  aic: number | null;
  sigma2: number;
  /** R's log-likelihood (for 'css', R's conditional "part log likelihood"). */
  loglik: number;
  /** Observations the likelihood uses: n − d − s·D. */
  nUsed: number;
  includeMean: boolean;
  spec: NormalizedSpec;
  engine: 'arima-package' | 'exact-ar1' | 'exact-white-noise';
}

export interface NormalizedSpec {
  order: [number, number, number];
  seasonal: [number, number, number];
  /** 0 when the model has no seasonal part. */
  period: number;
  method: ArimaMethod;
}

export const MAX_HORIZON = 1_000;
const MAX_ARMA_ORDER = 5;
const Z975 = 1.959963984540054;
const CTSA_PI = 3.14159;

export function normalizeSpec(spec: ArimaSpec): NormalizedSpec {
  const bad = (message: string): never => {
    throw new DemandForecastError('BAD_SPEC', message);
  };
  if (spec === null || typeof spec !== 'object') bad('the model specification must be an object');
  const triple = (value: unknown, name: string): [number, number, number] => {
    if (!Array.isArray(value) || value.length !== 3 || !value.every((v) => Number.isInteger(v) && v >= 0)) {
      bad(`${name} must be three non-negative integers`);
    }
    return [...(value as number[])] as [number, number, number];
  };
  const order = triple(spec.order, 'order [p, d, q]');
  const seasonal = spec.seasonal === undefined ? ([0, 0, 0] as [number, number, number]) : triple(spec.seasonal, 'seasonal [P, D, Q]');
  const method = spec.method ?? 'css-ml';
  if (!(method in CTSA_METHOD)) bad(`method must be 'css-ml', 'css' or 'ml', not ${String(method)}`);
  const [p, d, q] = order;
  const [P, D, Q] = seasonal;
  if (Math.max(p, q, P, Q) > MAX_ARMA_ORDER) bad(`AR and MA orders are at most ${MAX_ARMA_ORDER}`);
  if (d > 2) bad('d is at most 2');
  if (D > 1) bad('D is at most 1');
  const hasSeasonal = P + D + Q > 0;
  let period = 0;
  if (hasSeasonal) {
    if (spec.period === undefined) bad('a seasonal part needs a period');
    if (!Number.isInteger(spec.period) || spec.period! < 2 || spec.period! > 366) bad('period must be an integer in [2, 366]');
    period = spec.period!;
  } else if (spec.period !== undefined && (!Number.isInteger(spec.period) || spec.period < 0)) {
    bad('period must be a non-negative integer');
  }
  return { order, seasonal, period, method };
}

/** Number of coefficients R estimates for this model (AR, MA, seasonal AR/MA, and the intercept if any). */
export function coefficientCount(spec: NormalizedSpec): number {
  const [p, d, q] = spec.order;
  const [P, D, Q] = spec.seasonal;
  return p + q + P + Q + (d + D === 0 ? 1 : 0);
}

/**
 * The fewest points a model is fitted on: n ≥ d + s·D + max(p + s·P, q + s·Q) + max(10, 2·(k + 1)), i.e. after
 * differencing and after the values the recursions condition on, at least 10 points and at least twice the
 * number of parameters (k coefficients + σ²) remain; and never fewer than the package's own guard,
 * d + s·D + max(p + q, 2s, 10). Example: (1,0,1)(0,1,1)[7] needs 7 + 8 + 10 = 25 points; (2,1,2)(1,1,1)[7], 8 + 9 + 14 = 31.
 */
export function minimumPoints(spec: ArimaSpec): number {
  return minimumPointsNormalized(normalizeSpec(spec));
}

function minimumPointsNormalized(s: NormalizedSpec): number {
  const [p, d, q] = s.order;
  const [P, D, Q] = s.seasonal;
  const m = s.period;
  const k = coefficientCount(s);
  const ours = d + m * D + Math.max(p + m * P, q + m * Q) + Math.max(10, 2 * (k + 1));
  const packageGuard = d + m * D + Math.max(p + q, 2 * m, 10);
  return Math.max(ours, packageGuard);
}

/** Checks the values of a series; returns it as a Float64Array. Throws GAP, NON_FINITE or NEGATIVE_VALUE. */
export function checkSeries(series: readonly number[], options: ForecastOptions = {}): Float64Array {
  if (!Array.isArray(series)) throw new DemandForecastError('BAD_SPEC', 'the series must be an array of numbers');
  const out = new Float64Array(series.length);
  for (let i = 0; i < series.length; i++) {
    const v: unknown = series[i];
    if (!(i in series) || v === null || v === undefined || typeof v !== 'number') {
      throw new DemandForecastError('GAP', `the series has a gap at index ${i} (${v === null ? 'null' : typeof v})`, { index: i });
    }
    if (!Number.isFinite(v)) throw new DemandForecastError('NON_FINITE', `the series has ${String(v)} at index ${i}`, { index: i });
    if (v < 0 && !options.allowNegative) {
      throw new DemandForecastError('NEGATIVE_VALUE', `the series has a negative value (${v}) at index ${i}; pass allowNegative to accept it`, { index: i });
    }
    out[i] = v;
  }
  return out;
}

export function checkHorizon(horizon: number): void {
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > MAX_HORIZON) {
    throw new DemandForecastError('BAD_HORIZON', `the horizon must be an integer from 1 to ${MAX_HORIZON}, not ${String(horizon)}`, {
      max: MAX_HORIZON,
    });
  }
}

function checkLengthAndVariation(values: Float64Array, spec: NormalizedSpec): void {
  const required = minimumPointsNormalized(spec);
  if (values.length < required) {
    throw new DemandForecastError(
      'TOO_FEW_POINTS',
      `${describe(spec)} needs at least ${required} points; the series has ${values.length}`,
      { points: values.length, required },
    );
  }
  if (values.length > MAX_POINTS) {
    throw new DemandForecastError('TOO_MANY_POINTS', `the series has ${values.length} points; at most ${MAX_POINTS} are accepted`, {
      points: values.length,
      max: MAX_POINTS,
    });
  }
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  if (min === max) throw new DemandForecastError('CONSTANT_SERIES', `the series is constant (every value is ${min})`, { value: min });
  const [, d] = spec.order;
  const [, D] = spec.seasonal;
  if (d + D > 0) {
    const w = difference(Array.from(values), d, D, spec.period);
    const spread = Math.max(...w) - Math.min(...w);
    if (spread <= 1e-10 * Math.max(Math.abs(min), Math.abs(max))) {
      throw new DemandForecastError(
        'CONSTANT_SERIES',
        `the series is constant once differenced (d = ${d}, D = ${D}): an exact trend or repeating pattern has no noise to model`,
        { value: w[0]! },
      );
    }
  }
}

export function describe(spec: NormalizedSpec): string {
  const [p, d, q] = spec.order;
  const [P, D, Q] = spec.seasonal;
  return spec.period > 0 ? `ARIMA(${p},${d},${q})(${P},${D},${Q})[${spec.period}]` : `ARIMA(${p},${d},${q})`;
}

function rLoglik(ctsaLoglik: number, nUsed: number): number {
  return ctsaLoglik - 0.5 * nUsed * (Math.log(2 * Math.PI) - Math.log(2 * CTSA_PI));
}

const FAILURE_REASONS: Record<number, string> = {
  0: 'input error',
  4: 'the optimiser did not converge',
  7: 'collinear regressors',
  10: 'non-stationary AR part',
  12: 'non-stationary seasonal AR part',
  15: 'NaN or Infinity met during optimisation',
};

function finite(name: string, values: readonly number[], spec: NormalizedSpec): void {
  const i = values.findIndex((v) => !Number.isFinite(v));
  if (i >= 0) {
    throw new DemandForecastError('NON_FINITE_RESULT', `the arima package returned ${String(values[i])} for ${name}[${i}] of ${describe(spec)}`, {
      field: name,
      index: i,
    });
  }
}

function coefficientNames(spec: NormalizedSpec, includeMean: boolean): string[] {
  const [p, , q] = spec.order;
  const [P, , Q] = spec.seasonal;
  const names: string[] = [];
  for (let i = 1; i <= p; i++) names.push(`ar${i}`);
  for (let i = 1; i <= q; i++) names.push(`ma${i}`);
  for (let i = 1; i <= P; i++) names.push(`sar${i}`);
  for (let i = 1; i <= Q; i++) names.push(`sma${i}`);
  if (includeMean) names.push('intercept');
  return names;
}

/**
 * With a mean in the model (d + D = 0) the series is fitted centred on its mean and divided by its standard
 * deviation, and everything is mapped back (mean, intercept and forecasts ×k + c, variances ×k², loglik
 * − n·log k). ARIMA estimates are equivariant under that change, so only the optimiser's path changes: ctsa
 * does not rescale the mean parameter (R's optim gets parscale = 10·s.e. for it), and on demand in the
 * hundreds or thousands BFGS crawls along it. On 40 simulated merchants × 5 orders this halved the CSS time,
 * removed its failures, and CSS-ML found a higher likelihood in 13 fits, a lower one in 1, the same in 180.
 * Without a mean nothing is estimated on the scale of the data (σ² is concentrated out), so nothing is done.
 */
export function standardise(values: Float64Array, includeMean: boolean): { centre: number; scale: number; scaled: Float64Array } {
  if (!includeMean) return { centre: 0, scale: 1, scaled: values };
  let centre = 0;
  for (const v of values) centre += v;
  centre /= values.length;
  let ss = 0;
  for (const v of values) ss += (v - centre) * (v - centre);
  const scale = Math.sqrt(ss / values.length);
  return { centre, scale, scaled: values.map((v) => (v - centre) / scale) };
}

/** Fits on already-checked values (used by the model search, which checks the series once). */
export function forecastChecked(values: Float64Array, spec: NormalizedSpec, horizon: number): ArimaForecast {
  checkLengthAndVariation(values, spec);
  const [p, d, q] = spec.order;
  const [P, D, Q] = spec.seasonal;
  const includeMean = d + D === 0;
  const names = coefficientNames(spec, includeMean);
  let coefs: number[];
  let ses: number[];
  let sigma2: number;
  let loglik: number;
  let nUsed: number;
  let mean: number[];
  let variance: number[];
  let engine: ArimaForecast['engine'];

  if (p === 0 && q === 0 && P === 0 && Q === 0) {
    // No ARMA terms: the (differenced) series is white noise. The package returns zeros for these models
    // (ARIMA(0,1,0) forecasts 0 instead of the last value), so they are solved in closed form, as R does.
    const y = Array.from(values);
    const w = difference(y, d, D, spec.period);
    const n = w.length;
    const centre = includeMean ? w.reduce((sum, v) => sum + v, 0) / n : 0;
    sigma2 = w.reduce((sum, v) => sum + (v - centre) ** 2, 0) / n;
    coefs = includeMean ? [centre] : [];
    ses = includeMean ? [Math.sqrt(sigma2 / n)] : [];
    loglik = -0.5 * (n * Math.log(2 * Math.PI * sigma2) + n);
    nUsed = n;
    ({ mean, variance } = pureArForecast(y, [], d, D, spec.period, centre, sigma2, horizon));
    engine = 'exact-white-noise';
  } else if (spec.method !== 'css' && p === 1 && q === 0 && P === 0 && Q === 0) {
    const y = Array.from(values);
    const w = difference(y, d, D, spec.period);
    const fit = fitExactAr1(w, includeMean);
    coefs = includeMean ? [fit.phi, fit.mean] : [fit.phi];
    ses = fit.se;
    sigma2 = fit.sigma2;
    loglik = fit.loglik;
    nUsed = w.length;
    ({ mean, variance } = pureArForecast(y, [fit.phi], d, D, spec.period, fit.mean, fit.sigma2, horizon));
    engine = 'exact-ar1';
  } else {
    const order: CtsaOrder = { p, d, q, P, D, Q, s: spec.period };
    const { centre, scale, scaled } = standardise(values, includeMean);
    const fit = ctsaFit(scaled, order, CTSA_METHOD[spec.method], horizon);
    if (fit.retval !== 1) {
      const reason = FAILURE_REASONS[fit.retval] ?? `code ${fit.retval}`;
      throw new DemandForecastError('FIT_FAILED', `${describe(spec)} could not be fitted: ${reason}`, {
        retval: fit.retval,
        reason,
        printed: fit.messages.join(' | '),
      });
    }
    coefs = [...fit.phi, ...fit.theta.map((t) => -t), ...fit.PHI, ...fit.THETA.map((t) => -t), ...(includeMean ? [centre + scale * fit.mean] : [])];
    ses = fit.se.map((v, i) => (includeMean && i === fit.se.length - 1 ? scale * v : v));
    sigma2 = scale * scale * fit.sigma2;
    loglik = rLoglik(fit.loglik, fit.nUsed) - fit.nUsed * Math.log(scale);
    nUsed = fit.nUsed;
    mean = fit.pred.map((v) => centre + scale * v);
    variance = fit.amse.map((v) => scale * scale * v);
    engine = 'arima-package';
  }

  finite('coef', coefs, spec);
  finite('sigma2', [sigma2], spec);
  finite('loglik', [loglik], spec);
  finite('mean', mean, spec);
  finite('variance', variance, spec);
  if (!(sigma2 > 0)) throw new DemandForecastError('NON_FINITE_RESULT', `σ² of ${describe(spec)} is ${sigma2}`, { field: 'sigma2' });
  const negative = variance.findIndex((v) => v < 0);
  if (negative >= 0) {
    throw new DemandForecastError('NON_FINITE_RESULT', `the forecast variance at step ${negative + 1} is negative`, { field: 'variance', index: negative });
  }
  if (mean.length !== horizon || variance.length !== horizon) {
    throw new DemandForecastError('NON_FINITE_RESULT', `the package returned ${mean.length} forecasts for a horizon of ${horizon}`, { field: 'mean' });
  }

  const se = variance.map(Math.sqrt);
  const coef = Object.fromEntries(names.map((name, i) => [name, coefs[i]!]));
  const coefSe =
    spec.method !== 'css' && ses.length === names.length && ses.every((v) => Number.isFinite(v) && v > 0)
      ? Object.fromEntries(names.map((name, i) => [name, ses[i]!]))
      : null;
  const k = names.length;
  return {
    mean,
    se,
    lower95: mean.map((m, i) => m - Z975 * se[i]!),
    upper95: mean.map((m, i) => m + Z975 * se[i]!),
    coef,
    coefSe,
    aic: spec.method === 'css' ? null : -2 * loglik + 2 * (k + 1),
    sigma2,
    loglik,
    nUsed,
    includeMean,
    spec,
    engine,
  };
}

/**
 * Fits `spec` to `series` and forecasts `horizon` steps. Throws DemandForecastError (never returns NaN):
 * GAP, NON_FINITE, NEGATIVE_VALUE (index in `details.index`), CONSTANT_SERIES, TOO_FEW_POINTS,
 * TOO_MANY_POINTS, BAD_HORIZON, BAD_SPEC, FIT_FAILED, NON_FINITE_RESULT.
 */
export function forecastArima(series: readonly number[], spec: ArimaSpec, horizon: number, options: ForecastOptions = {}): ArimaForecast {
  const normalized = normalizeSpec(spec);
  checkHorizon(horizon);
  const values = checkSeries(series, options);
  return forecastChecked(values, normalized, horizon);
}
