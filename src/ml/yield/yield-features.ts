/**
 * Features for forecasting a fund's income per 10,000 shares one day ahead, built without look-ahead: the row
 * of origin day t uses market values of days ≤ t only (and the calendar of day t + 1, which is known in
 * advance). The target of origin t is perTenK on day t + 1.
 *
 * Columns (p = perTenK of the fund, O = overnight rate):
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
 */
import { isoDayNumber, calendarDay, type CalendarDay } from '../market/sim-calendar';
import { ModelInputError } from './model-input-error';

const isFiniteNumber = Number.isFinite; // a module-level alias: global lookups are slow in jest's vm context

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
/** The first origin day with a full feature row (7 lags back). */
export const FIRST_FEATURE_DAY = 7;

/** A validated market with the per-day values every fund's features share. */
export interface PreparedYieldMarket {
  readonly market: YieldMarket;
  readonly days: number;
  /** Calendar facts of each day, plus of the day after the last. */
  readonly calendar: readonly CalendarDay[];
  /** Mean perTenK across funds, per day. */
  readonly crossFundMean: Float64Array;
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
  for (let t = 0; t < days; t += 1) {
    let sum = 0;
    for (const fund of funds) sum += fund.perTenK[t]!;
    crossFundMean[t] = sum / funds.length;
  }
  return { market, days, calendar, crossFundMean };
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
 * The feature row of fund `fundIndex` at origin day t (FIRST_FEATURE_DAY ≤ t < days), written into `out`.
 * Reads market values of days t−7…t only.
 */
export function yieldFeatureRow(prepared: PreparedYieldMarket, fundIndex: number, t: number, out = new Float64Array(YIELD_FEATURE_COUNT)): Float64Array {
  if (!Number.isInteger(t) || t < FIRST_FEATURE_DAY || t >= prepared.days) {
    throw new ModelInputError('TOO_SHORT', `origin day ${t} has no full feature row (needs ${FIRST_FEATURE_DAY} earlier days)`, { origin: String(t) });
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
  const previousMonth = next.month === 1 ? 12 : next.month - 1;
  const quarter = firstOfMonth ? previousMonth % 3 === 0 : next.quarterEndMonth; // on the 1st: whether the month just ended closed a quarter
  for (let d = 0; d <= 3; d += 1) out[k++] = next.daysToMonthEnd === d ? 1 : 0;
  out[k++] = firstOfMonth ? 1 : 0;
  for (let d = 0; d <= 3; d += 1) out[k++] = quarter && next.daysToMonthEnd === d ? 1 : 0;
  out[k++] = quarter && firstOfMonth ? 1 : 0;
  for (let weekday = 1; weekday <= 6; weekday += 1) out[k++] = next.weekday === weekday ? 1 : 0;
  return out;
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

/** Feature rows of one fund for origins FIRST_FEATURE_DAY … days − 1, with their targets. */
export function buildYieldDataset(market: YieldMarket | PreparedYieldMarket, fundIndex: number): YieldDataset {
  const prepared = 'crossFundMean' in market ? market : prepareYieldMarket(market);
  const fund = prepared.market.funds[fundIndex];
  if (fund === undefined) throw new ModelInputError('BAD_OPTION', `no fund number ${fundIndex}`);
  const origins: number[] = [];
  const rows: Float64Array[] = [];
  const targets: number[] = [];
  const current: number[] = [];
  for (let t = FIRST_FEATURE_DAY; t < prepared.days; t += 1) {
    origins.push(t);
    rows.push(yieldFeatureRow(prepared, fundIndex, t));
    targets.push(t + 1 < prepared.days ? fund.perTenK[t + 1]! : NaN);
    current.push(fund.perTenK[t]!);
  }
  return { names: YIELD_FEATURE_NAMES, origins, rows, targets, current };
}
