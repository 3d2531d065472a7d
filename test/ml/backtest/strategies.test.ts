/**
 * The strategies' decision rules, IIMMF's shortcut (the LP on the candidate funds only) against the LP on
 * every fund, the non-forecast rules' levels, and the spreads over seeds.
 */
import { SeededRandom } from '../../../src/ml/market';
import { createOptimiser, type IimmfOptimiser } from '../../../src/ml/portfolio/iimmf';
import { FundBook } from '../../../src/ml/backtest/fund-book';
import { capReserve, DUST_FEN, equalWeights, forecastSwitching, iimmfCandidates, waterFill, type DecisionContext } from '../../../src/ml/backtest/strategies';
import { NON_FORECAST_RULES, nonForecastLevels, nonForecastRule } from '../../../src/ml/backtest/non-forecast-rules';
import { seedSpread } from '../../../src/ml/backtest/multi-seed';
import { quantileOf } from '../../../src/ml/quantile';

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

describe('the cap reserve', () => {
  it('tops ⌈bound / cap⌉ funds other than the best up to the cap, held ones first, and buys the best with the rest', () => {
    const book = new FundBook(4);
    book.holdings.set([0, 400_000, 0, 0]);
    book.cash = 5_000_000;
    const strategy = capReserve();
    // Bound 1.5 caps: two reserve funds, fund 1 (held) and fund 3 (the best level of the rest); fund 2 is the best.
    expect(strategy.decide(book, context([0.2, 0.1, 0.9, 0.5], { demandUpperFen: 1_500_000 }))).toEqual([
      { kind: 'buy', fund: 1, amount: 600_000 },
      { kind: 'buy', fund: 3, amount: 1_000_000 },
      { kind: 'buy', fund: 2, amount: 3_400_000 },
    ]);
    // No demand: it is the switching rule on its levels, and a reserve fund's holding moves when the gain pays.
    book.cash = 0;
    expect(strategy.decide(book, context([0.2, 0.1, 0.9, 0.5]))).toEqual([{ kind: 'redeem', fund: 1, amount: 400_000 }]);
  });

  it('moves only a reserve fund\'s excess over the cap, and only when the switching rule says it pays', () => {
    const book = new FundBook(2);
    book.holdings.set([3_000_000, 0]);
    const strategy = capReserve();
    const withDemand = { demandUpperFen: 800_000 };
    expect(strategy.decide(book, context([0.5, 0.9], withDemand))).toEqual([{ kind: 'redeem', fund: 0, amount: 2_000_000 }]);
    expect(strategy.decide(book, context([0.88, 0.9], withDemand))).toEqual([]); // a small gain does not pay for the days lost
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

describe('the non-forecast rules', () => {
  const micros = [[10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 70_000, 80_000]];
  it('give at each origin the trailing mean of the incomes up to it, CNY per 10,000 shares, and nothing before a full window', () => {
    const [mean3] = nonForecastLevels(micros, { name: 'trailing-mean-7', label: '', shortDays: 3 });
    expect(Array.from(mean3!.slice(0, 2))).toEqual([NaN, NaN]);
    expect(Array.from(mean3!.slice(2))).toEqual([2, 3, 4, 5, 6, 7]);
    const [last] = nonForecastLevels(micros, nonForecastRule('trailing-mean-1'));
    expect(Array.from(last!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('extrapolate the short mean by its lead over the long one for momentum', () => {
    const [momentum] = nonForecastLevels(micros, { name: 'momentum-7-30', label: '', shortDays: 2, longDays: 4 });
    // origin 3: mean of days 2–3 = 3.5, of days 0–3 = 2.5: 3.5 + (3.5 − 2.5) = 4.5.
    expect(momentum![3]).toBeCloseTo(4.5, 12);
    expect(Number.isNaN(momentum![2])).toBe(true);
  });

  it('run under the switching rule of strategy (c), with their own name', () => {
    const rule = nonForecastRule('trailing-mean-30');
    const strategy = forecastSwitching(rule.name, rule.label);
    const book = new FundBook(2);
    book.holdings[0] = 100_000_000;
    expect(strategy.name).toBe('trailing-mean-30');
    expect(strategy.decide(book, context([0.57, 0.7]))).toEqual([{ kind: 'redeem', fund: 0, amount: 100_000_000 }]);
    expect(NON_FORECAST_RULES.map((r) => r.name)).toEqual(['trailing-mean-1', 'trailing-mean-7', 'trailing-mean-30', 'trailing-mean-90', 'momentum-7-30', 'momentum-30-90']);
  });
});

describe('spreads over seeds', () => {
  it('are R type-7 quantiles: median, 10th and 90th percentiles', () => {
    // quantile(1:10, c(0.1, 0.5, 0.9)) in R: 1.9, 5.5, 9.1.
    expect(seedSpread([10, 3, 1, 2, 4, 5, 6, 7, 8, 9])).toEqual({ median: 5.5, p10: 1.9, p90: 9.1 });
    expect(seedSpread([2.5])).toEqual({ median: 2.5, p10: 2.5, p90: 2.5 });
    expect(quantileOf([], 0.5)).toBeNaN();
  });
});
