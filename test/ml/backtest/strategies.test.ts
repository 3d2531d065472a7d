/**
 * The strategies' decision rules, and IIMMF's shortcut (the LP on the candidate funds only) against the LP
 * on every fund.
 */
import { SeededRandom } from '../../../src/ml/market';
import { createOptimiser, type IimmfOptimiser } from '../../../src/ml/portfolio/iimmf';
import { FundBook } from '../../../src/ml/backtest/fund-book';
import { DUST_FEN, equalWeights, forecastSwitching, iimmfCandidates, waterFill, type DecisionContext } from '../../../src/ml/backtest/strategies';

let optimiser: IimmfOptimiser;
beforeAll(async () => {
  optimiser = await createOptimiser();
});
afterAll(() => optimiser.dispose());

const context = (forecast: number[], extra: Partial<DecisionContext> = {}): DecisionContext => ({
  t: 10,
  forecast,
  codes: forecast.map((_, i) => `F${i}`),
  capFen: 1_000_000,
  demandUpperFen: 0,
  horizonDays: 14,
  switchLostDays: 1,
  quarterStart: false,
  initial: false,
  ...extra,
});

describe('waterFill', () => {
  it('raises the lowest positions to a common level and spends exactly the cash', () => {
    expect(waterFill([0, 0, 0], 10)).toEqual([4, 3, 3]);
    expect(waterFill([100, 0, 50], 70)).toEqual([0, 60, 10]);
    expect(waterFill([5, 5], 0)).toEqual([0, 0]);
    const buys = waterFill([300, 10, 20, 999], 1_001);
    expect(buys.reduce((a, b) => a + b, 0)).toBe(1_001);
    expect(buys[3]).toBe(0);
  });
});

describe('forecast-driven switching', () => {
  it('switches only when the forecast gain over the horizon pays for the days lost', () => {
    const book = new FundBook(2);
    book.holdings[0] = 100_000_000;
    const strategy = forecastSwitching();
    // (0.60 − 0.57) × 14 = 0.42 < 0.60 × 1 lost day: stay.
    expect(strategy.decide(book, context([0.57, 0.6]))).toEqual([]);
    // (0.70 − 0.57) × 14 = 1.82 > 0.70 × 1: switch.
    expect(strategy.decide(book, context([0.57, 0.7]))).toEqual([{ kind: 'redeem', fund: 0, amount: 100_000_000 }]);
    // Over a weekend (3 lost days) the same gain is not enough: 1.82 < 2.1.
    expect(strategy.decide(book, context([0.57, 0.7], { switchLostDays: 3 }))).toEqual([]);
    // Cash always goes to the best forecast.
    book.cash = 5_000;
    expect(strategy.decide(book, context([0.57, 0.6]))).toEqual([{ kind: 'buy', fund: 1, amount: 5_000 }]);
  });
});

describe('equal weights', () => {
  it('spreads cash to the funds below the common weight and rebalances only at a quarter start beyond the band', () => {
    const book = new FundBook(4);
    book.holdings.set([4_000, 1_000, 1_000, 1_000]);
    book.cash = 1_000;
    const strategy = equalWeights(0.2);
    expect(strategy.decide(book, context([1, 1, 1, 1]))).toEqual([
      { kind: 'buy', fund: 1, amount: 334 },
      { kind: 'buy', fund: 2, amount: 333 },
      { kind: 'buy', fund: 3, amount: 333 },
    ]);
    const rebalance = strategy.decide(book, context([1, 1, 1, 1], { quarterStart: true }));
    expect(rebalance[0]).toEqual({ kind: 'redeem', fund: 0, amount: 2_000 });
  });
});

describe('IIMMF on the candidate funds', () => {
  it('reaches the same optimum as the LP over every fund (200 random wallets of 20 funds)', () => {
    const random = SeededRandom.fromSeed('iimmf-candidates');
    for (let k = 0; k < 200; k += 1) {
      const n = 20;
      const forecast = Array.from({ length: n }, () => 0.2 + random.uniform() * 0.6 + (random.uniform() < 0.05 ? -0.4 : 0));
      const available = Array.from({ length: n }, () => (random.uniform() < 0.3 ? DUST_FEN + Math.floor(random.uniform() * 5_000_000) : 0));
      const cash = Math.floor(random.uniform() * 3_000_000);
      const cap = random.uniform() < 0.5 ? 1_000_000 : 5_000_000;
      const demand = Math.floor(random.uniform() * 8_000_000);
      const candidates = iimmfCandidates(available, forecast, demand, cap);
      const input = (funds: number[]) => ({
        balanceFen: funds.reduce((sum, i) => sum + available[i]!, 0) + cash,
        demandUpperFen: demand,
        horizonDays: 14,
        switchCostDays: 1 + (k % 3),
        funds: funds.map((i) => ({ code: `F${i}`, forecastPerTenK: forecast[i]!, currentFen: available[i]!, instantCapFen: cap })),
      });
      const all = [...Array(n).keys()];
      const full = optimiser.optimise(input(all));
      const restricted = optimiser.optimise(input(candidates));
      expect(Math.abs(full.lpObjective - restricted.lpObjective)).toBeLessThanOrEqual(1e-9 * Math.abs(full.lpObjective) + 1e-6);
      expect(restricted.shortfallFen).toBe(full.shortfallFen);
    }
  });

  it('leaves dust holdings out unless the fund is among the best', () => {
    const available = [DUST_FEN - 1, 0, 5_000_000, 0, 200];
    const forecast = [0.1, 0.9, 0.5, 0.2, 0.8];
    expect(iimmfCandidates(available, forecast, 0, 1_000_000)).toEqual([1, 2]);
    expect(iimmfCandidates(available, forecast, 0, 1_000_000, 2)).toEqual([1, 2, 4]);
    expect(iimmfCandidates(available, forecast, 1_500_000, 1_000_000, 1)).toEqual([1, 2, 3, 4]);
  });

});
