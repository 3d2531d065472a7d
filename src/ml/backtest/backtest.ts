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
import { DEFAULT_FUND_ZERO_QUANTILE } from '../market/fund-spread';
import { simulateMarket } from '../market/market-simulator';
import { simulateMerchants } from '../market/merchant-simulator';
import { requiredDays, walkForwardYieldForecasts, type YieldForecastOptions, type YieldModelChoice } from '../yield/yield-forecaster';
import { MODEL_CONFIGURATION_HASH, modelSettingsFor } from '../model-configuration';
import { backtestCalendar } from './backtest-calendar';
import { BOUND_METHODS, NOMINAL_COVERAGE, type BoundMethod } from './bound-calibration';
import { CEILING_LABEL, perfectForesightPlan } from './ceiling';
import { calibratedByMethod, coverageByMethod, decisionBoundsFen, decisionTargets, oneDayAheadTargets, type CoverageCount } from './decision-bounds';
import { demandBounds, type DemandBounds, type DemandMethod } from './demand-bounds';
import { NON_FORECAST_RULES, type NonForecastRuleName } from './non-forecast-rules';
import {
  CAP_RESERVE_LABEL,
  MERCHANT_STRATEGY_NAMES,
  STRATEGY_LABELS,
  STRATEGY_NAMES,
  type MerchantStrategyName,
  type StrategyName,
  type ThesisStrategyName,
} from './strategies';
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
  /** Fund 0's place among the funds, as a quantile of their yields (simulateMarket's option; default 0.5, the median). */
  readonly fundZeroQuantile?: number;
}

export interface BacktestSettings {
  /** The single investor's sum, CNY (default 1,000,000). */
  readonly investorCny?: number;
  /** A merchant's opening balance: its inflow over this many days before the evaluation starts (default 30). */
  readonly openingDays?: number;
  /** Horizon over which a switch must pay for itself, calendar days (default: the model configuration's), for (c), (d) and the non-forecast rules. */
  readonly horizonDays?: number;
  /**
   * Extra days of information delay (default 0, at most MAX_DECISION_LAG_DAYS): the decision of day t uses the
   * forecasts and demand bounds made at origin t − 1 − decisionLagDays.
   */
  readonly decisionLagDays?: number;
  /** Relative drift that makes equal weights rebalance at a quarter's start (default 0.2). */
  readonly rebalanceBand?: number;
  /** Demand forecasts: ARIMA (default) or seasonal naive. */
  readonly demand?: DemandMethod;
  /** How the demand bounds the decisions use are made from the forecasts (bound-calibration.ts; default conformal). */
  readonly boundMethod?: BoundMethod;
  /** Days between refits of the ARIMA coefficients, default 365. */
  readonly demandRefitDays?: number;
  /** Days between choices of the ARIMA order by AIC, default 1,461 (four years). */
  readonly demandSelectDays?: number;
  /** Days each ARIMA fit uses (default: the model configuration's year of calendar days). */
  readonly demandTrainDays?: number;
  /**
   * Worker threads for the ARIMA fits and the wallets (default: all cores when the compiled code is there and
   * there are merchants; the single investor's wallets alone run faster in this thread).
   */
  readonly workers?: number;
  /** Funds not held that IIMMF's LP gets beyond ⌈bound / cap⌉, by forecast (default 1, which is exact; Infinity: all funds). */
  readonly iimmfExtraFunds?: number;
  /** Options of the yield models' walk-forward (default: the model configuration's, which the day close runs). */
  readonly yieldOptions?: YieldForecastOptions & YieldModelChoice;
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
  /** Fund 0's place the market was simulated with (null when the market came from elsewhere). */
  readonly fundZeroQuantile?: number;
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
  /** Share of the money withdrawn that was paid at once (from cash or by instant redemption). */
  readonly paidAtOnceShare: number;
  /** Share of the days with a withdrawal on which all of it was paid at once. */
  readonly daysCoveredShare: number;
  /** What was withdrawn but could not be paid at once (it waited for a standard redemption), per merchant per year, CNY. */
  readonly unmetInstantCnyPerMerchantYear: number;
  /** The merchants' yield of their best-yield strategy on the same seed minus this one's, basis points a year (≥ 0). */
  readonly yieldGivenUpBpPerYear: number;
}

