/**
 * The ceiling is exact: on small random markets the DP's value and its plan, booked, match a brute force over
 * every switching sequence booked on the real FundBook; and on whole backtests no strategy or rule beats it.
 */
import { SeededRandom } from '../../../src/ml/market';
import { backtestCalendar } from '../../../src/ml/backtest/backtest-calendar';
import { runBacktest } from '../../../src/ml/backtest/backtest';
import { ceilingStrategy, perfectForesightPlan } from '../../../src/ml/backtest/ceiling';
import type { Order, Strategy } from '../../../src/ml/backtest/strategies';
import { runWallet, type SimulationInputs } from '../../../src/ml/backtest/wallet-simulation';

/** 10,000,000 CNY: a day's income is 20,000–120,000 fen, far above the book's rounding of a fen a day. */
const OPENING_FEN = 1_000_000_000;

/** A market of `funds` funds over `days` days from `firstDate`. */
function randomMarket(random: SeededRandom, firstDate: string, funds: number, days: number): SimulationInputs {
  const e0 = 1;
  const calendar = backtestCalendar(firstDate, days, e0);
  // Each fund's income alternates between high and low spells of 4 to 8 days, the funds out of step: there
  // are switches worth making (a switch loses two to four days), and others that are not.
  const micros = Array.from({ length: funds }, (_, i) => {
    const series: number[] = [];
    for (let high = i % 2 === 0; series.length < days; high = !high) {
      const spell = 5 + Math.floor(random.uniform() * 5);
      const level = high ? 12_000 + Math.floor(random.uniform() * 6_000) : 500 + Math.floor(random.uniform() * 2_000);
      for (let d = 0; d < spell; d += 1) series.push(level + Math.floor(random.uniform() * 200));
    }
    return series.slice(0, days);
  });
  const dates = Array.from({ length: days }, (_, t) => new Date(Date.parse(`${firstDate}T00:00:00Z`) + t * 86_400_000).toISOString().slice(0, 10));
  return {
    dates,
    codes: micros.map((_, i) => `F${i}`),
    e0,
    last: days - 1,
    micros,
    forecasts: micros.map(() => new Float64Array(days)),
    forecastOriginLagDays: 1,
    ...calendar,
    horizonDays: 14,
    rebalanceBand: 0.2,
    iimmfExtraFunds: 1,
  };
}

/**
 * Every sequence of whole-holding orders the book allows (on each decision day: keep or redeem each fund
 * with shares available; keep the cash or buy one fund with all of it), booked on the real FundBook; the
 * tree is walked by booking again with the next choice at the deepest decision that has one left.
 */
function bruteForce(inputs: SimulationInputs): { bestFen: number; sequences: number } {
  const digits: number[] = [];
  let bestFen = -Infinity;
  let sequences = 0;
  for (;;) {
    const radices: number[] = [];
    const scripted: Strategy = {
      name: 'ceiling',
      label: 'one switching sequence',
      decide(book) {
        const held = [...Array(book.funds).keys()].filter((j) => book.available(j) > 0);
        const cashChoices = book.cash > 0 ? book.funds + 1 : 1;
        const digit = digits[radices.length] ?? 0;
        radices.push(2 ** held.length * cashChoices);
        const orders: Order[] = [];
        held.forEach((j, bit) => {
          if ((digit >> bit) & 1) orders.push({ kind: 'redeem', fund: j, amount: book.available(j) });
        });
        const cashChoice = Math.floor(digit / 2 ** held.length);
        if (cashChoice > 0) orders.push({ kind: 'buy', fund: cashChoice - 1, amount: book.cash });
        return orders;
      },
    };
    bestFen = Math.max(bestFen, runWallet(inputs, scripted, { openingFen: OPENING_FEN }).income);
    sequences += 1;
    digits.length = radices.length;
    let k = radices.length - 1;
    while (k >= 0 && (digits[k] ?? 0) + 1 >= radices[k]!) k -= 1;
    if (k < 0) return { bestFen, sequences };
    digits[k] = (digits[k] ?? 0) + 1;
    digits.length = k + 1;
  }
}

describe('the perfect-foresight ceiling', () => {
  it('equals a brute force over every switching sequence on small random markets, weekends included', () => {
    const random = SeededRandom.fromSeed('ceiling-brute-force');
    // Starting dates on every weekday, so that decisions on Thursdays and Fridays (three days lost) and a
    // last day on a weekend (a redemption that would pay after the end) all occur.
    const cases = [
      { firstDate: '2021-03-01', funds: 2, days: 20 },
      { firstDate: '2021-03-04', funds: 2, days: 19 },
      { firstDate: '2021-03-05', funds: 2, days: 18 },
      { firstDate: '2021-03-03', funds: 3, days: 14 },
      { firstDate: '2021-03-02', funds: 3, days: 15 },
      { firstDate: '2021-04-01', funds: 2, days: 20 },
      // Across the Labour Day holiday (2021-05-01 to 05-05, recorded under Thursday the 6th).
      { firstDate: '2021-04-27', funds: 2, days: 20 },
    ];
    let switched = 0;
    for (const { firstDate, funds, days } of cases) {
      const inputs = randomMarket(random, firstDate, funds, days);
      const plan = perfectForesightPlan(inputs);
      const upperFen = (plan.growth - 1) * OPENING_FEN;
      const booked = runWallet(inputs, ceilingStrategy(plan), { openingFen: OPENING_FEN }, { record: true });
      const { bestFen, sequences } = bruteForce(inputs);
      expect(sequences).toBeGreaterThan(100);
      // Its plan is one of the sequences, and no sequence books more than the DP's unrounded value …
      expect(booked.income).toBeLessThanOrEqual(bestFen);
      expect(bestFen).toBeLessThanOrEqual(upperFen + 1e-6);
      // … which the plan reaches up to the book's rounding: under a fen per holding per day.
      expect(upperFen - booked.income).toBeLessThan(days);
      switched += booked.decisions!.filter((line) => line.includes(' redeem ')).length;
    }
    expect(switched).toBeGreaterThan(5); // the optimum switches, so the test is about the switching rules
  });

  it('is at least every strategy and every non-forecast rule, on every seed', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { report } = await runBacktest({ seed, fromYear: 2020, toYear: 2021, funds: 4, merchants: 0 }, { workers: 0 });
      const { ceiling } = report;
      expect(ceiling.upperBoundIncomeCny).toBeGreaterThanOrEqual(ceiling.incomeCny);
      expect(ceiling.upperBoundIncomeCny - ceiling.incomeCny).toBeLessThan(report.evaluation.days / 100);
      const runs = [...report.strategies.map((s) => ({ ...s, incomeCny: s.investor.incomeCny })), ...report.nonForecastRules];
      for (const run of runs) {
        expect(ceiling.incomeCny).toBeGreaterThanOrEqual(run.incomeCny);
        expect(ceiling.annualYieldPct).toBeGreaterThanOrEqual(run.annualYieldPct);
        expect(run.ceilingShare).toBeLessThanOrEqual(1);
      }
      expect(report.hindsight.bestEveryDay.upliftPct).toBeGreaterThan(ceiling.yieldUpliftPct); // no switching cost is not reachable
    }
  });
});
