/**
 * Seeded merchants: daily inflow (customers paying in) and withdrawal demand (money the merchant takes out,
 * which the T+0 redemption capacity must cover), both in whole fen. The data is SIMULATED, not real; the
 * generating process is in docs/simulator.md.
 *
 * Merchant j's inflow on day t (a multiplicative model, all factors deterministic given the seed):
 *   inflow = scale · exp(trend·years) · season(month) · weekday(dow) · payday(t) · monthEnd(t)
 *            · exp(persistent_t + shock_t + noise_t − σ²/2)
 * and its withdrawals are a sweep of recent inflow on business days, plus payroll on its payday and supplier
 * settlement on the month's last business day, with lognormal noise and some days with no withdrawal.
 */
import { checkRange, rootStream, SimulatorInputError } from './market-simulator';
import { detExp, detLog, type Seed, type SeededRandom } from './seeded-random';
import { type CalendarDay, calendarDays } from './sim-calendar';

// Module-level aliases: a global `Math.x` lookup in a hot loop is slow in some hosts (jest's vm context).
const { max, min, round, sqrt } = Math;
const isNaNNumber = Number.isNaN;

export interface MerchantOptions {
  readonly seed: Seed;
  readonly startDate: string;
  readonly endDate: string;
  /** Number of merchants (1–10,000). */
  readonly merchants: number;
}

export type MerchantArchetype = 'retail' | 'restaurant' | 'b2b' | 'online';

export interface SimulatedMerchant {
  /** "M0001", … */
  readonly id: string;
  readonly archetype: MerchantArchetype;
  /** Median daily inflow before weekday, seasonal and trend factors, fen. */
  readonly scaleFen: number;
  /** Day of the month on which this merchant pays wages. */
  readonly payrollDay: number;
  /** Daily inflow, non-negative whole fen, one per calendar day. */
  readonly inflowFen: number[];
  /** Daily withdrawal demand, non-negative whole fen, one per calendar day. */
  readonly withdrawalFen: number[];
}

export interface MerchantSimulation {
  readonly seed: Seed;
  readonly dates: string[];
  readonly merchants: SimulatedMerchant[];
}

const ARCHETYPES: readonly MerchantArchetype[] = ['retail', 'restaurant', 'b2b', 'online'];

/** Every parameter of the generating process; docs/simulator.md explains each. */
export const MERCHANT_PARAMETERS = {
  archetypeWeights: [0.35, 0.25, 0.2, 0.2] as readonly number[],
  /** Median daily inflow: lognormal, median 8,000 CNY (800,000 fen), log-sd 1.0. */
  scale: { medianFen: 800_000, logSd: 1.0 },
  /** Relative level by weekday, Sunday first; each merchant jitters these by exp(N(0, 0.08²)). */
  weekday: {
    retail: [1.3, 0.85, 0.85, 0.9, 0.95, 1.1, 1.4],
    restaurant: [1.2, 0.7, 0.8, 0.85, 0.95, 1.3, 1.45],
    b2b: [0.15, 1.2, 1.25, 1.25, 1.2, 1.15, 0.2],
    online: [1.05, 1.0, 0.95, 0.95, 1.0, 1.0, 1.05],
  } as Record<MerchantArchetype, readonly number[]>,
  weekdayJitterSd: 0.08,
  /** Relative level by month, January first (Spring Festival, "618", "Double 11", year-end). */
  season: {
    retail: [1.1, 0.85, 0.95, 1.0, 1.0, 1.0, 0.95, 0.95, 1.0, 1.05, 1.05, 1.15],
    restaurant: [1.05, 1.15, 0.95, 1.0, 1.0, 1.0, 1.0, 1.0, 0.95, 1.05, 0.95, 1.05],
    b2b: [1.0, 0.7, 1.05, 1.05, 1.05, 1.05, 1.0, 1.0, 1.05, 0.95, 1.05, 1.1],
    online: [0.95, 0.8, 0.95, 0.95, 1.0, 1.2, 0.95, 0.95, 0.95, 1.0, 1.5, 1.1],
  } as Record<MerchantArchetype, readonly number[]>,
  /** Yearly log growth ~ N(mean, sd²). */
  trend: { mean: 0.06, sd: 0.12 },
  /** Customers' paydays; consumer-facing merchants see inflow lifted on the day and the two after. */
  paydays: [10, 25] as readonly number[],
  paydayProfile: [1, 0.6, 0.3] as readonly number[],
  paydayLift: [0.1, 0.35] as const,
  /** Business customers settle invoices in the month's last two days: inflow × U(1.5, 2.5) for b2b. */
  b2bMonthEndLift: [1.5, 2.5] as const,
  /** Persistent log-level AR(1). */
  persistent: { phi: 0.97, stationarySd: 0.1 },
  /** Daily lognormal noise, log-sd per merchant. */
  noiseSd: [0.15, 0.35] as const,
  /** Shocks: promotions (log +U(0.4, 1.1)) and disruptions (log −U(0.5, 2.3)), decaying geometrically. */
  shock: { probability: 1 / 150, promotionShare: 0.6, promotionLog: [0.4, 1.1] as const, disruptionLog: [0.5, 2.3] as const, decay: [0.6, 0.9] as const },
  withdrawal: {
    /** Share of recent inflow swept out on business days (weekends: × 0.4). */
    sweepShare: [0.75, 1.0] as const,
    weekendFactor: 0.4,
    /** Half-life of the inflow average the sweep and payroll follow, days. */
    sweepHalfLife: 3,
    payrollHalfLife: 30,
    payrollDays: [10, 15, 28] as readonly number[],
    /** Payroll = share × 30 days of average inflow. */
    payrollShare: [0.08, 0.2] as const,
    /** Supplier settlement on the month's last business day = share × 30 days of average inflow. */
    supplierShare: [0.05, 0.2] as const,
    noiseSd: 0.3,
    /** Probability that a merchant skips the sweep on a given day. */
    skipProbability: [0.05, 0.4] as const,
  },
} as const;

