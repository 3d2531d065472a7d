/**
 * A seeded money-fund market: an interbank-rate regime calibrated to the 2014–2025 reference figures in
 * DESIGN.md, and N money funds whose daily income per 10,000 shares follows it. The data is SIMULATED, not
 * real; docs/simulator.md states the generating process, the parameters and the calibration.
 *
 * Each fund's spread to the regime is a mean-reverting process that rotates the funds' ranking over months
 * and scales partly with the yield level (fund-spread.ts); fund 0 sits at a chosen quantile of the funds
 * (`fundZeroQuantile`, default the median).
 *
 * Determinism: every random draw comes from a named child stream of the seed (`regime`, `overnight`,
 * `fund:<i>/params|spread|noise|events|jumps`), and only deterministic arithmetic is used, so the same options
 * give the same numbers on every machine; adding funds does not change the existing funds' own draws, and
 * extending the end date does not change the days already simulated.
 */
import {
  DEFAULT_FUND_ZERO_QUANTILE,
  DEFAULT_SPREAD_PARAMETERS,
  FUND_ZERO_QUANTILE_RANGE,
  fundSpreadPath,
  type SpreadParameters,
} from './fund-spread';
import { type CalendarDay, calendarDays, isoDayNumber } from './sim-calendar';
import { type Seed, SeededRandom } from './seeded-random';

// Module-level aliases: a global `Math.x` lookup in a hot loop is slow in some hosts (jest's vm context).
const { max, round, sqrt } = Math;
const isNaNNumber = Number.isNaN;

export interface MarketOptions {
  /** A non-negative safe integer or a string. */
  readonly seed: Seed;
  /** First simulated day, ISO date. */
  readonly startDate: string;
  /** Last simulated day (inclusive), ISO date. */
  readonly endDate: string;
  /** Number of funds (1–1,000). Fund 0 is the Yu'E Bao proxy. */
  readonly funds: number;
  /**
   * Fund 0's place among the funds' spreads, from 0.05 to 0.95: 0.5 (the default) puts the Yu'E Bao proxy at
   * the median fund, 0.25 at the lower quartile. Fund 0's own yields do not depend on it; the other funds are
   * centred around it.
   */
  readonly fundZeroQuantile?: number;
  /** The spread process of funds i ≥ 1; each part not given keeps its default (DEFAULT_SPREAD_PARAMETERS). */
  readonly spread?: Partial<SpreadParameters>;
}

export interface SimulatedFund {
  /** Matches the fund registry's code format (/^[A-Z0-9]{2,12}$/). */
  readonly code: string;
  readonly name: string;
  /** The fund's mean spread to the regime over the simulated days, percentage points of annual yield (fund 0: 0). */
  readonly spreadPct: number;
  /** The fund's spread to the regime on each day, percentage points (mean-reverting, fund-spread.ts). */
  readonly spreadPctByDay: number[];
  /** Daily income per 10,000 shares in CNY, exactly 4 decimals (perTenKMicros / 10,000). */
  readonly perTenK: number[];
  /** The same in integer units of 0.0001 CNY, as `PerTenKMicros` in src/domain/income-rate.ts (as bigint there). */
  readonly perTenKMicros: number[];
}

export interface MarketSimulation {
  readonly seed: Seed;
  /** Every calendar day from startDate to endDate. */
  readonly dates: string[];
  /**
   * The overnight interbank rate, % a year, 3 decimals, one value per calendar day; weekends and other
   * non-business days repeat the last business day's fixing (what a data feed shows on those days).
   */
  readonly overnightRatePct: number[];
  /** The calibration anchor (the reference path of the Yu'E-Bao-like fund's yield), % a year. */
  readonly anchorYieldPct: number[];
  /** The regime: anchor plus its mean-reverting deviation, % a year. */
  readonly regimeYieldPct: number[];
  /** The options the market was simulated with, defaults filled in. */
  readonly fundZeroQuantile: number;
  readonly spread: SpreadParameters;
  readonly funds: SimulatedFund[];
}

