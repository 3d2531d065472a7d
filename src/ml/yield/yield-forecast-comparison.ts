/**
 * One call that scores, on the same origins of one market, every way of forecasting tomorrow's income that
 * the product could use: the naive forecast (tomorrow = today), the 30-day trailing mean, and the walk-forward
 * regressions (least squares and the elastic net, each on the base and the extended features). The origins
 * are those every model can forecast: from the first one the model needing the longest history scores.
 */
import { type ForecastErrors, scoreForecasts } from './forecast-errors';
import { prepareYieldMarket, type YieldFeatureSet, YIELD_FEATURE_SETS, type YieldMarket } from './yield-features';
import { evaluateYieldForecasts, firstScoredOrigin, requiredDays, type YieldForecastOptions, type YieldModel, type YieldModelChoice } from './yield-forecaster';

/** The baseline first, so each elastic-net row sits below the fit without a penalty on the same features. */
const COMPARED_MODELS: readonly YieldModel[] = ['least-squares', 'elastic-net'];

/** The trailing window of the non-model rule, days: the rule the backtest review measured the models against. */
export const TRAILING_MEAN_DAYS = 30;

export interface YieldComparisonRow extends ForecastErrors {
  /** 'naive', 'trailing-mean-30', or '<model>/<features>' (e.g. 'elastic-net/extended'). */
  readonly name: string;
  readonly model?: YieldModel;
  readonly features?: YieldFeatureSet;
  /** Target days in a month's last four days or on the 1st, and the others. */
  readonly monthEnd: ForecastErrors;
  readonly otherDays: ForecastErrors;
}

export interface YieldComparison {
  /** The first target day scored and the last (the end of the last horizon), the same for every row. */
  readonly from: string;
  readonly to: string;
  /** What was forecast: the mean income over the next horizonDays days (1: tomorrow's). */
  readonly horizonDays: number;
  readonly funds: number;
  readonly rows: YieldComparisonRow[];
}

/**
 * Score the rules and models on `market`. `options` are passed to every regression (grid, blocks, pooling,
 * horizon); `model` and `features` are each row's own.
 */
export function compareYieldForecasts(market: YieldMarket, options: YieldForecastOptions & Pick<YieldModelChoice, 'horizonDays'> = {}): YieldComparison {
  const horizon = options.horizonDays ?? 1;
  const variants = COMPARED_MODELS.flatMap((model) => YIELD_FEATURE_SETS.map((features) => ({ ...options, model, features })));
  const prepared = prepareYieldMarket(market, Math.max(...variants.map((variant) => requiredDays(variant))));
  const firstOrigin = Math.max(...variants.map((variant) => firstScoredOrigin(variant)));
  const lastOrigin = prepared.days - 1 - horizon;
  const evaluateFrom = prepared.market.dates[firstOrigin]!;
  const perTenK = prepared.market.funds.map((fund) => fund.perTenK);
  const trailing = trailingMeans(perTenK, TRAILING_MEAN_DAYS);
  const rows: YieldComparisonRow[] = [
    comparisonRow('naive', scoreForecasts(prepared, (i, t) => perTenK[i]![t]!, firstOrigin, lastOrigin, horizon)),
    comparisonRow(`trailing-mean-${TRAILING_MEAN_DAYS}`, scoreForecasts(prepared, (i, t) => trailing[i]![t]!, firstOrigin, lastOrigin, horizon)),
    ...variants.map(({ model, features, ...rest }) => comparisonRow(`${model}/${features}`, evaluateYieldForecasts(market, { ...rest, model, features, evaluateFrom }), model, features)),
  ];
  return { from: prepared.market.dates[firstOrigin + 1]!, to: prepared.market.dates[lastOrigin + horizon]!, horizonDays: horizon, funds: perTenK.length, rows };
}

function comparisonRow(name: string, scored: ForecastErrors & Pick<YieldComparisonRow, 'monthEnd' | 'otherDays'>, model?: YieldModel, features?: YieldFeatureSet): YieldComparisonRow {
  const { count, mae, rmse, naiveMae, naiveRmse, skill, rmseSkill, monthEnd, otherDays } = scored;
  return { name, ...(model === undefined ? {} : { model, features }), count, mae, rmse, naiveMae, naiveRmse, skill, rmseSkill, monthEnd, otherDays };
}

/** mean[t] = mean of perTenK over days t − window + 1 … t (NaN before a full window). */
function trailingMeans(series: readonly (readonly number[])[], window: number): Float64Array[] {
  return series.map((values) => {
    const out = new Float64Array(values.length).fill(NaN);
    let sum = 0;
    for (let t = 0; t < values.length; t += 1) {
      sum += values[t]!;
      if (t >= window) sum -= values[t - window]!;
      if (t >= window - 1) out[t] = sum / window;
    }
    return out;
  });
}

/** The comparison as a Markdown table (MAE and RMSE in CNY per 10,000 shares, skills in % against naive). */
export function formatYieldComparison(comparison: YieldComparison): string {
  const pct = (value: number) => `${(100 * value).toFixed(1)} %`;
  const lines = [
    `${comparison.horizonDays === 1 ? 'Next-day income' : `Mean income over the next ${comparison.horizonDays} days`}, target days ${comparison.from} … ${comparison.to}, ${comparison.funds} funds, ${comparison.rows[0]!.count} forecasts each.`,
    '',
    '| forecast | MAE | RMSE | MAE skill | RMSE skill | month-end MAE skill | other days MAE skill |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...comparison.rows.map((row) => `| ${row.name} | ${row.mae.toFixed(5)} | ${row.rmse.toFixed(5)} | ${pct(row.skill)} | ${pct(row.rmseSkill)} | ${pct(row.monthEnd.skill)} | ${pct(row.otherDays.skill)} |`),
  ];
  return lines.join('\n');
}
