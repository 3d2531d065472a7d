/**
 * Rules that pick funds without a forecasting model, to measure what the elastic net adds: trailing means of
 * each fund's published income (what an investor sees as the 7-day yield is the 7-day one) and momentum
 * (the short mean extrapolated by its lead over the long mean). Each rule gives a level for every fund at
 * every origin o from the incomes of days ≤ o only, in the forecaster's unit (CNY per 10,000 shares), and
 * is run with strategy (c)'s switching rule in its place (strategies.ts), at the same information delay.
 */

export type NonForecastRuleName =
  | 'trailing-mean-1'
  | 'trailing-mean-7'
  | 'trailing-mean-30'
  | 'trailing-mean-90'
  | 'momentum-7-30'
  | 'momentum-30-90';

export interface NonForecastRule {
  readonly name: NonForecastRuleName;
  readonly label: string;
  /** The trailing window, days. */
  readonly shortDays: number;
  /** Momentum only: level = 2·mean(shortDays) − mean(longDays). */
  readonly longDays?: number;
}

export const NON_FORECAST_RULES: readonly NonForecastRule[] = [
  { name: 'trailing-mean-1', label: 'last income ("tomorrow = today")', shortDays: 1 },
  { name: 'trailing-mean-7', label: 'trailing 7-day mean (the 7-day yield)', shortDays: 7 },
  { name: 'trailing-mean-30', label: 'trailing 30-day mean', shortDays: 30 },
  { name: 'trailing-mean-90', label: 'trailing 90-day mean', shortDays: 90 },
  { name: 'momentum-7-30', label: 'momentum, 7-day mean + (7-day − 30-day)', shortDays: 7, longDays: 30 },
  { name: 'momentum-30-90', label: 'momentum, 30-day mean + (30-day − 90-day)', shortDays: 30, longDays: 90 },
];

export const NON_FORECAST_RULE_NAMES: readonly NonForecastRuleName[] = NON_FORECAST_RULES.map((rule) => rule.name);

export function isNonForecastRule(name: string): name is NonForecastRuleName {
  return (NON_FORECAST_RULE_NAMES as readonly string[]).includes(name);
}

export function nonForecastRule(name: NonForecastRuleName): NonForecastRule {
  return NON_FORECAST_RULES.find((rule) => rule.name === name)!;
}

/** mean[o] = mean of perTenK over days o − window + 1 … o (NaN until a full window exists), CNY per 10,000 shares. */
function trailingMeans(perTenKMicros: readonly number[], window: number): Float64Array {
  const out = new Float64Array(perTenKMicros.length).fill(NaN);
  let sum = 0;
  for (let o = 0; o < perTenKMicros.length; o += 1) {
    sum += perTenKMicros[o]!;
    if (o >= window) sum -= perTenKMicros[o - window]!;
    if (o >= window - 1) out[o] = sum / window / 10_000;
  }
  return out;
}

/** The rule's level of every fund at every origin (data up to the origin), indexed like the market's days. */
export function nonForecastLevels(micros: readonly (readonly number[])[], rule: NonForecastRule): Float64Array[] {
  return micros.map((series) => {
    const short = trailingMeans(series, rule.shortDays);
    if (rule.longDays === undefined) return short;
    const long = trailingMeans(series, rule.longDays);
    return short.map((s, o) => 2 * s - long[o]!);
  });
}