export class SimulatorInputError extends Error {
  readonly kind = 'bad-input';
  constructor(
    readonly code: 'BAD_DATE' | 'DATE_ORDER' | 'RANGE_TOO_LONG' | 'BAD_COUNT' | 'BAD_SEED' | 'BAD_SPREAD',
    message: string,
  ) {
    super(message);
    this.name = 'SimulatorInputError';
  }
}

/**
 * Knots of the anchor path, % a year: the Yu'E-Bao-like fund's annualised 7-day yield that the regime is
 * centred on, set so the simulated fund 0 matches the DESIGN.md reference figures (see market-calibration.ts).
 */
export const ANCHOR_KNOTS: readonly (readonly [date: string, yieldPct: number])[] = [
  ['2013-06-15', 4.0],
  ['2014-01-10', 6.76], // reference: 6.76 % in Jan 2014
  ['2014-06-15', 4.4],
  ['2014-12-31', 4.6],
  ['2015-04-01', 4.3],
  ['2015-07-15', 3.4],
  ['2015-11-15', 2.7], // reference: under 3 % by late 2015
  ['2016-06-15', 2.35],
  ['2016-12-31', 2.75],
  ['2017-03-15', 3.95],
  ['2017-06-15', 4.1], // reference: about 4 % in 2017
  ['2017-12-31', 4.1],
  ['2018-04-15', 3.9],
  ['2018-07-15', 3.3],
  ['2018-10-15', 2.62], // reference: 2.73 % in Oct 2018 (knot set lower: funds lag the regime)
  ['2019-06-15', 2.4],
  ['2019-12-31', 2.35],
  ['2020-04-15', 1.97], // reference: 1.97 % in Apr 2020
  ['2020-07-15', 1.6],
  ['2020-12-31', 1.9],
  ['2021-06-15', 2.0],
  ['2021-12-31', 1.75],
  ['2022-03-31', 1.35], // reference: about 1.3 % in 2022–2024
  ['2022-09-30', 1.25],
  ['2023-06-15', 1.3],
  ['2024-06-15', 1.3],
  ['2024-12-31', 1.2],
  ['2025-06-15', 1.1],
  ['2025-12-15', 1.0], // reference: about 1.0 % in Dec 2025
];

/** Every parameter of the generating process (docs/simulator.md explains each). Yields in % a year. */
export const MARKET_PARAMETERS = {
  regime: { phi: 0.985, stationarySd: 0.08, floorPct: 0.2 },
  overnight: { intercept: 1.15, slope: 0.4, phi: 0.75, stationarySd: 0.18, floorPct: 0.5, monthEndBump: 0.15 },
  /** Weight of the month-end liquidity spike by days to the month's end (index 0 = last day); then day 1 of the next month. */
  monthEndProfile: [1.0, 0.75, 0.45, 0.2] as readonly number[],
  firstDayOfMonthWeight: 0.35,
  quarterEndMultiplier: 2.5,
  yearEndMultiplier: 3.5,
  /** Market-wide intensity of each month-end: exp(N(0, sd²)). */
  monthEndIntensitySd: 0.3,
  fund: {
    trackingSpeed: [0.05, 0.2] as const,
    noisePhi: [0.85, 0.97] as const,
    noiseStationarySd: [0.04, 0.1] as const,
    dailyNoiseSd: [0.02, 0.06] as const,
    monthEndBumpPct: [0.06, 0.2] as const,
    outlierStartProbability: 1 / 600,
    outlierDays: [3, 15] as const,
    outlierHeightPct: [0.7, 1.3] as const,
    lossDayProbability: 1 / 20_000,
    lossDayPerTenK: [0.01, 0.3] as const,
    /** One-day jumps of any fund's yield (fund 0 too): mostly up (a gain realised), sometimes down. */
    jump: { probability: 1 / 250, upShare: 0.75, upPct: [0.5, 2.0] as const, downPct: [0.3, 1.0] as const },
    floorPct: 0.05,
  },
  /**
   * Fund 0, the Yu'E Bao proxy: no spread, no outlier episodes, no loss days (it has jumps), mid-range dynamics,
   * its month-end bump at the other funds' mean so that month-ends do not move its rank among them.
   */
  proxy: { trackingSpeed: 0.15, noisePhi: 0.93, noiseStationarySd: 0.05, dailyNoiseSd: 0.03, monthEndBumpPct: 0.13 },
} as const;

