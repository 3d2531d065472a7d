/**
 * One-day-ahead forecasts of each fund's income per 10,000 shares with the elastic net, its α and l1Ratio
 * chosen by walk-forward validation, or with unpenalised least squares on the same features and splits (the
 * baseline that shows what the penalty adds).
 *
 * The model. For origin day t the features are those of yield-features.ts (data up to day t only; the 'base'
 * set by default, `features: 'extended'` for the larger one). The regression is fitted to the change
 * p[t+1] − p[t] and the forecast is p[t] + predicted change. That is the same linear model family as
 * regressing p[t+1] on features that include p[t], but the penalty then shrinks towards the naive forecast
 * (tomorrow = today) instead of towards a constant, so a heavily penalised model is the naive forecast rather
 * than something worse. Features are standardised with the training window's mean and standard deviation
 * (explicitly, here; the elastic net itself standardises nothing).
 *
 * Walk-forward. Time is cut into blocks of `refitEveryDays` origin days. For block k every (α, ρ) of the grid
 * is fitted on all rows whose target was known by the block's first day (an expanding window), and its
 * squared errors over the block are recorded: those are out-of-sample errors. The forecasts for block k use
 * the (α, ρ) with the least squared error over the `validationBlocks` blocks before k, so neither the fit nor
 * the choice has seen block k. α is a fraction (`alphaRatios`) of α_max(ρ), the smallest α that makes every
 * coefficient zero on the training window (as scikit-learn's alpha grid). Fits use sufficient statistics
 * (XᵀX, Xᵀy), accumulated as the window grows, so a refit costs O(p²) per sweep whatever the window length.
 * `model: 'least-squares'` has a grid of one (α = 0) and runs over the very same blocks, so its forecasts
 * are scored on the same origins.
 *
 * Horizon. With `horizonDays: H` the target of origin t is the mean income over days t + 1 … t + H, known on
 * day t + H: a block starting on day s trains on origins ≤ s − H, and a block's errors count only the origins
 * whose horizon ends within it, so the (α, ρ) chosen for a later block rest on errors known by then.
 *
 * Pooling: 'pooled' (the default) fits one model to the rows of all funds (a fund's own level enters through
 * its features, e.g. spreadToMean); 'per-fund' fits one model per fund, which costs one fit grid per fund.
 */
import { invariant } from '../../invariant';
import { elasticNetGram } from './elastic-net';
import { type ForecastErrors, horizonMean, scoreForecasts } from './forecast-errors';
import { GramAccumulator, originalScale, type StandardisedProblem, standardise } from './gram-statistics';
import { leastSquaresGram } from './least-squares';
import { ModelInputError } from './model-input-error';
import { firstFeatureDay, prepareYieldMarket, type PreparedYieldMarket, type YieldFeatureSet, type YieldMarket, yieldFeatureNames, yieldFeatureRow } from './yield-features';

// Module-level aliases: a global `Math.x` lookup in a hot loop is slow in some hosts (jest's vm context).
const { abs, max, round } = Math;
const isFiniteNumber = Number.isFinite;

export type { ForecastErrors } from './forecast-errors';

/** The regression behind the forecasts. */
export type YieldModel = 'elastic-net' | 'least-squares';
export const YIELD_MODELS: readonly YieldModel[] = ['elastic-net', 'least-squares'];

/**
 * Which regression on which features. Kept apart from YieldForecastOptions so that a configuration that
 * spells out every one of those (Required<YieldForecastOptions>) stays valid; every function that takes
 * YieldForecastOptions takes these too.
 */
export interface YieldModelChoice {
  /** 'elastic-net' (default) or unpenalised 'least-squares' (ml-regression) on the same features and blocks. */
  readonly model?: YieldModel;
  /** The feature set of yield-features.ts: 'base' (default) or 'extended'. */
  readonly features?: YieldFeatureSet;
  /**
   * What is forecast at origin t: the mean income per day over days t + 1 … t + horizonDays (default 1,
   * tomorrow's income; at most MAX_HORIZON_DAYS). A switching rule that holds a fund for a horizon wants that
   * horizon's mean, not tomorrow's income, which carries one-day effects that are gone in a week.
   */
  readonly horizonDays?: number;
}

export const MAX_HORIZON_DAYS = 90;

