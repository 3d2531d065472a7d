/**
 * The backtest over many seeds: one seed is one draw of the simulated market, so a single run's uplift says
 * little on its own. Each seed is a whole backtest (runBacktest), run at each of fund 0's places asked for
 * (by default the median, 0.5, and the lower quartile, 0.25: where the Yu'E Bao proxy sits among the funds
 * decides how much there is to gain by leaving it). Per place, the report gives, per strategy, the median and
 * the 10th and 90th percentiles over the seeds of its uplift over holding fund 0 (in % and in basis points a
 * year) and of its share of the reachable ceiling (the perfect-foresight optimum under the same rules,
 * ceiling.ts), and the best non-forecast rule. Merchants, whose ARIMA fits are the slow part, run on the
 * first `merchantSeeds` seeds only, with the same demand forecasts at every place of fund 0 (they depend on
 * the merchants alone); their liquidity figures are summarised over those seeds.
 */
import { quantileOf } from '../quantile';
import type { Seed } from '../market/seeded-random';
import { boundCoverageReport, forecastDemand, runBacktestOn, simulateBacktestData, type BacktestOptions, type BacktestReport, type BacktestSettings, type BoundCoverageReport } from './backtest';
import { BOUND_METHODS, type BoundMethod } from './bound-calibration';
import type { CoverageCount } from './decision-bounds';
import { CEILING_LABEL } from './ceiling';
import { NON_FORECAST_RULES, type NonForecastRuleName } from './non-forecast-rules';
import { CAP_RESERVE_LABEL, MERCHANT_STRATEGY_NAMES, STRATEGY_LABELS, STRATEGY_NAMES, type MerchantStrategyName, type ThesisStrategyName } from './strategies';

/** Median and 10th / 90th percentiles over the seeds. */
export interface SeedSpread {
  readonly median: number;
  readonly p10: number;
  readonly p90: number;
}

/** Fund 0's places a multi-seed report runs at by default: the median and the lower quartile. */
export const DEFAULT_FUND_ZERO_QUANTILES: readonly number[] = [0.5, 0.25];

export interface MultiSeedOptions extends Omit<BacktestOptions, 'seed' | 'fundZeroQuantile'> {
  readonly seeds: readonly Seed[];
  /** Fund 0's places to run the seeds at (default DEFAULT_FUND_ZERO_QUANTILES). */
  readonly fundZeroQuantiles?: readonly number[];
  /** How many of the seeds, the first ones, run `merchants` merchants (default all of them); the others none. */
  readonly merchantSeeds?: number;
}

interface UpliftSpread {
  readonly yieldUpliftPct: SeedSpread;
  readonly yieldUpliftBpPerYear: SeedSpread;
}

/** One merchant strategy's liquidity figures over the seeds that ran merchants. */
export interface MerchantLiquiditySpread {
  readonly name: MerchantStrategyName;
  readonly label: string;
  readonly yieldUpliftPct: SeedSpread;
  readonly yieldGivenUpBpPerYear: SeedSpread;
  readonly paidAtOnceShare: SeedSpread;
  readonly daysCoveredShare: SeedSpread;
  readonly unmetInstantCnyPerMerchantYear: SeedSpread;
  /** The old capacity figure (mean Σ min(holding, cap) over hold-one's), kept for comparison; not a measure of liquidity. */
  readonly instantCapacityUpliftPct: SeedSpread;
}

/** Everything at one place of fund 0. */
export interface FundZeroQuantileSummary {
  readonly fundZeroQuantile: number;
  /** The single investor's yield holding fund 0, % a year: the base of every uplift. */
  readonly holdOneYieldPct: SeedSpread;
  readonly strategies: (UpliftSpread & { readonly name: ThesisStrategyName; readonly label: string; readonly ceilingShare: SeedSpread })[];
  readonly ceiling: UpliftSpread & { readonly label: string; readonly annualYieldPct: SeedSpread };
  readonly nonForecastRules: (UpliftSpread & { readonly name: NonForecastRuleName; readonly label: string; readonly ceilingShare: SeedSpread })[];
  /** The non-forecast rule with the highest median uplift, and that median. */
  readonly bestNonForecastRule: { readonly name: NonForecastRuleName; readonly yieldUpliftPct: number };
  /** The elastic net's one-day-ahead MAE against "tomorrow = today", % better. */
  readonly yieldForecastSkillPct: SeedSpread;
  /** The merchants' figures, over the seeds that ran them (null when none did). */
  readonly liquidity: { readonly yieldGivenUpAgainst: string; readonly strategies: MerchantLiquiditySpread[] } | null;
  readonly perSeed: readonly {
    readonly seed: Seed;
    readonly holdOneYieldPct: number;
    readonly ceilingUpliftPct: number;
    readonly upliftPct: Readonly<Record<ThesisStrategyName | NonForecastRuleName, number>>;
  }[];
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
  readonly investorCny: number;
  readonly horizonDays: number;
  readonly decisionLagDays: number;
  readonly timing: string;
  readonly modelConfiguration: BacktestReport['modelConfiguration'];
  /** Which seeds ran merchants, how many each, and how their decisions' demand bounds were made (null: none). */
  readonly merchants: { readonly seeds: readonly Seed[]; readonly merchantsPerSeed: number; readonly boundMethod: BoundMethod; readonly note: string } | null;
  readonly fundZeroQuantiles: readonly number[];
  /** The report at each place of fund 0, keyed by the quantile as written ("0.5", "0.25"). */
  readonly byFundZeroQuantile: Readonly<Record<string, FundZeroQuantileSummary>>;
  /** The demand bounds' nominal and achieved coverage per method, pooled over the merchants of every seed that ran them. */
  readonly demandBounds: BoundCoverageReport | null;
}