/** The merchants under the liquidity baseline (strategies.ts, capReserve), beside the four. */
export interface LiquidityBaselineReport {
  readonly name: 'cap-reserve';
  readonly label: string;
  readonly merchants: MerchantMetrics;
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
  readonly fundZeroQuantile: number | null;
  readonly evaluation: { readonly from: string; readonly to: string; readonly days: number; readonly businessDays: number };
  readonly market: { readonly from: string; readonly to: string; readonly funds: number; readonly warmupDays: number };
  readonly investorCny: number;
  readonly merchants: number;
  readonly horizonDays: number;
  readonly decisionLagDays: number;
  readonly timing: string;
  /**
   * The model configuration the day close runs (src/ml/model-configuration.ts), by hash, and the settings of
   * this run that departed from it (none: the backtest tested the product's models).
   */
  readonly modelConfiguration: { readonly hash: string; readonly overridden: readonly string[] };
  readonly strategies: StrategyReport[];
  /** The merchants' liquidity figures (null without merchants): the baseline beside the four, and what the yield given up is measured against. */
  readonly liquidity: {
    readonly yieldGivenUpAgainst: string;
    readonly bestYieldStrategy: MerchantStrategyName;
    readonly baseline: LiquidityBaselineReport;
  } | null;
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
      /** The bounds' nominal and achieved coverage over the evaluation, per method; `method` is the one the decisions used. */
      readonly boundCoverage: BoundCoverageReport;
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
      /** What the capacity figure leaves out: the share of the withdrawals paid at once, holding fund 0 and under IIMMF. */
      readonly paidAtOnceShare: { readonly holdOne: number; readonly iimmf: number } | null;
    };
  };
}

export interface BoundCoverageReport {
  readonly nominalPct: number;
  readonly method: BoundMethod;
  /** Per method: % of the days whose withdrawals were at or under the bound made the day before. */
  readonly oneDayAheadPct: Record<BoundMethod, number>;
  /** Per method: % of the decisions whose bound covered the sum of the withdrawals recorded under the next business date. */
  readonly decisionPct: Record<BoundMethod, number>;
  /** The counts behind those shares, summed over the merchants (a multi-seed report sums them over the seeds). */
  readonly counts: { readonly oneDayAhead: Record<BoundMethod, CoverageCount>; readonly decision: Record<BoundMethod, CoverageCount> };
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
  return Math.max(requiredDays(yieldOptionsOf(settings)) - 1, demandTrainDaysOf(settings) + 1) + 1 + MAX_DECISION_LAG_DAYS;
}

/** The product's model configuration in the backtest's unit: its demand series count calendar days. */
export const BACKTEST_MODEL_SETTINGS = modelSettingsFor('calendarDays');
const CONFIGURED = BACKTEST_MODEL_SETTINGS;
const yieldOptionsOf = (settings: BacktestSettings) => settings.yieldOptions ?? CONFIGURED.yieldOptions;
const demandTrainDaysOf = (settings: BacktestSettings) => settings.demandTrainDays ?? CONFIGURED.demand.historyDays;
const horizonDaysOf = (settings: BacktestSettings) => settings.horizonDays ?? CONFIGURED.allocationHorizonDays;
const { period, grid, search, compare, refits } = CONFIGURED.demand;
/** How each merchant's ARIMA order is chosen, as the day close chooses it (in calendar days: a week is 7). */
const DEMAND_SELECTION = { period, grid, search, compare, refits };

/** The settings of a run that depart from the model configuration, by name. */
function configurationOverrides(settings: BacktestSettings): string[] {
  const overridden: string[] = [];
  if (settings.yieldOptions !== undefined && settings.yieldOptions !== CONFIGURED.yieldOptions) overridden.push('yieldOptions');
  if (demandTrainDaysOf(settings) !== CONFIGURED.demand.historyDays) overridden.push('demandTrainDays');
  if (horizonDaysOf(settings) !== CONFIGURED.allocationHorizonDays) overridden.push('horizonDays');
  if ((settings.demand ?? 'arima') !== 'arima') overridden.push('demand');
  return overridden;
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
  const fundZeroQuantile = options.fundZeroQuantile ?? DEFAULT_FUND_ZERO_QUANTILE;
  const market = simulateMarket({ seed, startDate, endDate, funds: options.funds ?? 20, fundZeroQuantile });
  const merchantCount = options.merchants ?? 50;
  const merchants = merchantCount > 0 ? simulateMerchants({ seed, startDate, endDate, merchants: merchantCount }).merchants : [];
  return { seed, fundZeroQuantile, market, merchants, evaluationStart: warmup };
}

