/**
 * The backtest over many seeds: one seed is one draw of the simulated market, so a single run's uplift says
 * little on its own. Each seed is a whole backtest (runBacktest); the report gives, per strategy, the
 * median and the 10th and 90th percentiles over the seeds of its uplift over holding fund 0 (in % and in
 * basis points a year) and of its share of the reachable ceiling (the perfect-foresight optimum under the
 * same rules, ceiling.ts), and the best non-forecast rule. The single investor's figures come from every
 * run; the merchants' only when merchants are asked for (the multi-seed run has none by default).
 */
import type { Seed } from '../market/seeded-random';
import { runBacktest, type BacktestOptions, type BacktestReport, type BacktestSettings } from './backtest';
import { CEILING_LABEL } from './ceiling';
import { NON_FORECAST_RULES, type NonForecastRuleName } from './non-forecast-rules';
import { STRATEGY_LABELS, STRATEGY_NAMES, type ThesisStrategyName } from './strategies';

/** Median and 10th / 90th percentiles over the seeds. */
export interface SeedSpread {
  readonly median: number;
  readonly p10: number;
  readonly p90: number;
}

export interface MultiSeedOptions extends Omit<BacktestOptions, 'seed'> {
  readonly seeds: readonly Seed[];
}

interface UpliftSpread {
  readonly yieldUpliftPct: SeedSpread;
  readonly yieldUpliftBpPerYear: SeedSpread;
}

export interface MultiSeedReport {
  readonly simulated: true;
  readonly note: string;
  readonly population: string;
  readonly seeds: readonly Seed[];
  /** How the spreads are computed. */
  readonly spread: string;
  readonly evaluation: { readonly from: string; readonly to: string; readonly days: number };
  readonly funds: number;
  readonly merchants: number;
  readonly investorCny: number;
  readonly horizonDays: number;
  readonly decisionLagDays: number;
  readonly timing: string;
  /** The single investor's yield holding fund 0, % a year: the base of every uplift. */
  readonly holdOneYieldPct: SeedSpread;
  readonly strategies: (UpliftSpread & {
    readonly name: ThesisStrategyName;
    readonly label: string;
    readonly ceilingShare: SeedSpread;
    readonly merchants: { readonly yieldUpliftPct: SeedSpread; readonly instantCapacityUpliftPct: SeedSpread; readonly coverageRate: SeedSpread } | null;
  })[];
  readonly ceiling: UpliftSpread & { readonly label: string; readonly annualYieldPct: SeedSpread };
  readonly nonForecastRules: (UpliftSpread & { readonly name: NonForecastRuleName; readonly label: string; readonly ceilingShare: SeedSpread })[];
  /** The non-forecast rule with the highest median uplift, and that median. */
  readonly bestNonForecastRule: { readonly name: NonForecastRuleName; readonly yieldUpliftPct: number };
  /** The elastic net's one-day-ahead MAE against "tomorrow = today", % better. */
  readonly yieldForecastSkillPct: SeedSpread;
  readonly perSeed: readonly {
    readonly seed: Seed;
    readonly holdOneYieldPct: number;
    readonly ceilingUpliftPct: number;
    readonly upliftPct: Readonly<Record<ThesisStrategyName | NonForecastRuleName, number>>;
  }[];
}

/** The q-quantile of a sample, by linear interpolation between order statistics (R's type 7). */
export function quantileOf(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

export function seedSpread(values: readonly number[], digits = 2): SeedSpread {
  const k = 10 ** digits;
  const at = (q: number) => Math.round(quantileOf(values, q) * k) / k;
  return { median: at(0.5), p10: at(0.1), p90: at(0.9) };
}

/** Seeds first, first + 1, …: the multi-seed run's default draws. */
export function consecutiveSeeds(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, k) => first + k);
}