const MAX_DAYS = 40_000;
const MAX_FUNDS = 1_000;

/** Annual yield in % → income per 10,000 shares for one day, CNY. */
export const perTenKOfYieldPct = (yieldPct: number): number => (yieldPct / 100 / 365) * 10_000;

/**
 * The 7-day annualised yield in % on day t (DESIGN.md: (Σ last 7 daily perTenK / 10,000) × 365 / 7), or NaN
 * when fewer than 7 days are available.
 */
export function sevenDayYieldPct(perTenK: readonly number[], t: number): number {
  if (t < 6 || t >= perTenK.length) return NaN;
  let sum = 0;
  for (let k = 0; k < 7; k += 1) sum += perTenK[t - k]!;
  return ((sum / 10_000) * 365 * 100) / 7;
}

export function simulateMarket(options: MarketOptions): MarketSimulation {
  const { startDay, endDay } = checkRange(options.startDate, options.endDate);
  if (!Number.isInteger(options.funds) || options.funds < 1 || options.funds > MAX_FUNDS) {
    throw new SimulatorInputError('BAD_COUNT', `funds must be an integer from 1 to ${MAX_FUNDS}, got ${String(options.funds)}`);
  }
  const { fundZeroQuantile, spread } = checkSpread(options);
  const root = rootStream(options.seed);
  const days = calendarDays(startDay, endDay);
  const anchor = anchorPath(days);
  const monthEnd = monthEndWeights(days, root.child('month-end'));
  const regime = regimePath(anchor, root.child('regime'));
  const overnight = overnightPath(days, regime, monthEnd, root.child('overnight'));
  const context: FundContext = { regime, monthEnd, spread, fundZeroQuantile };
  const funds: SimulatedFund[] = [];
  for (let i = 0; i < options.funds; i += 1) funds.push(simulateFund(i, context, root.child(`fund:${i}`)));
  return {
    seed: options.seed,
    dates: days.map((d) => d.date),
    overnightRatePct: overnight,
    anchorYieldPct: anchor,
    regimeYieldPct: regime,
    fundZeroQuantile,
    spread,
    funds,
  };
}

/** The spread options with their defaults, each checked against its range. */
function checkSpread(options: MarketOptions): { fundZeroQuantile: number; spread: SpreadParameters } {
  const fundZeroQuantile = options.fundZeroQuantile ?? DEFAULT_FUND_ZERO_QUANTILE;
  const spread: SpreadParameters = { ...DEFAULT_SPREAD_PARAMETERS, ...options.spread };
  const [low, high] = FUND_ZERO_QUANTILE_RANGE;
  const within = (value: number, from: number, to: number) => typeof value === 'number' && value >= from && value <= to;
  if (!within(fundZeroQuantile, low, high)) {
    throw new SimulatorInputError('BAD_SPREAD', `fundZeroQuantile must be from ${low} to ${high}, got ${String(fundZeroQuantile)}`);
  }
  if (!within(spread.halfLifeDays, 1, MAX_DAYS)) throw new SimulatorInputError('BAD_SPREAD', `spread.halfLifeDays must be from 1 to ${MAX_DAYS}, got ${String(spread.halfLifeDays)}`);
  if (!within(spread.fixedSdPct, 0, 2)) throw new SimulatorInputError('BAD_SPREAD', `spread.fixedSdPct must be from 0 to 2, got ${String(spread.fixedSdPct)}`);
  if (!within(spread.levelSdShare, 0, 1)) throw new SimulatorInputError('BAD_SPREAD', `spread.levelSdShare must be from 0 to 1, got ${String(spread.levelSdShare)}`);
  return { fundZeroQuantile, spread };
}