/** The single investor's runs: the four strategies, the non-forecast rules, the ceiling. */
const INVESTOR_RUNS: readonly StrategyName[] = [...STRATEGY_NAMES, ...NON_FORECAST_RULES.map((rule) => rule.name), 'ceiling'];

/** Days of demand-forecast errors the bounds are calibrated on before the first decision (as many as the data allow). */
const BOUND_CALIBRATION_DAYS = 365;

/** The most calendar days from a decision day to the next business day over [from, to]. */
function longestDecisionGap(nextBusiness: Int32Array, from: number, to: number): number {
  let gap = 1;
  for (let t = from; t <= to; t += 1) gap = Math.max(gap, nextBusiness[t]! - t);
  return gap;
}

/** The timing every stage shares: the first evaluated day, the last day, the origin lag, the calendar. */
function backtestTiming(data: BacktestData, settings: BacktestSettings) {
  const days = data.market.dates.length;
  const e0 = data.evaluationStart;
  const last = days - 1;
  if (!(e0 >= 1 && e0 <= last)) throw new RangeError(`evaluationStart ${e0} must be a day of the market after its first`);
  const decisionLagDays = settings.decisionLagDays ?? 0;
  if (!Number.isInteger(decisionLagDays) || decisionLagDays < 0 || decisionLagDays > MAX_DECISION_LAG_DAYS) {
    throw new RangeError(`decisionLagDays must be a whole number from 0 to ${MAX_DECISION_LAG_DAYS}; got ${decisionLagDays}`);
  }
  // The cap in force from the first evaluated day on (the warm-up days are not evaluated; the opening decision only buys).
  const calendar = backtestCalendar(data.market.dates[0]!, days, e0);
  const originLag = 1 + decisionLagDays;
  const trainDays = demandTrainDaysOf(settings);
  // The demand forecasts start a calibration window before the opening decision's origin, when the data allow.
  const demandFirstOrigin = Math.min(e0 - 1 - originLag, Math.max(trainDays - 1, e0 - 1 - originLag - BOUND_CALIBRATION_DAYS));
  return { e0, last, decisionLagDays, originLag, calendar, demandFirstOrigin, workers: settings.workers ?? (data.merchants.length > 0 ? undefined : 0) };
}

/**
 * The merchants' walk-forward demand forecasts (the slow stage: the ARIMA fits), from a calibration window
 * before the opening decision to the last decision's origin. They depend on the merchants alone, so a run of
 * the same merchants on another market (another fund-0 quantile) can reuse them (runBacktestOn's `demand`).
 */
export async function forecastDemand(data: BacktestData, settings: BacktestSettings = {}): Promise<DemandBounds | undefined> {
  if (data.merchants.length === 0) return undefined;
  const { e0, last, originLag, calendar, demandFirstOrigin, workers } = backtestTiming(data, settings);
  const method = settings.demand ?? 'arima';
  const progress = settings.onProgress ?? (() => undefined);
  progress(`demand forecasts (${method})`, 0, 1);
  return demandBounds(
    data.merchants.map((m) => m.withdrawalFen),
    demandFirstOrigin,
    last - 1,
    {
      method,
      ...(settings.demandRefitDays === undefined ? {} : { refitDays: settings.demandRefitDays }),
      ...(settings.demandSelectDays === undefined ? {} : { selectDays: settings.demandSelectDays }),
      trainDays: demandTrainDaysOf(settings),
      selection: DEMAND_SELECTION,
      ...(workers === undefined ? {} : { workers }),
      maxHorizon: longestDecisionGap(calendar.nextBusiness, e0 - 1, last - 1) + originLag,
      onProgress: (done, total) => progress(`demand forecasts (${method}), refits`, done, total),
    },
  );
}