export async function runMultiSeedBacktest(options: MultiSeedOptions, settings: BacktestSettings = {}): Promise<MultiSeedReport> {
  if (options.seeds.length === 0) throw new RangeError('the multi-seed backtest needs at least one seed');
  const { seeds, ...market } = options;
  // One progress line for the seeds, not one per stage of every seed.
  const { onProgress, ...perSeed } = settings;
  const reports: BacktestReport[] = [];
  for (const [k, seed] of seeds.entries()) {
    onProgress?.('seeds run', k, seeds.length);
    reports.push((await runBacktest({ ...market, seed }, { ...perSeed, record: false })).report);
  }
  onProgress?.('seeds run', seeds.length, seeds.length);
  return summariseSeeds(seeds, reports);
}

function summariseSeeds(seeds: readonly Seed[], reports: readonly BacktestReport[]): MultiSeedReport {
  const first = reports[0]!;
  const over = (value: (r: BacktestReport) => number, digits = 2) => seedSpread(reports.map(value), digits);
  const strategy = (r: BacktestReport, name: ThesisStrategyName) => r.strategies.find((s) => s.name === name)!;
  const rule = (r: BacktestReport, name: NonForecastRuleName) => r.nonForecastRules.find((s) => s.name === name)!;
  const hasMerchants = first.merchants > 0;
  const nonForecastRules = NON_FORECAST_RULES.map(({ name, label }) => ({
    name,
    label,
    yieldUpliftPct: over((r) => rule(r, name).yieldUpliftPct),
    yieldUpliftBpPerYear: over((r) => rule(r, name).yieldUpliftBpPerYear),
    ceilingShare: over((r) => rule(r, name).ceilingShare, 4),
  }));
  const best = nonForecastRules.reduce((b, r) => (r.yieldUpliftPct.median > b.yieldUpliftPct.median ? r : b));
  return {
    simulated: true,
    note: first.note,
    population: hasMerchants ? `the single investor and ${first.merchants} simulated merchants` : 'the single investor (no merchants)',
    seeds,
    spread: `median, 10th and 90th percentiles over ${seeds.length} seeds (linear interpolation between order statistics)`,
    evaluation: { from: first.evaluation.from, to: first.evaluation.to, days: first.evaluation.days },
    funds: first.market.funds,
    merchants: first.merchants,
    investorCny: first.investorCny,
    horizonDays: first.horizonDays,
    decisionLagDays: first.decisionLagDays,
    timing: first.timing,
    holdOneYieldPct: over((r) => strategy(r, 'hold-one').annualYieldPct, 4),
    strategies: STRATEGY_NAMES.map((name) => ({
      name,
      label: STRATEGY_LABELS[name],
      yieldUpliftPct: over((r) => strategy(r, name).yieldUpliftPct),
      yieldUpliftBpPerYear: over((r) => strategy(r, name).yieldUpliftBpPerYear),
      ceilingShare: over((r) => strategy(r, name).ceilingShare, 4),
      merchants: hasMerchants
        ? {
            yieldUpliftPct: over((r) => strategy(r, name).merchants!.yieldUpliftPct),
            instantCapacityUpliftPct: over((r) => strategy(r, name).merchants!.instantCapacityUpliftPct),
            coverageRate: over((r) => strategy(r, name).merchants!.coverageRate, 4),
          }
        : null,
    })),
    ceiling: {
      label: CEILING_LABEL,
      annualYieldPct: over((r) => r.ceiling.annualYieldPct, 4),
      yieldUpliftPct: over((r) => r.ceiling.yieldUpliftPct),
      yieldUpliftBpPerYear: over((r) => r.ceiling.yieldUpliftBpPerYear),
    },
    nonForecastRules,
    bestNonForecastRule: { name: best.name, yieldUpliftPct: best.yieldUpliftPct.median },
    yieldForecastSkillPct: over((r) => r.forecastErrors.yield.skillPct),
    perSeed: reports.map((r, k) => ({
      seed: seeds[k]!,
      holdOneYieldPct: strategy(r, 'hold-one').annualYieldPct,
      ceilingUpliftPct: r.ceiling.yieldUpliftPct,
      upliftPct: Object.fromEntries([...r.strategies, ...r.nonForecastRules].map((s) => [s.name, s.yieldUpliftPct])) as Record<ThesisStrategyName | NonForecastRuleName, number>,
    })),
  };
}