const MAX_MERCHANTS = 10_000;
const LN2 = detLog(2);

export function simulateMerchants(options: MerchantOptions): MerchantSimulation {
  const { startDay, endDay } = checkRange(options.startDate, options.endDate);
  if (!Number.isInteger(options.merchants) || options.merchants < 1 || options.merchants > MAX_MERCHANTS) {
    throw new SimulatorInputError('BAD_COUNT', `merchants must be an integer from 1 to ${MAX_MERCHANTS}, got ${String(options.merchants)}`);
  }
  const root = rootStream(options.seed).child('merchants');
  const days = calendarDays(startDay, endDay);
  const lastBusinessDay = lastBusinessDayFlags(days);
  const payday = paydayOffsets(days);
  const merchants: SimulatedMerchant[] = [];
  for (let j = 0; j < options.merchants; j += 1) merchants.push(simulateMerchant(j, days, lastBusinessDay, payday, root.child(`merchant:${j}`)));
  return { seed: options.seed, dates: days.map((d) => d.date), merchants };
}

function lastBusinessDayFlags(days: readonly CalendarDay[]): boolean[] {
  // The last business day of a month: a business day with no business day after it in the same month.
  return days.map((day) => day.businessDay && (day.daysToMonthEnd === 0 || (day.weekday === 5 && day.daysToMonthEnd <= 2)));
}

/** Days since the latest customers' payday when within the payday profile, else -1. */
function paydayOffsets(days: readonly CalendarDay[]): number[] {
  const { paydays, paydayProfile } = MERCHANT_PARAMETERS;
  return days.map((day) => paydays.map((payday) => day.day - payday).find((d) => d >= 0 && d < paydayProfile.length) ?? -1);
}

