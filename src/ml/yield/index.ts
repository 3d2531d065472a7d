export { ModelInputError, type ModelInputErrorCode } from './model-input-error';
export {
  DEFAULT_MAX_ITERATIONS,
  DEFAULT_TOLERANCE,
  elasticNet,
  elasticNetGram,
  elasticNetObjective,
  predictElasticNet,
  type ElasticNetFit,
  type ElasticNetOptions,
  type GramProblem,
} from './elastic-net';
export { syntheticRegression, type SyntheticRegression, type SyntheticRegressionOptions } from './synthetic-regression';
export { leastSquaresGram } from './least-squares';
export { ErrorSums, horizonMean, scoreForecasts, type ForecastErrors, type ScoredForecasts } from './forecast-errors';
export {
  buildYieldDataset,
  EXTENDED_YIELD_FEATURE_NAMES,
  FIRST_FEATURE_DAY,
  firstFeatureDay,
  JUMP_THRESHOLD_PCT,
  prepareYieldMarket,
  YIELD_FEATURE_COUNT,
  YIELD_FEATURE_NAMES,
  YIELD_FEATURE_SETS,
  yieldFeatureNames,
  yieldFeatureRow,
  type PreparedYieldMarket,
  type YieldFeatureSet,
  type YieldDataset,
  type YieldMarket,
} from './yield-features';
export {
  DEFAULT_ALPHA_RATIOS,
  DEFAULT_L1_RATIOS,
  evaluateYieldForecasts,
  firstScoredOrigin,
  forecastFundYields,
  requiredDays,
  walkForwardYieldForecasts,
  MAX_HORIZON_DAYS,
  YIELD_MODELS,
  type FundYieldForecast,
  type WalkForwardForecasts,
  type YieldEvaluation,
  type YieldEvaluationOptions,
  type YieldForecast,
  type YieldForecastOptions,
  type YieldModel,
  type YieldModelChoice,
} from './yield-forecaster';
export {
  compareYieldForecasts,
  formatYieldComparison,
  TRAILING_MEAN_DAYS,
  type YieldComparison,
  type YieldComparisonRow,
} from './yield-forecast-comparison';
