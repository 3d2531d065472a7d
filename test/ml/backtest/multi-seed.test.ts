/**
 * The multi-seed report summarises the single runs it is made of: each spread is the quantiles of the same
 * figure in the seeds' own reports, the ceiling share is the ratio of the uplifts, and the best
 * non-forecast rule is the one with the highest median.
 */
import { runBacktest, type BacktestReport } from '../../../src/ml/backtest/backtest';
import { runMultiSeedBacktest, seedSpread } from '../../../src/ml/backtest/multi-seed';

const market = { fromYear: 2021, toYear: 2021, funds: 3, merchants: 0 } as const;
const seeds = [11, 12, 13];

describe('the multi-seed report', () => {
  it('is the quantiles over the seeds of what each single run reports', async () => {
    const progress: string[] = [];
    const report = await runMultiSeedBacktest({ ...market, seeds }, { workers: 0, onProgress: (stage, done, total) => progress.push(`${stage} ${done}/${total}`) });
    const singles: BacktestReport[] = [];
    for (const seed of seeds) singles.push((await runBacktest({ ...market, seed }, { workers: 0 })).report);
    expect(progress).toEqual(['seeds run 0/3', 'seeds run 1/3', 'seeds run 2/3', 'seeds run 3/3']);
    expect(report.population).toBe('the single investor (no merchants)');
    for (const strategy of report.strategies) {
      const own = singles.map((r) => r.strategies.find((s) => s.name === strategy.name)!);
      expect(strategy.yieldUpliftPct).toEqual(seedSpread(own.map((s) => s.yieldUpliftPct)));
      expect(strategy.yieldUpliftBpPerYear).toEqual(seedSpread(own.map((s) => s.yieldUpliftBpPerYear)));
      expect(strategy.ceilingShare).toEqual(seedSpread(own.map((s) => s.ceilingShare), 4));
    }
    expect(report.ceiling.yieldUpliftPct).toEqual(seedSpread(singles.map((r) => r.ceiling.yieldUpliftPct)));
    singles.forEach((single, k) => {
      const switching = single.strategies.find((s) => s.name === 'forecast-switching')!;
      expect(switching.ceilingShare).toBeCloseTo(switching.yieldUpliftBpPerYear / single.ceiling.yieldUpliftBpPerYear, 2);
      expect(report.perSeed[k]).toMatchObject({ seed: seeds[k], ceilingUpliftPct: single.ceiling.yieldUpliftPct });
    });
    const medians = report.nonForecastRules.map((r) => r.yieldUpliftPct.median);
    expect(report.bestNonForecastRule.yieldUpliftPct).toBe(Math.max(...medians));
    expect(report.nonForecastRules.find((r) => r.name === report.bestNonForecastRule.name)!.yieldUpliftPct.median).toBe(Math.max(...medians));
  });
});