export function seedSpread(values: readonly number[], digits = 2): SeedSpread {
  const k = 10 ** digits;
  // A share of the ceiling is NaN on a seed where nothing beats fund 0: over the seeds that have one.
  const defined = values.filter(Number.isFinite);
  const at = (q: number) => Math.round(quantileOf(defined, q) * k) / k;
  return { median: at(0.5), p10: at(0.1), p90: at(0.9) };
}

/** Seeds first, first + 1, …: the multi-seed run's default draws. */
export function consecutiveSeeds(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, k) => first + k);
}

export async function runMultiSeedBacktest(options: MultiSeedOptions, settings: BacktestSettings = {}): Promise<MultiSeedReport> {
  if (options.seeds.length === 0) throw new RangeError('the multi-seed backtest needs at least one seed');
  const { seeds, fundZeroQuantiles = DEFAULT_FUND_ZERO_QUANTILES, merchantSeeds = seeds.length, merchants = 0, ...market } = options;
  if (fundZeroQuantiles.length === 0) throw new RangeError('the multi-seed backtest needs at least one place of fund 0');
  // One progress line for the seeds, not one per stage of every seed.
  const { onProgress, ...perSeed } = settings;
  const reports = fundZeroQuantiles.map(() => [] as BacktestReport[]);
  for (const [k, seed] of seeds.entries()) {
    onProgress?.('seeds run', k, seeds.length);
    const merchantCount = k < merchantSeeds ? merchants : 0;
    let demand: Awaited<ReturnType<typeof forecastDemand>>;
    for (const [j, fundZeroQuantile] of fundZeroQuantiles.entries()) {
      const data = simulateBacktestData({ ...market, seed, fundZeroQuantile, merchants: merchantCount }, perSeed);
      if (j === 0) demand = await forecastDemand(data, perSeed);
      reports[j]!.push((await runBacktestOn(data, { ...perSeed, record: false }, demand)).report);
    }
  }
  onProgress?.('seeds run', seeds.length, seeds.length);
  const merchantRuns = reports[0]!.filter((r) => r.merchants > 0);
  const first = reports[0]![0]!;
  return {
    simulated: true,
    note: first.note,
    population:
      merchantRuns.length > 0
        ? `the single investor on every seed; ${merchants} simulated merchants on ${merchantRuns.length} of the ${seeds.length} seeds`
        : 'the single investor (no merchants)',
    seeds,
    spread: `median, 10th and 90th percentiles over the seeds (${seeds.length}; the merchants' over ${merchantRuns.length}), linear interpolation between order statistics`,
    evaluation: { from: first.evaluation.from, to: first.evaluation.to, days: first.evaluation.days },
    funds: first.market.funds,
    investorCny: first.investorCny,
    horizonDays: first.horizonDays,
    decisionLagDays: first.decisionLagDays,
    timing: first.timing,
    modelConfiguration: first.modelConfiguration,
    merchants:
      merchantRuns.length > 0
        ? {
            seeds: seeds.slice(0, merchantRuns.length),
            merchantsPerSeed: merchants,
            boundMethod: merchantRuns[0]!.forecastErrors.demand!.boundCoverage.method,
            note: 'merchants run on the first seeds only: their ARIMA fits are what makes a seed slow',
          }
        : null,
    fundZeroQuantiles,
    byFundZeroQuantile: Object.fromEntries(fundZeroQuantiles.map((q, j) => [String(q), summariseSeeds(q, seeds, reports[j]!)])),
    demandBounds: merchantRuns.length > 0 ? pooledCoverage(merchantRuns) : null,
  };
}