function simulateMerchant(
  index: number,
  days: readonly CalendarDay[],
  lastBusinessDay: readonly boolean[],
  paydayOffset: readonly number[],
  random: SeededRandom,
): SimulatedMerchant {
  const p = MERCHANT_PARAMETERS;
  const w = p.withdrawal;
  const params = random.child('params');
  const archetype = ARCHETYPES[params.pick(p.archetypeWeights)]!;
  const scaleFen = params.lognormal(detLog(p.scale.medianFen), p.scale.logSd);
  const weekdayRaw = p.weekday[archetype].map((level) => level * params.lognormal(0, p.weekdayJitterSd));
  const weekdayMean = weekdayRaw.reduce((a, b) => a + b, 0) / 7;
  const weekday = weekdayRaw.map((level) => level / weekdayMean);
  const trend = params.gaussian(p.trend.mean, p.trend.sd);
  const consumerFacing = archetype !== 'b2b';
  const paydayLift = consumerFacing ? params.uniformIn(...p.paydayLift) : 0;
  const monthEndLift = archetype === 'b2b' ? params.uniformIn(...p.b2bMonthEndLift) : 1;
  const noiseSd = params.uniformIn(...p.noiseSd);
  const sweepShare = params.uniformIn(...w.sweepShare);
  const payrollDay = w.payrollDays[params.integer(0, w.payrollDays.length - 1)]!;
  const payrollShare = params.uniformIn(...w.payrollShare);
  const supplierShare = params.uniformIn(...w.supplierShare);
  const skipProbability = params.uniformIn(...w.skipProbability);

  const noise = random.child('noise');
  const shocks = random.child('shocks');
  const withdrawals = random.child('withdrawals');
  const { phi, stationarySd } = p.persistent;
  const innovationSd = stationarySd * sqrt(1 - phi * phi);
  const sweepDecay = detExp(-LN2 / w.sweepHalfLife);
  const payrollDecay = detExp(-LN2 / w.payrollHalfLife);

  let persistent = noise.gaussian(0, stationarySd);
  let shock = 0;
  let shockDecay = 0;
  let sweepAverage = NaN;
  let payrollAverage = NaN;
  const inflowFen: number[] = [];
  const withdrawalFen: number[] = [];
  for (let t = 0; t < days.length; t += 1) {
    const day = days[t]!;
    if (t > 0) persistent = phi * persistent + noise.gaussian(0, innovationSd);
    const dailyNoise = noise.gaussian(0, noiseSd);
    // Shock draws happen every day so the stream layout does not depend on the outcome.
    const shockStarts = shocks.uniform() < p.shock.probability;
    const promotion = shocks.uniform() < p.shock.promotionShare;
    const size = promotion ? shocks.uniformIn(...p.shock.promotionLog) : -shocks.uniformIn(...p.shock.disruptionLog);
    const decay = shocks.uniformIn(...p.shock.decay);
    shock *= shockDecay;
    if (shockStarts) {
      shock += size;
      shockDecay = decay;
    }

    const years = t / 365.25;
    let level = scaleFen * detExp(trend * years) * p.season[archetype][day.month - 1]! * weekday[day.weekday]!;
    const daysAfterPayday = paydayOffset[t]!;
    if (daysAfterPayday >= 0) level *= 1 + paydayLift * p.paydayProfile[daysAfterPayday]!;
    if (day.daysToMonthEnd < 2) level *= monthEndLift;
    const inflow = max(0, round(level * detExp(persistent + shock + dailyNoise - (noiseSd * noiseSd) / 2)));
    inflowFen.push(inflow);

    // Withdrawal demand follows what came in recently.
    sweepAverage = isNaNNumber(sweepAverage) ? level : sweepDecay * sweepAverage + (1 - sweepDecay) * inflow;
    payrollAverage = isNaNNumber(payrollAverage) ? level : payrollDecay * payrollAverage + (1 - payrollDecay) * inflow;
    const withdrawalNoise = withdrawals.lognormal(-(w.noiseSd * w.noiseSd) / 2, w.noiseSd);
    const skip = withdrawals.uniform() < skipProbability;
    let demand = skip ? 0 : sweepShare * sweepAverage * (day.businessDay ? 1 : w.weekendFactor) * withdrawalNoise;
    if (day.day === min(payrollDay, day.daysInMonth)) demand += payrollShare * 30 * payrollAverage;
    if (lastBusinessDay[t]) demand += supplierShare * 30 * payrollAverage;
    withdrawalFen.push(max(0, round(demand)));
  }
  return { id: `M${String(index + 1).padStart(4, '0')}`, archetype, scaleFen: round(scaleFen), payrollDay, inflowFen, withdrawalFen };
}
