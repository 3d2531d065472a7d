/**
 * Walk-forward backtest of four fund strategies on a SIMULATED market (src/ml/market): hold fund 0 (the
 * Yu'E Bao proxy), equal weights, forecast-driven switching on the elastic-net forecasts, and IIMMF. They
 * are run side by side on the same days for a single investor (a fixed sum, no flows) and for simulated
 * merchants (daily inflows and withdrawals). docs/backtest.md describes the rules and the results.
 *
 * Timing as in the market: orders are cut at 15:00 of business day t and a fund publishes a day's income
 * after the close, so the decision of day t uses the yield forecasts made at origin t − 1 (data ≤ t − 1,
 * walkForwardYieldForecasts), the demand bounds made at the same origin (demand-bounds.ts) and the wallet's
 * own book; `decisionLagDays` moves the origin N days further back. The market and merchants' data after
 * the origin are only read to book what happens. A test changes every value from a day on and checks that
 * no decision that may not see that day changes. The single investor is also run under non-forecast rules
 * (non-forecast-rules.ts) and under the perfect-foresight ceiling (ceiling.ts).
 */
import { type Seed } from '../market/seeded-random';
import { isoDateOfDayNumber, isoDayNumber } from '../market/sim-calendar';
import { simulateMarket } from '../market/market-simulator';
import { simulateMerchants } from '../market/merchant-simulator';
import { requiredDays, walkForwardYieldForecasts, type YieldForecastOptions } from '../yield/yield-forecaster';
import { backtestCalendar } from './backtest-calendar';
import { CEILING_LABEL, perfectForesightPlan } from './ceiling';
import { demandBounds, type DemandBounds, type DemandMethod } from './demand-bounds';
import { NON_FORECAST_RULES, type NonForecastRuleName } from './non-forecast-rules';
import { STRATEGY_LABELS, STRATEGY_NAMES, type StrategyName, type ThesisStrategyName } from './strategies';
import { simulateWallets, type WalletJob } from './wallet-pool';
import type { SimulationInputs, WalletFlows, WalletOutcome } from './wallet-simulation';

export const DEFAULT_BACKTEST_SEED = 20140101;

/** The largest extra information delay a backtest takes; the warm-up leaves room for it, so every lag runs on the same market. */
export const MAX_DECISION_LAG_DAYS = 30;

/** How the backtest dates what a decision knows (also in the report). */
export const DECISION_TIMING =
  'orders cut at 15:00 of business day t; a day\'s income is published after the close, so the decision of day t uses yield forecasts ' +
  'and demand bounds made at origin t - 1 - decisionLagDays (data up to that day) and the wallet\'s own book';

export interface BacktestOptions {
  /** Seed of the simulated market and merchants (default 20140101, the simulator's documented default). */
  readonly seed?: Seed;
  /** First and last evaluated calendar years (default 2014–2025). */
  readonly fromYear?: number;
  readonly toYear?: number;
  /** Funds in the market (default 20); fund 0 is the Yu'E Bao proxy. */
  readonly funds?: number;
  /** Simulated merchants (default 50; 0 runs the single investor only). */
  readonly merchants?: number;
}

export interface BacktestSettings {
  /** The single investor's sum, CNY (default 1,000,000). */
  readonly investorCny?: number;
  /** A merchant's opening balance: its inflow over this many days before the evaluation starts (default 30). */
  readonly openingDays?: number;
  /** Horizon over which a switch must pay for itself, calendar days (default 14), for (c), (d) and the non-forecast rules. */
  readonly horizonDays?: number;
  /**
   * Extra days of information delay (default 0, at most MAX_DECISION_LAG_DAYS): the decision of day t uses the
   * forecasts and demand bounds made at origin t − 1 − decisionLagDays.
   */
  readonly decisionLagDays?: number;
  /** Relative drift that makes equal weights rebalance at a quarter's start (default 0.2). */
  readonly rebalanceBand?: number;
  /** Demand bounds: ARIMA (default) or the seasonal-naive quantile. */
  readonly demand?: DemandMethod;
  /** Days between refits of the ARIMA coefficients, default 365. */
  readonly demandRefitDays?: number;
  /** Days between choices of the ARIMA order by AIC, default 1,461 (four years). */
  readonly demandSelectDays?: number;
  /** Days each ARIMA fit uses, default 365. */
  readonly demandTrainDays?: number;
  /**
   * Worker threads for the ARIMA fits and the wallets (default: all cores when the compiled code is there and
   * there are merchants; the single investor's wallets alone run faster in this thread).
   */
  readonly workers?: number;
  /** Funds not held that IIMMF's LP gets beyond ⌈bound / cap⌉, by forecast (default 1, which is exact; Infinity: all funds). */
  readonly iimmfExtraFunds?: number;
  /** Options of the elastic-net walk-forward (default: its defaults). */
  readonly yieldOptions?: YieldForecastOptions;
  /** Keep every decision and the daily capacity per wallet (for tests; runs in this thread). */
  readonly record?: boolean;
  readonly onProgress?: (stage: string, done: number, total: number) => void;
}