export interface YieldForecastOptions {
  /** α as fractions of α_max(ρ), default [1, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001]. */
  readonly alphaRatios?: readonly number[];
  /** ρ values, default [0.1, 0.5, 0.9, 1]. */
  readonly l1Ratios?: readonly number[];
  /** Block length in days: the model is refitted once a block (default 30). */
  readonly refitEveryDays?: number;
  /** How many past blocks' out-of-sample errors choose (α, ρ) (default 6). */
  readonly validationBlocks?: number;
  /** Training days before the first validation block (default 365). */
  readonly minTrainDays?: number;
  /** One model for the rows of all funds (default) or one model per fund (about 10× slower, see docs). */
  readonly pooling?: 'per-fund' | 'pooled';
  /** Coordinate-descent sweeps per fit (default 2,000). */
  readonly maxIterations?: number;
  /** Coordinate-descent tolerance (default 1e-6; tighter changes no forecast measurably). */
  readonly tolerance?: number;
}

export interface YieldEvaluationOptions extends YieldForecastOptions, YieldModelChoice {
  /** Evaluate forecasts whose origin day is on or after this date (default: as soon as there are enough data). */
  readonly evaluateFrom?: string;
}

export interface YieldEvaluation extends ForecastErrors {
  readonly model: YieldModel;
  readonly features: YieldFeatureSet;
  readonly horizonDays: number;
  readonly pooling: 'per-fund' | 'pooled';
  /** The first target day scored and the last (the end of the last horizon scored). */
  readonly from: string;
  readonly to: string;
  readonly perFund: ({ readonly code: string } & ForecastErrors)[];
  /** Forecasts whose target day is in the last 4 days of a month or the 1st, and the others. */
  readonly monthEnd: ForecastErrors;
  readonly otherDays: ForecastErrors;
  /** How often each (α ratio, ρ) was chosen, over blocks and models (least squares: α ratio and ρ 0). */
  readonly choices: { readonly alphaRatio: number; readonly l1Ratio: number; readonly blocks: number }[];
}

export interface FundYieldForecast {
  readonly code: string;
  /** Forecast income per 10,000 shares for the day after trainEnd (with horizonDays H: the mean over the H days after it), CNY, not rounded. */
  readonly perTenK: number;
  /** The same rounded to 0.0001 CNY units. */
  readonly perTenKMicros: number;
  /** The naive forecast: the income of trainEnd. */
  readonly naivePerTenK: number;
  /** The 7-day annualised yield, %, of the six days to trainEnd and the forecast as the next day's income. */
  readonly sevenDayYieldPct: number;
  /** The penalty chosen; 0 (and alphaRatio, l1Ratio 0) for least squares. */
  readonly alpha: number;
  readonly alphaRatio: number;
  readonly l1Ratio: number;
  /** Coefficients on the original feature scale, by feature name, and the intercept (of the change). */
  readonly intercept: number;
  readonly coef: Readonly<Record<string, number>>;
}

export interface YieldForecast {
  readonly trainEnd: string;
  /** The day after trainEnd: the (first) day forecast. */
  readonly forecastDate: string;
  readonly model: YieldModel;
  readonly features: YieldFeatureSet;
  readonly horizonDays: number;
  readonly pooling: 'per-fund' | 'pooled';
  readonly funds: FundYieldForecast[];
}

export const DEFAULT_ALPHA_RATIOS: readonly number[] = [1, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001];
export const DEFAULT_L1_RATIOS: readonly number[] = [0.1, 0.5, 0.9, 1];

interface Settings {
  model: YieldModel;
  features: YieldFeatureSet;
  horizon: number;
  names: readonly string[];
  firstDay: number;
  alphaRatios: readonly number[];
  l1Ratios: readonly number[];
  step: number;
  validationBlocks: number;
  minTrainDays: number;
  pooling: 'per-fund' | 'pooled';
  maxIterations: number;
  tolerance: number;
}

