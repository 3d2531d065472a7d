/**
 * How a simulated market compares with the reference figures of DESIGN.md: the mean annualised 7-day yield of
 * fund 0 (the Yu'E Bao proxy) over each reference period, and the share of 2015–2024 business days on which
 * the overnight rate sat in 1.3–2.8 %.
 */
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
