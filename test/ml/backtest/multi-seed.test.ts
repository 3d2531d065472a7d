/**
 * The multi-seed report summarises the single runs it is made of: at each place of fund 0, each spread is
 * the quantiles of the same figure in the seeds' own reports, the ceiling share is the ratio of the uplifts,
 * and the best non-forecast rule is the one with the highest median; the merchants run on the first seeds
 * only, with the same demand forecasts at every place of fund 0, and their coverage counts are pooled.
 */
import { runBacktest, type BacktestReport } from '../../../src/ml/backtest/backtest';
import { runMultiSeedBacktest, seedSpread } from '../../../src/ml/backtest/multi-seed';

const market = { fromYear: 2021, toYear: 2021, funds: 3 } as const;
const seeds = [11, 12, 13];

describe('the multi-seed report', () => {
  it('is, at each place of fund 0, the quantiles over the seeds of what each single run reports', async () => {
    const progress: string[] = [];
    const report = await runMultiSeedBacktest(
      { ...market, seeds, merchants: 2, merchantSeeds: 1 },
      { workers: 0, demand: 'seasonal-naive', onProgress: (stage, done, total) => progress.push(`${stage} ${done}/${total}`) },
    );
    expect(progress).toEqual(['seeds run 0/3', 'seeds run 1/3', 'seeds run 2/3', 'seeds run 3/3']);
    expect(report.fundZeroQuantiles).toEqual([0.5, 0.25]);
    expect(Object.keys(report.byFundZeroQuantile)).toEqual(['0.5', '0.25']);
    expect(report.merchants).toMatchObject({ seeds: [11], merchantsPerSeed: 2, boundMethod: 'conformal' });
    for (const fundZeroQuantile of report.fundZeroQuantiles) {
      const summary = report.byFundZeroQuantile[String(fundZeroQuantile)]!;
      const singles: BacktestReport[] = [];
      for (const [k, seed] of seeds.entries()) {
        singles.push((await runBacktest({ ...market, seed, fundZeroQuantile, merchants: k === 0 ? 2 : 0 }, { workers: 0, demand: 'seasonal-naive' })).report);
      }
      expect(singles.map((r) => r.fundZeroQuantile)).toEqual([fundZeroQuantile, fundZeroQuantile, fundZeroQuantile]);
      for (const strategy of summary.strategies) {
        const own = singles.map((r) => r.strategies.find((s) => s.name === strategy.name)!);
        expect(strategy.yieldUpliftPct).toEqual(seedSpread(own.map((s) => s.yieldUpliftPct)));
        expect(strategy.yieldUpliftBpPerYear).toEqual(seedSpread(own.map((s) => s.yieldUpliftBpPerYear)));
        expect(strategy.ceilingShare).toEqual(seedSpread(own.map((s) => s.ceilingShare), 4));
      }
      expect(summary.ceiling.yieldUpliftPct).toEqual(seedSpread(singles.map((r) => r.ceiling.yieldUpliftPct)));
      singles.forEach((single, k) => {
        const switching = single.strategies.find((s) => s.name === 'forecast-switching')!;
        expect(switching.ceilingShare).toBeCloseTo(switching.yieldUpliftBpPerYear / single.ceiling.yieldUpliftBpPerYear, 2);
        expect(summary.perSeed[k]).toMatchObject({ seed: seeds[k], ceilingUpliftPct: single.ceiling.yieldUpliftPct });
      });
      const medians = summary.nonForecastRules.map((r) => r.yieldUpliftPct.median);
      expect(summary.bestNonForecastRule.yieldUpliftPct).toBe(Math.max(...medians));
      // The merchants' figures are those of the one seed that ran them.
      const merchantRun = singles[0]!;
      const iimmf = summary.liquidity!.strategies.find((s) => s.name === 'iimmf')!;
      expect(iimmf.paidAtOnceShare.median).toBe(merchantRun.strategies.find((s) => s.name === 'iimmf')!.merchants!.paidAtOnceShare);
      const reserve = summary.liquidity!.strategies.find((s) => s.name === 'cap-reserve')!;
      expect(reserve.daysCoveredShare.median).toBe(merchantRun.liquidity!.baseline.merchants.daysCoveredShare);
      expect(report.demandBounds!.counts).toEqual(merchantRun.forecastErrors.demand!.boundCoverage.counts);
    }
    // Fund 0 lower among the funds leaves more to gain by leaving it.
    const median = (q: string) => report.byFundZeroQuantile[q]!.strategies.find((s) => s.name === 'forecast-switching')!.yieldUpliftPct.median;
    expect(median('0.25')).toBeGreaterThan(median('0.5'));
  });
});

describe('seedSpread', () => {
  it('is the type-7 median and 10th and 90th percentiles, over the seeds where the figure is defined', () => {
    expect(seedSpread([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])).toEqual({ median: 6, p10: 2, p90: 10 });
    // A share of the ceiling is NaN on a seed whose ceiling gains nothing; sorting it in would scramble the order.
    expect(seedSpread([3, Number.NaN, 1, 2], 4)).toEqual({ median: 2, p10: 1.2, p90: 2.8 });
    expect(seedSpread([Number.NaN])).toEqual({ median: Number.NaN, p10: Number.NaN, p90: Number.NaN });
  });
});
