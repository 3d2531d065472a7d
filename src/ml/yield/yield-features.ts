/**
 * Features for forecasting a fund's income per 10,000 shares one day ahead, built without look-ahead: the row
 * of origin day t uses market values of days ≤ t only (and the calendar of day t + 1, which is known in
 * advance). The target of origin t is perTenK on day t + 1 (or its mean over a horizon: yield-forecaster.ts).
 *
 * Two sets. 'base' (the first 26 columns; p = perTenK of the fund, O = overnight rate):
 *   change1…change7    p[t] − p[t−k], k = 1…7
 *   yield7Pct          the annualised 7-day yield on day t, % ((Σ p[t−6…t] / 10,000) × 365 / 7 × 100)
 *   overnightPct       O[t]
 *   overnightSlope7    (O[t] − O[t−7]) / 7, % a day
 *   spreadToMean       p[t] − mean over funds of p[t]
 *   next.monthEnd-k    day t+1 is k days before its month's end (k = 0…3)
 *   next.firstOfMonth  day t+1 is the 1st of a month
 *   next.qEnd-k, next.qFirstOfMonth   the same when the month-end is a quarter's end
 *   next.mon…next.sat  day t+1's weekday (Sunday is the baseline)
 * change1…7 and yield7Pct together carry exactly the information of p[t] and its lags 1…7: p[t] is a linear
 * combination of yield7Pct and change1…6, so it is not a column of its own (it would make the design exactly
 * collinear, which coordinate descent pays for with thousands of sweeps at small α).
 *
 * 'extended' adds 13 columns (m = the median over funds of p, per day):
 *   next.secondOfMonth, next.qSecondOfMonth   day t+1 is the 2nd of a month (after a quarter's end): the day
 *                      a month-end's liquidity premium is gone; without it the drop lands on ordinary days
 *   jumpUp1, jumpDown1 the part of change1 beyond ±JUMP_THRESHOLD_PCT (max(0, change1 − θ), min(0, change1 + θ)):
 *                      a one-day jump in a fund's income mostly reverts the next day, a small change does not,
 *                      and a linear model can only tell them apart through such hinges
 *   marketExcess.<position>   m[t] − median of m[t−12…t−5] (the market's lift over its level before the
 *                      month-end window), in the column of day t+1's position (monthEnd-3…monthEnd-0,
 *                      firstOfMonth, secondOfMonth) and 0 elsewhere: how strong this month-end turned out to be,
 *                      which the calendar columns cannot know, scaled by where it is in its profile
 *   levelToMedian5     p[t] − median of p[t−4…t]: today against a level that one-day jumps do not move
 *   marketTrend7       (mean of m[t−6…t] − mean of m[t−13…t−7]) / 7, CNY a day: the market's drift, which the
 *                      funds follow with a lag
 *   spreadDeviation60  (p[t] − m[t]) − median of (p − m) over t−59…t: the fund's spread to the market against
 *                      its own recent spread; fund spreads mean-revert (over months) and a fund's noise and
 *                      outlier episodes (over days), so a spread above its usual level is expected to shrink.
 *                      Worth little for tomorrow's income, much for the mean over the next weeks (horizonDays)
 * The extended set was chosen by walk-forward errors on development markets (seeds 101–105), never on the
 * default market the figures of docs/forecasting.md are reported on; the candidates that did not earn their
 * place there are listed in that document.
 */
import { isoDayNumber, calendarDay, type CalendarDay } from '../market/sim-calendar';
import { ModelInputError } from './model-input-error';

// Module-level aliases: global lookups are slow in jest's vm context.
const isFiniteNumber = Number.isFinite;
const { max, min } = Math;

/** What the yield models need of a market: the simulator's output satisfies it, and so can real data. */
export interface YieldMarket {
  /** Consecutive calendar days, ISO dates. */
  readonly dates: readonly string[];
  /** Overnight interbank rate, % a year, one per day. */
  readonly overnightRatePct: readonly number[];
  readonly funds: readonly { readonly code: string; readonly perTenK: readonly number[] }[];
}

export const YIELD_FEATURE_NAMES: readonly string[] = [
  ...[1, 2, 3, 4, 5, 6, 7].map((k) => `change${k}`),
  'yield7Pct',
  'overnightPct',
  'overnightSlope7',
  'spreadToMean',
  ...[0, 1, 2, 3].map((k) => `next.monthEnd-${k}`),
  'next.firstOfMonth',
  ...[0, 1, 2, 3].map((k) => `next.qEnd-${k}`),
  'next.qFirstOfMonth',
  'next.mon',
  'next.tue',
  'next.wed',
  'next.thu',
  'next.fri',
  'next.sat',
];