/** What the backtest needs of a market: the simulator's output has it. */
export interface BacktestMarket {
  readonly dates: readonly string[];
  readonly overnightRatePct: readonly number[];
  readonly funds: readonly { readonly code: string; readonly perTenK: readonly number[]; readonly perTenKMicros: readonly number[] }[];
}

export interface BacktestMerchant {
  readonly id: string;
  readonly inflowFen: readonly number[];
  readonly withdrawalFen: readonly number[];
}

export interface BacktestData {
  readonly seed?: Seed;
  readonly market: BacktestMarket;
  readonly merchants: readonly BacktestMerchant[];
  /** Index of the first evaluated day; the days before are the forecasters' history. */
  readonly evaluationStart: number;
}

/** A strategy's results for one wallet (the investor) or pooled over the merchants. */
export interface PortfolioMetrics {
  /** Income / average balance × 365 / days, %; for merchants Σ income × 365 / Σ balance-days (balance-weighted). */
  readonly annualYieldPct: number;
  /** (yield / yield of hold-one − 1) × 100. */
  readonly yieldUpliftPct: number;
  /** (yield − yield of hold-one) in basis points a year. */
  readonly yieldUpliftBpPerYear: number;
  /** Per wallet (the mean over the merchants). */
  readonly incomeCny: number;
  /** Per wallet (the mean over the merchants). */
  readonly averageBalanceCny: number;
  /** Mean over days of Σ_i min(available_i, cap), per wallet, CNY. */
  readonly instantCapacityCny: number;
  readonly instantCapacityUpliftPct: number;
  /** Money the strategy moved between funds (its redemptions), per year, as a multiple of the average balance. */
  readonly turnover: number;
  /** Share of the balance-days that earned nothing (cash, and purchases waiting for confirmation), %. */
  readonly idleSharePct: number;
}

export interface MerchantMetrics extends PortfolioMetrics {
  /** Share of days with a withdrawal on which the instant capacity covered it. */
  readonly coverageRate: number;
  /** Share of the money withdrawn that was paid at once (from cash or by instant redemption). */
  readonly paidAtOnceShare: number;
}

export interface StrategyReport {
  readonly name: ThesisStrategyName;
  readonly label: string;
  /** The single investor's annualised yield, %. */
  readonly annualYieldPct: number;
  readonly yieldUpliftPct: number;
  readonly yieldUpliftBpPerYear: number;
  /** The single investor's uplift as a share of the ceiling's (1 = all that perfect foresight reaches). */
  readonly ceilingShare: number;
  /** Mean instant capacity per merchant, CNY. */
  readonly instantCapacityCny: number;
  readonly instantCapacityUpliftPct: number;
  /** The single investor's turnover. */
  readonly turnover: number;
  readonly investor: PortfolioMetrics;
  readonly merchants: MerchantMetrics | null;
}

/** A single-investor run beside the four: a non-forecast rule, or the ceiling. */
export interface InvestorRunReport {
  readonly name: NonForecastRuleName | 'ceiling';
  readonly label: string;
  readonly annualYieldPct: number;
  readonly yieldUpliftPct: number;
  readonly yieldUpliftBpPerYear: number;
  readonly ceilingShare: number;
  readonly incomeCny: number;
  readonly turnover: number;
  readonly idleSharePct: number;
}

export interface CeilingReport extends InvestorRunReport {
  /** The DP's value of its plan without the book's rounding to the fen: no switching sequence's booked income exceeds it. */
  readonly upperBoundIncomeCny: number;
}