/** What the merchants' yield given up is measured against (in the report). */
const YIELD_GIVEN_UP_AGAINST =
  "the merchants' best-yield strategy on the same seed among the five run for them (the four and the cap reserve), pooled yields, basis points a year";

/**
 * The demand forecasts' errors over the evaluated origins: per merchant and refit period, the one-day-ahead
 * MAE scaled by the in-sample seasonal-naive MAE of the period's training window (MASE), beside the seasonal
 * naive forecast's own; the bounds' coverage; the models chosen.
 */
function demandErrorReport(data: BacktestData, bounds: DemandBounds, coverage: BoundCoverageReport, e0: number, last: number): NonNullable<BacktestReport['forecastErrors']['demand']> {
  const mases: number[] = [];
  const naiveMases: number[] = [];
  const models: Record<string, number> = {};
  const periods = bounds.refitOrigins;
  data.merchants.forEach((merchant, m) => {
    const y = merchant.withdrawalFen;
    const mean = bounds.merchants[m]!.mean[0]!;
    for (const model of bounds.merchants[m]!.models) {
      const key = model.replace(/ \(.*\)$/, '');
      models[key] = (models[key] ?? 0) + 1;
    }
    periods.forEach((origin, k) => {
      const from = Math.max(origin, e0 - 1);
      const until = Math.min(last - 1, (periods[k + 1] ?? last) - 1);
      if (from > until) return;
      let scale = 0;
      let scaleCount = 0;
      for (let t = Math.max(7, origin - bounds.trainDays + 1 + 7); t <= origin; t += 1) {
        scale += Math.abs(y[t]! - y[t - 7]!);
        scaleCount += 1;
      }
      scale /= Math.max(1, scaleCount);
      let error = 0;
      let naiveError = 0;
      for (let t = from; t <= until; t += 1) {
        error += Math.abs(y[t + 1]! - Math.max(0, mean[t]!));
        naiveError += Math.abs(y[t + 1]! - y[t + 1 - 7]!);
      }
      if (scale > 0) {
        mases.push(error / (until - from + 1) / scale);
        naiveMases.push(naiveError / (until - from + 1) / scale);
      }
    });
  });
  const average = (v: number[]) => v.reduce((a, c) => a + c, 0) / Math.max(1, v.length);
  return {
    method: bounds.method,
    refitDays: bounds.refitDays,
    selectDays: bounds.selectDays,
    trainDays: bounds.trainDays,
    selections: bounds.selections,
    fits: bounds.fits,
    fallbacks: bounds.fallbacks,
    mase: round(average(mases), 4),
    seasonalNaiveMase: round(average(naiveMases), 4),
    boundCoverage: coverage,
    models: Object.fromEntries(Object.entries(models).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))),
  };
}

/** Simulates the data and runs the backtest. */
export async function runBacktest(options: BacktestOptions = {}, settings: BacktestSettings = {}): Promise<BacktestResult> {
  settings.onProgress?.('simulating the market and merchants', 0, 1);
  const data = simulateBacktestData(options, settings);
  settings.onProgress?.('simulating the market and merchants', 1, 1);
  return runBacktestOn(data, settings);
}

/** Each merchant's demand bounds: the decisions' (by the method the settings name) and the coverage of every method. */
function merchantBounds(data: BacktestData, demand: DemandBounds, timing: ReturnType<typeof backtestTiming>, method: BoundMethod) {
  const { e0, last, originLag, calendar, demandFirstOrigin } = timing;
  const oneDay = { counts: emptyCounts(), pct: {} as Record<BoundMethod, number> };
  const decision = { counts: emptyCounts(), pct: {} as Record<BoundMethod, number> };
  const boundFen = data.merchants.map((merchant, m) => {
    const forecast = demand.merchants[m]!;
    const y = merchant.withdrawalFen;
    const oneDayTargets = oneDayAheadTargets(y, forecast, demandFirstOrigin, last - 1);
    addCounts(oneDay.counts, coverageByMethod(oneDayTargets, calibratedByMethod(oneDayTargets), e0 - 1, last - 1));
    const decisions = decisionTargets(y, forecast, calendar, { firstDay: demandFirstOrigin + originLag, lastDay: last - 1, openingDay: e0 - 1, originLag });
    const bounds = calibratedByMethod(decisions.targets);
    addCounts(decision.counts, coverageByMethod(decisions.targets, bounds, e0 - 1 - originLag, last - 1));
    return decisionBoundsFen(y.length, decisions.days, bounds[method]);
  });
  return { boundFen, coverage: boundCoverageReport(method, oneDay.counts, decision.counts) };
}