export const YIELD_FEATURE_COUNT = YIELD_FEATURE_NAMES.length;
/** The first origin day with a full row of the base set (7 lags back). */
export const FIRST_FEATURE_DAY = 7;

export type YieldFeatureSet = 'base' | 'extended';
export const YIELD_FEATURE_SETS: readonly YieldFeatureSet[] = ['base', 'extended'];

/** Where day t+1 stands in a month-end window, in the order of the marketExcess columns. */
const MONTH_END_POSITIONS = ['monthEnd-3', 'monthEnd-2', 'monthEnd-1', 'monthEnd-0', 'firstOfMonth', 'secondOfMonth'] as const;

export const EXTENDED_YIELD_FEATURE_NAMES: readonly string[] = [
  ...YIELD_FEATURE_NAMES,
  'next.secondOfMonth',
  'next.qSecondOfMonth',
  'jumpUp1',
  'jumpDown1',
  ...MONTH_END_POSITIONS.map((position) => `marketExcess.${position}`),
  'levelToMedian5',
  'marketTrend7',
  'spreadDeviation60',
];

/** A change of income beyond this many points of annual yield counts as a jump (jumpUp1, jumpDown1). */
export const JUMP_THRESHOLD_PCT = 0.3;
const JUMP_THRESHOLD_PER_TEN_K = (JUMP_THRESHOLD_PCT / 100 / 365) * 10_000;
/** The window of spreadDeviation60, days. */
const SPREAD_WINDOW_DAYS = 60;
/** The extended set reads 59 days back (spreadDeviation60). */
const FIRST_EXTENDED_FEATURE_DAY = SPREAD_WINDOW_DAYS - 1;

export function yieldFeatureNames(set: YieldFeatureSet = 'base'): readonly string[] {
  return set === 'extended' ? EXTENDED_YIELD_FEATURE_NAMES : YIELD_FEATURE_NAMES;
}

/** The first origin day with a full feature row of the set. */
export function firstFeatureDay(set: YieldFeatureSet = 'base'): number {
  return set === 'extended' ? FIRST_EXTENDED_FEATURE_DAY : FIRST_FEATURE_DAY;
}

/** A validated market with the per-day values every fund's features share. */
export interface PreparedYieldMarket {
  readonly market: YieldMarket;
  readonly days: number;
  /** Calendar facts of each day, plus of the day after the last. */
  readonly calendar: readonly CalendarDay[];
  /** Mean perTenK across funds, per day. */
  readonly crossFundMean: Float64Array;
  /** Median perTenK across funds, per day (a level one fund's jump does not move). */
  readonly crossFundMedian: Float64Array;
}

/**
 * Check a market for what the yield models cannot work with, naming the first problem found: mismatched
 * lengths (SHAPE_MISMATCH), a date that is not ISO (BAD_DATE), a missing or repeated day (GAP), a value that
 * is not a finite number (NON_FINITE), a series that never changes (CONSTANT_SERIES), or fewer days than
 * `minDays` (TOO_SHORT).
 */
