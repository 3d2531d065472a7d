/**
 * One-day-ahead forecasts of each fund's income per 10,000 shares with the elastic net, its α and l1Ratio
 * chosen by walk-forward validation.
 *
 * The model. For origin day t the features are those of yield-features.ts (data up to day t only). The net
 * is fitted to the change p[t+1] − p[t] and the forecast is p[t] + predicted change. That is the same linear
 * model family as regressing p[t+1] on features that include p[t], but the penalty then shrinks towards the
 * naive forecast (tomorrow = today) instead of towards a constant, so a heavily penalised model is the naive
 * forecast rather than something worse. Features are standardised with the training window's mean and
 * standard deviation (explicitly, here; the elastic net itself standardises nothing).
 *
 * Walk-forward. Time is cut into blocks of `refitEveryDays` origin days. For block k every (α, ρ) of the grid
 * is fitted on all rows whose target was known by the block's first day (an expanding window), and its
 * squared errors over the block are recorded: those are out-of-sample errors. The forecasts for block k use
 * the (α, ρ) with the least squared error over the `validationBlocks` blocks before k, so neither the fit nor
 * the choice has seen block k. α is a fraction (`alphaRatios`) of α_max(ρ), the smallest α that makes every
 * coefficient zero on the training window (as scikit-learn's alpha grid). Fits use sufficient statistics
 * (XᵀX, Xᵀy), accumulated as the window grows, so a refit costs O(p²) per sweep whatever the window length.
 *
 * Pooling: 'pooled' (the default) fits one model to the rows of all funds (a fund's own level enters through
 * its features, e.g. spreadToMean); 'per-fund' fits one model per fund, which costs one fit grid per fund.
 */
import { invariant } from '../../invariant';
import { type ElasticNetFit, elasticNetGram } from './elastic-net';
import { ModelInputError } from './model-input-error';
import {
  FIRST_FEATURE_DAY,
  prepareYieldMarket,
  type PreparedYieldMarket,
  YIELD_FEATURE_COUNT,
  YIELD_FEATURE_NAMES,
  type YieldMarket,
  yieldFeatureRow,
} from './yield-features';

// Module-level aliases: a global `Math.x` lookup in a hot loop is slow in some hosts (jest's vm context).
const { abs, max, round, sqrt } = Math;
const isFiniteNumber = Number.isFinite;

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

export interface YieldEvaluationOptions extends YieldForecastOptions {
  /** Evaluate forecasts whose origin day is on or after this date (default: as soon as there are enough data). */
  readonly evaluateFrom?: string;
}

export interface ForecastErrors {
  /** Number of forecasts scored. */
  readonly count: number;
  /** Mean absolute error, CNY per 10,000 shares. */
  readonly mae: number;
  readonly rmse: number;
  /** The same for the naive forecast (tomorrow = today). */
  readonly naiveMae: number;
  readonly naiveRmse: number;
  /** 1 − mae / naiveMae: above 0 when the model beats the naive forecast. */
  readonly skill: number;
  /** 1 − rmse / naiveRmse. */
  readonly rmseSkill: number;
}

export interface YieldEvaluation extends ForecastErrors {
  readonly pooling: 'per-fund' | 'pooled';
  /** First and last forecast target dates scored. */
  readonly from: string;
  readonly to: string;
  readonly perFund: ({ readonly code: string } & ForecastErrors)[];
  /** Forecasts whose target day is in the last 4 days of a month or the 1st, and the others. */
  readonly monthEnd: ForecastErrors;
  readonly otherDays: ForecastErrors;
  /** How often each (α ratio, ρ) was chosen, over blocks and models. */
  readonly choices: { readonly alphaRatio: number; readonly l1Ratio: number; readonly blocks: number }[];
}

