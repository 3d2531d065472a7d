import {
  CALIBRATED_SEED,
  CALIBRATION_TOLERANCES,
  calibrationReport,
  crossFundSpreadByYear,
  overnightShareWithin,
  yearlySevenDayYieldPct,
} from '../../../src/ml/market/market-calibration';
import { ANCHOR_KNOTS, type MarketSimulation, simulateMarket } from '../../../src/ml/market/market-simulator';
import { DEFAULT_SPREAD_PARAMETERS } from '../../../src/ml/market/fund-spread';
import { calendarDay, isoDayNumber } from '../../../src/ml/market/sim-calendar';

/** The default market of docs/simulator.md, at fund 0's two documented places: the median and the lower quartile. */
const DEFAULT = { seed: CALIBRATED_SEED, startDate: '2014-01-01', endDate: '2025-12-31', funds: 20 } as const;
let median: MarketSimulation;
let lowerQuartile: MarketSimulation;

beforeAll(() => {
  median = simulateMarket(DEFAULT);
  lowerQuartile = simulateMarket({ ...DEFAULT, fundZeroQuantile: 0.25 });
});

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('the level path: fund 0 against the DESIGN.md reference figures', () => {
  it('holds every reference point within 0.3 points (under 3 % in late 2015) for the calibrated seed, at either quantile', () => {
    for (const market of [median, lowerQuartile]) {
      const report = calibrationReport(market);
      expect(report.levelPathTolerancePts).toBe(CALIBRATION_TOLERANCES.levelPathPts);
      expect(report.levelPath).toHaveLength(9);
      for (const row of report.levelPath) {
        expect(row.days).toBeGreaterThan(0);
        if (row.relation === 'below') expect(row.simulatedPct).toBeLessThan(row.referencePct);
        else expect(Math.abs(row.simulatedPct - row.referencePct)).toBeLessThanOrEqual(0.3);
        expect(row.withinTolerance).toBe(true);
      }
    }
  });

  it('stays within 0.45 points for other seeds', () => {
    for (const seed of [1, 2, 'another']) {
      const report = calibrationReport(simulateMarket({ ...DEFAULT, seed, funds: 1 }));
      expect(report.levelPathTolerancePts).toBe(CALIBRATION_TOLERANCES.levelPathOtherSeedsPts);
      for (const row of report.levelPath) expect(row.withinTolerance).toBe(true);
    }
  });

  it('says null, not false, for a reference period that the market does not cover', () => {
    const report = calibrationReport(simulateMarket({ ...DEFAULT, startDate: '2024-01-01', endDate: '2024-12-31' }));
    expect(report.levelPath.filter((row) => row.withinTolerance !== null).map((row) => row.period)).toEqual(['2024']);
  });

  it('follows the anchor path, which passes through the reference knots', () => {
    const anchorOn = (date: string) => median.anchorYieldPct[median.dates.indexOf(date)]!;
    expect(anchorOn('2014-01-10')).toBeCloseTo(6.76, 10);
    expect(anchorOn('2020-04-15')).toBeCloseTo(1.97, 10);
    expect(anchorOn('2025-12-20')).toBeCloseTo(1.0, 10);
    expect(ANCHOR_KNOTS.length).toBeGreaterThan(10);
    const years = yearlySevenDayYieldPct(median);
    expect(years.map((y) => y.year)).toEqual([2014, 2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025]);
    expect(years[0]!.meanPct).toBeGreaterThan(years[11]!.meanPct + 3);
  });

  it('keeps the overnight rate mostly within 1.3–2.8 % in 2015–2024 and carries Friday’s fixing over weekends', () => {
    expect(overnightShareWithin(median)).toBeGreaterThan(0.85);
    const weekendChanges = median.dates.filter(
      (date, t) => t > 0 && !calendarDay(isoDayNumber(date)!).businessDay && median.overnightRatePct[t] !== median.overnightRatePct[t - 1],
    );
    expect(weekendChanges).toEqual([]);
  });
});