export function checkRange(startDate: string, endDate: string): { startDay: number; endDay: number } {
  const startDay = isoDayNumber(startDate);
  const endDay = isoDayNumber(endDate);
  if (startDay === undefined) throw new SimulatorInputError('BAD_DATE', `startDate must be an ISO date such as "2014-01-01", got ${String(startDate)}`);
  if (endDay === undefined) throw new SimulatorInputError('BAD_DATE', `endDate must be an ISO date such as "2025-12-31", got ${String(endDate)}`);
  if (endDay < startDay) throw new SimulatorInputError('DATE_ORDER', `endDate ${endDate} is before startDate ${startDate}`);
  if (endDay - startDay + 1 > MAX_DAYS) throw new SimulatorInputError('RANGE_TOO_LONG', `at most ${MAX_DAYS} days can be simulated`);
  return { startDay, endDay };
}

export function rootStream(seed: Seed): SeededRandom {
  try {
    return SeededRandom.fromSeed(seed);
  } catch (error) {
    throw new SimulatorInputError('BAD_SEED', (error as Error).message);
  }
}

// ---------------------------------------------------------------------------------------------------------

/** Monotone cubic (Fritsch–Carlson) interpolation through the anchor knots, flat outside them. */
function anchorPath(days: readonly CalendarDay[]): number[] {
  const xs = ANCHOR_KNOTS.map(([date]) => isoDayNumber(date)!);
  const ys = ANCHOR_KNOTS.map(([, y]) => y);
  const n = xs.length;
  const secants: number[] = [];
  for (let k = 0; k < n - 1; k += 1) secants.push((ys[k + 1]! - ys[k]!) / (xs[k + 1]! - xs[k]!));
  const tangents: number[] = [secants[0]!];
  for (let k = 1; k < n - 1; k += 1) {
    const a = secants[k - 1]!;
    const b = secants[k]!;
    if (a * b <= 0) tangents.push(0);
    else {
      // Weighted harmonic mean (Fritsch–Butland), which keeps each piece monotone.
      const h0 = xs[k]! - xs[k - 1]!;
      const h1 = xs[k + 1]! - xs[k]!;
      const w1 = 2 * h1 + h0;
      const w2 = h1 + 2 * h0;
      tangents.push((w1 + w2) / (w1 / a + w2 / b));
    }
  }
  tangents.push(secants[n - 2]!);
  return days.map(({ dayNumber: x }) => {
    if (x <= xs[0]!) return ys[0]!;
    if (x >= xs[n - 1]!) return ys[n - 1]!;
    let k = 0;
    while (x > xs[k + 1]!) k += 1;
    const h = xs[k + 1]! - xs[k]!;
    const s = (x - xs[k]!) / h;
    const s2 = s * s;
    const s3 = s2 * s;
    return (2 * s3 - 3 * s2 + 1) * ys[k]! + (s3 - 2 * s2 + s) * h * tangents[k]! + (-2 * s3 + 3 * s2) * ys[k + 1]! + (s3 - s2) * h * tangents[k + 1]!;
  });
}

/**
 * The month-end liquidity weight of each day: the profile by days to the month's end (and the first day of
 * the next month), times 2.5 at quarter ends and 3.5 at the year end, times a market-wide random intensity
 * drawn once per month-end.
 */
function monthEndWeights(days: readonly CalendarDay[], random: SeededRandom): number[] {
  const p = MARKET_PARAMETERS;
  const weights: number[] = [];
  let intensity = 1;
  let intensityMonth = '';
  for (const day of days) {
    const windowDays = p.monthEndProfile.length;
    let weight = 0;
    let monthKey = '';
    let multiplier = 1;
    if (day.daysToMonthEnd < windowDays) {
      weight = p.monthEndProfile[day.daysToMonthEnd]!;
      monthKey = `${day.year}-${day.month}`;
      multiplier = day.month === 12 ? p.yearEndMultiplier : day.quarterEndMonth ? p.quarterEndMultiplier : 1;
    } else if (day.day === 1) {
      weight = p.firstDayOfMonthWeight;
      const previousMonth = day.month === 1 ? 12 : day.month - 1;
      monthKey = `${day.month === 1 ? day.year - 1 : day.year}-${previousMonth}`;
      multiplier = previousMonth === 12 ? p.yearEndMultiplier : previousMonth % 3 === 0 ? p.quarterEndMultiplier : 1;
    }
    if (weight > 0 && monthKey !== intensityMonth) {
      // The first day of a month-end window seen draws its intensity (deterministic in the window's month).
      intensity = random.child(monthKey).lognormal(0, p.monthEndIntensitySd);
      intensityMonth = monthKey;
    }
    weights.push(weight * multiplier * (weight > 0 ? intensity : 0));
  }
  return weights;
}

