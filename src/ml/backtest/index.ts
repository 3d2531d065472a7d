export { ArimaFilter, type FittedArima } from './arima-filter';
export { backtestCalendar, type BacktestCalendar } from './backtest-calendar';
export { achievedCoverage, BOUND_METHODS, calibratedBounds, NOMINAL_COVERAGE, type BoundMethod, type BoundTarget, type CalibrationOptions } from './bound-calibration';
export { calibratedByMethod, coverageByMethod, decisionBoundsFen, decisionTargets, oneDayAheadTargets, type CoverageCount, type DecisionCalendar } from './decision-bounds';
export { CEILING_LABEL, ceilingStrategy, perfectForesightPlan, type CeilingMarket, type CeilingPlan } from './ceiling';
export { demandBounds, seasonalNaiveBound, type DemandBoundOptions, type DemandBounds, type DemandMethod, type MerchantDemandBounds } from './demand-bounds';
export { FundBook, incomeFen, type PendingBuy, type PendingRedemption, type WithdrawalOutcome } from './fund-book';
export {
  CAP_RESERVE_LABEL,
  CAP_RESERVE_LEVELS,
  capReserve,
  equalWeights,
  forecastSwitching,
  holdOne,
  iimmf,
  iimmfCandidates,
  DUST_FEN,
  MERCHANT_STRATEGY_NAMES,
  STRATEGY_LABELS,
  STRATEGY_NAMES,
  waterFill,
  type DecisionContext,
  type IimmfStats,
  type LiquidityBaselineName,
  type MerchantStrategyName,
  type Order,
  type Strategy,
  type StrategyName,
  type ThesisStrategyName,
} from './strategies';
export {
  isNonForecastRule,
  NON_FORECAST_RULE_NAMES,
  NON_FORECAST_RULES,
  nonForecastLevels,
  nonForecastRule,
  type NonForecastRule,
  type NonForecastRuleName,
} from './non-forecast-rules';
export {
  consecutiveSeeds,
  DEFAULT_FUND_ZERO_QUANTILES,
  runMultiSeedBacktest,
  seedSpread,
  type FundZeroQuantileSummary,
  type MerchantLiquiditySpread,
  type MultiSeedOptions,
  type MultiSeedReport,
  type SeedSpread,
} from './multi-seed';
export {
  boundCoverageReport,
  DECISION_TIMING,
  DEFAULT_BACKTEST_SEED,
  MAX_DECISION_LAG_DAYS,
  forecastDemand,
  runBacktest,
  runBacktestOn,
  simulateBacktestData,
  warmupDays,
  type BacktestData,
  type BacktestMarket,
  type BacktestMerchant,
  type BacktestOptions,
  type BacktestRecord,
  type BacktestReport,
  type BacktestResult,
  type BacktestSeries,
  type BacktestSettings,
  type BoundCoverageReport,
  type CeilingReport,
  type InvestorRunReport,
  type LiquidityBaselineReport,
  type MerchantMetrics,
  type PortfolioMetrics,
  type StrategyReport,
} from './backtest';
export { simulateWallets, walletWorkerPath, type WalletJob, type WalletPoolOptions } from './wallet-pool';
export { businessDateOf, makeStrategy, runWallet, simulateWallet, type SimulationInputs, type WalletFlows, type WalletOutcome, type WalletRunOptions } from './wallet-simulation';
export { escapeXml, niceTicks, renderBacktestSvg } from './svg';
