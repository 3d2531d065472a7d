export { DemandForecastError, type DemandForecastErrorCode } from './errors';
export {
  forecastArima,
  minimumPoints,
  MAX_HORIZON,
  type ArimaForecast,
  type ArimaMethod,
  type ArimaSpec,
  type ForecastOptions,
  type NormalizedSpec,
} from './arima-forecast';
export { MAX_POINTS } from './wasm-arima';
export { chooseArimaByAic, DEFAULT_GRID, type ArimaGrid, type Candidate, type SelectionOptions, type SelectionResult } from './model-selection';
export { chooseDifferencing, kpssStatistic, seasonalStrength, type DifferencingChoice } from './differencing-tests';
export {
  forecastMany,
  forecastManyWithStats,
  type ForecastItem,
  type ForecastManyOptions,
  type ForecastManyStats,
  type PoolOptions,
} from './parallel-forecaster';
export {
  evaluateDemandForecasts,
  mase,
  seasonalNaiveForecast,
  seasonalNaiveScale,
  type Evaluation,
  type EvaluationOptions,
  type SeriesEvaluation,
} from './mase';
export { toDailySeries, type DailyPoint, type DailySeries } from './daily-series';
