/**
 * Upper bounds of a merchant's withdrawals at a nominal one-sided coverage of 97.5 %, from the walk-forward
 * forecasts of demand-bounds.ts (a mean and a standard error per target), by one of three methods:
 * - 'gaussian': mean + 1.96 se, the model's own normal bound. The withdrawals are skewed and zero-inflated
 *   and have monthly spikes a weekly-seasonal ARIMA does not see coming, so this bound covers fewer days
 *   than it says;
 * - 'empirical': mean + the 97.5 % quantile (R's type 7) of the past errors, actual − mean;
 * - 'conformal': mean + se' × q, with q the ⌈(n + 1) × 0.975⌉-th smallest of the n past standardized errors
 *   (actual − mean) / se' (split conformal prediction on a rolling window; se' is se floored at 1 CNY, so
 *   that a forecast certain of a zero does not divide by zero).
 * Walk-forward: the bound made at origin o uses only the errors of targets whose actual was complete by o
 * (their last day ≤ o), from the last `windowDays` days; with fewer than `minScores` of them the gaussian
 * bound stands. Every bound is floored at 0. A target is anything forecast at an origin: one day ahead, or
 * the sum of the withdrawals recorded under the next business date (what one decision's bound covers).
 */
import { quantileOfSorted } from '../quantile';
import { Z975 } from './arima-filter';

export type BoundMethod = 'gaussian' | 'empirical' | 'conformal';

export const BOUND_METHODS: readonly BoundMethod[] = ['gaussian', 'empirical', 'conformal'];

export const NOMINAL_COVERAGE = 0.975;

/** The least standard error a conformal score divides by, fen (1 CNY). */
const SE_FLOOR_FEN = 100;

export interface BoundTarget {
  readonly origin: number;
  /** The last day of what is forecast: from this day on its actual is known. */
  readonly knownDay: number;
  readonly mean: number;
  readonly se: number;
  /** What happened, fen; NaN when it lies beyond the data. */
  readonly actual: number;
}

export interface CalibrationOptions {
  /** How far back the errors reach, days (default 365). */
  readonly windowDays?: number;
  /** Fewer errors than this and the gaussian bound stands (default 60). */
  readonly minScores?: number;
}

/** The scores of a rolling window, kept sorted, with the day each became known, oldest first. */
class RollingScores {
  private readonly sorted: number[] = [];
  private readonly arrivals: { knownDay: number; score: number }[] = [];

  get size(): number {
    return this.sorted.length;
  }

  add(knownDay: number, score: number): void {
    this.arrivals.push({ knownDay, score });
    this.sorted.splice(this.position(score), 0, score);
  }

  /** Drops the scores known on or before `day`. */
  dropThrough(day: number): void {
    let k = 0;
    while (k < this.arrivals.length && this.arrivals[k]!.knownDay <= day) {
      this.sorted.splice(this.position(this.arrivals[k]!.score), 1);
      k += 1;
    }
    if (k > 0) this.arrivals.splice(0, k);
  }

  /** The k-th smallest (1-based), k clamped to the window. */
  rank(k: number): number {
    return this.sorted[Math.min(this.sorted.length, Math.max(1, k)) - 1]!;
  }

  /** R's type-7 quantile. */
  quantile(probability: number): number {
    return quantileOfSorted(this.sorted, probability);
  }

  /** The first index whose score is not below `score`. */
  private position(score: number): number {
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.sorted[middle]! < score) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

function score(method: BoundMethod, target: BoundTarget): number {
  const error = target.actual - target.mean;
  return method === 'conformal' ? error / Math.max(target.se, SE_FLOOR_FEN) : error;
}

/** The bound of one target from the window of past scores. */
function bound(method: BoundMethod, target: BoundTarget, window: RollingScores, minScores: number): number {
  if (!Number.isFinite(target.mean) || !Number.isFinite(target.se)) return 0;
  let upper = target.mean + Z975 * target.se;
  if (method === 'empirical' && window.size >= minScores) upper = target.mean + window.quantile(NOMINAL_COVERAGE);
  if (method === 'conformal' && window.size >= minScores) {
    upper = target.mean + Math.max(target.se, SE_FLOOR_FEN) * window.rank(Math.ceil((window.size + 1) * NOMINAL_COVERAGE));
  }
  return Math.max(0, upper);
}

/** The bound of every target (in order of origin), each from the errors known at its origin. */
export function calibratedBounds(targets: readonly BoundTarget[], method: BoundMethod, options: CalibrationOptions = {}): Float64Array {
  const windowDays = options.windowDays ?? 365;
  const minScores = options.minScores ?? 60;
  const out = new Float64Array(targets.length);
  const window = new RollingScores();
  // Targets forecast but not yet known, at most the forecasts of the longest horizon's days.
  let pending: BoundTarget[] = [];
  targets.forEach((target, k) => {
    if (k > 0 && target.origin < targets[k - 1]!.origin) throw new RangeError('calibratedBounds needs its targets in order of origin');
    if (method !== 'gaussian') {
      const known = pending.filter((p) => p.knownDay <= target.origin).sort((a, b) => a.knownDay - b.knownDay);
      if (known.length > 0) pending = pending.filter((p) => p.knownDay > target.origin);
      for (const p of known) window.add(p.knownDay, score(method, p));
      window.dropThrough(target.origin - windowDays);
    }
    out[k] = bound(method, target, window, minScores);
    if (method !== 'gaussian' && Number.isFinite(target.actual) && Number.isFinite(target.mean)) pending.push(target);
  });
  return out;
}

/** The share of the targets with a known actual, among those at origins from..to, whose actual was at or under its bound. */
export function achievedCoverage(targets: readonly BoundTarget[], bounds: ArrayLike<number>, from: number, to: number): { covered: number; scored: number } {
  let covered = 0;
  let scored = 0;
  targets.forEach((target, k) => {
    if (target.origin < from || target.origin > to || !Number.isFinite(target.actual)) return;
    scored += 1;
    if (target.actual <= bounds[k]!) covered += 1;
  });
  return { covered, scored };
}
