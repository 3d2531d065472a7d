/**
 * The look-ahead guard over whole backtests: one more day of information delay never raises the uplift of a
 * strategy that decides on information, over several seeds. The size is chosen where that comparison is
 * stable: at 4 funds and 2 years, the timing of a handful of switches moves the uplift by more than a day of
 * information is worth (a one-day delay raised forecast-driven switching's uplift on 3 seeds of 6), and at
 * 5 funds and 10 years some rules still rose; at 10 funds and 12 years the delay lowered or kept every
 * uplift on 8 seeds of 8. Between longer lags (2 → 3 days) the information lost is smaller than that noise
 * even at this size, so the test compares 0 and 1.
 */
import { runBacktestOn, simulateBacktestData, type BacktestReport } from '../../../src/ml/backtest/backtest';

const SEEDS = [1, 2, 3, 4];
/** Everything that decides on forecasts or on published incomes. */
const INFORMED = ['forecast-switching', 'iimmf', 'trailing-mean-1', 'trailing-mean-7', 'trailing-mean-30', 'trailing-mean-90', 'momentum-7-30', 'momentum-30-90'];

const uplifts = (report: BacktestReport) =>
  Object.fromEntries([...report.strategies, ...report.nonForecastRules, report.ceiling].map((run) => [run.name, run.yieldUpliftPct]));

describe('a decision that knows less does not do better', () => {
  it('one more day of delay never raises an uplift (10 funds, 2014-2025, seeds 1-4, single investor)', async () => {
    const raised: string[] = [];
    let lowered = 0;
    for (const seed of SEEDS) {
      const data = simulateBacktestData({ seed, fromYear: 2014, toYear: 2025, funds: 10, merchants: 0 });
      const now = uplifts((await runBacktestOn(data, { workers: 0 })).report);
      const later = uplifts((await runBacktestOn(data, { workers: 0, decisionLagDays: 1 })).report);
      for (const name of INFORMED) {
        if (later[name]! > now[name]!) raised.push(`seed ${seed} ${name}: ${now[name]} % -> ${later[name]} %`);
        if (later[name]! < now[name]!) lowered += 1;
      }
      // What uses no information does not move, and neither does the ceiling, which knows everything.
      for (const name of ['hold-one', 'equal-weights', 'ceiling']) expect(later[name]).toBe(now[name]);
    }
    expect(raised).toEqual([]);
    expect(lowered).toBeGreaterThan(SEEDS.length * 4); // the delay costs something, so the comparison has teeth
  }, 120_000);
});