export interface BacktestReport {
  readonly simulated: true;
  readonly note: string;
  readonly seed: Seed | null;
  readonly evaluation: { readonly from: string; readonly to: string; readonly days: number; readonly businessDays: number };
  readonly market: { readonly from: string; readonly to: string; readonly funds: number; readonly warmupDays: number };
  readonly investorCny: number;
  readonly merchants: number;
  readonly horizonDays: number;
  readonly decisionLagDays: number;
  readonly timing: string;
  readonly strategies: StrategyReport[];
  /** The perfect-foresight optimum of the single investor under the same rules (ceiling.ts). */
  readonly ceiling: CeilingReport;
  /** The single investor under strategy (c)'s switching rule on levels that need no model. */
  readonly nonForecastRules: InvestorRunReport[];
  /** The non-forecast rule with the highest uplift. */
  readonly bestNonForecastRule: { readonly name: NonForecastRuleName; readonly yieldUpliftPct: number };
  /** Forecast-driven switching against holding fund 0, single investor, % (the thesis's yield claim). */
  readonly yieldUpliftPct: number;
  /** IIMMF against holding fund 0, mean instant capacity per merchant, % (the thesis's capacity claim). */
  readonly instantCapacityUpliftPct: number | null;
  readonly forecastErrors: {
    readonly yield: { readonly forecasts: number; readonly mae: number; readonly naiveMae: number; readonly skillPct: number };
    readonly demand: {
      readonly method: DemandMethod;
      readonly refitDays: number;
      readonly selectDays: number;
      readonly trainDays: number;
      /** Orders chosen by AIC (one grid search each). */
      readonly selections: number;
      /** Coefficient refits of an order already chosen. */
      readonly fits: number;
      readonly fallbacks: number;
      /** Mean over merchants and refit periods of the one-day-ahead MAE scaled by the training window's in-sample seasonal-naive MAE. */
      readonly mase: number;
      /** The same for the seasonal-naive forecast (y_{t+1−7}). */
      readonly seasonalNaiveMase: number;
      /** Share of days whose withdrawals were at or below the one-day-ahead upper bound (nominal 97.5 %). */
      readonly boundCoverage: number;
      readonly models: Record<string, number>;
    } | null;
  };
  /** Mean instant capacity per merchant under each cap in force (50,000 CNY before 2018-06-01, 10,000 after). */
  readonly capRegimes: {
    readonly capCny: number;
    readonly from: string;
    readonly to: string;
    readonly days: number;
    readonly merchantCapacityCny: Record<ThesisStrategyName, number>;
    readonly upliftPct: Record<ThesisStrategyName, number>;
  }[];
  /**
   * Look-ahead references (not strategies: they know the future): the yield of the fund that turned out best
   * over the period, and of holding each day the fund that turned out best that day, with no switching cost,
   * as mean daily rates annualised, with their uplift over fund 0 on the same basis.
   */
  readonly hindsight: {
    readonly fund0YieldPct: number;
    readonly bestFund: { readonly code: string; readonly annualYieldPct: number; readonly upliftPct: number };
    readonly bestEveryDay: { readonly annualYieldPct: number; readonly upliftPct: number };
  };
  readonly yearly: {
    readonly year: number;
    readonly capCny: number;
    readonly investorYieldPct: Record<ThesisStrategyName, number>;
    readonly merchantCapacityCny: Record<ThesisStrategyName, number> | null;
  }[];
  /** How often the IIMMF LP was solved, and over how many funds on average. */
  readonly iimmfSolves: { readonly solves: number; readonly meanFunds: number };
  /** The thesis's two claims against what this simulation gives. */
  readonly thesis: {
    readonly yieldUplift: {
      readonly claimedPct: string;
      /** Forecast-driven switching, single investor. */
      readonly simulatedPct: number;
      /** The same strategy for the merchants (their own hold-one yield is lower: cash waits for purchases). */
      readonly merchantsPct: number | null;
      readonly reproduced: boolean;
    };
    readonly instantCapacityUplift: {
      readonly claimedPct: string;
      /** IIMMF against hold-one, mean capacity per merchant over the whole evaluation. */
      readonly simulatedPct: number | null;
      /** The same under each cap in force. */
      readonly byCap: { readonly capCny: number; readonly from: string; readonly to: string; readonly upliftPct: number }[];
      readonly reproduced: boolean | null;
    };
  };
}

export interface BacktestSeries {
  /** Weekly points (every 7th evaluated day). */
  readonly dates: string[];
  readonly strategies: { readonly name: ThesisStrategyName; readonly label: string; readonly sevenDayYieldPct: number[]; readonly cumulativeIncomeCny: number[] }[];
}

export interface BacktestRecord {
  /** Per strategy, the investor's and each merchant's orders, as "date kind code amount". */
  readonly decisions: Record<ThesisStrategyName, { readonly investor: string[]; readonly merchants: string[][] }>;
  /** Per strategy and merchant: the instant capacity of every evaluated day, fen. */
  readonly capacityFen: Record<ThesisStrategyName, number[][]>;
  /** The cap of every evaluated day, fen. */
  readonly capFen: number[];
  /** Per strategy, the investor's and each merchant's totals. */
  readonly outcomes: Record<ThesisStrategyName, { readonly investor: WalletOutcome; readonly merchants: WalletOutcome[] }>;
}

export interface BacktestResult {
  readonly report: BacktestReport;
  readonly series: BacktestSeries;
  readonly record?: BacktestRecord;
}

const round = (value: number, digits: number): number => {
  if (!Number.isFinite(value)) return value;
  const k = 10 ** digits;
  return Math.round(value * k) / k;
};

/**
 * Days of history before the first evaluated day: what the forecasters need before their first origin, the
 * day of the opening decision's information (e0 − 2), and room for the largest decision lag.
 */
export function warmupDays(settings: BacktestSettings = {}): number {
  return Math.max(requiredDays(settings.yieldOptions ?? {}) - 1, (settings.demandTrainDays ?? 365) + 1) + 1 + MAX_DECISION_LAG_DAYS;
}

