export { ArimaFilter, type FittedArima } from './arima-filter';
export { demandBounds, seasonalNaiveBound, type DemandBoundOptions, type DemandBounds, type DemandMethod, type MerchantDemandBounds } from './demand-bounds';
export { FundBook, incomeFen, type PendingBuy, type PendingRedemption, type WithdrawalOutcome } from './fund-book';
export {
  equalWeights,
  forecastSwitching,
  holdOne,
  iimmf,
  iimmfCandidates,
  DUST_FEN,
  STRATEGY_LABELS,
  STRATEGY_NAMES,
  waterFill,
  type DecisionContext,
  type IimmfStats,
  type Order,
  type Strategy,
  type StrategyName,
} from './strategies';
export {
  DEFAULT_BACKTEST_SEED,
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
  type MerchantMetrics,
  type PortfolioMetrics,
  type StrategyReport,
} from './backtest';
export { simulateWallets, walletWorkerPath, type WalletJob, type WalletPoolOptions } from './wallet-pool';
export { makeStrategy, simulateWallet, type SimulationInputs, type WalletFlows, type WalletOutcome } from './wallet-simulation';
export { escapeXml, niceTicks, renderBacktestSvg } from './svg';