function emptyCounts(): Record<BoundMethod, CoverageCount> {
  return Object.fromEntries(BOUND_METHODS.map((m) => [m, { covered: 0, scored: 0 }])) as Record<BoundMethod, CoverageCount>;
}

function addCounts(into: Record<BoundMethod, CoverageCount>, counts: Record<BoundMethod, CoverageCount>): void {
  for (const m of BOUND_METHODS) {
    into[m].covered += counts[m].covered;
    into[m].scored += counts[m].scored;
  }
}

/** The coverage report from counts (summed over merchants, or over the seeds too). */
export function boundCoverageReport(method: BoundMethod, oneDayAhead: Record<BoundMethod, CoverageCount>, decision: Record<BoundMethod, CoverageCount>): BoundCoverageReport {
  const pct = (counts: Record<BoundMethod, CoverageCount>) =>
    Object.fromEntries(BOUND_METHODS.map((m) => [m, round((counts[m].covered / Math.max(1, counts[m].scored)) * 100, 2)])) as Record<BoundMethod, number>;
  return { nominalPct: NOMINAL_COVERAGE * 100, method, oneDayAheadPct: pct(oneDayAhead), decisionPct: pct(decision), counts: { oneDayAhead, decision } };
}

/**
 * Runs the backtest on given data. `demand` is the merchants' demand forecasts when already made for the same
 * merchants and settings (forecastDemand); by default they are made here.
 */