export function prepareYieldMarket(market: YieldMarket, minDays = FIRST_FEATURE_DAY + 2): PreparedYieldMarket {
  if (market === null || typeof market !== 'object' || !Array.isArray(market.dates) || !Array.isArray(market.funds) || !Array.isArray(market.overnightRatePct)) {
    throw new ModelInputError('EMPTY_DATA', 'a market needs dates, overnightRatePct and funds arrays');
  }
  const { dates, funds, overnightRatePct } = market;
  if (funds.length === 0) throw new ModelInputError('EMPTY_DATA', 'the market has no funds');
  const days = dates.length;
  if (days < minDays) throw new ModelInputError('TOO_SHORT', `the market has ${days} days; at least ${minDays} are needed`, { days: String(days), needed: String(minDays) });
  if (overnightRatePct.length !== days) {
    throw new ModelInputError('SHAPE_MISMATCH', `overnightRatePct has ${overnightRatePct.length} values for ${days} dates`, { series: 'overnightRatePct' });
  }
  const dayNumbers: number[] = [];
  for (let t = 0; t < days; t += 1) {
    const dayNumber = isoDayNumber(dates[t]);
    if (dayNumber === undefined) throw new ModelInputError('BAD_DATE', `dates[${t}] is not an ISO date: ${String(dates[t])}`, { index: String(t) });
    if (t > 0 && dayNumber !== dayNumbers[t - 1]! + 1) {
      const expected = calendarDay(dayNumbers[t - 1]! + 1).date;
      throw new ModelInputError('GAP', `the series has a gap: ${expected} is missing (${dates[t - 1]} is followed by ${dates[t]})`, { missing: expected, after: String(dates[t - 1]) });
    }
    dayNumbers.push(dayNumber);
  }
  checkSeries('overnightRatePct', overnightRatePct, dates);
  for (const fund of funds) {
    const name = `fund ${String(fund?.code)}`;
    if (!fund || !Array.isArray(fund.perTenK)) throw new ModelInputError('EMPTY_DATA', `${name} has no perTenK series`, { fund: String(fund?.code) });
    if (fund.perTenK.length !== days) throw new ModelInputError('SHAPE_MISMATCH', `${name} has ${fund.perTenK.length} values for ${days} dates`, { fund: fund.code });
    checkSeries(name, fund.perTenK, dates, fund.code);
  }
  const calendar = dayNumbers.map(calendarDay);
  calendar.push(calendarDay(dayNumbers[days - 1]! + 1));
  const crossFundMean = new Float64Array(days);
  const crossFundMedian = new Float64Array(days);
  const sameDay = new Float64Array(funds.length);
  for (let t = 0; t < days; t += 1) {
    let sum = 0;
    funds.forEach((fund, i) => {
      sum += fund.perTenK[t]!;
      sameDay[i] = fund.perTenK[t]!;
    });
    crossFundMean[t] = sum / funds.length;
    crossFundMedian[t] = medianOf(sameDay, 0, funds.length - 1);
  }
  return { market, days, calendar, crossFundMean, crossFundMedian };
}

/** The median of values[from…to] (inclusive; the window is copied, values are not reordered). */
function medianOf(values: ArrayLike<number>, from: number, to: number): number {
  const window = Float64Array.from({ length: to - from + 1 }, (_, k) => values[from + k]!).sort();
  const middle = window.length >> 1;
  return window.length % 2 === 1 ? window[middle]! : (window[middle - 1]! + window[middle]!) / 2;
}

function checkSeries(name: string, values: readonly number[], dates: readonly string[], fund?: string): void {
  const where: Record<string, string> = fund === undefined ? { series: name } : { fund };
  for (let t = 0; t < values.length; t += 1) {
    const value = values[t];
    if (typeof value !== 'number' || !isFiniteNumber(value)) {
      throw new ModelInputError('NON_FINITE', `${name} is ${String(value)} on ${dates[t]}`, { ...where, date: String(dates[t]) });
    }
  }
  if (values.every((value) => value === values[0])) {
    throw new ModelInputError('CONSTANT_SERIES', `${name} never changes (${values[0]} on every day): nothing to learn from`, where);
  }
}

/**
 * The feature row of fund `fundIndex` at origin day t (firstFeatureDay(set) ≤ t < days), written into `out`.
 * Reads market values of days t−7…t only for the base set, t−59…t for the extended one.
 */
export function yieldFeatureRow(
  prepared: PreparedYieldMarket,
  fundIndex: number,
  t: number,
  into?: Float64Array,
  set: YieldFeatureSet = 'base',
): Float64Array {
  const width = yieldFeatureNames(set).length;
  const out = into ?? new Float64Array(width);
  if (out.length < width) throw new ModelInputError('SHAPE_MISMATCH', `a row of the ${set} set has ${width} columns; the array given has ${out.length}`);
  const first = firstFeatureDay(set);
  if (!Number.isInteger(t) || t < first || t >= prepared.days) {
    throw new ModelInputError('TOO_SHORT', `origin day ${t} has no full feature row (needs ${first} earlier days)`, { origin: String(t) });
  }
  const fund = prepared.market.funds[fundIndex];
  if (fund === undefined) throw new ModelInputError('BAD_OPTION', `no fund number ${fundIndex}`);
  const p = fund.perTenK;
  const overnight = prepared.market.overnightRatePct;
  const today = p[t]!;
  let k = 0;
  let sum7 = today;
  for (let lag = 1; lag <= 7; lag += 1) {
    out[k++] = today - p[t - lag]!;
    if (lag < 7) sum7 += p[t - lag]!;
  }
  out[k++] = ((sum7 / 10_000) * 365 * 100) / 7;
  out[k++] = overnight[t]!;
  out[k++] = (overnight[t]! - overnight[t - 7]!) / 7;
  out[k++] = today - prepared.crossFundMean[t]!;
  const next = prepared.calendar[t + 1]!;
  const firstOfMonth = next.day === 1;
  const quarter = next.day <= 2 ? previousMonthEndedQuarter(next) : next.quarterEndMonth; // early in a month: whether the month just ended closed a quarter
  for (let d = 0; d <= 3; d += 1) out[k++] = next.daysToMonthEnd === d ? 1 : 0;
  out[k++] = firstOfMonth ? 1 : 0;
  for (let d = 0; d <= 3; d += 1) out[k++] = quarter && next.daysToMonthEnd === d ? 1 : 0;
  out[k++] = quarter && firstOfMonth ? 1 : 0;
  for (let weekday = 1; weekday <= 6; weekday += 1) out[k++] = next.weekday === weekday ? 1 : 0;
  if (set === 'extended') extendedColumns(prepared, p, t, quarter, out, k);
  return out;
}