function settingsOf(options: YieldForecastOptions & YieldModelChoice): Settings {
  const {
    model = 'elastic-net',
    features = 'base',
    horizonDays = 1,
    alphaRatios = DEFAULT_ALPHA_RATIOS,
    l1Ratios = DEFAULT_L1_RATIOS,
    refitEveryDays = 30,
    validationBlocks = 6,
    minTrainDays = 365,
    pooling = 'pooled',
    maxIterations = 2_000,
    tolerance = 1e-6,
  } = options;
  const positiveInteger = (name: string, value: unknown, min = 1) => {
    if (!Number.isInteger(value) || (value as number) < min) throw new ModelInputError('BAD_OPTION', `${name} must be an integer ≥ ${min}, got ${String(value)}`);
  };
  positiveInteger('refitEveryDays', refitEveryDays);
  positiveInteger('validationBlocks', validationBlocks);
  positiveInteger('minTrainDays', minTrainDays, 30);
  positiveInteger('maxIterations', maxIterations);
  positiveInteger('horizonDays', horizonDays);
  if (horizonDays > MAX_HORIZON_DAYS) throw new ModelInputError('BAD_OPTION', `horizonDays must be at most ${MAX_HORIZON_DAYS}, got ${horizonDays}`);
  if (!YIELD_MODELS.includes(model)) throw new ModelInputError('BAD_OPTION', `model must be ${YIELD_MODELS.map((m) => `'${m}'`).join(' or ')}`);
  if (features !== 'base' && features !== 'extended') throw new ModelInputError('BAD_OPTION', `features must be 'base' or 'extended'`);
  if (!Array.isArray(alphaRatios) || alphaRatios.length === 0 || !alphaRatios.every((r) => typeof r === 'number' && r > 0 && isFiniteNumber(r))) {
    throw new ModelInputError('BAD_OPTION', 'alphaRatios must be a non-empty list of positive numbers');
  }
  if (!Array.isArray(l1Ratios) || l1Ratios.length === 0) throw new ModelInputError('BAD_OPTION', 'l1Ratios must be a non-empty list');
  for (const rho of l1Ratios) {
    if (typeof rho !== 'number' || !(rho > 0 && rho <= 1)) throw new ModelInputError('L1_RATIO_OUT_OF_RANGE', `every l1Ratio must be in (0, 1], got ${String(rho)}`);
  }
  if (pooling !== 'per-fund' && pooling !== 'pooled') throw new ModelInputError('BAD_OPTION', `pooling must be 'per-fund' or 'pooled'`);
  if (typeof tolerance !== 'number' || !(tolerance >= 0 && tolerance < 1)) throw new ModelInputError('BAD_OPTION', 'tolerance must be in [0, 1)');
  return {
    model,
    features,
    horizon: horizonDays,
    names: yieldFeatureNames(features),
    firstDay: firstFeatureDay(features),
    alphaRatios: [...alphaRatios].sort((a, b) => b - a),
    l1Ratios: [...l1Ratios],
    step: refitEveryDays,
    validationBlocks,
    minTrainDays,
    pooling,
    maxIterations,
    tolerance,
  };
}

/** The first origin whose forecast the walk-forward scores: after the training days and the validation blocks. */
export function firstScoredOrigin(options: YieldForecastOptions & YieldModelChoice = {}): number {
  const s = settingsOf(options);
  return s.firstDay + s.minTrainDays + s.validationBlocks * s.step;
}

/** Days of data the walk-forward needs to score one forecast (the first scored origin, then its horizon). */
export function requiredDays(options: YieldForecastOptions & YieldModelChoice = {}): number {
  return firstScoredOrigin(options) + (options.horizonDays ?? 1) + 1;
}

/**
 * Next-day forecasts for every fund from data up to and including `trainEnd` (later days are ignored).
 */