export interface FundYieldForecast {
  readonly code: string;
  /** Forecast income per 10,000 shares for the day after trainEnd, CNY (not rounded). */
  readonly perTenK: number;
  /** The same rounded to 0.0001 CNY units. */
  readonly perTenKMicros: number;
  /** The naive forecast: the income of trainEnd. */
  readonly naivePerTenK: number;
  /** The 7-day annualised yield, %, of the six days to trainEnd and the forecast day. */
  readonly sevenDayYieldPct: number;
  readonly alpha: number;
  readonly alphaRatio: number;
  readonly l1Ratio: number;
  /** Coefficients on the original feature scale, by feature name, and the intercept (of the change). */
  readonly intercept: number;
  readonly coef: Readonly<Record<string, number>>;
}

export interface YieldForecast {
  readonly trainEnd: string;
  readonly forecastDate: string;
  readonly pooling: 'per-fund' | 'pooled';
  readonly funds: FundYieldForecast[];
}

export const DEFAULT_ALPHA_RATIOS: readonly number[] = [1, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001];
export const DEFAULT_L1_RATIOS: readonly number[] = [0.1, 0.5, 0.9, 1];

interface Settings {
  alphaRatios: readonly number[];
  l1Ratios: readonly number[];
  step: number;
  validationBlocks: number;
  minTrainDays: number;
  pooling: 'per-fund' | 'pooled';
  maxIterations: number;
  tolerance: number;
}

