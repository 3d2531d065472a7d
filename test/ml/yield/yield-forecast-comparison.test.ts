import { simulateMarket } from '../../../src/ml/market/market-simulator';
import { compareYieldForecasts, formatYieldComparison, TRAILING_MEAN_DAYS } from '../../../src/ml/yield/yield-forecast-comparison';
import { evaluateYieldForecasts } from '../../../src/ml/yield/yield-forecaster';
import { modelInputErrorCode } from './model-input-error-code';

const market = simulateMarket({ seed: 23, startDate: '2018-01-01', endDate: '2021-06-30', funds: 4 });

describe('compareYieldForecasts', () => {
  const comparison = compareYieldForecasts(market);

  it('scores the rules and every model on the same origins', () => {
    expect(comparison.rows.map((row) => row.name)).toEqual([
      'naive',
      `trailing-mean-${TRAILING_MEAN_DAYS}`,
      'least-squares/base',
      'least-squares/extended',
      'elastic-net/base',
      'elastic-net/extended',
    ]);
    expect(comparison.funds).toBe(4);
    expect(comparison.to).toBe('2021-06-30');
    const naive = comparison.rows[0]!;
    expect([naive.mae, naive.skill, naive.rmseSkill]).toEqual([naive.naiveMae, 0, 0]);
    for (const row of comparison.rows) {
      expect(row.count).toBe(naive.count);
      expect(row.naiveMae).toBe(naive.naiveMae);
      expect(row.naiveRmse).toBe(naive.naiveRmse);
      expect(row.monthEnd.count + row.otherDays.count).toBe(row.count);
    }
    // Days from `from` to `to`, for each of the 4 funds.
    const days = market.dates.indexOf(comparison.to) - market.dates.indexOf(comparison.from) + 1;
    expect(naive.count).toBe(4 * days);
  });

  it('gives each model the figures of its own evaluation from the common first date', () => {
    const row = comparison.rows.find((r) => r.name === 'elastic-net/extended')!;
    const evaluateFrom = market.dates[market.dates.indexOf(comparison.from) - 1]!;
    const direct = evaluateYieldForecasts(market, { features: 'extended', evaluateFrom });
    expect([row.model, row.features]).toEqual(['elastic-net', 'extended']);
    expect([row.mae, row.rmse, row.skill, row.monthEnd.skill]).toEqual([direct.mae, direct.rmse, direct.skill, direct.monthEnd.skill]);
  });

  it('scores the trailing mean as the mean of the last 30 incomes', () => {
    const row = comparison.rows[1]!;
    const first = market.dates.indexOf(comparison.from) - 1;
    const last = market.dates.indexOf(comparison.to) - 1;
    let absolute = 0;
    for (const fund of market.funds) {
      for (let t = first; t <= last; t += 1) {
        const mean = fund.perTenK.slice(t - 29, t + 1).reduce((a, b) => a + b, 0) / 30;
        absolute += Math.abs(fund.perTenK[t + 1]! - mean);
      }
    }
    expect(row.mae).toBeCloseTo(absolute / row.count, 12);
  });

  it('prints one table row per forecast', () => {
    const table = formatYieldComparison(comparison);
    expect(table).toContain(`Next-day income, target days ${comparison.from} … ${comparison.to}, 4 funds`);
    for (const row of comparison.rows) expect(table).toContain(`| ${row.name} | ${row.mae.toFixed(5)} |`);
  });

  it('compares forecasts of the mean income over a horizon on the same footing', () => {
    const weeks = compareYieldForecasts(market, { horizonDays: 7 });
    expect(weeks.horizonDays).toBe(7);
    expect(weeks.to).toBe('2021-06-30');
    const [naive, trailing, ...models] = weeks.rows;
    expect(naive!.skill).toBe(0);
    for (const row of [trailing!, ...models]) expect(row.count).toBe(naive!.count);
    expect(formatYieldComparison(weeks)).toContain('Mean income over the next 7 days');
  });

  it('names a market too short for the longest-reaching model', () => {
    const short = simulateMarket({ seed: 23, startDate: '2020-01-01', endDate: '2021-03-31', funds: 2 });
    expect(modelInputErrorCode(() => compareYieldForecasts(short))).toBe('TOO_SHORT');
  });
});