export async function runBacktestOn(data: BacktestData, settings: BacktestSettings = {}, demand?: DemandBounds): Promise<BacktestResult> {
  const { market, merchants } = data;
  const progress = settings.onProgress ?? (() => undefined);
  const n = market.funds.length;
  const timing = backtestTiming(data, settings);
  const { e0, last, decisionLagDays, originLag, workers } = timing;
  const { business, nextBusiness, quarterStart, year, capFen } = timing.calendar;
  const horizonDays = horizonDaysOf(settings);
  const investorFen = Math.round((settings.investorCny ?? 1_000_000) * 100);
  const openingDays = settings.openingDays ?? 30;
  const record = settings.record === true;

  // 1. Yield forecasts, walk-forward; the opening decision (day e0 − 1) reads origin e0 − 1 − originLag.
  progress('yield forecasts (elastic net, walk-forward)', 0, 1);
  const walk = walkForwardYieldForecasts(market, yieldOptionsOf(settings));
  if (walk.firstOrigin > e0 - 1 - originLag) {
    throw new RangeError(`the yield forecasts start at origin ${market.dates[walk.firstOrigin]}; the evaluation needs one on ${market.dates[e0 - 1 - originLag]}`);
  }
  const forecasts = walk.funds.map((fund) => Float64Array.from(fund.forecast, (v) => (v === null ? NaN : v)));
  progress('yield forecasts (elastic net, walk-forward)', 1, 1);

  // 2. Demand forecasts, walk-forward, and the bounds the decisions use.
  const bounds = demand ?? (await forecastDemand(data, settings));
  const boundMethod = settings.boundMethod ?? 'conformal';
  const merchantDemand = bounds ? merchantBounds(data, bounds, timing, boundMethod) : undefined;

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
    const flows: WalletFlows = { openingFen, inflowFen: merchant.inflowFen, withdrawalFen: merchant.withdrawalFen, boundFen: merchantDemand!.boundFen[m]! };
    for (const strategy of MERCHANT_STRATEGY_NAMES) jobs.push({ strategy, flows, record });
  });
  progress('wallets simulated', 0, jobs.length);
  const { outcomes } = await simulateWallets(inputs, jobs, {
    ...(workers === undefined ? {} : { workers }),
    onProgress: (done, total) => progress('wallets simulated', done, total),
  });
  const strategies = STRATEGY_NAMES.map((name) => ({ name, label: STRATEGY_LABELS[name] }));
  const investorOutcome = (name: StrategyName) => outcomes[INVESTOR_RUNS.indexOf(name)]!;
  const merchantOutcomes = (name: MerchantStrategyName) =>
    merchants.map((_, m) => outcomes[INVESTOR_RUNS.length + MERCHANT_STRATEGY_NAMES.length * m + MERCHANT_STRATEGY_NAMES.indexOf(name)]!);
  const results = new Map<ThesisStrategyName, { investor: WalletOutcome; merchants: WalletOutcome[] }>(
    STRATEGY_NAMES.map((name) => [name, { investor: investorOutcome(name), merchants: merchantOutcomes(name) }]),
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

  /** Every merchant strategy's pooled metrics, with what each gives up against the best yield among them. */
  function merchantLiquidity(outcomesOf: (name: MerchantStrategyName) => WalletOutcome[], evaluated: number) {
    const base = outcomesOf('hold-one');
    const yields = MERCHANT_STRATEGY_NAMES.map((name) => raw(outcomesOf(name), evaluated).annualYieldPct);
    const bestIndex = yields.reduce((b, v, k) => (v > yields[b]! ? k : b), 0);
    const metrics = Object.fromEntries(
      MERCHANT_STRATEGY_NAMES.map((name, k) => {
        const books = outcomesOf(name);
        const sum = (field: 'withdrawalDays' | 'coveredDays' | 'withdrawn' | 'paidAtOnce' | 'paidLate') => books.reduce((total, b) => total + b[field], 0);
        const withdrawn = sum('withdrawn');
        const merchantMetrics: MerchantMetrics = {
          ...portfolio(books, base, evaluated),
          paidAtOnceShare: round(withdrawn > 0 ? sum('paidAtOnce') / withdrawn : 1, 4),
          daysCoveredShare: round(sum('withdrawalDays') > 0 ? sum('coveredDays') / sum('withdrawalDays') : 1, 4),
          unmetInstantCnyPerMerchantYear: round(sum('paidLate') / books.length / (evaluated / 365) / 100, 2),
          yieldGivenUpBpPerYear: round((yields[bestIndex]! - yields[k]!) * 100, 2),
        };
        return [name, merchantMetrics];
      }),
    ) as Record<MerchantStrategyName, MerchantMetrics>;
    return { metrics, best: MERCHANT_STRATEGY_NAMES[bestIndex]! };
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
    const merchantRuns = merchants.length > 0 ? merchantLiquidity(merchantOutcomes, evaluated) : null;
    const reports: StrategyReport[] = strategies.map((strategy) => {
      const w = results.get(strategy.name)!;
      const investor = portfolio([w.investor], [base.investor], evaluated);
      const merchantMetrics = merchantRuns ? merchantRuns.metrics[strategy.name] : null;
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
    const liquidity: BacktestReport['liquidity'] = merchantRuns
      ? {
          yieldGivenUpAgainst: YIELD_GIVEN_UP_AGAINST,
          bestYieldStrategy: merchantRuns.best,
          baseline: { name: 'cap-reserve', label: CAP_RESERVE_LABEL, merchants: merchantRuns.metrics['cap-reserve'] },
        }
      : null;
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

    const demandErrors = bounds ? demandErrorReport(data, bounds, merchantDemand!.coverage, e0, last) : null;

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
      fundZeroQuantile: data.fundZeroQuantile ?? null,
      evaluation: { from, to, days: evaluated, businessDays },
      market: { from: market.dates[0]!, to, funds: n, warmupDays: e0 },
      investorCny: investorFen / 100,
      merchants: merchants.length,
      horizonDays,
      decisionLagDays,
      timing: DECISION_TIMING,
      modelConfiguration: { hash: MODEL_CONFIGURATION_HASH, overridden: configurationOverrides(settings) },
      strategies: reports,
      liquidity,
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
          paidAtOnceShare: merchantRuns ? { holdOne: merchantRuns.metrics['hold-one'].paidAtOnceShare, iimmf: merchantRuns.metrics.iimmf.paidAtOnceShare } : null,
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
