import { simulateMarket, sevenDayYieldPct } from '../../../src/ml/market/market-simulator';
import { SeededRandom } from '../../../src/ml/market/seeded-random';
import { ModelInputError } from '../../../src/ml/yield/model-input-error';
import {
  buildYieldDataset,
  FIRST_FEATURE_DAY,
  prepareYieldMarket,
  YIELD_FEATURE_COUNT,
  YIELD_FEATURE_NAMES,
  type YieldMarket,
  yieldFeatureRow,
} from '../../../src/ml/yield/yield-features';

const market = simulateMarket({ seed: 3, startDate: '2023-12-01', endDate: '2024-06-30', funds: 4 });

const clone = (m: YieldMarket) => ({
  dates: [...m.dates],
  overnightRatePct: [...m.overnightRatePct],
  funds: m.funds.map((f) => ({ code: f.code, perTenK: [...f.perTenK] })),
});

const feature = (row: Float64Array, name: string) => row[YIELD_FEATURE_NAMES.indexOf(name)]!;
const rowAt = (date: string, fund = 0) => yieldFeatureRow(prepareYieldMarket(market), fund, market.dates.indexOf(date));

describe('yield features', () => {
  it('has one named column per feature, about 30 of them', () => {
    expect(YIELD_FEATURE_NAMES).toHaveLength(YIELD_FEATURE_COUNT);
    expect(new Set(YIELD_FEATURE_NAMES).size).toBe(YIELD_FEATURE_COUNT);
    expect(YIELD_FEATURE_COUNT).toBeGreaterThanOrEqual(20);
    expect(YIELD_FEATURE_COUNT).toBeLessThanOrEqual(30);
  });

  it('computes lags, the 7-day yield, the overnight level and slope and the spread to the cross-fund mean from day t', () => {
    const t = 100;
    const prepared = prepareYieldMarket(market);
    const row = yieldFeatureRow(prepared, 2, t);
    const p = market.funds[2]!.perTenK;
    for (let k = 1; k <= 7; k += 1) expect(feature(row, `change${k}`)).toBeCloseTo(p[t]! - p[t - k]!, 12);
    expect(feature(row, 'yield7Pct')).toBeCloseTo(sevenDayYieldPct(p, t), 12);
    expect(feature(row, 'overnightPct')).toBe(market.overnightRatePct[t]);
    expect(feature(row, 'overnightSlope7')).toBeCloseTo((market.overnightRatePct[t]! - market.overnightRatePct[t - 7]!) / 7, 12);
    const crossMean = market.funds.reduce((sum, f) => sum + f.perTenK[t]!, 0) / 4;
    expect(feature(row, 'spreadToMean')).toBeCloseTo(p[t]! - crossMean, 12);
  });

  it('marks the next day’s place in the month, quarter ends and weekday', () => {
    // Origin Saturday 2024-03-30 → target Sunday 2024-03-31, the last day of a quarter.
    let row = rowAt('2024-03-30');
    expect(feature(row, 'next.monthEnd-0')).toBe(1);
    expect(feature(row, 'next.qEnd-0')).toBe(1);
    expect(feature(row, 'next.firstOfMonth')).toBe(0);
    expect(['next.mon', 'next.tue', 'next.wed', 'next.thu', 'next.fri', 'next.sat'].map((n) => feature(row, n))).toEqual([0, 0, 0, 0, 0, 0]);
    // Origin 2024-03-31 → Monday 2024-04-01: the first day after a quarter end.
    row = rowAt('2024-03-31');
    expect(feature(row, 'next.firstOfMonth')).toBe(1);
    expect(feature(row, 'next.qFirstOfMonth')).toBe(1);
    expect(feature(row, 'next.mon')).toBe(1);
    // Origin 2024-01-31 → 2024-02-01: a month start, not after a quarter end.
    row = rowAt('2024-01-31');
    expect(feature(row, 'next.firstOfMonth')).toBe(1);
    expect(feature(row, 'next.qFirstOfMonth')).toBe(0);
    // Origin 2023-12-31 → 2024-01-01: after the year end, which is a quarter end.
    row = rowAt('2023-12-31');
    expect(feature(row, 'next.qFirstOfMonth')).toBe(1);
    // Origin 2024-02-26 → Tuesday 2024-02-27, 2 days before the end of a leap February; not a quarter.
    row = rowAt('2024-02-26');
    expect(feature(row, 'next.monthEnd-2')).toBe(1);
    expect(feature(row, 'next.qEnd-2')).toBe(0);
    expect(feature(row, 'next.tue')).toBe(1);
  });

  it('uses no data after day t: changing every later value leaves the rows of days ≤ t unchanged', () => {
    const random = SeededRandom.fromSeed('look-ahead');
    const baseline = prepareYieldMarket(market);
    for (const t of [FIRST_FEATURE_DAY, 30, 95, 150, market.dates.length - 2]) {
      const changed = clone(market);
      for (let s = t + 1; s < changed.dates.length; s += 1) {
        changed.overnightRatePct[s] = random.uniformIn(0.5, 5);
        for (const fund of changed.funds) fund.perTenK[s] = random.uniformIn(-0.5, 2);
      }
      const prepared = prepareYieldMarket(changed);
      for (let fund = 0; fund < 4; fund += 1) {
        for (let origin = FIRST_FEATURE_DAY; origin <= t; origin += 1) {
          expect(yieldFeatureRow(prepared, fund, origin)).toEqual(yieldFeatureRow(baseline, fund, origin));
        }
        // …while the row of day t + 1 does see the change (the test would catch a feature that ignores data).
        if (t + 1 < changed.dates.length) expect(yieldFeatureRow(prepared, fund, t + 1)).not.toEqual(yieldFeatureRow(baseline, fund, t + 1));
      }
    }
  });

  it('builds a dataset whose target is perTenK of the next day (unknown for the last day)', () => {
    const dataset = buildYieldDataset(market, 1);
    expect(dataset.origins[0]).toBe(FIRST_FEATURE_DAY);
    expect(dataset.rows).toHaveLength(market.dates.length - FIRST_FEATURE_DAY);
    dataset.origins.forEach((t, i) => {
      if (t + 1 < market.dates.length) expect(dataset.targets[i]).toBe(market.funds[1]!.perTenK[t + 1]);
      expect(dataset.current[i]).toBe(market.funds[1]!.perTenK[t]);
    });
    expect(dataset.targets.at(-1)).toBeNaN();
  });
});