/** Regime = anchor + AR(1) deviation with persistence phi and the given stationary sd, floored. */
function regimePath(anchor: readonly number[], random: SeededRandom): number[] {
  const { phi, stationarySd, floorPct } = MARKET_PARAMETERS.regime;
  const innovationSd = stationarySd * sqrt(1 - phi * phi);
  let deviation = random.gaussian(0, stationarySd);
  return anchor.map((a, t) => {
    if (t > 0) deviation = phi * deviation + random.gaussian(0, innovationSd);
    return max(floorPct, a + deviation);
  });
}

/** Overnight = intercept + slope × regime + AR(1) noise + month-end bumps on business days; carried over weekends. */
function overnightPath(days: readonly CalendarDay[], regime: readonly number[], monthEnd: readonly number[], random: SeededRandom): number[] {
  const { intercept, slope, phi, stationarySd, floorPct, monthEndBump } = MARKET_PARAMETERS.overnight;
  const innovationSd = stationarySd * sqrt(1 - phi * phi);
  let noise = random.gaussian(0, stationarySd);
  let last = NaN;
  const out: number[] = [];
  for (let t = 0; t < days.length; t += 1) {
    if (days[t]!.businessDay || isNaNNumber(last)) {
      if (t > 0) noise = phi * noise + random.gaussian(0, innovationSd);
      const rate = max(floorPct, intercept + slope * regime[t]! + noise + monthEndBump * monthEnd[t]!);
      last = round(rate * 1000) / 1000;
    }
    out.push(last);
  }
  return out;
}

/** A fund's own dynamics: drawn once from its `params` stream (fund i ≥ 1) or fixed (fund 0). */
interface FundDynamics {
  readonly trackingSpeed: number;
  readonly noisePhi: number;
  readonly noiseSd: number;
  readonly dailySd: number;
  readonly monthEndBumpPct: number;
}

function fundDynamics(proxy: boolean, params: SeededRandom): FundDynamics {
  if (proxy) {
    const q = MARKET_PARAMETERS.proxy;
    return { trackingSpeed: q.trackingSpeed, noisePhi: q.noisePhi, noiseSd: q.noiseStationarySd, dailySd: q.dailyNoiseSd, monthEndBumpPct: q.monthEndBumpPct };
  }
  const p = MARKET_PARAMETERS.fund;
  return {
    trackingSpeed: params.uniformIn(...p.trackingSpeed),
    noisePhi: params.uniformIn(...p.noisePhi),
    noiseSd: params.uniformIn(...p.noiseStationarySd),
    dailySd: params.uniformIn(...p.dailyNoiseSd),
    monthEndBumpPct: params.uniformIn(...p.monthEndBumpPct),
  };
}

/**
 * The variance of a fund's persistent noise relative to fund 0's, % points²: the mean of sd² over its uniform
 * range, plus fund 0's sd². The spread's centring widens by it (fund-spread.ts).
 */
function otherFundNoiseVariancePct2(): number {
  const [a, b] = MARKET_PARAMETERS.fund.noiseStationarySd;
  const proxySd = MARKET_PARAMETERS.proxy.noiseStationarySd;
  return (a * a + a * b + b * b) / 3 + proxySd * proxySd;
}

/**
 * Rare events of fund i ≥ 1, from its `events` stream: outlier episodes (+h points for d days) and loss days
 * (perTenK < 0, NaN on other days). The draws happen every day for every fund so the stream layout is uniform.
 */