/** The simulated market and merchants for a backtest: the evaluated years plus the forecasters' warm-up. */
export function simulateBacktestData(options: BacktestOptions = {}, settings: BacktestSettings = {}): BacktestData {
  const seed = options.seed ?? DEFAULT_BACKTEST_SEED;
  const fromYear = options.fromYear ?? 2014;
  const toYear = options.toYear ?? 2025;
  if (!Number.isInteger(fromYear) || !Number.isInteger(toYear) || fromYear > toYear || fromYear < 1990 || toYear > 2100) {
    throw new RangeError(`years must be whole years from 1990 to 2100 with from ≤ to, got ${fromYear}–${toYear}`);
  }
  const evaluationDay = isoDayNumber(`${fromYear}-01-01`)!;
  const warmup = warmupDays(settings);
  const startDate = isoDateOfDayNumber(evaluationDay - warmup);
  const endDate = `${toYear}-12-31`;
  const market = simulateMarket({ seed, startDate, endDate, funds: options.funds ?? 20 });
  const merchantCount = options.merchants ?? 50;
  const merchants = merchantCount > 0 ? simulateMerchants({ seed, startDate, endDate, merchants: merchantCount }).merchants : [];
  return { seed, market, merchants, evaluationStart: warmup };
}

/** The single investor's runs: the four strategies, the non-forecast rules, the ceiling. */
const INVESTOR_RUNS: readonly StrategyName[] = [...STRATEGY_NAMES, ...NON_FORECAST_RULES.map((rule) => rule.name), 'ceiling'];

/** The most calendar days from a decision day to the next business day over [from, to]. */
function longestDecisionGap(nextBusiness: Int32Array, from: number, to: number): number {
  let gap = 1;
  for (let t = from; t <= to; t += 1) gap = Math.max(gap, nextBusiness[t]! - t);
  return gap;
}

/**
 * The demand bound of the decision of day t: the largest upper bound of the withdrawals of days t + 1 … the
 * next business day (Friday: to Monday), forecast at origin t − originLag.
 */
function decisionBounds(upper: readonly Float64Array[], nextBusiness: Int32Array, from: number, to: number, originLag: number): Float64Array {
  const out = new Float64Array(upper[0]!.length);
  for (let t = from; t <= to; t += 1) {
    const origin = t - originLag;
    let bound = 0;
    for (let day = t + 1; day <= nextBusiness[t]! && day - origin <= upper.length; day += 1) bound = Math.max(bound, upper[day - origin - 1]![origin]!);
    out[t] = Number.isFinite(bound) ? bound : 0;
  }
  return out;
}

/** Simulates the data and runs the backtest. */
export async function runBacktest(options: BacktestOptions = {}, settings: BacktestSettings = {}): Promise<BacktestResult> {
  settings.onProgress?.('simulating the market and merchants', 0, 1);
  const data = simulateBacktestData(options, settings);
  settings.onProgress?.('simulating the market and merchants', 1, 1);
  return runBacktestOn(data, settings);
}