export function forecastFundYields(market: YieldMarket, options: YieldForecastOptions & YieldModelChoice & { readonly trainEnd: string }): YieldForecast {
  const settings = settingsOf(options);
  if (market === null || typeof market !== 'object' || !Array.isArray(market.dates)) throw new ModelInputError('EMPTY_DATA', 'a market needs dates');
  const end = market.dates.indexOf(options.trainEnd);
  if (end < 0) throw new ModelInputError('UNKNOWN_DATE', `trainEnd ${String(options.trainEnd)} is not a date of the market`, { trainEnd: String(options.trainEnd) });
  const sliced: YieldMarket = {
    dates: market.dates.slice(0, end + 1),
    overnightRatePct: Array.isArray(market.overnightRatePct) ? market.overnightRatePct.slice(0, end + 1) : market.overnightRatePct,
    funds: Array.isArray(market.funds) ? market.funds.map((fund) => ({ code: fund?.code, perTenK: Array.isArray(fund?.perTenK) ? fund.perTenK.slice(0, end + 1) : fund?.perTenK })) : market.funds,
  };
  const prepared = prepareYieldMarket(sliced, requiredDays(options) - 1);
  // Blocks end at the last day: K validation blocks, then a block holding the one origin trainEnd.
  const last = prepared.days - 1;
  const starts: number[] = [];
  for (let k = settings.validationBlocks; k >= 1; k -= 1) starts.push(last - k * settings.step);
  starts.push(last);
  const run = walkForward(prepared, settings, starts, last + 1);
  const forecastDate = prepared.calendar[last + 1]!.date;
  const funds = prepared.market.funds.map((fund, i): FundYieldForecast => {
    const model = run.finalModels[i]!;
    const forecast = run.forecasts[i]![last]!;
    invariant(isFiniteNumber(forecast), () => `forecast for ${fund.code} is not finite`);
    let sum6 = 0;
    for (let k = 0; k < 6; k += 1) sum6 += fund.perTenK[last - k]!;
    const coef: Record<string, number> = {};
    settings.names.forEach((name, j) => (coef[name] = model.coef[j]!));
    return {
      code: fund.code,
      perTenK: forecast,
      perTenKMicros: round(forecast * 10_000),
      naivePerTenK: fund.perTenK[last]!,
      sevenDayYieldPct: (((sum6 + forecast) / 10_000) * 365 * 100) / 7,
      alpha: model.alpha,
      alphaRatio: model.alphaRatio,
      l1Ratio: model.l1Ratio,
      intercept: model.intercept,
      coef,
    };
  });
  return {
    trainEnd: prepared.market.dates[last]!,
    forecastDate,
    model: settings.model,
    features: settings.features,
    horizonDays: settings.horizon,
    pooling: settings.pooling,
    funds,
  };
}

export interface WalkForwardForecasts {
  readonly model: YieldModel;
  readonly features: YieldFeatureSet;
  readonly horizonDays: number;
  readonly pooling: 'per-fund' | 'pooled';
  /** The market's dates; index t is the forecast origin. */
  readonly dates: readonly string[];
  /** Index of the first origin with a forecast. */
  readonly firstOrigin: number;
  /**
   * forecast[t]: the forecast of the fund's perTenK on day t + 1 (of its mean over days t + 1 … t + horizonDays),
   * made at origin t from data up to day t (model fitted on targets known by the block's first day, (α, ρ)
   * chosen on earlier blocks); null before firstOrigin and for the last day.
   */
  readonly funds: { readonly code: string; readonly forecast: (number | null)[] }[];
}

/**
 * The walk-forward's one-day-ahead forecasts for every fund and every origin it covers: what a backtest of
 * fund switching needs. No forecast depends on data after its origin.
 */
export function walkForwardYieldForecasts(market: YieldMarket, options: YieldForecastOptions & YieldModelChoice = {}): WalkForwardForecasts {
  const settings = settingsOf(options);
  const prepared = prepareYieldMarket(market, requiredDays(options));
  const { run, starts } = evaluationWalk(prepared, settings);
  const firstOrigin = starts[settings.validationBlocks]!;
  return {
    model: settings.model,
    features: settings.features,
    horizonDays: settings.horizon,
    pooling: settings.pooling,
    dates: prepared.market.dates,
    firstOrigin,
    funds: prepared.market.funds.map((fund, i) => ({
      code: fund.code,
      forecast: Array.from(run.forecasts[i]!, (value, t) => (t >= firstOrigin && isFiniteNumber(value) ? value : null)),
    })),
  };
}

/** The walk-forward over the whole market: forecasts for every origin but the last day; lastOrigin is the last whose horizon is known. */
function evaluationWalk(prepared: PreparedYieldMarket, settings: Settings): { run: WalkForwardRun; starts: number[]; lastOrigin: number } {
  const lastOrigin = prepared.days - 1 - settings.horizon;
  const starts: number[] = [];
  for (let start = settings.firstDay + settings.minTrainDays; start <= prepared.days - 2; start += settings.step) starts.push(start);
  return { run: walkForward(prepared, settings, starts, prepared.days - 1), starts, lastOrigin };
}

/**
 * Out-of-sample errors of the walk-forward forecasts over the market, against the naive forecast.
 */
