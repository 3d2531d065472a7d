/**
 * How much to difference, decided by tests and not by AIC: models with different d or D are fitted to
 * different data (n − d − s·D points of a differenced series), so their likelihoods and AICs are not
 * comparable. This is what R's forecast::auto.arima does too: D from `nsdiffs` (seasonal strength > 0.64),
 * then d from `ndiffs` (KPSS at 5 %) on the seasonally differenced series, then AIC over the ARMA orders.
 */

/** KPSS level-stationarity statistic with Bartlett weights and lag trunc(3·√n/13) (forecast::ndiffs). */
export function kpssStatistic(x: readonly number[], lags = Math.trunc((3 * Math.sqrt(x.length)) / 13)): number {
  const n = x.length;
  const mean = x.reduce((a, b) => a + b, 0) / n;
  const e = x.map((v) => v - mean);
  let partial = 0;
  let eta = 0;
  for (const v of e) {
    partial += v;
    eta += partial * partial;
  }
  let s2 = e.reduce((a, v) => a + v * v, 0) / n;
  for (let i = 1; i <= lags; i++) {
    let cov = 0;
    for (let t = i; t < n; t++) cov += e[t]! * e[t - i]!;
    s2 += (2 / n) * (1 - i / (lags + 1)) * cov;
  }
  return eta / (n * n * s2);
}

/** 5 % critical value of the KPSS level test (Kwiatkowski et al. 1992, table 1). */
export const KPSS_CRITICAL_5PCT = 0.463;

/**
 * Seasonal strength max(0, 1 − Var(remainder) / Var(seasonal + remainder)) (Wang, Smith & Hyndman 2006),
 * from a classical additive decomposition (centred moving-average trend, per-position seasonal means).
 * forecast::nsdiffs uses an STL decomposition; the classical one is a cheap stand-in that gives the same
 * verdict on clearly seasonal or clearly non-seasonal series. Returns 0 when there are fewer than 2 periods.
 */
export function seasonalStrength(x: readonly number[], period: number): number {
  const n = x.length;
  if (period < 2 || n < 2 * period + 1) return 0;
  const half = Math.floor(period / 2);
  const detrended: number[] = new Array<number>(n).fill(NaN);
  for (let t = half; t < n - half; t++) {
    let trend = 0;
    if (period % 2 === 1) {
      for (let k = -half; k <= half; k++) trend += x[t + k]!;
      trend /= period;
    } else {
      for (let k = -half + 1; k <= half - 1; k++) trend += x[t + k]!;
      trend = (trend + 0.5 * (x[t - half]! + x[t + half]!)) / period;
    }
    detrended[t] = x[t]! - trend;
  }
  const sums = new Array<number>(period).fill(0);
  const counts = new Array<number>(period).fill(0);
  detrended.forEach((v, t) => {
    if (!Number.isNaN(v)) {
      sums[t % period] = sums[t % period]! + v;
      counts[t % period] = counts[t % period]! + 1;
    }
  });
  const index = sums.map((s, i) => s / counts[i]!);
  const centre = index.reduce((a, b) => a + b, 0) / period;
  const seasonal = index.map((v) => v - centre);
  const withSeason: number[] = [];
  const remainder: number[] = [];
  detrended.forEach((v, t) => {
    if (!Number.isNaN(v)) {
      withSeason.push(v);
      remainder.push(v - seasonal[t % period]!);
    }
  });
  const variance = (v: readonly number[]): number => {
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return v.reduce((a, b) => a + (b - m) * (b - m), 0) / (v.length - 1);
  };
  const total = variance(withSeason);
  if (!(total > 0)) return 0;
  return Math.max(0, Math.min(1, 1 - variance(remainder) / total));
}

export const SEASONAL_STRENGTH_THRESHOLD = 0.64;

export interface DifferencingChoice {
  d: number;
  D: number;
  seasonalStrength: number;
  /** KPSS statistic of the (seasonally differenced) series. */
  kpss: number;
}

function isConstant(x: readonly number[]): boolean {
  return x.every((v) => v === x[0]);
}

/**
 * Chooses D ∈ allowedD (1 if the seasonal strength exceeds 0.64) and then d ∈ allowedD (1 if KPSS rejects
 * level stationarity of the seasonally differenced series at 5 %), each clamped to the allowed values.
 */
export function chooseDifferencing(
  x: readonly number[],
  period: number,
  allowed: { d: readonly number[]; D: readonly number[] } = { d: [0, 1], D: [0, 1] },
): DifferencingChoice {
  const strength = period >= 2 ? seasonalStrength(x, period) : 0;
  const clamp = (wanted: number, values: readonly number[]): number =>
    values.includes(wanted) ? wanted : values.reduce((best, v) => (Math.abs(v - wanted) < Math.abs(best - wanted) ? v : best), values[0]!);
  const D = period >= 2 ? clamp(strength > SEASONAL_STRENGTH_THRESHOLD ? 1 : 0, allowed.D) : 0;
  const seasonallyDifferenced = D === 1 ? x.slice(period).map((v, i) => v - x[i]!) : [...x];
  const stat = isConstant(seasonallyDifferenced) ? 0 : kpssStatistic(seasonallyDifferenced);
  const d = clamp(stat > KPSS_CRITICAL_5PCT ? 1 : 0, allowed.d);
  return { d, D, seasonalStrength: strength, kpss: stat };
}
