/**
 * How a simulated market compares with the reference figures of DESIGN.md: the mean annualised 7-day yield of
 * fund 0 (the Yu'E Bao proxy) over each reference period (the level path), the daily cross-fund spread of the
 * funds' 7-day yields by year, and the share of 2015–2024 business days on which the overnight rate sat in
 * 1.3–2.8 %; with the stated tolerances of each (CALIBRATION_TOLERANCES) and whether the market meets them.
 */
import { quantileOfSorted } from '../quantile';
import { type MarketSimulation, sevenDayYieldPct } from './market-simulator';
import { calendarDay, isoDayNumber } from './sim-calendar';

export interface ReferencePoint {
  /** "2014-01" (a month) or "2017" (a year). */
  readonly period: string;
  /** The reference figure, % a year. */
  readonly referencePct: number;
  /** 'about': the simulated mean should be close; 'below': the simulated mean should be under the figure. */
  readonly relation: 'about' | 'below';
  readonly source: string;
}

export const REFERENCE_POINTS: readonly ReferencePoint[] = [
  { period: '2014-01', referencePct: 6.76, relation: 'about', source: '6.76 % in Jan 2014' },
  { period: '2015-11', referencePct: 3.0, relation: 'below', source: 'under 3 % by late 2015' },
  { period: '2017', referencePct: 4.0, relation: 'about', source: 'about 4 % in 2017' },
  { period: '2018-10', referencePct: 2.73, relation: 'about', source: '2.73 % in Oct 2018' },
  { period: '2020-04', referencePct: 1.97, relation: 'about', source: '1.97 % in Apr 2020' },
  { period: '2022', referencePct: 1.3, relation: 'about', source: 'about 1.3 % in 2022–2024' },
  { period: '2023', referencePct: 1.3, relation: 'about', source: 'about 1.3 % in 2022–2024' },
  { period: '2024', referencePct: 1.3, relation: 'about', source: 'about 1.3 % in 2022–2024' },
  { period: '2025-12', referencePct: 1.0, relation: 'about', source: 'about 1.0 % in Dec 2025' },
];

export interface CalibrationRow extends ReferencePoint {
  /** Mean 7-day yield of the fund over the period's days in the simulation, % (NaN when none are simulated). */
  readonly simulatedPct: number;
  readonly days: number;
}

/** The mean 7-day yield of a fund over the days whose date starts with `prefix` ("2017", "2018-10"). */
export function meanSevenDayYieldPct(market: MarketSimulation, prefix: string, fundIndex = 0): { meanPct: number; days: number } {
  const perTenK = market.funds[fundIndex]!.perTenK;
  let sum = 0;
  let days = 0;
  for (let t = 6; t < market.dates.length; t += 1) {
    if (!market.dates[t]!.startsWith(prefix)) continue;
    sum += sevenDayYieldPct(perTenK, t);
    days += 1;
  }
  return { meanPct: days === 0 ? NaN : sum / days, days };
}

export function calibrationTable(market: MarketSimulation, fundIndex = 0): CalibrationRow[] {
  return REFERENCE_POINTS.map((point) => {
    const { meanPct, days } = meanSevenDayYieldPct(market, point.period, fundIndex);
    return { ...point, simulatedPct: meanPct, days };
  });
}

/** Year → mean 7-day yield of a fund, % (years with at least one day that has a 7-day yield). */
export function yearlySevenDayYieldPct(market: MarketSimulation, fundIndex = 0): { year: number; meanPct: number }[] {
  const years = [...new Set(market.dates.map((d) => Number(d.slice(0, 4))))];
  return years
    .map((year) => ({ year, meanPct: meanSevenDayYieldPct(market, String(year), fundIndex).meanPct }))
    .filter((row) => !Number.isNaN(row.meanPct));
}