export function evaluateYieldForecasts(market: YieldMarket, options: YieldEvaluationOptions = {}): YieldEvaluation {
  const settings = settingsOf(options);
  const prepared = prepareYieldMarket(market, requiredDays(options));
  const { run, starts, lastOrigin } = evaluationWalk(prepared, settings);
  let firstScored = starts[settings.validationBlocks]!;
  if (options.evaluateFrom !== undefined) {
    const from = prepared.market.dates.indexOf(options.evaluateFrom);
    if (from < 0) throw new ModelInputError('UNKNOWN_DATE', `evaluateFrom ${options.evaluateFrom} is not a date of the market`);
    if (from < firstScored) throw new ModelInputError('TOO_SHORT', `the first forecast that can be scored is for origin ${prepared.market.dates[firstScored]}`);
    firstScored = from;
  }
  if (firstScored > lastOrigin) throw new ModelInputError('TOO_SHORT', `no forecast from ${prepared.market.dates[firstScored]} on has its ${settings.horizon} days known`);
  const scored = scoreForecasts(prepared, (i, t) => run.forecasts[i]![t]!, firstScored, lastOrigin, settings.horizon);
  const choices = [...run.choiceCounts.values()].sort((x, y) => y.blocks - x.blocks);
  return {
    model: settings.model,
    features: settings.features,
    pooling: settings.pooling,
    horizonDays: settings.horizon,
    from: prepared.market.dates[firstScored + 1]!,
    to: prepared.market.dates[lastOrigin + settings.horizon]!,
    ...scored,
    choices,
  };
}

// ---------------------------------------------------------------------------------------------------------

/** One fitted model of a block: a point of the (α, ρ) grid, or the least-squares fit. */
interface Candidate {
  alpha: number;
  alphaRatio: number;
  l1Ratio: number;
  intercept: number;
  coef: Float64Array;
}

interface WalkForwardRun {
  /** forecasts[fund][origin]: forecast of perTenK on origin + 1 (NaN where none was made). */
  forecasts: Float64Array[];
  /** The model that made each fund's last forecast. */
  finalModels: Candidate[];
  /** "alphaRatio|l1Ratio" → how often that candidate was chosen. */
  choiceCounts: Map<string, { alphaRatio: number; l1Ratio: number; blocks: number }>;
}

/** What every model unit of one walk-forward shares. */
interface WalkContext {
  prepared: PreparedYieldMarket;
  settings: Settings;
  /** Feature rows of each fund, origin t at [t·p, (t+1)·p). */
  rows: Float64Array[];
  starts: readonly number[];
  /** The end (exclusive) of the last block. */
  end: number;
  forecasts: Float64Array[];
  choiceCounts: WalkForwardRun['choiceCounts'];
}

/**
 * Run the walk-forward over blocks [starts[k], starts[k+1]) (the last one ends at `end`, exclusive) for every
 * model unit; forecasts are made for blocks k ≥ validationBlocks, with (α, ρ) chosen on the blocks before.
 */
function walkForward(prepared: PreparedYieldMarket, settings: Settings, starts: readonly number[], end: number): WalkForwardRun {
  const fundCount = prepared.market.funds.length;
  const p = settings.names.length;
  const rows: Float64Array[] = [];
  for (let i = 0; i < fundCount; i += 1) {
    const block = new Float64Array(prepared.days * p);
    for (let t = settings.firstDay; t < prepared.days; t += 1) yieldFeatureRow(prepared, i, t, block.subarray(t * p, (t + 1) * p), settings.features);
    rows.push(block);
  }
  const context: WalkContext = {
    prepared,
    settings,
    rows,
    starts,
    end,
    forecasts: [...Array(fundCount)].map(() => new Float64Array(prepared.days).fill(NaN)),
    choiceCounts: new Map(),
  };
  const units: number[][] = settings.pooling === 'pooled' ? [[...Array(fundCount).keys()]] : [...Array(fundCount).keys()].map((i) => [i]);
  const finalModels: Candidate[] = [];
  for (const unit of units) {
    const model = walkUnit(context, unit);
    for (const _ of unit) finalModels.push(model);
  }
  return { forecasts: context.forecasts, finalModels, choiceCounts: context.choiceCounts };
}

