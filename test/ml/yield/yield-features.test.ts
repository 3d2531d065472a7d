import { simulateMarket, sevenDayYieldPct } from '../../../src/ml/market/market-simulator';
import { SeededRandom } from '../../../src/ml/market/seeded-random';
import { ModelInputError } from '../../../src/ml/yield/model-input-error';
import {
  buildYieldDataset,
  EXTENDED_YIELD_FEATURE_NAMES,
  FIRST_FEATURE_DAY,
  firstFeatureDay,
  JUMP_THRESHOLD_PCT,
  prepareYieldMarket,
  YIELD_FEATURE_COUNT,
  YIELD_FEATURE_NAMES,
  YIELD_FEATURE_SETS,
  type YieldFeatureSet,
  type YieldMarket,
  yieldFeatureNames,
  yieldFeatureRow,
} from '../../../src/ml/yield/yield-features';

const market = simulateMarket({ seed: 3, startDate: '2023-09-01', endDate: '2024-06-30', funds: 4 });

const clone = (m: YieldMarket) => ({
  dates: [...m.dates],
  overnightRatePct: [...m.overnightRatePct],
  funds: m.funds.map((f) => ({ code: f.code, perTenK: [...f.perTenK] })),
});

const feature = (row: Float64Array, name: string) => row[EXTENDED_YIELD_FEATURE_NAMES.indexOf(name)]!;
const extendedRow = (prepared: ReturnType<typeof prepareYieldMarket>, fund: number, t: number) =>
  yieldFeatureRow(prepared, fund, t, new Float64Array(EXTENDED_YIELD_FEATURE_NAMES.length), 'extended');
const rowAt = (date: string, fund = 0) => extendedRow(prepareYieldMarket(market), fund, market.dates.indexOf(date));
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

