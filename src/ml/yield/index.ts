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
export {
  buildYieldDataset,
  FIRST_FEATURE_DAY,
  prepareYieldMarket,
  YIELD_FEATURE_COUNT,
  YIELD_FEATURE_NAMES,
  yieldFeatureRow,
  type PreparedYieldMarket,
  type YieldDataset,
  type YieldMarket,
} from './yield-features';
export {
  DEFAULT_ALPHA_RATIOS,
  DEFAULT_L1_RATIOS,
  evaluateYieldForecasts,
  forecastFundYields,
  requiredDays,
  walkForwardYieldForecasts,
  type ForecastErrors,
  type FundYieldForecast,
  type WalkForwardForecasts,
  type YieldEvaluation,
  type YieldEvaluationOptions,
  type YieldForecast,
  type YieldForecastOptions,
} from './yield-forecaster';