/** The walk-forward of one model unit (one fund, or all when pooled); returns the model of its last block. */
function walkUnit(context: WalkContext, unit: readonly number[]): Candidate {
  const { prepared, settings, rows, starts } = context;
  const p = settings.names.length;
  const perTenK = prepared.market.funds.map((fund) => fund.perTenK);
  const acc = new GramAccumulator(p);
  let nextRow = settings.firstDay;
  const warm = new Map<number, number[]>();
  const history: Float64Array[] = [];
  let model: Candidate | undefined;
  for (let k = 0; k < starts.length; k += 1) {
    const start = starts[k]!;
    // Origin t's target is known on day t + H, so a block starting at day `start` trains on origins ≤ start − H.
    for (; nextRow <= start - settings.horizon; nextRow += 1) {
      for (const i of unit) acc.add(rows[i]!.subarray(nextRow * p, (nextRow + 1) * p), horizonMean(perTenK[i]!, nextRow, settings.horizon) - perTenK[i]![nextRow]!);
    }
    const candidates = candidateFits(standardise(acc), settings, warm);
    const chosen = k >= settings.validationBlocks ? leastRecentError(history.slice(-settings.validationBlocks), candidates.length) : -1;
    if (chosen >= 0) {
      model = candidates[chosen]!;
      const key = `${model.alphaRatio}|${model.l1Ratio}`;
      const count = context.choiceCounts.get(key) ?? { alphaRatio: model.alphaRatio, l1Ratio: model.l1Ratio, blocks: 0 };
      context.choiceCounts.set(key, { ...count, blocks: count.blocks + 1 });
    }
    const stop = k + 1 < starts.length ? starts[k + 1]! : context.end;
    history.push(blockErrors(context, unit, candidates, start, stop, chosen));
  }
  invariant(model !== undefined, 'the walk-forward made no forecast');
  return model;
}

/** The candidate with the least squared error summed over the given blocks (ties: the first, i.e. the larger penalty). */
function leastRecentError(window: readonly Float64Array[], candidates: number): number {
  let best = Infinity;
  let chosen = 0;
  for (let g = 0; g < candidates; g += 1) {
    let total = 0;
    for (const sse of window) total += sse[g]!;
    if (total < best) {
      best = total;
      chosen = g;
    }
  }
  return chosen;
}

/** Every candidate of a block, fitted on its training window: the (α, ρ) grid (ρ outer, α from large to small), or least squares. */
function candidateFits(problem: StandardisedProblem, settings: Settings, warm: Map<number, number[]>): Candidate[] {
  if (settings.model === 'least-squares') {
    const { intercept, coef } = originalScale(problem, leastSquaresGram(problem));
    return [{ alpha: 0, alphaRatio: 0, l1Ratio: 0, intercept, coef }];
  }
  const candidates: Candidate[] = [];
  for (const rho of settings.l1Ratios) {
    let alphaMax = 0;
    for (let j = 0; j < problem.xty.length; j += 1) alphaMax = max(alphaMax, abs(problem.xty[j]!));
    alphaMax /= problem.n * rho;
    let previous: number[] | undefined;
    for (const alphaRatio of settings.alphaRatios) {
      const g = candidates.length;
      const alpha = alphaRatio * alphaMax;
      const fit = elasticNetGram(problem, { alpha, l1Ratio: rho, maxIterations: settings.maxIterations, tolerance: settings.tolerance, initialCoef: warm.get(g) ?? previous });
      warm.set(g, fit.coef);
      previous = fit.coef;
      candidates.push({ alpha, alphaRatio, l1Ratio: rho, ...originalScale(problem, fit.coef) });
    }
  }
  return candidates;
}

/**
 * Each candidate's squared error over the block's origins [start, stop) whose horizon ends by `stop` (so that
 * the choices made at the next blocks see only errors known by then), and the chosen candidate's forecasts
 * written for every origin of the block.
 */
function blockErrors(context: WalkContext, unit: readonly number[], candidates: readonly Candidate[], start: number, stop: number, chosen: number): Float64Array {
  const { prepared, rows } = context;
  const p = context.settings.names.length;
  const horizon = context.settings.horizon;
  const sse = new Float64Array(candidates.length);
  candidates.forEach(({ intercept, coef }, g) => {
    for (let t = start; t < stop; t += 1) {
      for (const i of unit) {
        const row = rows[i]!;
        let predicted = intercept;
        for (let j = 0; j < p; j += 1) predicted += coef[j]! * row[t * p + j]!;
        const perTenK = prepared.market.funds[i]!.perTenK;
        if (t + horizon <= stop && t + horizon < prepared.days) sse[g]! += (horizonMean(perTenK, t, horizon) - perTenK[t]! - predicted) ** 2;
        if (g === chosen) context.forecasts[i]![t] = perTenK[t]! + predicted;
      }
    }
  });
  return sse;
}