function episodesAndLossDays(proxy: boolean, days: number, events: SeededRandom): { outlierPct: number[]; lossPerTenK: number[] } {
  const p = MARKET_PARAMETERS.fund;
  const outlierPct: number[] = [];
  const lossPerTenK: number[] = [];
  let daysLeft = 0;
  let height = 0;
  for (let t = 0; t < days; t += 1) {
    const starts = events.uniform() < p.outlierStartProbability;
    const length = events.integer(p.outlierDays[0], p.outlierDays[1]);
    const size = events.uniformIn(...p.outlierHeightPct);
    const lossDay = events.uniform() < p.lossDayProbability;
    const lossSize = events.uniformIn(...p.lossDayPerTenK);
    if (!proxy && daysLeft === 0 && starts) {
      daysLeft = length;
      height = size;
    }
    outlierPct.push(daysLeft > 0 ? height : 0);
    if (daysLeft > 0) daysLeft -= 1;
    lossPerTenK.push(!proxy && lossDay ? -lossSize : NaN);
  }
  return { outlierPct, lossPerTenK };
}

/** One-day jumps of a fund's yield, % points, from its `jumps` stream (every fund, fund 0 too). */
function jumpPath(days: number, jumps: SeededRandom): number[] {
  const { probability, upShare, upPct, downPct } = MARKET_PARAMETERS.fund.jump;
  const out: number[] = [];
  for (let t = 0; t < days; t += 1) {
    const happens = jumps.uniform() < probability;
    const up = jumps.uniform() < upShare;
    const size = jumps.uniform();
    if (!happens) out.push(0);
    else out.push(up ? upPct[0] + size * (upPct[1] - upPct[0]) : -(downPct[0] + size * (downPct[1] - downPct[0])));
  }
  return out;
}

interface FundContext {
  readonly regime: readonly number[];
  readonly monthEnd: readonly number[];
  readonly spread: SpreadParameters;
  readonly fundZeroQuantile: number;
}

function simulateFund(index: number, market: FundContext, random: SeededRandom): SimulatedFund {
  const { regime, monthEnd } = market;
  const proxy = index === 0;
  const d = fundDynamics(proxy, random.child('params'));
  const spread = proxy
    ? regime.map(() => 0)
    : fundSpreadPath(regime, market.spread, { fundZeroQuantile: market.fundZeroQuantile, otherVariancePct2: otherFundNoiseVariancePct2() }, random.child('spread'));
  const { outlierPct, lossPerTenK } = episodesAndLossDays(proxy, regime.length, random.child('events'));
  const jumpPct = jumpPath(regime.length, random.child('jumps'));
  const noise = random.child('noise');
  const innovationSd = d.noiseSd * sqrt(1 - d.noisePhi * d.noisePhi);

  let tracked = regime[0]!;
  let persistent = noise.gaussian(0, d.noiseSd);
  const perTenKMicros: number[] = [];
  for (let t = 0; t < regime.length; t += 1) {
    if (t > 0) {
      tracked += d.trackingSpeed * (regime[t]! - tracked);
      persistent = d.noisePhi * persistent + noise.gaussian(0, innovationSd);
    }
    const daily = noise.gaussian(0, d.dailySd);
    const yieldPct = tracked + spread[t]! + persistent + daily + d.monthEndBumpPct * monthEnd[t]! + outlierPct[t]! + jumpPct[t]!;
    const loss = lossPerTenK[t]!;
    const perTenK = isNaNNumber(loss) ? perTenKOfYieldPct(max(MARKET_PARAMETERS.fund.floorPct, yieldPct)) : loss;
    perTenKMicros.push(round(perTenK * 10_000));
  }
  return {
    code: `SIM${String(index + 1).padStart(3, '0')}`,
    name: proxy ? "Simulated Yu'E Bao proxy" : `Simulated money fund ${index + 1}`,
    spreadPct: spread.reduce((sum, s) => sum + s, 0) / spread.length,
    spreadPctByDay: spread,
    perTenKMicros,
    perTenK: perTenKMicros.map((micros) => micros / 10_000),
  };
}
