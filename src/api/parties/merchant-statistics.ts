import { type IsoDate, isIsoDate } from '../../domain/iso-date';

/**
 * The statistics of a merchant profile. Money stays bigint fen where the answer is an amount that occurred
 * (a percentile of balances is one of the balances); the rest (means, deviations, slopes, shares) are
 * doubles, descriptive figures rather than money, computed from fen converted to numbers.
 */

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** The sample standard deviation (n − 1 in the denominator); null below two values. */
export function standardDeviation(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const centre = mean(values)!;
  const squares = values.reduce((sum, value) => sum + (value - centre) ** 2, 0);
  return Math.sqrt(squares / (values.length - 1));
}

/** Standard deviation over mean; null when either is missing or the mean is zero. */
export function coefficientOfVariation(values: readonly number[]): number | null {
  const deviation = standardDeviation(values);
  const centre = mean(values);
  if (deviation === null || centre === null || centre === 0) return null;
  return deviation / centre;
}

/** The least-squares slope of the values against their index (0, 1, 2, …): change per step; null below two values. */
export function leastSquaresSlope(values: readonly number[]): number | null {
  const n = values.length;
  if (n < 2) return null;
  const xMean = (n - 1) / 2;
  const yMean = mean(values)!;
  let covariance = 0;
  let xSpread = 0;
  values.forEach((y, x) => {
    covariance += (x - xMean) * (y - yMean);
    xSpread += (x - xMean) ** 2;
  });
  return covariance / xSpread;
}

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** The mean of the values falling on each business weekday; null for a weekday with none. */
export function weekdayMeans(dates: readonly IsoDate[], values: readonly number[]): Record<Weekday, number | null> {
  const groups: Record<Weekday, number[]> = { monday: [], tuesday: [], wednesday: [], thursday: [], friday: [] };
  dates.forEach((date, i) => {
    const weekday = WEEKDAYS[weekdayIndex(date) - 1];
    if (weekday) groups[weekday].push(values[i]!);
  });
  return { monday: mean(groups.monday), tuesday: mean(groups.tuesday), wednesday: mean(groups.wednesday), thursday: mean(groups.thursday), friday: mean(groups.friday) };
}

/** 0 for Sunday … 6 for Saturday. */
function weekdayIndex(date: IsoDate): number {
  if (!isIsoDate(date)) throw new RangeError(`not an ISO date: ${date}`);
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/**
 * The nearest-rank percentile: the smallest value with at least p % of the values at or below it. It is
 * always one of the values, so balances stay exact fen.
 */
export function nearestRankPercentile(values: readonly bigint[], p: number): bigint | null {
  if (values.length === 0) return null;
  if (!(p > 0 && p <= 100)) throw new RangeError(`a percentile is above 0 and at most 100, not ${p}`);
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
}

/** Each part's share of their total, as fractions summing to 1; null when the total is zero. */
export function shares(parts: readonly bigint[]): number[] | null {
  const total = parts.reduce((sum, part) => sum + part, 0n);
  if (total === 0n) return null;
  return parts.map((part) => Number(part) / Number(total));
}

export interface TimeOfMonth {
  days1to10: number;
  days11to20: number;
  days21to31: number;
}

/** How an amount spreads over the month: the share falling on days 1–10, 11–20 and 21–31; null when it is zero. */
export function timeOfMonthShares(dates: readonly IsoDate[], amounts: readonly bigint[]): TimeOfMonth | null {
  const thirds = [0n, 0n, 0n];
  dates.forEach((date, i) => {
    const day = Number(date.slice(8, 10));
    thirds[day <= 10 ? 0 : day <= 20 ? 1 : 2]! += amounts[i]!;
  });
  const split = shares(thirds);
  return split && { days1to10: split[0]!, days11to20: split[1]!, days21to31: split[2]! };
}

/** Rounds a descriptive figure for display; null stays null. */
export function rounded(value: number | null, decimals: number): number | null {
  if (value === null) return null;
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