describe('yield features', () => {
  it('has one named column per feature, about 30 of them', () => {
    expect(YIELD_FEATURE_NAMES).toHaveLength(YIELD_FEATURE_COUNT);
    expect(new Set(YIELD_FEATURE_NAMES).size).toBe(YIELD_FEATURE_COUNT);
    expect(YIELD_FEATURE_COUNT).toBeGreaterThanOrEqual(20);
    expect(YIELD_FEATURE_COUNT).toBeLessThanOrEqual(30);
  });

  it('extends the base set with 13 named columns, and reads 59 days back for them', () => {
    expect(yieldFeatureNames('base')).toBe(YIELD_FEATURE_NAMES);
    expect(yieldFeatureNames('extended').slice(0, YIELD_FEATURE_COUNT)).toEqual([...YIELD_FEATURE_NAMES]);
    expect(EXTENDED_YIELD_FEATURE_NAMES).toHaveLength(YIELD_FEATURE_COUNT + 13);
    expect(new Set(EXTENDED_YIELD_FEATURE_NAMES).size).toBe(EXTENDED_YIELD_FEATURE_NAMES.length);
    expect(firstFeatureDay('base')).toBe(FIRST_FEATURE_DAY);
    expect(firstFeatureDay('extended')).toBe(59);
    const prepared = prepareYieldMarket(market);
    // The extended row starts with the base row.
    expect(Array.from(extendedRow(prepared, 1, 60).subarray(0, YIELD_FEATURE_COUNT))).toEqual(Array.from(yieldFeatureRow(prepared, 1, 60)));
    expect(yieldFeatureRow(prepared, 1, 60, undefined, 'extended')).toEqual(extendedRow(prepared, 1, 60));
    expect(() => yieldFeatureRow(prepared, 1, 60, new Float64Array(YIELD_FEATURE_COUNT), 'extended')).toThrow(ModelInputError);
    expect(() => extendedRow(prepared, 0, 58)).toThrow(ModelInputError);
    expect(() => extendedRow(prepared, 0, 59)).not.toThrow();
  });

  it('computes the jump hinges, the level against the 5-day median, the market drift and the spread against its 60-day median from days ≤ t', () => {
    const prepared = prepareYieldMarket(market);
    const thresholdPerTenK = (JUMP_THRESHOLD_PCT / 100 / 365) * 10_000;
    const marketLevel = (t: number) => median(market.funds.map((f) => f.perTenK[t]!));
    let jumpsSeen = 0;
    for (let t = 60; t < market.dates.length - 1; t += 1) {
      for (let fund = 0; fund < 4; fund += 1) {
        const p = market.funds[fund]!.perTenK;
        const row = extendedRow(prepared, fund, t);
        const change1 = p[t]! - p[t - 1]!;
        expect(feature(row, 'jumpUp1')).toBeCloseTo(Math.max(0, change1 - thresholdPerTenK), 12);
        expect(feature(row, 'jumpDown1')).toBeCloseTo(Math.min(0, change1 + thresholdPerTenK), 12);
        if (Math.abs(change1) > thresholdPerTenK) jumpsSeen += 1;
        expect(feature(row, 'levelToMedian5')).toBeCloseTo(p[t]! - median(p.slice(t - 4, t + 1)), 12);
        const spreads = Array.from({ length: 60 }, (_, lag) => p[t - lag]! - marketLevel(t - lag));
        expect(feature(row, 'spreadDeviation60')).toBeCloseTo(spreads[0]! - median(spreads), 12);
      }
      let recent = 0;
      let before = 0;
      for (let lag = 0; lag < 7; lag += 1) {
        recent += marketLevel(t - lag) / 7;
        before += marketLevel(t - 7 - lag) / 7;
      }
      expect(feature(extendedRow(prepared, 2, t), 'marketTrend7')).toBeCloseTo((recent - before) / 7, 12);
    }
    expect(jumpsSeen).toBeGreaterThan(0); // the hinges were exercised beyond their threshold
  });

  it('puts the market’s month-end lift in the column of the next day’s position, and marks the 2nd of a month', () => {
    const prepared = prepareYieldMarket(market);
    const marketLevel = (t: number) => median(market.funds.map((f) => f.perTenK[t]!));
    const excessColumns = EXTENDED_YIELD_FEATURE_NAMES.filter((name) => name.startsWith('marketExcess.'));
    expect(excessColumns).toEqual(['monthEnd-3', 'monthEnd-2', 'monthEnd-1', 'monthEnd-0', 'firstOfMonth', 'secondOfMonth'].map((p) => `marketExcess.${p}`));
    // Origins 2024-03-27 … 2024-04-01 have next days 28, 29, 30, 31 March, 1 and 2 April: one column each, in order.
    const origin = market.dates.indexOf('2024-03-27');
    for (let k = 0; k < 6; k += 1) {
      const t = origin + k;
      const row = extendedRow(prepared, 3, t);
      const lift = marketLevel(t) - median(Array.from({ length: 8 }, (_, j) => marketLevel(t - 12 + j)));
      excessColumns.forEach((name, column) => expect(feature(row, name)).toBeCloseTo(column === k ? lift : 0, 12));
    }
    // Away from month-ends every excess column is 0.
    const mid = extendedRow(prepared, 3, market.dates.indexOf('2024-03-14'));
    for (const name of excessColumns) expect(feature(mid, name)).toBe(0);
    // 2024-04-02 follows a quarter's end, 2024-05-02 does not; 2024-01-02 follows the year's end.
    let row = rowAt('2024-04-01');
    expect([feature(row, 'next.secondOfMonth'), feature(row, 'next.qSecondOfMonth'), feature(row, 'next.firstOfMonth')]).toEqual([1, 1, 0]);
    row = rowAt('2024-05-01');
    expect([feature(row, 'next.secondOfMonth'), feature(row, 'next.qSecondOfMonth')]).toEqual([1, 0]);
    row = rowAt('2024-01-01');
    expect([feature(row, 'next.secondOfMonth'), feature(row, 'next.qSecondOfMonth')]).toEqual([1, 1]);
    row = rowAt('2024-03-31');
    expect([feature(row, 'next.secondOfMonth'), feature(row, 'next.qSecondOfMonth')]).toEqual([0, 0]);
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

  it.each(YIELD_FEATURE_SETS)('uses no data after day t (%s set): changing every later value leaves the rows of days ≤ t unchanged', (set: YieldFeatureSet) => {
    const random = SeededRandom.fromSeed(`look-ahead ${set}`);
    const width = yieldFeatureNames(set).length;
    const row = (prepared: ReturnType<typeof prepareYieldMarket>, fund: number, t: number) => yieldFeatureRow(prepared, fund, t, new Float64Array(width), set);
    const baseline = prepareYieldMarket(market);
    for (const t of [firstFeatureDay(set), 70, 95, 150, market.dates.length - 2]) {
      const changed = clone(market);
      for (let s = t + 1; s < changed.dates.length; s += 1) {
        changed.overnightRatePct[s] = random.uniformIn(0.5, 5);
        for (const fund of changed.funds) fund.perTenK[s] = random.uniformIn(-0.5, 2);
      }
      const prepared = prepareYieldMarket(changed);
      for (let fund = 0; fund < 4; fund += 1) {
        for (let origin = firstFeatureDay(set); origin <= t; origin += 1) {
          expect(row(prepared, fund, origin)).toEqual(row(baseline, fund, origin));
        }
        // …while the row of day t + 1 does see the change (the test would catch a feature that ignores data).
        if (t + 1 < changed.dates.length) expect(row(prepared, fund, t + 1)).not.toEqual(row(baseline, fund, t + 1));
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
    const extended = buildYieldDataset(market, 1, 'extended');
    expect(extended.names).toBe(EXTENDED_YIELD_FEATURE_NAMES);
    expect(extended.origins[0]).toBe(firstFeatureDay('extended'));
    expect(extended.rows[0]).toHaveLength(EXTENDED_YIELD_FEATURE_NAMES.length);
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