/** Share of business days from `from` to `to` (inclusive) with the overnight rate within [low, high] %. */
export function overnightShareWithin(market: MarketSimulation, low = 1.3, high = 2.8, from = '2015-01-01', to = '2024-12-31'): number {
  let inside = 0;
  let total = 0;
  for (let t = 0; t < market.dates.length; t += 1) {
    const date = market.dates[t]!;
    if (date < from || date > to || !calendarDay(isoDayNumber(date)!).businessDay) continue;
    total += 1;
    const rate = market.overnightRatePct[t]!;
    if (rate >= low && rate <= high) inside += 1;
  }
  return total === 0 ? NaN : inside / total;
}

/**
 * The stated tolerances of the calibration (docs/simulator.md, "Calibration", says why each):
 * - `levelPathPts`: fund 0's mean 7-day yield within this many points of each 'about' reference point (and
 *   under each 'below' one) for the default seed; `levelPathOtherSeedsPts` for any other seed, whose regime
 *   noise moves single months by a tenth or two;
 * - `spreadIqrPct` and `spreadIqrShareOfLevel`: each full year's mean daily cross-fund interquartile range of
 *   the 7-day yields, in points and as a share of that year's median fund;
 * - `fundZeroQuantilePts`: each full year's mean rank quantile of fund 0 within this of the market's
 *   fundZeroQuantile (the yearly rank moves with the rotating spreads of only 19 other funds).
 */
export const CALIBRATION_TOLERANCES = {
  levelPathPts: 0.3,
  levelPathOtherSeedsPts: 0.45,
  spreadIqrPct: [0.12, 0.5] as const,
  spreadIqrShareOfLevel: [0.05, 0.18] as const,
  fundZeroQuantilePts: 0.15,
} as const;

/** The seed the anchor knots were tuned on, which `levelPathPts` holds for (docs/simulator.md's default market). */
export const CALIBRATED_SEED = 20140101;

/** A fund-day this many points or more above that day's median fund counts as an outlier ("+1 point outliers"). */
export const OUTLIER_ABOVE_MEDIAN_PCT = 0.8;

/** The cross-fund distribution of the funds' 7-day yields, day by day, summarised over one year. */
export interface CrossFundSpreadRow {
  readonly year: number;
  /** Days of the year with a 7-day yield (from the simulation's 7th day on). */
  readonly days: number;
  /** Means over the year's days of that day's cross-fund 25th, 50th (the level) and 90th percentiles, %. */
  readonly p25Pct: number;
  readonly medianPct: number;
  readonly p75Pct: number;
  readonly p90Pct: number;
  /** The mean daily interquartile range across funds, points (= p75Pct − p25Pct). */
  readonly iqrPct: number;
  /** iqrPct / medianPct: the spread as a share of the yield level. */
  readonly iqrShareOfLevel: number;
  /** The mean daily distance from the median fund up to the 90th percentile, points. */
  readonly p90AboveMedianPct: number;
  /** Fund 0's mean daily rank quantile: the share of the other funds below it (ties count half). */
  readonly fundZeroRankQuantile: number;
  /** Share of fund-days at least OUTLIER_ABOVE_MEDIAN_PCT above the day's median fund, %. */
  readonly outlierFundDaysPct: number;
}

interface DailyCrossSection {
  readonly p25: number;
  readonly median: number;
  readonly p75: number;
  readonly p90: number;
  readonly fundZeroRank: number;
  readonly outliers: number;
}

function crossSectionOn(market: MarketSimulation, t: number): DailyCrossSection {
  const yields = market.funds.map((fund) => sevenDayYieldPct(fund.perTenK, t));
  const sorted = [...yields].sort((a, b) => a - b);
  const median = quantileOfSorted(sorted, 0.5);
  const zero = yields[0]!;
  const others = yields.slice(1);
  const below = others.filter((y) => y < zero).length + others.filter((y) => y === zero).length / 2;
  return {
    p25: quantileOfSorted(sorted, 0.25),
    median,
    p75: quantileOfSorted(sorted, 0.75),
    p90: quantileOfSorted(sorted, 0.9),
    fundZeroRank: below / others.length,
    outliers: yields.filter((y) => y >= median + OUTLIER_ABOVE_MEDIAN_PCT).length,
  };
}

