import { createHash } from 'node:crypto';
import { FUND_CODE } from '../../../src/domain/fund/fund.decider';
import { DEFAULT_SPREAD_PARAMETERS, normalQuantile, phiOfHalfLife, spreadSdPct } from '../../../src/ml/market/fund-spread';
import { crossFundSpreadByYear, yearlySevenDayYieldPct } from '../../../src/ml/market/market-calibration';
import {
  type MarketSimulation,
  perTenKOfYieldPct,
  sevenDayYieldPct,
  simulateMarket,
  SimulatorInputError,
} from '../../../src/ml/market/market-simulator';
import { calendarDay, isoDayNumber } from '../../../src/ml/market/sim-calendar';

/** The default market of docs/simulator.md. */
const DEFAULT = { seed: 20140101, startDate: '2014-01-01', endDate: '2025-12-31', funds: 20 } as const;
let market: MarketSimulation;

beforeAll(() => {
  market = simulateMarket(DEFAULT);
});

const hash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');
const yieldPctOf = (perTenK: number) => (perTenK / 10_000) * 365 * 100;
const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('simulateMarket: shape', () => {
  it('has every calendar day, an overnight rate a day and N funds with a value a day', () => {
    expect(market.dates).toHaveLength(4383);
    expect(market.dates[0]).toBe('2014-01-01');
    expect(market.dates.at(-1)).toBe('2025-12-31');
    const steps = market.dates.slice(1).map((date, t) => isoDayNumber(date)! - isoDayNumber(market.dates[t])!);
    expect(new Set(steps)).toEqual(new Set([1]));
    expect(market.overnightRatePct).toHaveLength(4383);
    expect(market.funds).toHaveLength(20);
    for (const fund of market.funds) {
      expect(fund.perTenK).toHaveLength(4383);
      expect(fund.perTenKMicros).toHaveLength(4383);
      expect(fund.code).toMatch(FUND_CODE);
    }
    expect(new Set(market.funds.map((f) => f.code)).size).toBe(20);
    expect(market.funds[0]!.name).toMatch(/Yu'E Bao proxy/);
    expect(market.funds[0]!.spreadPct).toBe(0);
    expect(market.funds[0]!.spreadPctByDay.every((s) => s === 0)).toBe(true);
    for (const fund of market.funds) expect(fund.spreadPctByDay).toHaveLength(4383);
    expect(market.fundZeroQuantile).toBe(0.5);
    expect(market.spread).toEqual(DEFAULT_SPREAD_PARAMETERS);
  });

  it('keeps perTenK at exactly 4 decimals: integer 0.0001-CNY units, and perTenK = micros / 10,000', () => {
    for (const fund of market.funds) {
      expect(fund.perTenKMicros.every(Number.isInteger)).toBe(true);
      expect(fund.perTenK).toEqual(fund.perTenKMicros.map((micros) => micros / 10_000));
    }
  });

  it('converts an annual yield to a daily income per 10,000 shares as yield / 100 / 365 × 10,000', () => {
    expect(perTenKOfYieldPct(2)).toBeCloseTo(0.5479, 4);
    expect(sevenDayYieldPct([1, 1, 1, 1, 1, 1, 1], 6)).toBeCloseTo(3.65, 12);
    expect(sevenDayYieldPct([1, 1, 1], 2)).toBeNaN();
  });
});

describe('simulateMarket: determinism', () => {
  it('gives the same data for the same seed, pinned by a hash (same on any machine)', () => {
    const small = { seed: 99, startDate: '2019-12-01', endDate: '2020-03-31', funds: 3 };
    const a = simulateMarket(small);
    expect(simulateMarket(small)).toEqual(a);
    expect(hash([a.overnightRatePct, a.funds.map((f) => f.perTenKMicros)])).toBe('a3c45165b4aac01503362ab12bdcabe561e895ad90491c1ede990ab6a034d2f3');
    expect(a.funds[0]!.perTenKMicros.slice(0, 5)).toEqual([6546, 6564, 6614, 6450, 6558]);
  });

  it('gives the same data for the same seed and options, at any fundZeroQuantile', () => {
    const small = { seed: 'quartile', startDate: '2021-01-01', endDate: '2021-06-30', funds: 4, fundZeroQuantile: 0.25 };
    expect(simulateMarket(small)).toEqual(simulateMarket(small));
  });

  it('gives different data for a different seed', () => {
    const a = simulateMarket({ seed: 1, startDate: '2020-01-01', endDate: '2020-12-31', funds: 2 });
    const b = simulateMarket({ seed: 2, startDate: '2020-01-01', endDate: '2020-12-31', funds: 2 });
    expect(a.funds[1]!.perTenKMicros).not.toEqual(b.funds[1]!.perTenKMicros);
    expect(a.overnightRatePct).not.toEqual(b.overnightRatePct);
  });

  it('does not change a fund when funds are added, nor past days when the end date moves', () => {
    const three = simulateMarket({ seed: 11, startDate: '2016-01-01', endDate: '2017-12-31', funds: 3 });
    const five = simulateMarket({ seed: 11, startDate: '2016-01-01', endDate: '2017-12-31', funds: 5 });
    expect(five.funds.slice(0, 3)).toEqual(three.funds);
    expect(five.overnightRatePct).toEqual(three.overnightRatePct);
    const longer = simulateMarket({ seed: 11, startDate: '2016-01-01', endDate: '2018-06-30', funds: 3 });
    expect(longer.overnightRatePct.slice(0, three.dates.length)).toEqual(three.overnightRatePct);
    longer.funds.forEach((fund, i) => expect(fund.perTenKMicros.slice(0, three.dates.length)).toEqual(three.funds[i]!.perTenKMicros));
  });
});

describe('simulateMarket: fund dynamics', () => {
  const others = () => market.funds.slice(1);
  const yearsOf = (m: MarketSimulation) => [...new Set(m.dates.map((d) => d.slice(0, 4)))];
  const correlation = (xs: readonly number[], ys: readonly number[]) => {
    const mx = mean(xs);
    const my = mean(ys);
    const cov = mean(xs.map((x, k) => (x - mx) * (ys[k]! - my)));
    return cov / Math.sqrt(mean(xs.map((x) => (x - mx) ** 2)) * mean(ys.map((y) => (y - my) ** 2)));
  };
  /** Mean over consecutive years of the correlation across funds 1… of their mean spread in the two years. */
  const yearToYearCorrelation = (m: MarketSimulation) => {
    const years = yearsOf(m);
    const yearly = years.map((year) => {
      const days = m.dates.flatMap((d, t) => (d.startsWith(year) ? [t] : []));
      return m.funds.slice(1).map((f) => mean(days.map((t) => f.spreadPctByDay[t]!)));
    });
    return mean(yearly.slice(1).map((means, k) => correlation(yearly[k]!, means)));
  };

  it('makes each spread mean-revert with the stated half-life (estimated from the paths within 25 %)', () => {
    let lagged = 0;
    let squares = 0;
    for (const fund of others()) {
      const z = fund.spreadPctByDay.map((s, t) => s / spreadSdPct(market.regimeYieldPct[t]!, DEFAULT_SPREAD_PARAMETERS));
      for (let t = 1; t < z.length; t += 1) {
        lagged += z[t]! * z[t - 1]!;
        squares += z[t - 1]! ** 2;
      }
    }
    const halfLifeDays = -Math.LN2 / Math.log(lagged / squares);
    expect(halfLifeDays).toBeGreaterThan(0.75 * DEFAULT_SPREAD_PARAMETERS.halfLifeDays);
    expect(halfLifeDays).toBeLessThan(1.25 * DEFAULT_SPREAD_PARAMETERS.halfLifeDays);
    expect(phiOfHalfLife(90) ** 90).toBeCloseTo(0.5, 12);
  });

  it('rotates the funds’ ranking from year to year, where near-fixed spreads would keep it', () => {
    expect(yearToYearCorrelation(market)).toBeLessThan(0.5);
    const nearlyFixed = simulateMarket({ ...DEFAULT, spread: { halfLifeDays: 40_000 } });
    expect(yearToYearCorrelation(nearlyFixed)).toBeGreaterThan(0.9);
  });

  it('scales the spread partly with the level: narrower in low-rate years, but by less than the level falls', () => {
    const crossFundSd = (year: string) => {
      const days = market.dates.flatMap((d, t) => (d.startsWith(year) ? [t] : []));
      return mean(days.map((t) => Math.sqrt(mean(others().map((f) => f.spreadPctByDay[t]! ** 2)))));
    };
    const years = yearlySevenDayYieldPct(market);
    const levelRatio = years[0]!.meanPct / years.at(-1)!.meanPct;
    const spreadRatio = crossFundSd('2014') / crossFundSd('2025');
    expect(spreadRatio).toBeGreaterThan(1.8);
    expect(spreadRatio).toBeLessThan(levelRatio * 0.8);
  });

  it('centres the other funds so that fund 0 sits at fundZeroQuantile: the same draws, shifted up at 0.25', () => {
    const lower = simulateMarket({ ...DEFAULT, funds: 5, fundZeroQuantile: 0.25 });
    const median = simulateMarket({ ...DEFAULT, funds: 5 });
    expect(lower.funds[0]).toEqual(median.funds[0]);
    expect([lower.fundZeroQuantile, median.fundZeroQuantile]).toEqual([0.25, 0.5]);
    const shift = normalQuantile(0.75);
    for (let t = 0; t < lower.dates.length; t += 500) {
      const sd = spreadSdPct(median.regimeYieldPct[t]!, DEFAULT_SPREAD_PARAMETERS);
      const offsets = lower.funds.slice(1).map((f, i) => f.spreadPctByDay[t]! - median.funds[i + 1]!.spreadPctByDay[t]!);
      for (const offset of offsets) expect(offset).toBeCloseTo(offsets[0]!, 12);
      expect(offsets[0]!).toBeGreaterThan(shift * sd);
      expect(offsets[0]!).toBeLessThan(shift * Math.sqrt(sd * sd + 0.02));
    }
  });

  it('lifts month-ends, quarter-ends more, and has rare multi-day outlier episodes above the median fund', () => {
    // Month-end and quarter-end: compare each fund-day with the same fund's mid-month level of that month.
    const lift = (predicate: (d: ReturnType<typeof calendarDay>) => boolean) => {
      const lifts: number[] = [];
      for (const fund of market.funds) {
        for (let t = 20; t < market.dates.length; t += 1) {
          const day = calendarDay(isoDayNumber(market.dates[t])!);
          if (!predicate(day)) continue;
          const midMonth = t - (day.day - 15);
          lifts.push(yieldPctOf(fund.perTenK[t]!) - yieldPctOf(fund.perTenK[midMonth]!));
        }
      }
      return mean(lifts);
    };
    const monthEnd = lift((d) => d.daysToMonthEnd === 0 && !d.quarterEndMonth);
    const quarterEnd = lift((d) => d.daysToMonthEnd === 0 && d.quarterEndMonth && d.month !== 12);
    expect(monthEnd).toBeGreaterThan(0.05);
    expect(quarterEnd).toBeGreaterThan(2 * monthEnd);
    const outliers = crossFundSpreadByYear(market).map((row) => row.outlierFundDaysPct);
    expect(mean(outliers)).toBeGreaterThan(0.2);
    expect(mean(outliers)).toBeLessThan(3);
  });

  it('has one-day jumps in every fund, fund 0 included, on about 0.4 % of fund-days away from month-ends', () => {
    let jumps = 0;
    let fundDays = 0;
    let fundZeroJumps = 0;
    market.funds.forEach((fund, i) => {
      for (let t = 1; t < market.dates.length - 1; t += 1) {
        const day = calendarDay(isoDayNumber(market.dates[t])!);
        if (day.daysToMonthEnd < 5 || day.day <= 2) continue;
        const [before, on, after] = [t - 1, t, t + 1].map((u) => yieldPctOf(fund.perTenK[u]!));
        fundDays += 1;
        // A one-day jump stands out from both neighbours, in the same direction (an episode's edge from one only).
        const up = on! - before! > 0.4 && on! - after! > 0.4;
        const down = before! - on! > 0.4 && after! - on! > 0.4;
        if (!up && !down) continue;
        jumps += 1;
        if (i === 0) fundZeroJumps += 1;
      }
    });
    // Expected: 1/250 a fund-day × (all up-jumps + the 6/7 of down-jumps deeper than 0.4) ≈ 0.39 %.
    expect(jumps / fundDays).toBeGreaterThan(0.0028);
    expect(jumps / fundDays).toBeLessThan(0.005);
    expect(fundZeroJumps).toBeGreaterThan(0);
    // Fund 0 has no loss days.
    expect(Math.min(...market.funds[0]!.perTenK)).toBeGreaterThan(0);
  });
});

describe('simulateMarket: bad input', () => {
  const expectCode = (fn: () => unknown, code: string) => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(SimulatorInputError);
      expect((error as SimulatorInputError).code).toBe(code);
      return;
    }
    throw new Error(`expected ${code}`);
  };

  it('names the problem', () => {
    expectCode(() => simulateMarket({ ...DEFAULT, startDate: '2014-02-30' }), 'BAD_DATE');
    expectCode(() => simulateMarket({ ...DEFAULT, endDate: 'tomorrow' }), 'BAD_DATE');
    expectCode(() => simulateMarket({ ...DEFAULT, startDate: '2020-01-02', endDate: '2020-01-01' }), 'DATE_ORDER');
    expectCode(() => simulateMarket({ ...DEFAULT, funds: 0 }), 'BAD_COUNT');
    expectCode(() => simulateMarket({ ...DEFAULT, funds: 2.5 }), 'BAD_COUNT');
    expectCode(() => simulateMarket({ ...DEFAULT, seed: -3 }), 'BAD_SEED');
    expectCode(() => simulateMarket({ ...DEFAULT, startDate: '1900-01-01', endDate: '2100-01-01' }), 'RANGE_TOO_LONG');
    for (const fundZeroQuantile of [0, 0.04, 0.96, 1, Number.NaN]) expectCode(() => simulateMarket({ ...DEFAULT, fundZeroQuantile }), 'BAD_SPREAD');
    expectCode(() => simulateMarket({ ...DEFAULT, spread: { halfLifeDays: 0 } }), 'BAD_SPREAD');
    expectCode(() => simulateMarket({ ...DEFAULT, spread: { fixedSdPct: -0.1 } }), 'BAD_SPREAD');
    expectCode(() => simulateMarket({ ...DEFAULT, spread: { levelSdShare: 2 } }), 'BAD_SPREAD');
  });

  it('simulates a single day', () => {
    const one = simulateMarket({ seed: 1, startDate: '2020-02-29', endDate: '2020-02-29', funds: 1 });
    expect(one.dates).toEqual(['2020-02-29']);
    expect(one.funds[0]!.perTenK).toHaveLength(1);
  });
});