describe('the daily cross-fund spread by year', () => {
  const [iqrLow, iqrHigh] = CALIBRATION_TOLERANCES.spreadIqrPct;
  const [shareLow, shareHigh] = CALIBRATION_TOLERANCES.spreadIqrShareOfLevel;

  it(`keeps every year's interquartile range within ${iqrLow}–${iqrHigh} points and ${shareLow * 100}–${shareHigh * 100} % of the level`, () => {
    for (const market of [median, lowerQuartile, simulateMarket({ ...DEFAULT, seed: 1 }), simulateMarket({ ...DEFAULT, seed: 2 })]) {
      const rows = calibrationReport(market).crossFundSpreadByYear;
      expect(rows.map((row) => row.year)).toEqual([2014, 2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025]);
      for (const row of rows) {
        expect(row.iqrPct).toBeGreaterThanOrEqual(iqrLow);
        expect(row.iqrPct).toBeLessThanOrEqual(iqrHigh);
        expect(row.iqrShareOfLevel).toBeGreaterThanOrEqual(shareLow);
        expect(row.iqrShareOfLevel).toBeLessThanOrEqual(shareHigh);
        expect(row.spreadWithinBand).toBe(true);
      }
      // DESIGN.md's "about 0.2–0.3 points": the typical year's spread.
      const iqrs = rows.map((row) => row.iqrPct).sort((a, b) => a - b);
      expect((iqrs[5]! + iqrs[6]!) / 2).toBeGreaterThan(0.18);
      expect((iqrs[5]! + iqrs[6]!) / 2).toBeLessThan(0.32);
    }
  });

  it('rejects a spread fixed in points, which grows to a quarter of the level in the low-rate years', () => {
    const fixed = simulateMarket({ ...DEFAULT, spread: { halfLifeDays: 40_000, fixedSdPct: 0.17, levelSdShare: 0 } });
    const rows = calibrationReport(fixed).crossFundSpreadByYear;
    expect(rows.at(-1)!.iqrShareOfLevel).toBeGreaterThan(shareHigh);
    expect(rows.at(-1)!.spreadWithinBand).toBe(false);
    expect(rows[0]!.iqrShareOfLevel).toBeLessThan(rows.at(-1)!.iqrShareOfLevel / 2.5);
  });

  it(`puts fund 0 at fundZeroQuantile: each year within ${CALIBRATION_TOLERANCES.fundZeroQuantilePts}, all years within 0.06`, () => {
    for (const [market, q] of [
      [median, 0.5],
      [lowerQuartile, 0.25],
    ] as const) {
      const rows = calibrationReport(market).crossFundSpreadByYear;
      for (const row of rows) expect(row.fundZeroRankWithinTolerance).toBe(true);
      expect(Math.abs(mean(rows.map((row) => row.fundZeroRankQuantile)) - q)).toBeLessThan(0.06);
    }
    // The lower quartile lifts the other funds, not fund 0: the level (the median fund) rises, fund 0 stays.
    const levels = (m: MarketSimulation) => mean(crossFundSpreadByYear(m).map((row) => row.medianPct));
    expect(levels(lowerQuartile)).toBeGreaterThan(levels(median) + 0.05);
    expect(yearlySevenDayYieldPct(lowerQuartile)).toEqual(yearlySevenDayYieldPct(median));
  });

  it('shows rare outliers: fund-days 0.8 points or more above the median fund, 0.2–3 % of them each year', () => {
    for (const row of crossFundSpreadByYear(median)) {
      expect(row.outlierFundDaysPct).toBeGreaterThan(0.2);
      expect(row.outlierFundDaysPct).toBeLessThan(3);
      expect(row.p90AboveMedianPct).toBeGreaterThan(0.1);
    }
  });

  it('computes the percentiles, the rank of fund 0 (ties half) and the outliers exactly on a known market', () => {
    const yieldsPct = [2, 1, 3, 4, 10, 2];
    const dates = Array.from({ length: 10 }, (_, t) => `2020-01-${String(t + 1).padStart(2, '0')}`);
    const market: MarketSimulation = {
      seed: 0,
      dates,
      overnightRatePct: dates.map(() => 2),
      anchorYieldPct: dates.map(() => 2),
      regimeYieldPct: dates.map(() => 2),
      fundZeroQuantile: 0.5,
      spread: DEFAULT_SPREAD_PARAMETERS,
      funds: yieldsPct.map((y, i) => {
        const perTenK = dates.map(() => (y / 100 / 365) * 10_000);
        return { code: `F${i}`, name: `F${i}`, spreadPct: 0, spreadPctByDay: dates.map(() => 0), perTenK, perTenKMicros: perTenK.map((p) => p * 10_000) };
      }),
    };
    const [row] = crossFundSpreadByYear(market);
    // Sorted 1, 2, 2, 3, 4, 10: quantile q sits at position q × 5 between order statistics.
    expect(row!.year).toBe(2020);
    expect(row!.days).toBe(4);
    expect(row!.p25Pct).toBeCloseTo(2, 9);
    expect(row!.medianPct).toBeCloseTo(2.5, 9);
    expect(row!.p75Pct).toBeCloseTo(3.75, 9);
    expect(row!.p90Pct).toBeCloseTo(7, 9);
    expect(row!.iqrPct).toBeCloseTo(1.75, 9);
    expect(row!.iqrShareOfLevel).toBeCloseTo(0.7, 9);
    expect(row!.p90AboveMedianPct).toBeCloseTo(4.5, 9);
    expect(row!.fundZeroRankQuantile).toBeCloseTo(1.5 / 5, 9);
    expect(row!.outlierFundDaysPct).toBeCloseTo((2 / 6) * 100, 9);
    expect(crossFundSpreadByYear({ ...market, funds: market.funds.slice(0, 1) })).toEqual([]);
  });
});