describe('yield features: bad input is a typed error naming the problem', () => {
  const failure = (m: unknown, minDays?: number): ModelInputError => {
    try {
      prepareYieldMarket(m as YieldMarket, minDays);
    } catch (error) {
      expect(error).toBeInstanceOf(ModelInputError);
      return error as ModelInputError;
    }
    throw new Error('expected a ModelInputError');
  };

  it('names a missing day', () => {
    const gap = clone(market);
    gap.dates.splice(40, 1);
    gap.overnightRatePct.splice(40, 1);
    for (const fund of gap.funds) fund.perTenK.splice(40, 1);
    const error = failure(gap);
    expect(error.code).toBe('GAP');
    expect(error.details.missing).toBe(market.dates[40]);
    expect(error.message).toContain(market.dates[40]);
  });

  it('names a NaN (or other non-number) with its fund and date', () => {
    const withNaN = clone(market);
    withNaN.funds[2]!.perTenK[50] = Number.NaN;
    const error = failure(withNaN);
    expect(error.code).toBe('NON_FINITE');
    expect(error.details).toEqual({ fund: market.funds[2]!.code, date: market.dates[50] });
    const withNull = clone(market);
    (withNull.overnightRatePct as unknown[])[3] = null;
    expect(failure(withNull).code).toBe('NON_FINITE');
  });

  it('names a constant series', () => {
    const constant = clone(market);
    constant.funds[1]!.perTenK.fill(0.5);
    const error = failure(constant);
    expect(error.code).toBe('CONSTANT_SERIES');
    expect(error.details.fund).toBe(market.funds[1]!.code);
  });

  it('names too few points, mismatched lengths, bad dates and missing parts', () => {
    const short = { dates: market.dates.slice(0, 5), overnightRatePct: market.overnightRatePct.slice(0, 5), funds: market.funds.map((f) => ({ code: f.code, perTenK: f.perTenK.slice(0, 5) })) };
    expect(failure(short).code).toBe('TOO_SHORT');
    expect(failure(market, 10_000).code).toBe('TOO_SHORT');
    const mismatch = clone(market);
    mismatch.funds[0]!.perTenK.pop();
    expect(failure(mismatch).code).toBe('SHAPE_MISMATCH');
    const badDate = clone(market);
    badDate.dates[10] = '2024-02-30';
    expect(failure(badDate).code).toBe('BAD_DATE');
    expect(failure({ dates: market.dates, overnightRatePct: market.overnightRatePct, funds: [] }).code).toBe('EMPTY_DATA');
    expect(failure(null).code).toBe('EMPTY_DATA');
    expect(() => yieldFeatureRow(prepareYieldMarket(market), 0, 3)).toThrow(ModelInputError);
  });
});
