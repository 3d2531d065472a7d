/**
 * Out-of-sample errors of one-day-ahead income forecasts against the naive forecast (tomorrow = today), per
 * fund, overall, and split between month-end days and the others. Shared by the walk-forward's evaluation and
 * by the comparison of models and rules, so every figure is scored the same way on the same origins.
 */
import { invariant } from '../../invariant';
import type { PreparedYieldMarket } from './yield-features';

const { abs, sqrt } = Math;
const isFiniteNumber = Number.isFinite;

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

export class ErrorSums {
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

export interface ScoredForecasts extends ForecastErrors {
  readonly perFund: ({ readonly code: string } & ForecastErrors)[];
  /** Forecasts whose target day is in the last 4 days of a month or the 1st, and the others. */
  readonly monthEnd: ForecastErrors;
  readonly otherDays: ForecastErrors;
}

/** The mean of perTenK over days t + 1 … t + horizonDays: what a forecast made at origin t is a forecast of. */
export function horizonMean(perTenK: ArrayLike<number>, t: number, horizonDays: number): number {
  let sum = 0;
  for (let h = 1; h <= horizonDays; h += 1) sum += perTenK[t + h]!;
  return sum / horizonDays;
}

/**
 * Score forecastOf(fund, t), the forecast made at origin t of the mean perTenK over days t + 1 … t + H
 * (H = horizonDays, 1 by default: tomorrow's income), for every fund and every origin from `firstOrigin` to
 * `lastOrigin` (inclusive; each must have its H days known). The naive forecast is the income of day t; the
 * month-end split goes by day t + 1.
 */
export function scoreForecasts(
  prepared: PreparedYieldMarket,
  forecastOf: (fund: number, t: number) => number,
  firstOrigin: number,
  lastOrigin: number,
  horizonDays = 1,
): ScoredForecasts {
  invariant(lastOrigin + horizonDays < prepared.days, 'the last origin scored needs its horizon known');
  const all = new ErrorSums();
  const monthEnd = new ErrorSums();
  const otherDays = new ErrorSums();
  const perFund = prepared.market.funds.map((fund, i) => {
    const sums = new ErrorSums();
    for (let t = firstOrigin; t <= lastOrigin; t += 1) {
      const forecast = forecastOf(i, t);
      invariant(isFiniteNumber(forecast), () => `forecast for ${fund.code} at ${prepared.market.dates[t]} is not finite`);
      const actual = horizonMean(fund.perTenK, t, horizonDays);
      const error = actual - forecast;
      const naiveError = actual - fund.perTenK[t]!;
      sums.add(error, naiveError);
      all.add(error, naiveError);
      const next = prepared.calendar[t + 1]!;
      (next.daysToMonthEnd <= 3 || next.day === 1 ? monthEnd : otherDays).add(error, naiveError);
    }
    return { code: fund.code, ...sums.result() };
  });
  return { ...all.result(), perFund, monthEnd: monthEnd.result(), otherDays: otherDays.result() };
}
