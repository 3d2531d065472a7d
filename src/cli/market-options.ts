import { DEFAULT_FUND_ZERO_QUANTILE, FUND_ZERO_QUANTILE_RANGE, type Seed } from '../ml/market';
import { DEFAULT_BACKTEST_SEED } from '../ml/backtest';
import { UsageError } from './cli-error';

/** The options `ifw market` and `ifw backtest` share: which simulated market, and how to print it. */
export const MARKET_OPTIONS = {
  seed: { type: 'string' },
  years: { type: 'string' },
  funds: { type: 'string' },
  merchants: { type: 'string' },
  json: { type: 'boolean' },
  data: { type: 'string' },
} as const;

export interface MarketChoice {
  seed: Seed;
  fromYear: number;
  toYear: number;
  funds: number;
  merchants: number;
}

/** Reads the shared options, with the defaults of the default run: 2014–2025, 20 funds, 50 merchants. */
export function marketOptions(
  values: { seed?: string; years?: string; funds?: string; merchants?: string },
  limits: { minFunds: number; minYear: number },
): MarketChoice {
  const seed = values.seed === undefined ? DEFAULT_BACKTEST_SEED : parseSeed(values.seed);
  const [fromYear, toYear] = values.years === undefined ? [2014, 2025] : parseYears(values.years, limits.minYear);
  const funds = values.funds === undefined ? 20 : parseCount(values.funds, '--funds', limits.minFunds, 1000);
  const merchants = values.merchants === undefined ? 50 : parseCount(values.merchants, '--merchants', 0, 10_000);
  return { seed, fromYear, toYear, funds, merchants };
}

export function parseSeed(text: string): Seed {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    if (!Number.isSafeInteger(value)) throw new UsageError(`--seed as a number must be a safe integer; got "${text}"`);
    return value;
  }
  if (text === '') throw new UsageError('--seed must not be empty');
  return text;
}

export function parseYears(text: string, minYear = 1990): [number, number] {
  const match = /^(\d{4})(?:-(\d{4}))?$/.exec(text);
  if (!match) throw new UsageError(`--years must be YEAR or FROM-TO, such as 2014-2025; got "${text}"`);
  const from = Number(match[1]);
  const to = Number(match[2] ?? match[1]);
  if (from > to) throw new UsageError(`--years: ${from} is after ${to}`);
  if (from < minYear || to > 2100) throw new UsageError(`--years must lie within ${minYear}-2100; got "${text}"`);
  return [from, to];
}

export function parseCount(text: string, flag: string, min: number, max: number): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} must be a whole number; got "${text}"`);
  const value = Number(text);
  if (value < min || value > max) throw new UsageError(`${flag} must be from ${min} to ${max}; got ${value}`);
  return value;
}


/** --fund-zero-quantile: fund 0's place among the funds, a number within the simulator's range (default the median). */
export function parseFundZeroQuantile(text: string | undefined): number {
  if (text === undefined) return DEFAULT_FUND_ZERO_QUANTILE;
  const [low, high] = FUND_ZERO_QUANTILE_RANGE;
  const value = /^\d*\.?\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= low && value <= high)) throw new UsageError(`--fund-zero-quantile must be a number from ${low} to ${high}; got "${text}"`);
  return value;
}
