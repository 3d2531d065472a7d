import { createHash } from 'node:crypto';
import { FUND_CODE } from '../../../src/domain/fund/fund.decider';
import { calibrationTable, overnightShareWithin, yearlySevenDayYieldPct } from '../../../src/ml/market/market-calibration';
import {
  ANCHOR_KNOTS,
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
    expect(hash([a.overnightRatePct, a.funds.map((f) => f.perTenKMicros)])).toBe('9e0de0a83ee1e1dd25d9f2a79e7eb31eab7902581900f3719fb4edabead14853');
    expect(a.funds[0]!.perTenKMicros.slice(0, 5)).toEqual([6519, 6564, 6614, 6450, 6558]);
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

describe('simulateMarket: calibration to the DESIGN.md reference figures', () => {
  it('puts the Yu’E Bao proxy’s mean 7-day yield within 0.3 points of each reference (and under 3 % in late 2015)', () => {
    for (const row of calibrationTable(market)) {
      expect(row.days).toBeGreaterThan(0);
      if (row.relation === 'below') expect(row.simulatedPct).toBeLessThan(row.referencePct);
      else expect(Math.abs(row.simulatedPct - row.referencePct)).toBeLessThanOrEqual(0.3);
    }
  });

  it('stays calibrated for other seeds too (within 0.45 points)', () => {
    for (const seed of [1, 2, 'another']) {
      for (const row of calibrationTable(simulateMarket({ ...DEFAULT, seed, funds: 1 }))) {
        if (row.relation === 'below') expect(row.simulatedPct).toBeLessThan(row.referencePct + 0.1);
        else expect(Math.abs(row.simulatedPct - row.referencePct)).toBeLessThanOrEqual(0.45);
      }
    }
  });

  it('follows the anchor path, which passes through the reference knots', () => {
    const anchorOn = (date: string) => market.anchorYieldPct[market.dates.indexOf(date)]!;
    expect(anchorOn('2014-01-10')).toBeCloseTo(6.76, 10);
    expect(anchorOn('2020-04-15')).toBeCloseTo(1.97, 10);
    expect(anchorOn('2025-12-20')).toBeCloseTo(1.0, 10);
    expect(ANCHOR_KNOTS.length).toBeGreaterThan(10);
    const years = yearlySevenDayYieldPct(market);
    expect(years.map((y) => y.year)).toEqual([2014, 2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025]);
    expect(years[0]!.meanPct).toBeGreaterThan(years[11]!.meanPct + 3);
  });

  it('keeps the overnight rate mostly within 1.3–2.8 % in 2015–2024 and carries Friday’s fixing over weekends', () => {
    expect(overnightShareWithin(market)).toBeGreaterThan(0.85);
    const weekendChanges = market.dates.filter(
      (date, t) => t > 0 && !calendarDay(isoDayNumber(date)!).businessDay && market.overnightRatePct[t] !== market.overnightRatePct[t - 1],
    );
    expect(weekendChanges).toEqual([]);
  });

  it('spreads funds by about 0.2–0.3 points, with month-end and stronger quarter-end spikes and rare outliers', () => {
    // Persistent spreads.
    for (const fund of market.funds) expect(Math.abs(fund.spreadPct)).toBeLessThanOrEqual(0.3);
    const fundMeans = market.funds.map((fund) => mean(fund.perTenK.slice(365).map(yieldPctOf)));
    const overall = mean(fundMeans);
    const dispersion = Math.sqrt(mean(fundMeans.map((m) => (m - overall) ** 2)));
    expect(dispersion).toBeGreaterThan(0.1);
    expect(dispersion).toBeLessThan(0.35);

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

    // Outliers: days on which a fund sits a point or more above the cross-fund median, rare but present.
    let outlierDays = 0;
    let fundDays = 0;
    for (let t = 0; t < market.dates.length; t += 1) {
      const values = market.funds.map((f) => yieldPctOf(f.perTenK[t]!)).sort((a, b) => a - b);
      const median = (values[9]! + values[10]!) / 2;
      for (const value of values) {
        fundDays += 1;
        if (value > median + 0.8) outlierDays += 1;
      }
    }
    expect(outlierDays / fundDays).toBeGreaterThan(0.002);
    expect(outlierDays / fundDays).toBeLessThan(0.03);
    // The proxy fund has neither outliers nor loss days.
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
  });

  it('simulates a single day', () => {
    const one = simulateMarket({ seed: 1, startDate: '2020-02-29', endDate: '2020-02-29', funds: 1 });
    expect(one.dates).toEqual(['2020-02-29']);
    expect(one.funds[0]!.perTenK).toHaveLength(1);
  });
});