function settingsOf(options: YieldForecastOptions): Settings {
  const {
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

/** Days of data the walk-forward needs before its first scored forecast. */
export function requiredDays(options: YieldForecastOptions = {}): number {
  const s = settingsOf(options);
  return FIRST_FEATURE_DAY + s.minTrainDays + s.validationBlocks * s.step + 2;
}

/**
 * Next-day forecasts for every fund from data up to and including `trainEnd` (later days are ignored).
 */
export function forecastFundYields(market: YieldMarket, options: YieldForecastOptions & { readonly trainEnd: string }): YieldForecast {
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
  const run = walkForward(prepared, settings, starts, last + 1, settings.validationBlocks);
  const forecastDate = prepared.calendar[last + 1]!.date;
  const funds = prepared.market.funds.map((fund, i): FundYieldForecast => {
    const model = run.finalModels[i]!;
    const forecast = run.forecasts[i]![last]!;
    invariant(isFiniteNumber(forecast), () => `forecast for ${fund.code} is not finite`);
    let sum6 = 0;
    for (let k = 0; k < 6; k += 1) sum6 += fund.perTenK[last - k]!;
    const coef: Record<string, number> = {};
    YIELD_FEATURE_NAMES.forEach((name, j) => (coef[name] = model.coef[j]!));
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
  return { trainEnd: prepared.market.dates[last]!, forecastDate, pooling: settings.pooling, funds };
}

export interface WalkForwardForecasts {
  readonly pooling: 'per-fund' | 'pooled';
  /** The market's dates; index t is the forecast origin. */
  readonly dates: readonly string[];
  /** Index of the first origin with a forecast. */
  readonly firstOrigin: number;
  /**
   * forecast[t]: the forecast of the fund's perTenK on day t + 1, made at origin t from data up to day t
   * (model fitted on targets known by the block's first day, (α, ρ) chosen on earlier blocks); null before
   * firstOrigin and for the last day.
   */
  readonly funds: { readonly code: string; readonly forecast: (number | null)[] }[];
}

/**
 * The walk-forward's one-day-ahead forecasts for every fund and every origin it covers: what a backtest of
 * fund switching needs. No forecast depends on data after its origin.
 */
export function walkForwardYieldForecasts(market: YieldMarket, options: YieldForecastOptions = {}): WalkForwardForecasts {
  const settings = settingsOf(options);
  const prepared = prepareYieldMarket(market, requiredDays(options));
  const { run, starts } = evaluationWalk(prepared, settings);
  const firstOrigin = starts[settings.validationBlocks]!;
  return {
    pooling: settings.pooling,
    dates: prepared.market.dates,
    firstOrigin,
    funds: prepared.market.funds.map((fund, i) => ({
      code: fund.code,
      forecast: Array.from(run.forecasts[i]!, (value, t) => (t >= firstOrigin && isFiniteNumber(value) ? value : null)),
    })),
  };
}

function evaluationWalk(prepared: PreparedYieldMarket, settings: Settings): { run: WalkForwardRun; starts: number[]; lastOrigin: number } {
  const lastOrigin = prepared.days - 2; // the last origin whose next day is known
  const starts: number[] = [];
  for (let start = FIRST_FEATURE_DAY + settings.minTrainDays; start <= lastOrigin; start += settings.step) starts.push(start);
  return { run: walkForward(prepared, settings, starts, lastOrigin + 1, settings.validationBlocks), starts, lastOrigin };
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
  const all = new ErrorSums();
  const monthEnd = new ErrorSums();
  const otherDays = new ErrorSums();
  const perFund = prepared.market.funds.map((fund, i) => {
    const sums = new ErrorSums();
    for (let t = firstScored; t <= lastOrigin; t += 1) {
      const forecast = run.forecasts[i]![t]!;
      invariant(isFiniteNumber(forecast), () => `forecast for ${fund.code} at ${prepared.market.dates[t]} is not finite`);
      const actual = fund.perTenK[t + 1]!;
      const naive = fund.perTenK[t]!;
      sums.add(actual - forecast, actual - naive);
      all.add(actual - forecast, actual - naive);
      const next = prepared.calendar[t + 1]!;
      (next.daysToMonthEnd <= 3 || next.day === 1 ? monthEnd : otherDays).add(actual - forecast, actual - naive);
    }
    return { code: fund.code, ...sums.result() };
  });
  const choices = [...run.choiceCounts.entries()]
    .map(([key, blocks]) => {
      const [a, r] = key.split('|').map(Number);
      return { alphaRatio: settings.alphaRatios[a!]!, l1Ratio: settings.l1Ratios[r!]!, blocks };
    })
    .sort((x, y) => y.blocks - x.blocks);
  return {
    pooling: settings.pooling,
    from: prepared.market.dates[firstScored + 1]!,
    to: prepared.market.dates[lastOrigin + 1]!,
    ...all.result(),
    perFund,
    monthEnd: monthEnd.result(),
    otherDays: otherDays.result(),
    choices,
  };
}

// ---------------------------------------------------------------------------------------------------------

class ErrorSums {
  private count = 0;
  private absolute = 0;
  private squared = 0;
  private naiveAbsolute = 0;
  private naiveSquared = 0;

  add(error: number, naiveError: number): void {
    this.count += 1;
    this.absolute += abs(error);
    this.squared += error * error;
    this.naiveAbsolute += abs(naiveError);
    this.naiveSquared += naiveError * naiveError;
  }

  result(): ForecastErrors {
    const n = this.count;
    const mae = this.absolute / n;
    const rmse = sqrt(this.squared / n);
    const naiveMae = this.naiveAbsolute / n;
    const naiveRmse = sqrt(this.naiveSquared / n);
    return { count: n, mae, rmse, naiveMae, naiveRmse, skill: 1 - mae / naiveMae, rmseSkill: 1 - rmse / naiveRmse };
  }
}

interface FinalModel {
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
  finalModels: FinalModel[];
  /** "alphaIndex|l1Index" → blocks chosen. */
  choiceCounts: Map<string, number>;
}

/** Running sums of rows (shifted by a reference row for accuracy) and of the change target. */
class Accumulator {
  count = 0;
  readonly reference = new Float64Array(YIELD_FEATURE_COUNT);
  readonly sumX = new Float64Array(YIELD_FEATURE_COUNT);
  readonly sumXX = new Float64Array(YIELD_FEATURE_COUNT * YIELD_FEATURE_COUNT);
  readonly sumXY = new Float64Array(YIELD_FEATURE_COUNT);
  sumY = 0;
  sumYY = 0;
  private readonly shifted = new Float64Array(YIELD_FEATURE_COUNT);

  add(row: Float64Array, target: number): void {
    const p = YIELD_FEATURE_COUNT;
    if (this.count === 0) this.reference.set(row);
    const x = this.shifted;
    for (let j = 0; j < p; j += 1) x[j] = row[j]! - this.reference[j]!;
    for (let j = 0; j < p; j += 1) {
      const xj = x[j]!;
      this.sumX[j]! += xj;
      this.sumXY[j]! += xj * target;
      if (xj === 0) continue;
      const offset = j * p;
      for (let k = j; k < p; k += 1) this.sumXX[offset + k]! += xj * x[k]!;
    }
    this.sumY += target;
    this.sumYY += target * target;
    this.count += 1;
  }
}

/** The standardised, centred problem of a training window. */
interface Standardised {
  n: number;
  gram: Float64Array;
  xty: Float64Array;
  yty: number;
  /** Means in original units. */
  mean: Float64Array;
  sd: Float64Array;
  yMean: number;
}

function standardise(acc: Accumulator): Standardised {
  const p = YIELD_FEATURE_COUNT;
  const n = acc.count;
  const shiftedMean = acc.sumX.map((s) => s / n);
  const yMean = acc.sumY / n;
  const sd = new Float64Array(p);
  const mean = new Float64Array(p);
  for (let j = 0; j < p; j += 1) {
    mean[j] = shiftedMean[j]! + acc.reference[j]!;
    const variance = acc.sumXX[j * p + j]! / n - shiftedMean[j]! ** 2;
    // A column that does not vary in the window (or only by rounding) takes no part.
    sd[j] = variance > 1e-14 * (acc.sumXX[j * p + j]! / n) && variance > 0 ? sqrt(variance) : 0;
  }
  const gram = new Float64Array(p * p);
  const xty = new Float64Array(p);
  for (let j = 0; j < p; j += 1) {
    if (sd[j] === 0) continue;
    xty[j] = (acc.sumXY[j]! - n * shiftedMean[j]! * yMean) / sd[j]!;
    for (let k = j; k < p; k += 1) {
      if (sd[k] === 0) continue;
      const value = (acc.sumXX[j * p + k]! - n * shiftedMean[j]! * shiftedMean[k]!) / (sd[j]! * sd[k]!);
      gram[j * p + k] = value;
      gram[k * p + j] = value;
    }
  }
  const yty = max(0, acc.sumYY - n * yMean * yMean);
  return { n, gram, xty, yty, mean, sd, yMean };
}

/**
 * Run the walk-forward over blocks [starts[k], starts[k+1]) (the last one ends at `end`, exclusive) for every
 * model unit; forecasts are made for blocks k ≥ `selectFrom`, with (α, ρ) chosen on the `validationBlocks`
 * blocks before.
 */
function walkForward(prepared: PreparedYieldMarket, settings: Settings, starts: readonly number[], end: number, selectFrom: number): WalkForwardRun {
  const fundCount = prepared.market.funds.length;
  const p = YIELD_FEATURE_COUNT;
  // Feature rows of every fund and origin, once.
  const rows: Float64Array[] = [];
  for (let i = 0; i < fundCount; i += 1) {
    const block = new Float64Array(prepared.days * p);
    for (let t = FIRST_FEATURE_DAY; t < prepared.days; t += 1) yieldFeatureRow(prepared, i, t, block.subarray(t * p, (t + 1) * p));
    rows.push(block);
  }
  const change = (i: number, t: number) => prepared.market.funds[i]!.perTenK[t + 1]! - prepared.market.funds[i]!.perTenK[t]!;
  const units: number[][] = settings.pooling === 'pooled' ? [[...Array(fundCount).keys()]] : [...Array(fundCount).keys()].map((i) => [i]);
  const forecasts = [...Array(fundCount)].map(() => new Float64Array(prepared.days).fill(NaN));
  const finalModels: FinalModel[] = [];
  const choiceCounts = new Map<string, number>();
  const grid: { a: number; r: number }[] = [];
  for (let r = 0; r < settings.l1Ratios.length; r += 1) for (let a = 0; a < settings.alphaRatios.length; a += 1) grid.push({ a, r });

  for (const unit of units) {
    const acc = new Accumulator();
    let nextRow = FIRST_FEATURE_DAY;
    const warm = new Map<number, number[]>();
    const history: Float64Array[] = [];
    let model: FinalModel | undefined;
    for (let k = 0; k < starts.length; k += 1) {
      const start = starts[k]!;
      const stop = k + 1 < starts.length ? starts[k + 1]! : end;
      while (nextRow <= start - 1) {
        for (const i of unit) acc.add(rows[i]!.subarray(nextRow * p, (nextRow + 1) * p), change(i, nextRow));
        nextRow += 1;
      }
      const problem = standardise(acc);
      // The choice for this block, from the errors of the blocks before it.
      let chosen = -1;
      if (k >= selectFrom) {
        let best = Infinity;
        const window = history.slice(-settings.validationBlocks);
        for (let g = 0; g < grid.length; g += 1) {
          let total = 0;
          for (const sse of window) total += sse[g]!;
          if (total < best) {
            best = total;
            chosen = g;
          }
        }
        const key = `${grid[chosen]!.a}|${grid[chosen]!.r}`;
        choiceCounts.set(key, (choiceCounts.get(key) ?? 0) + 1);
      }
      const sse = new Float64Array(grid.length);
      for (let r = 0; r < settings.l1Ratios.length; r += 1) {
        const rho = settings.l1Ratios[r]!;
        let alphaMax = 0;
        for (let j = 0; j < p; j += 1) alphaMax = max(alphaMax, abs(problem.xty[j]!));
        alphaMax /= problem.n * rho;
        let previous: number[] | undefined;
        for (let a = 0; a < settings.alphaRatios.length; a += 1) {
          const g = r * settings.alphaRatios.length + a;
          const alpha = settings.alphaRatios[a]! * alphaMax;
          const fit: ElasticNetFit = elasticNetGram(problem, {
            alpha,
            l1Ratio: rho,
            maxIterations: settings.maxIterations,
            tolerance: settings.tolerance,
            initialCoef: warm.get(g) ?? previous,
          });
          warm.set(g, fit.coef);
          previous = fit.coef;
          const { intercept, coef } = originalScale(problem, fit.coef);
          let blockSse = 0;
          for (let t = start; t < stop; t += 1) {
            for (const i of unit) {
              const row = rows[i]!;
              let predicted = intercept;
              for (let j = 0; j < p; j += 1) predicted += coef[j]! * row[t * p + j]!;
              if (t + 1 < prepared.days) blockSse += (change(i, t) - predicted) ** 2;
              if (g === chosen) forecasts[i]![t] = prepared.market.funds[i]!.perTenK[t]! + predicted;
            }
          }
          sse[g] = blockSse;
          if (g === chosen) model = { alpha, alphaRatio: settings.alphaRatios[a]!, l1Ratio: rho, intercept, coef };
        }
      }
      history.push(sse);
    }
    invariant(model !== undefined, 'the walk-forward made no forecast');
    for (const _ of unit) finalModels.push(model);
  }
  return { forecasts, finalModels, choiceCounts };
}

function originalScale(problem: Standardised, standardisedCoef: readonly number[]): { intercept: number; coef: Float64Array } {
  const p = YIELD_FEATURE_COUNT;
  const coef = new Float64Array(p);
  let intercept = problem.yMean;
  for (let j = 0; j < p; j += 1) {
    if (problem.sd[j] === 0) continue;
    coef[j] = standardisedCoef[j]! / problem.sd[j]!;
    intercept -= coef[j]! * problem.mean[j]!;
  }
  return { intercept, coef };
}