export async function runBacktestOn(data: BacktestData, settings: BacktestSettings = {}): Promise<BacktestResult> {
  const { market, merchants } = data;
  const progress = settings.onProgress ?? (() => undefined);
  const n = market.funds.length;
  const days = market.dates.length;
  const e0 = data.evaluationStart;
  const last = days - 1;
  if (!(e0 >= 1 && e0 <= last)) throw new RangeError(`evaluationStart ${e0} must be a day of the market after its first`);
  const horizonDays = settings.horizonDays ?? 14;
  const decisionLagDays = settings.decisionLagDays ?? 0;
  if (!Number.isInteger(decisionLagDays) || decisionLagDays < 0 || decisionLagDays > MAX_DECISION_LAG_DAYS) {
    throw new RangeError(`decisionLagDays must be a whole number from 0 to ${MAX_DECISION_LAG_DAYS}; got ${decisionLagDays}`);
  }
  const originLag = 1 + decisionLagDays;
  const investorFen = Math.round((settings.investorCny ?? 1_000_000) * 100);
  const openingDays = settings.openingDays ?? 30;
  const record = settings.record === true;
  const workers = settings.workers ?? (merchants.length > 0 ? undefined : 0);
  // The cap in force from the first evaluated day on (the warm-up days are not evaluated).
  const { business, nextBusiness, quarterStart, year, capFen } = backtestCalendar(market.dates[0]!, days, e0);

  // 1. Yield forecasts, walk-forward; the opening decision (day e0 − 1) reads origin e0 − 1 − originLag.
  progress('yield forecasts (elastic net, walk-forward)', 0, 1);
  const walk = walkForwardYieldForecasts(market, settings.yieldOptions ?? {});
  if (walk.firstOrigin > e0 - 1 - originLag) {
    throw new RangeError(`the yield forecasts start at origin ${market.dates[walk.firstOrigin]}; the evaluation needs one on ${market.dates[e0 - 1 - originLag]}`);
  }
  const forecasts = walk.funds.map((fund) => Float64Array.from(fund.forecast, (v) => (v === null ? NaN : v)));
  progress('yield forecasts (elastic net, walk-forward)', 1, 1);

  // 2. Demand bounds, walk-forward, from the opening decision's origin to the last one-day-ahead origin.
  const demandMethod = settings.demand ?? 'arima';
  let bounds: DemandBounds | undefined;
  const maxHorizon = longestDecisionGap(nextBusiness, e0 - 1, last - 1) + originLag;
  if (merchants.length > 0) {
    progress(`demand forecasts (${demandMethod})`, 0, 1);
    bounds = await demandBounds(
      merchants.map((m) => m.withdrawalFen),
      e0 - 1 - originLag,
      last - 1,
      {
        method: demandMethod,
        ...(settings.demandRefitDays === undefined ? {} : { refitDays: settings.demandRefitDays }),
        ...(settings.demandSelectDays === undefined ? {} : { selectDays: settings.demandSelectDays }),
        ...(settings.demandTrainDays === undefined ? {} : { trainDays: settings.demandTrainDays }),
        ...(workers === undefined ? {} : { workers }),
        maxHorizon,
        onProgress: (done, total) => progress(`demand forecasts (${demandMethod}), refits`, done, total),
      },
    );
  }

  // 3. Every wallet under every strategy; the single investor also under the non-forecast rules and the ceiling.
  const inputs: SimulationInputs = {
    dates: market.dates,
    codes: market.funds.map((f) => f.code),
    e0,
    last,
    micros: market.funds.map((f) => f.perTenKMicros),
    forecasts,
    forecastOriginLagDays: originLag,
    capFen,
    business,
    nextBusiness,
    quarterStart,
    year,
    horizonDays,
    rebalanceBand: settings.rebalanceBand ?? 0.2,
    iimmfExtraFunds: settings.iimmfExtraFunds ?? 1,
  };
  const jobs: WalletJob[] = [];
  for (const strategy of INVESTOR_RUNS) jobs.push({ strategy, flows: { openingFen: investorFen }, daily: true, record });
  merchants.forEach((merchant, m) => {
    let openingFen = 0;
    for (let t = Math.max(0, e0 - openingDays); t < e0; t += 1) openingFen += merchant.inflowFen[t]!;
    const boundFen = decisionBounds(bounds!.merchants[m]!.upper, nextBusiness, e0 - 1, last - 1, originLag);
    const flows: WalletFlows = { openingFen, inflowFen: merchant.inflowFen, withdrawalFen: merchant.withdrawalFen, boundFen };
    for (const strategy of STRATEGY_NAMES) jobs.push({ strategy, flows, record });
  });
  progress('wallets simulated', 0, jobs.length);
  const { outcomes } = await simulateWallets(inputs, jobs, {
    ...(workers === undefined ? {} : { workers }),
    onProgress: (done, total) => progress('wallets simulated', done, total),
  });
  const strategies = STRATEGY_NAMES.map((name) => ({ name, label: STRATEGY_LABELS[name] }));
  const investorOutcome = (name: StrategyName) => outcomes[INVESTOR_RUNS.indexOf(name)]!;
  const results = new Map<ThesisStrategyName, { investor: WalletOutcome; merchants: WalletOutcome[] }>(
    STRATEGY_NAMES.map((name, k) => [name, { investor: investorOutcome(name), merchants: merchants.map((_, m) => outcomes[INVESTOR_RUNS.length + STRATEGY_NAMES.length * m + k]!) }]),
  );
  const total = last - e0 + 1;
  let businessDays = 0;
  for (let t = e0; t <= last; t += 1) businessDays += business[t]!;

  return {
    report: buildReport(),
    series: buildSeries(),
    ...(record
      ? {
          record: {
            decisions: Object.fromEntries(
              STRATEGY_NAMES.map((name) => [name, { investor: results.get(name)!.investor.decisions!, merchants: results.get(name)!.merchants.map((o) => o.decisions!) }]),
            ) as BacktestRecord['decisions'],
            capacityFen: Object.fromEntries(STRATEGY_NAMES.map((name) => [name, results.get(name)!.merchants.map((o) => o.capacity!)])) as BacktestRecord['capacityFen'],
            capFen: Array.from(capFen.slice(e0, last + 1)),
            outcomes: Object.fromEntries([...results.entries()]) as BacktestRecord['outcomes'],
          },
        }
      : {}),
  };

  function raw(books: readonly WalletOutcome[], evaluated: number) {
    const income = books.reduce((s, b) => s + b.income, 0);
    const balanceDays = books.reduce((s, b) => s + b.balanceDays, 0);
    return {
      income,
      idleShare: balanceDays > 0 ? books.reduce((s, b) => s + b.idleBalanceDays, 0) / balanceDays : 0,
      averageBalance: balanceDays / evaluated,
      annualYieldPct: balanceDays > 0 ? ((income * 365) / balanceDays) * 100 : 0,
      capacity: books.reduce((s, b) => s + b.capacityDays, 0) / evaluated / books.length,
      redeemed: books.reduce((s, b) => s + b.redeemedByStrategy, 0),
    };
  }

  function portfolio(books: readonly WalletOutcome[], base: readonly WalletOutcome[], evaluated: number): PortfolioMetrics {
    const r = raw(books, evaluated);
    const b = raw(base, evaluated);
    return {
      annualYieldPct: round(r.annualYieldPct, 4),
      yieldUpliftPct: round((r.annualYieldPct / b.annualYieldPct - 1) * 100, 2),
      yieldUpliftBpPerYear: round((r.annualYieldPct - b.annualYieldPct) * 100, 2),
      incomeCny: round(r.income / books.length / 100, 2),
      averageBalanceCny: round(r.averageBalance / books.length / 100, 2),
      instantCapacityCny: round(r.capacity / 100, 2),
      instantCapacityUpliftPct: round((r.capacity / b.capacity - 1) * 100, 2),
      turnover: r.averageBalance > 0 ? round(r.redeemed / r.averageBalance / (evaluated / 365), 4) : 0,
      idleSharePct: round(r.idleShare * 100, 3),
    };
  }

  /** The investor's uplift under a run, as a share of the ceiling's (unrounded, from the books). */
  function ceilingShare(outcome: WalletOutcome): number {
    const base = raw([results.get('hold-one')!.investor], total).annualYieldPct;
    const reached = raw([outcome], total).annualYieldPct - base;
    const reachable = raw([investorOutcome('ceiling')], total).annualYieldPct - base;
    return reachable > 0 ? round(reached / reachable, 4) : NaN;
  }

  function investorRun(name: NonForecastRuleName | 'ceiling', label: string): InvestorRunReport {
    const outcome = investorOutcome(name);
    const metrics = portfolio([outcome], [results.get('hold-one')!.investor], total);
    return {
      name,
      label,
      annualYieldPct: metrics.annualYieldPct,
      yieldUpliftPct: metrics.yieldUpliftPct,
      yieldUpliftBpPerYear: metrics.yieldUpliftBpPerYear,
      ceilingShare: ceilingShare(outcome),
      incomeCny: metrics.incomeCny,
      turnover: metrics.turnover,
      idleSharePct: metrics.idleSharePct,
    };
  }

  function ceilingReport(): CeilingReport {
    const plan = perfectForesightPlan(inputs);
    return { ...investorRun('ceiling', CEILING_LABEL), upperBoundIncomeCny: round(((plan.growth - 1) * investorFen) / 100, 2) };
  }

  function buildReport(): BacktestReport {
    const evaluated = total;
    const base = results.get('hold-one')!;
    const reports: StrategyReport[] = strategies.map((strategy) => {
      const w = results.get(strategy.name)!;
      const investor = portfolio([w.investor], [base.investor], evaluated);
      let merchantMetrics: MerchantMetrics | null = null;
      if (merchants.length > 0) {
        const metrics = portfolio(w.merchants, base.merchants, evaluated);
        const withdrawalDays = w.merchants.reduce((s, b) => s + b.withdrawalDays, 0);
        const covered = w.merchants.reduce((s, b) => s + b.coveredDays, 0);
        const withdrawn = w.merchants.reduce((s, b) => s + b.withdrawn, 0);
        const atOnce = w.merchants.reduce((s, b) => s + b.paidAtOnce, 0);
        merchantMetrics = {
          ...metrics,
          coverageRate: round(withdrawalDays > 0 ? covered / withdrawalDays : 1, 4),
          paidAtOnceShare: round(withdrawn > 0 ? atOnce / withdrawn : 1, 4),
        };
      }
      return {
        name: strategy.name,
        label: strategy.label,
        annualYieldPct: investor.annualYieldPct,
        yieldUpliftPct: investor.yieldUpliftPct,
        yieldUpliftBpPerYear: investor.yieldUpliftBpPerYear,
        ceilingShare: ceilingShare(w.investor),
        instantCapacityCny: merchantMetrics?.instantCapacityCny ?? investor.instantCapacityCny,
        instantCapacityUpliftPct: merchantMetrics?.instantCapacityUpliftPct ?? investor.instantCapacityUpliftPct,
        turnover: investor.turnover,
        investor,
        merchants: merchantMetrics,
      };
    });
    const byName = (name: ThesisStrategyName) => reports.find((r) => r.name === name)!;
    const nonForecastRules = NON_FORECAST_RULES.map((rule) => investorRun(rule.name, rule.label));
    const bestRule = nonForecastRules.reduce((best, r) => (r.yieldUpliftPct > best.yieldUpliftPct ? r : best));
    const yieldUpliftPct = byName('forecast-switching').yieldUpliftPct;
    const capacityUplift = merchants.length > 0 ? byName('iimmf').merchants!.instantCapacityUpliftPct : null;

    // Yield forecast errors over the evaluated origins.
    let count = 0;
    let absolute = 0;
    let naiveAbsolute = 0;
    for (let t = e0 - 1; t < last; t += 1) {
      for (let i = 0; i < n; i += 1) {
        const f = forecasts[i]![t]!;
        if (Number.isNaN(f)) continue;
        const actual = market.funds[i]!.perTenK[t + 1]!;
        absolute += Math.abs(actual - f);
        naiveAbsolute += Math.abs(actual - market.funds[i]!.perTenK[t]!);
        count += 1;
      }
    }
    const yieldErrors = {
      forecasts: count,
      mae: round(absolute / count, 6),
      naiveMae: round(naiveAbsolute / count, 6),
      skillPct: round((1 - absolute / naiveAbsolute) * 100, 2),
    };

    let demandErrors: BacktestReport['forecastErrors']['demand'] = null;
    if (bounds) {
      const mases: number[] = [];
      const naiveMases: number[] = [];
      let inBound = 0;
      let scored = 0;
      const models: Record<string, number> = {};
      const periods: number[] = [];
      for (let r = e0 - 1 - originLag; r < last; r += bounds.refitDays) periods.push(r); // the refit origins of demandBounds
      merchants.forEach((merchant, m) => {
        const y = merchant.withdrawalFen;
        const b = bounds!.merchants[m]!;
        for (const model of b.models) {
          const key = model.replace(/ \(.*\)$/, '');
          models[key] = (models[key] ?? 0) + 1;
        }
        periods.forEach((origin, k) => {
          const until = Math.min(last - 1, (periods[k + 1] ?? last) - 1);
          let scale = 0;
          let scaleCount = 0;
          for (let t = Math.max(7, origin - bounds!.trainDays + 1 + 7); t <= origin; t += 1) {
            scale += Math.abs(y[t]! - y[t - 7]!);
            scaleCount += 1;
          }
          scale /= Math.max(1, scaleCount);
          let error = 0;
          let naiveError = 0;
          let count = 0;
          for (let t = origin; t <= until; t += 1) {
            error += Math.abs(y[t + 1]! - b.mean[t]!);
            naiveError += Math.abs(y[t + 1]! - y[t + 1 - 7]!);
            if (y[t + 1]! <= b.upper[0]![t]!) inBound += 1;
            count += 1;
          }
          scored += count;
          if (scale > 0 && count > 0) {
            mases.push(error / count / scale);
            naiveMases.push(naiveError / count / scale);
          }
        });
      });
      const mean = (v: number[]) => v.reduce((a, c) => a + c, 0) / Math.max(1, v.length);
      demandErrors = {
        method: bounds.method,
        refitDays: bounds.refitDays,
        selectDays: bounds.selectDays,
        trainDays: bounds.trainDays,
        selections: bounds.selections,
        fits: bounds.fits,
        fallbacks: bounds.fallbacks,
        mase: round(mean(mases), 4),
        seasonalNaiveMase: round(mean(naiveMases), 4),
        boundCoverage: round(inBound / Math.max(1, scored), 4),
        models: Object.fromEntries(Object.entries(models).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))),
      };
    }

    // Capacity under each cap in force.
    const capRegimes: BacktestReport['capRegimes'] = [];
    if (merchants.length > 0) {
      for (let t = e0; t <= last; t += 1) {
        const current = capRegimes[capRegimes.length - 1];
        if (current && current.capCny === capFen[t]! / 100) continue;
        let to = t;
        while (to + 1 <= last && capFen[to + 1] === capFen[t]) to += 1;
        const merchantCapacityCny = {} as Record<ThesisStrategyName, number>;
        const raw = {} as Record<ThesisStrategyName, number>;
        for (const s of strategies) {
          let sum = 0;
          let count = 0;
          for (const o of results.get(s.name)!.merchants) {
            const [capSum, capDays] = o.capacityByCap[capFen[t]!] ?? [0, 0];
            sum += capSum;
            count += capDays;
          }
          raw[s.name] = sum / count;
          merchantCapacityCny[s.name] = round(sum / count / 100, 2);
        }
        const upliftPct = Object.fromEntries(strategies.map((s) => [s.name, round((raw[s.name] / raw['hold-one'] - 1) * 100, 2)])) as Record<ThesisStrategyName, number>;
        capRegimes.push({ capCny: capFen[t]! / 100, from: market.dates[t]!, to: market.dates[to]!, days: to - t + 1, merchantCapacityCny, upliftPct });
        t = to;
      }
    }

    // Look-ahead references.
    const meanRatePct = (rates: (t: number) => number) => {
      let sum = 0;
      for (let t = e0; t <= last; t += 1) sum += rates(t);
      return (sum / total / 10_000) * 365 * 100;
    };
    const fundYields = market.funds.map((fund) => meanRatePct((t) => fund.perTenK[t]!));
    const best = fundYields.reduce((b, v, i) => (v > fundYields[b]! ? i : b), 0);
    const everyDay = meanRatePct((t) => Math.max(...market.funds.map((fund) => fund.perTenK[t]!)));
    const hindsight = {
      fund0YieldPct: round(fundYields[0]!, 4),
      bestFund: { code: market.funds[best]!.code, annualYieldPct: round(fundYields[best]!, 4), upliftPct: round((fundYields[best]! / fundYields[0]! - 1) * 100, 2) },
      bestEveryDay: { annualYieldPct: round(everyDay, 4), upliftPct: round((everyDay / fundYields[0]! - 1) * 100, 2) },
    };

    // Year by year.
    const years = [...new Set(market.dates.slice(e0).map((d) => Number(d.slice(0, 4))))];
    const yearly = years.map((year) => {
      const from = market.dates.indexOf(`${year}-01-01`, e0);
      const start = Math.max(e0, from < 0 ? e0 : from);
      let end = start;
      while (end + 1 <= last && market.dates[end + 1]!.startsWith(String(year))) end += 1;
      const investorYieldPct = {} as Record<ThesisStrategyName, number>;
      const merchantCapacityCny = merchants.length > 0 ? ({} as Record<ThesisStrategyName, number>) : null;
      for (const s of strategies) {
        const d = results.get(s.name)!.investor.daily!;
        let income = 0;
        let balance = 0;
        for (let t = start; t <= end; t += 1) {
          income += d.income[t - e0]!;
          balance += d.balance[t - e0]!;
        }
        investorYieldPct[s.name] = round(((income * 365) / balance) * 100, 4);
        if (merchantCapacityCny) {
          let sum = 0;
          let count = 0;
          for (const o of results.get(s.name)!.merchants) {
            const [yearSum, yearDays] = o.capacityByYear[year] ?? [0, 0];
            sum += yearSum;
            count += yearDays;
          }
          merchantCapacityCny[s.name] = round(sum / count / 100, 2);
        }
      }
      return { year, capCny: capFen[end]! / 100, investorYieldPct, merchantCapacityCny };
    });

    const from = market.dates[e0]!;
    const to = market.dates[last]!;
    return {
      simulated: true,
      note: 'SIMULATED market and merchants (src/ml/market): no real fund or merchant data; results say nothing about real funds.',
      seed: data.seed ?? null,
      evaluation: { from, to, days: evaluated, businessDays },
      market: { from: market.dates[0]!, to, funds: n, warmupDays: e0 },
      investorCny: investorFen / 100,
      merchants: merchants.length,
      horizonDays,
      decisionLagDays,
      timing: DECISION_TIMING,
      strategies: reports,
      ceiling: ceilingReport(),
      nonForecastRules,
      bestNonForecastRule: { name: bestRule.name as NonForecastRuleName, yieldUpliftPct: bestRule.yieldUpliftPct },
      yieldUpliftPct,
      instantCapacityUpliftPct: capacityUplift,
      forecastErrors: { yield: yieldErrors, demand: demandErrors },
      capRegimes,
      hindsight,
      yearly,
      iimmfSolves: {
        solves: outcomes.reduce((sum, o) => sum + o.iimmf.solves, 0),
        meanFunds: round(outcomes.reduce((sum, o) => sum + (o.iimmf.funds ?? 0), 0) / Math.max(1, outcomes.reduce((sum, o) => sum + o.iimmf.solves, 0)), 2),
      },
      thesis: {
        yieldUplift: {
          claimedPct: '+15 to +20',
          simulatedPct: yieldUpliftPct,
          merchantsPct: byName('forecast-switching').merchants?.yieldUpliftPct ?? null,
          reproduced: yieldUpliftPct >= 15,
        },
        instantCapacityUplift: {
          claimedPct: 'more than +500',
          simulatedPct: capacityUplift,
          byCap: capRegimes.map((r) => ({ capCny: r.capCny, from: r.from, to: r.to, upliftPct: r.upliftPct.iimmf })),
          reproduced: capacityUplift === null ? null : capacityUplift > 500,
        },
      },
    };
  }

  function buildSeries(): BacktestSeries {
    const dates: string[] = [];
    const points = strategies.map((s) => ({ name: s.name, label: s.label, sevenDayYieldPct: [] as number[], cumulativeIncomeCny: [] as number[] }));
    const cumulative = strategies.map(() => 0);
    for (let k = 0; k < total; k += 1) {
      strategies.forEach((s, j) => (cumulative[j]! += results.get(s.name)!.investor.daily!.income[k]!));
      if (k < 6 || (total - 1 - k) % 7 !== 0) continue;
      dates.push(market.dates[e0 + k]!);
      strategies.forEach((s, j) => {
        const d = results.get(s.name)!.investor.daily!;
        let income = 0;
        let balance = 0;
        for (let u = k - 6; u <= k; u += 1) {
          income += d.income[u]!;
          balance += d.balance[u]!;
        }
        points[j]!.sevenDayYieldPct.push(round(((income * 365) / balance) * 100, 4));
        points[j]!.cumulativeIncomeCny.push(round(cumulative[j]! / 100, 2));
      });
    }
    return { dates, strategies: points };
  }
}
