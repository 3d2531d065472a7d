/**
 * Each fund's spread to the market regime: a mean-reverting process whose ranking of the funds rotates over
 * months, scaled partly by a fixed number of points and partly by the yield level, and centred so that fund 0
 * (the Yu'E Bao proxy, whose own spread is 0) sits at a chosen quantile of the funds. docs/simulator.md
 * ("Fund spreads") states the process and why.
 */
import { detExp, detLog, type SeededRandom } from './seeded-random';

const { sqrt } = Math;

export interface SpreadParameters {
  /** Days for a fund's spread deviation to decay by half: how fast the ranking of the funds rotates. */
  readonly halfLifeDays: number;
  /** The part of the spread's cross-fund sd that does not move with rates (fee differences), % points. */
  readonly fixedSdPct: number;
  /** The part proportional to the yield level: sd(t) = fixedSdPct + levelSdShare × L(t). */
  readonly levelSdShare: number;
}

/** Defaults: a three-month half-life; at a 2.5 % level the sd is 0.17 points, 6 bp of it fixed. */
export const DEFAULT_SPREAD_PARAMETERS: SpreadParameters = { halfLifeDays: 90, fixedSdPct: 0.06, levelSdShare: 0.045 };

/** Fund 0's default place among the funds: the median. */
export const DEFAULT_FUND_ZERO_QUANTILE = 0.5;

/** The allowed range of fundZeroQuantile: beyond it the centring would rest on a handful of funds. */
export const FUND_ZERO_QUANTILE_RANGE = [0.05, 0.95] as const;

/** The cross-fund sd of the spread on a day whose regime level is `levelPct`, % points. */
export const spreadSdPct = (levelPct: number, p: SpreadParameters): number => p.fixedSdPct + p.levelSdShare * levelPct;

/** The AR(1) coefficient whose deviations halve in `halfLifeDays`: 2^(−1/h), with deterministic arithmetic. */
export const phiOfHalfLife = (halfLifeDays: number): number => detExp(-Math.LN2 / halfLifeDays);

/**
 * The spread of fund i ≥ 1 on each day, % points: centre(t) + sd(t) · z(t), with z an AR(1) of unit
 * stationary sd and the given half-life, z(0) from its stationary law. The centre puts fund 0 at quantile q of
 * the funds: centre(t) = −Φ⁻¹(q) · √(sd(t)² + otherVariancePct2), where otherVariancePct2 is the variance of
 * the other fund-specific parts of a fund's yield relative to fund 0 (their noise does not shift fund 0's
 * rank on average, but it widens the distribution fund 0 is ranked in).
 */
export function fundSpreadPath(
  regime: readonly number[],
  p: SpreadParameters,
  centre: { readonly fundZeroQuantile: number; readonly otherVariancePct2: number },
  random: SeededRandom,
): number[] {
  const phi = phiOfHalfLife(p.halfLifeDays);
  const innovationSd = sqrt(1 - phi * phi);
  const shiftSds = -normalQuantile(centre.fundZeroQuantile);
  let z = random.normal();
  return regime.map((level, t) => {
    if (t > 0) z = phi * z + innovationSd * random.normal();
    const sd = spreadSdPct(level, p);
    return shiftSds * sqrt(sd * sd + centre.otherVariancePct2) + sd * z;
  });
}

// Acklam's rational approximation of the standard normal quantile (relative error below 1.2e-9).
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const TAIL = 0.02425;

const horner = (coefficients: readonly number[], x: number): number => coefficients.reduce((sum, c) => sum * x + c, 0);

/** Φ⁻¹(p) for 0 < p < 1 from +, −, ×, ÷, √ and detLog only, so the same on every engine. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`a normal quantile needs 0 < p < 1, got ${p}`);
  if (p < TAIL || p > 1 - TAIL) {
    const q = sqrt(-2 * detLog(p < TAIL ? p : 1 - p));
    const x = horner(C, q) / (horner(D, q) * q + 1);
    return p < TAIL ? x : -x;
  }
  const q = p - 0.5;
  const r = q * q;
  return (horner(A, r) * q) / (horner(B, r) * r + 1);
}