function previousMonthEndedQuarter(day: CalendarDay): boolean {
  const previousMonth = day.month === 1 ? 12 : day.month - 1;
  return previousMonth % 3 === 0;
}

/** The 13 columns the extended set adds, from index k on (see the header). */
function extendedColumns(prepared: PreparedYieldMarket, p: readonly number[], t: number, quarter: boolean, out: Float64Array, k: number): void {
  const next = prepared.calendar[t + 1]!;
  const market = prepared.crossFundMedian;
  out[k++] = next.day === 2 ? 1 : 0;
  out[k++] = next.day === 2 && quarter ? 1 : 0;
  const change1 = p[t]! - p[t - 1]!;
  out[k++] = max(0, change1 - JUMP_THRESHOLD_PER_TEN_K);
  out[k++] = min(0, change1 + JUMP_THRESHOLD_PER_TEN_K);
  const position = next.daysToMonthEnd <= 3 ? 3 - next.daysToMonthEnd : next.day <= 2 ? 3 + next.day : -1;
  const excess = position < 0 ? 0 : market[t]! - medianOf(market, t - 12, t - 5);
  for (let column = 0; column < MONTH_END_POSITIONS.length; column += 1) out[k++] = column === position ? excess : 0;
  out[k++] = p[t]! - medianOf(p, t - 4, t);
  let recent = 0;
  let before = 0;
  for (let lag = 0; lag < 7; lag += 1) {
    recent += market[t - lag]!;
    before += market[t - 7 - lag]!;
  }
  out[k++] = (recent - before) / 49;
  const spreads = new Float64Array(SPREAD_WINDOW_DAYS);
  for (let lag = 0; lag < SPREAD_WINDOW_DAYS; lag += 1) spreads[lag] = p[t - lag]! - market[t - lag]!;
  out[k] = p[t]! - market[t]! - medianOf(spreads, 0, SPREAD_WINDOW_DAYS - 1);
}

export interface YieldDataset {
  readonly names: readonly string[];
  /** Origin day indexes, ascending. */
  readonly origins: number[];
  /** One feature row per origin. */
  readonly rows: Float64Array[];
  /** perTenK on the day after each origin (the target); NaN for the last day of the market, whose next day is unknown. */
  readonly targets: number[];
  /** perTenK on each origin day (the naive forecast). */
  readonly current: number[];
}

/** Feature rows of one fund for origins firstFeatureDay(set) … days − 1, with their targets. */
export function buildYieldDataset(market: YieldMarket | PreparedYieldMarket, fundIndex: number, set: YieldFeatureSet = 'base'): YieldDataset {
  const prepared = 'crossFundMean' in market ? market : prepareYieldMarket(market);
  const fund = prepared.market.funds[fundIndex];
  if (fund === undefined) throw new ModelInputError('BAD_OPTION', `no fund number ${fundIndex}`);
  const names = yieldFeatureNames(set);
  const origins: number[] = [];
  const rows: Float64Array[] = [];
  const targets: number[] = [];
  const current: number[] = [];
  for (let t = firstFeatureDay(set); t < prepared.days; t += 1) {
    origins.push(t);
    rows.push(yieldFeatureRow(prepared, fundIndex, t, undefined, set));
    targets.push(t + 1 < prepared.days ? fund.perTenK[t + 1]! : NaN);
    current.push(fund.perTenK[t]!);
  }
  return { names, origins, rows, targets, current };
}
