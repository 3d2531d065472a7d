export { detExp, detLog, SeededRandom, type Seed } from './seeded-random';
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
  calibrationTable,
  meanSevenDayYieldPct,
  overnightShareWithin,
  REFERENCE_POINTS,
  yearlySevenDayYieldPct,
  type CalibrationRow,
  type ReferencePoint,
} from './market-calibration';