/**
 * The daily cross-fund spread of the funds' 7-day yields, summarised per year (years with at least one day
 * that has a 7-day yield). It needs two funds or more; with one it is empty.
 */
export function crossFundSpreadByYear(market: MarketSimulation): CrossFundSpreadRow[] {
  if (market.funds.length < 2) return [];
  const byYear = new Map<number, DailyCrossSection[]>();
  for (let t = 6; t < market.dates.length; t += 1) {
    const year = Number(market.dates[t]!.slice(0, 4));
    const days = byYear.get(year) ?? [];
    days.push(crossSectionOn(market, t));
    byYear.set(year, days);
  }
  return [...byYear].map(([year, days]) => {
    const meanOf = (pick: (d: DailyCrossSection) => number) => days.reduce((sum, d) => sum + pick(d), 0) / days.length;
    const medianPct = meanOf((d) => d.median);
    const p25Pct = meanOf((d) => d.p25);
    const p75Pct = meanOf((d) => d.p75);
    const p90Pct = meanOf((d) => d.p90);
    return {
      year,
      days: days.length,
      p25Pct,
      medianPct,
      p75Pct,
      p90Pct,
      iqrPct: p75Pct - p25Pct,
      iqrShareOfLevel: (p75Pct - p25Pct) / medianPct,
      p90AboveMedianPct: p90Pct - medianPct,
      fundZeroRankQuantile: meanOf((d) => d.fundZeroRank),
      outlierFundDaysPct: (meanOf((d) => d.outliers) / market.funds.length) * 100,
    };
  });
}

export interface LevelPathCheck extends CalibrationRow {
  /** Within the tolerance for this seed ('about'), or under the reference ('below'); null when no day of the period is simulated. */
  readonly withinTolerance: boolean | null;
}

export interface CrossFundSpreadCheck extends CrossFundSpreadRow {
  /** iqrPct and iqrShareOfLevel both within their bands. */
  readonly spreadWithinBand: boolean;
  /** fundZeroRankQuantile within fundZeroQuantilePts of the market's fundZeroQuantile. */
  readonly fundZeroRankWithinTolerance: boolean;
}

export interface CalibrationReport {
  readonly fundZeroQuantile: number;
  /** The tolerance of the level path that applies to this market's seed, points. */
  readonly levelPathTolerancePts: number;
  readonly tolerances: typeof CALIBRATION_TOLERANCES;
  readonly levelPath: LevelPathCheck[];
  readonly crossFundSpreadByYear: CrossFundSpreadCheck[];
}

const within = (value: number, [low, high]: readonly [number, number]): boolean => value >= low && value <= high;

/** The level path and the cross-fund spread by year, each row checked against CALIBRATION_TOLERANCES. */
export function calibrationReport(market: MarketSimulation): CalibrationReport {
  const t = CALIBRATION_TOLERANCES;
  const levelPathTolerancePts = market.seed === CALIBRATED_SEED ? t.levelPathPts : t.levelPathOtherSeedsPts;
  const levelPath = calibrationTable(market).map((row) => ({
    ...row,
    withinTolerance:
      row.days === 0 ? null : row.relation === 'below' ? row.simulatedPct < row.referencePct : Math.abs(row.simulatedPct - row.referencePct) <= levelPathTolerancePts,
  }));
  const crossFundSpread = crossFundSpreadByYear(market).map((row) => ({
    ...row,
    spreadWithinBand: within(row.iqrPct, t.spreadIqrPct) && within(row.iqrShareOfLevel, t.spreadIqrShareOfLevel),
    fundZeroRankWithinTolerance: Math.abs(row.fundZeroRankQuantile - market.fundZeroQuantile) <= t.fundZeroQuantilePts,
  }));
  return { fundZeroQuantile: market.fundZeroQuantile, levelPathTolerancePts, tolerances: t, levelPath, crossFundSpreadByYear: crossFundSpread };
}
