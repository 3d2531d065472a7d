/**
 * The one configuration of the models the product's day close (src/api/intelligence) forecasts with and the
 * backtest (src/ml/backtest) tests: a backtest run that departs from it names what it changed in its report.
 *
 * The two sides fit the demand model to series of different days: the day close to a merchant's outflow per
 * business day (the merchant_profiles read model), the backtest to the simulated merchants' withdrawals per
 * calendar day. A week, the demand season, is 5 points of the first and 7 of the second, and a year of history
 * 260 of the first (52 weeks of weekdays, what merchant_profiles keeps) and 365 of the second; the
 * configuration states both, and each side takes the one of its series (`modelSettingsFor`).
 *
 * The hash names the configuration in every recorded forecast: sha256 of its canonical JSON (keys sorted,
 * src/eventstore/canonical-json.ts), the first 16 hexadecimal digits (64 bits).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../eventstore/canonical-json';
import { type ArimaGrid, DEFAULT_GRID } from './demand';
import { DEFAULT_ALPHA_RATIOS, DEFAULT_L1_RATIOS, requiredDays, type YieldForecastOptions, type YieldModelChoice } from './yield';

/** What a series of daily values counts: business days (the day close) or calendar days (the backtest). */
export type SeriesUnit = 'businessDays' | 'calendarDays';

export interface ModelConfiguration {
  readonly yield: {
    /** Every option spelled out, so a change of the forecaster's defaults cannot change the models unseen. */
    readonly options: Required<YieldForecastOptions & YieldModelChoice> & { readonly pooling: 'pooled' };
  };
  readonly demand: {
    readonly model: 'arima-aic';
    /** One week in each unit: the seasonal period of the order chosen by AIC. */
    readonly seasonPeriod: Readonly<Record<SeriesUnit, number>>;
    /** One year in each unit: the most history a fit uses. */
    readonly historyWindow: Readonly<Record<SeriesUnit, number>>;
    /** How the order is chosen (src/ml/demand/model-selection.ts). */
    readonly selection: { readonly grid: ArimaGrid; readonly search: 'hannan-rissanen'; readonly compare: number; readonly refits: number };
  };
  readonly allocation: {
    readonly model: 'iimmf';
    /** Calendar days over which a switch between funds must pay for itself. */
    readonly horizonDays: number;
  };
}

/** The values of the backtest of record (docs/backtest.md). */
export const MODEL_CONFIGURATION: ModelConfiguration = deepFrozen({
  yield: {
    options: {
      model: 'elastic-net',
      // Chosen by walk-forward on development seeds (docs/forecasting.md): 11.6 % better than naive, not 6.2 %.
      features: 'extended',
      // Tomorrow's income, as the day close records it and GET /forecasts/accuracy scores it.
      horizonDays: 1,
      minTrainDays: 365,
      validationBlocks: 6,
      refitEveryDays: 30,
      pooling: 'pooled',
      alphaRatios: [...DEFAULT_ALPHA_RATIOS],
      l1Ratios: [...DEFAULT_L1_RATIOS],
      maxIterations: 2_000,
      tolerance: 1e-6,
    },
  },
  demand: {
    model: 'arima-aic',
    seasonPeriod: { businessDays: 5, calendarDays: 7 },
    historyWindow: { businessDays: 260, calendarDays: 365 },
    // The best-ranked order alone is fitted exactly: it forecasts as well as the best AIC of the top 3 at a
    // quarter to a half of the CPU (the measurements in src/ml/demand/model-selection.ts).
    selection: { grid: { ...DEFAULT_GRID }, search: 'hannan-rissanen', compare: 1, refits: 3 },
  },
  allocation: { model: 'iimmf', horizonDays: 14 },
});

/** sha256 of the configuration's canonical JSON, its first 16 hexadecimal digits. */
export function configurationHash(configuration: ModelConfiguration): string {
  return createHash('sha256').update(canonicalJson(configuration)).digest('hex').slice(0, 16);
}

export const MODEL_CONFIGURATION_HASH = configurationHash(MODEL_CONFIGURATION);

/** Days of income before a close that the yield model needs to forecast at all. */
export const YIELD_HISTORY_DAYS = requiredDays(MODEL_CONFIGURATION.yield.options);

/** Named in every forecast event's metadata: the models, and the configuration's hash. */
export const MODEL_VERSION = `${MODEL_CONFIGURATION.yield.options.model}+${MODEL_CONFIGURATION.demand.model}+${MODEL_CONFIGURATION.allocation.model}@${MODEL_CONFIGURATION_HASH}`;

/** What one side passes to the models, in the unit of the series it fits the demand model to. */
export interface ModelSettings {
  readonly yieldOptions: ModelConfiguration['yield']['options'];
  readonly demand: ModelConfiguration['demand']['selection'] & { readonly period: number; readonly historyDays: number };
  readonly allocationHorizonDays: number;
}

export function modelSettingsFor(unit: SeriesUnit, configuration: ModelConfiguration = MODEL_CONFIGURATION): ModelSettings {
  const { demand } = configuration;
  return deepFrozen({
    yieldOptions: configuration.yield.options,
    demand: { ...demand.selection, period: demand.seasonPeriod[unit], historyDays: demand.historyWindow[unit] },
    allocationHorizonDays: configuration.allocation.horizonDays,
  });
}

/** Freezes every object and array in a tree of plain data, so no importer can change the configuration. */
function deepFrozen<T extends object>(value: T): T {
  for (const child of Object.values(value)) if (typeof child === 'object' && child !== null) deepFrozen(child as object);
  return Object.freeze(value);
}
