/**
 * The demand bounds a merchant's decisions use, and how often each method's bounds held. The decision of
 * business date t covers the withdrawals recorded under the next business date, days t + 1 … nextBusiness[t]
 * (Friday's: Saturday to Monday), which share that date's instant quota: its target is their sum, forecast at
 * origin t − originLag as the sum of the daily means, with the root of the summed variances as its scale.
 * Targets are made for every business day from the forecasts' first origin on, so that the calibration has a
 * year of errors before the evaluation starts; the one-day-ahead targets are scored too, the figure the
 * forecasts are usually judged by.
 */
import type { MerchantDemandBounds } from './demand-bounds';
import { achievedCoverage, BOUND_METHODS, calibratedBounds, type BoundMethod, type BoundTarget, type CalibrationOptions } from './bound-calibration';

export interface DecisionCalendar {
  readonly business: Uint8Array;
  readonly nextBusiness: Int32Array;
}

/** Forecasts of day o + 1 made at each origin o from `firstOrigin` to `lastOrigin`. */
export function oneDayAheadTargets(withdrawalFen: readonly number[], forecast: MerchantDemandBounds, firstOrigin: number, lastOrigin: number): BoundTarget[] {
  const targets: BoundTarget[] = [];
  for (let o = firstOrigin; o <= lastOrigin; o += 1) {
    targets.push({ origin: o, knownDay: o + 1, mean: forecast.mean[0]![o]!, se: forecast.se[0]![o]!, actual: withdrawalFen[o + 1] ?? NaN });
  }
  return targets;
}

/**
 * The target of every decision day t from `firstDay` to `lastDay` (business days, and the opening decision
 * `openingDay`), with the day each belongs to.
 */
export function decisionTargets(
  withdrawalFen: readonly number[],
  forecast: MerchantDemandBounds,
  calendar: DecisionCalendar,
  range: { readonly firstDay: number; readonly lastDay: number; readonly openingDay: number; readonly originLag: number },
): { days: number[]; targets: BoundTarget[] } {
  const days: number[] = [];
  const targets: BoundTarget[] = [];
  const horizons = forecast.mean.length;
  for (let t = range.firstDay; t <= range.lastDay; t += 1) {
    if (calendar.business[t] !== 1 && t !== range.openingDay) continue;
    const origin = t - range.originLag;
    const until = calendar.nextBusiness[t]!;
    let mean = 0;
    let variance = 0;
    let actual = 0;
    for (let day = t + 1; day <= until; day += 1) {
      const h = day - origin;
      mean += h <= horizons ? forecast.mean[h - 1]![origin]! : NaN;
      variance += h <= horizons ? forecast.se[h - 1]![origin]! ** 2 : NaN;
      actual += withdrawalFen[day] ?? NaN;
    }
    days.push(t);
    targets.push({ origin, knownDay: until, mean, se: Math.sqrt(variance), actual });
  }
  return { days, targets };
}

/** Every method's bounds of the targets, each calibrated once. */
export function calibratedByMethod(targets: readonly BoundTarget[], options: CalibrationOptions = {}): Record<BoundMethod, Float64Array> {
  return Object.fromEntries(BOUND_METHODS.map((method) => [method, calibratedBounds(targets, method, options)])) as Record<BoundMethod, Float64Array>;
}

/** The bound of each decision, indexed by its day (0 on other days), fen. */
export function decisionBoundsFen(length: number, days: readonly number[], bounds: ArrayLike<number>): Float64Array {
  const out = new Float64Array(length);
  days.forEach((day, k) => (out[day] = bounds[k]!));
  return out;
}

export interface CoverageCount {
  covered: number;
  scored: number;
}

/** Per method, how many of the targets at origins from..to were at or under their bounds. */
export function coverageByMethod(targets: readonly BoundTarget[], bounds: Record<BoundMethod, ArrayLike<number>>, from: number, to: number): Record<BoundMethod, CoverageCount> {
  return Object.fromEntries(BOUND_METHODS.map((method) => [method, achievedCoverage(targets, bounds[method], from, to)])) as Record<BoundMethod, CoverageCount>;
}