/** The bounds' coverage counts of every seed, summed. */
function pooledCoverage(reports: readonly BacktestReport[]): BoundCoverageReport {
  const sum = (pick: (r: BoundCoverageReport) => Record<BoundMethod, CoverageCount>) =>
    Object.fromEntries(
      BOUND_METHODS.map((m) => {
        const counts = reports.map((r) => pick(r.forecastErrors.demand!.boundCoverage)[m]);
        return [m, { covered: counts.reduce((a, c) => a + c.covered, 0), scored: counts.reduce((a, c) => a + c.scored, 0) }];
      }),
    ) as Record<BoundMethod, CoverageCount>;
  const coverage = reports[0]!.forecastErrors.demand!.boundCoverage;
  return boundCoverageReport(coverage.method, sum((c) => c.counts.oneDayAhead), sum((c) => c.counts.decision));
}

function liquiditySpread(reports: readonly BacktestReport[]): FundZeroQuantileSummary['liquidity'] {
  const runs = reports.filter((r) => r.liquidity !== null);
  if (runs.length === 0) return null;
  const metrics = (r: BacktestReport, name: MerchantStrategyName) =>
    name === 'cap-reserve' ? r.liquidity!.baseline.merchants : r.strategies.find((s) => s.name === name)!.merchants!;
  const over = (value: (r: BacktestReport) => number, digits = 2) => seedSpread(runs.map(value), digits);
  return {
    yieldGivenUpAgainst: runs[0]!.liquidity!.yieldGivenUpAgainst,
    strategies: MERCHANT_STRATEGY_NAMES.map((name) => ({
      name,
      label: name === 'cap-reserve' ? CAP_RESERVE_LABEL : STRATEGY_LABELS[name],
      yieldUpliftPct: over((r) => metrics(r, name).yieldUpliftPct),
      yieldGivenUpBpPerYear: over((r) => metrics(r, name).yieldGivenUpBpPerYear),
      paidAtOnceShare: over((r) => metrics(r, name).paidAtOnceShare, 4),
      daysCoveredShare: over((r) => metrics(r, name).daysCoveredShare, 4),
      unmetInstantCnyPerMerchantYear: over((r) => metrics(r, name).unmetInstantCnyPerMerchantYear, 0),
      instantCapacityUpliftPct: over((r) => metrics(r, name).instantCapacityUpliftPct),
    })),
  };
}

function summariseSeeds(fundZeroQuantile: number, seeds: readonly Seed[], reports: readonly BacktestReport[]): FundZeroQuantileSummary {
  const over = (value: (r: BacktestReport) => number, digits = 2) => seedSpread(reports.map(value), digits);
  const strategy = (r: BacktestReport, name: ThesisStrategyName) => r.strategies.find((s) => s.name === name)!;
  const rule = (r: BacktestReport, name: NonForecastRuleName) => r.nonForecastRules.find((s) => s.name === name)!;
  const nonForecastRules = NON_FORECAST_RULES.map(({ name, label }) => ({
    name,
    label,
    yieldUpliftPct: over((r) => rule(r, name).yieldUpliftPct),
    yieldUpliftBpPerYear: over((r) => rule(r, name).yieldUpliftBpPerYear),
    ceilingShare: over((r) => rule(r, name).ceilingShare, 4),
  }));
  const best = nonForecastRules.reduce((b, r) => (r.yieldUpliftPct.median > b.yieldUpliftPct.median ? r : b));
  return {
    fundZeroQuantile,
    holdOneYieldPct: over((r) => strategy(r, 'hold-one').annualYieldPct, 4),
    strategies: STRATEGY_NAMES.map((name) => ({
      name,
      label: STRATEGY_LABELS[name],
      yieldUpliftPct: over((r) => strategy(r, name).yieldUpliftPct),
      yieldUpliftBpPerYear: over((r) => strategy(r, name).yieldUpliftBpPerYear),
      ceilingShare: over((r) => strategy(r, name).ceilingShare, 4),
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
    liquidity: liquiditySpread(reports),
    perSeed: reports.map((r, k) => ({
      seed: seeds[k]!,
      holdOneYieldPct: strategy(r, 'hold-one').annualYieldPct,
      ceilingUpliftPct: r.ceiling.yieldUpliftPct,
      upliftPct: Object.fromEntries([...r.strategies, ...r.nonForecastRules].map((s) => [s.name, s.yieldUpliftPct])) as Record<ThesisStrategyName | NonForecastRuleName, number>,
    })),
  };
}
