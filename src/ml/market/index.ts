export { detExp, detLog, SeededRandom, type Seed } from './seeded-random';
export {
  DEFAULT_FUND_ZERO_QUANTILE,
  DEFAULT_SPREAD_PARAMETERS,
  FUND_ZERO_QUANTILE_RANGE,
  normalQuantile,
  spreadSdPct,
  type SpreadParameters,
} from './fund-spread';
export { calendarDay, calendarDays, isoDateOfDayNumber, isoDayNumber, type CalendarDay } from './sim-calendar';
export {
  ANCHOR_KNOTS,
  MARKET_PARAMETERS,
  perTenKOfYieldPct,
  sevenDayYieldPct,
  simulateMarket,
  SimulatorInputError,
  type MarketOptions,
  type MarketSimulation,
  type SimulatedFund,
} from './market-simulator';
export {
  MERCHANT_PARAMETERS,
  simulateMerchants,
  type MerchantArchetype,
  type MerchantOptions,
  type MerchantSimulation,
  type SimulatedMerchant,
} from './merchant-simulator';
export {
  CALIBRATED_SEED,
  CALIBRATION_TOLERANCES,
  calibrationReport,
  calibrationTable,
  crossFundSpreadByYear,
  meanSevenDayYieldPct,
  OUTLIER_ABOVE_MEDIAN_PCT,
  overnightShareWithin,
  REFERENCE_POINTS,
  yearlySevenDayYieldPct,
  type CalibrationReport,
  type CalibrationRow,
  type CrossFundSpreadCheck,
  type CrossFundSpreadRow,
  type LevelPathCheck,
  type ReferencePoint,
} from './market-calibration';
