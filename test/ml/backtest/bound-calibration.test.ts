/**
 * The demand bounds' calibration (bound-calibration.ts, decision-bounds.ts): walk-forward, each bound from the
 * errors known at its origin only; the conformal rank and the empirical quantile as stated; a decision's target
 * is the withdrawals recorded under the next business date; and on simulated merchants the calibrated bounds
 * hold on a held-out period as often as they say, where the gaussian bound does not.
 */
import { backtestCalendar } from '../../../src/ml/backtest/backtest-calendar';
import { achievedCoverage, calibratedBounds, NOMINAL_COVERAGE, type BoundMethod, type BoundTarget } from '../../../src/ml/backtest/bound-calibration';
import { decisionTargets, oneDayAheadTargets } from '../../../src/ml/backtest/decision-bounds';
import { demandBounds, type MerchantDemandBounds } from '../../../src/ml/backtest/demand-bounds';
import { SeededRandom, simulateMerchants } from '../../../src/ml/market';

/** Achieved coverage within this many points of the nominal 97.5 %. */
const TOLERANCE_PTS = 1.5;

function randomTargets(seed: string, count: number): BoundTarget[] {
  const random = SeededRandom.fromSeed(seed);
  return Array.from({ length: count }, (_, o) => {
    const horizon = 1 + Math.floor(random.uniform() * 3);
    const se = 1_000 + random.uniform() * 5_000;
    return { origin: o, knownDay: o + horizon, mean: 50_000, se, actual: 50_000 + se * (random.normal() + (random.uniform() < 0.05 ? 4 : 0)) };
  });
}

describe('calibrated demand bounds', () => {
  it('use only the errors known at each origin: changing what is known later changes no earlier bound', () => {
    const targets = randomTargets('walk-forward', 400);
    for (const method of ['empirical', 'conformal'] as const) {
      const bounds = calibratedBounds(targets, method, { minScores: 20 });
      const cut = 250;
      const changed = targets.map((t) => (t.knownDay > cut ? { ...t, actual: t.actual * 3 } : t));
      const again = calibratedBounds(changed, method, { minScores: 20 });
      targets.forEach((t, k) => {
        if (t.origin <= cut) expect(again[k]).toBe(bounds[k]);
      });
      expect(Array.from(again.slice(cut + 10))).not.toEqual(Array.from(bounds.slice(cut + 10))); // the change is felt later
    }
  });

  it('take the conformal rank ⌈(n + 1) · 0.975⌉ of the standardized errors, the type-7 quantile of the errors, or mean + 1.96 se', () => {
    // 99 one-day targets with errors 1, 2, …, 99 fen and se 100 fen (the floor), then one to bound.
    const past: BoundTarget[] = Array.from({ length: 99 }, (_, o) => ({ origin: o, knownDay: o + 1, mean: 1_000, se: 100, actual: 1_000 + o + 1 }));
    const targets = [...past, { origin: 99, knownDay: 100, mean: 2_000, se: 100, actual: NaN }];
    const at = (method: BoundMethod) => calibratedBounds(targets, method, { minScores: 10 })[99]!;
    // n = 99: rank ⌈100 × 0.975⌉ = 98, the standardized error 98 / 100.
    expect(at('conformal')).toBeCloseTo(2_000 + 100 * 0.98, 9);
    // Type 7: position 98 × 0.975 = 95.55 between the 96th and 97th errors, 96 and 97.
    expect(at('empirical')).toBeCloseTo(2_000 + 96.55, 9);
    expect(at('gaussian')).toBeCloseTo(2_000 + 1.959963984540054 * 100, 9);
    // Too few errors yet: the gaussian bound stands.
    expect(calibratedBounds(targets, 'conformal', { minScores: 200 })[99]).toBeCloseTo(at('gaussian'), 9);
  });

  it("make a decision's target the withdrawals recorded under the next business date: Friday's, Saturday to Monday", () => {
    // 2021-03-01 is a Monday: day 4 a Friday, 5 and 6 the weekend, 7 Monday.
    const calendar = backtestCalendar('2021-03-01', 14, 0);
    const y = Array.from({ length: 14 }, (_, t) => 100 * (t + 1));
    const horizons = 6;
    const forecast: MerchantDemandBounds = {
      mean: Array.from({ length: horizons }, (_, h) => Float64Array.from({ length: 14 }, (__, o) => 1_000 * (h + 1) + o)),
      se: Array.from({ length: horizons }, (_, h) => new Float64Array(14).fill(h + 1)),
      fallbacks: 0,
      models: [],
    };
    const { days, targets } = decisionTargets(y, forecast, calendar, { firstDay: 2, lastDay: 9, openingDay: -1, originLag: 1 });
    expect(days).toEqual([2, 3, 4, 7, 8, 9]);
    const friday = targets[days.indexOf(4)]!;
    // Origin 3 (Thursday): days 5, 6, 7 are horizons 2, 3, 4.
    expect(friday).toMatchObject({ origin: 3, knownDay: 7, mean: 2_003 + 3_003 + 4_003, actual: 600 + 700 + 800 });
    expect(friday.se).toBeCloseTo(Math.sqrt(4 + 9 + 16), 12);
    expect(targets[days.indexOf(2)]).toMatchObject({ origin: 1, knownDay: 3, mean: 2_001, actual: 400 });
  });

  it('hold as often as they say on a held-out period of simulated merchants, where mean + 1.96 se does not', async () => {
    const start = '2017-01-01';
    const { merchants } = simulateMerchants({ seed: 5, startDate: start, endDate: '2020-12-31', merchants: 20 });
    const series = merchants.map((m) => m.withdrawalFen);
    const days = series[0]!.length;
    const calendar = backtestCalendar(start, days, 0);
    // One order choice, yearly refits on the last 365 days: forecasts from the end of 2017 on.
    const forecasts = await demandBounds(series, 364, days - 2, { method: 'arima', selectDays: 10_000, maxHorizon: 12, workers: 0 });
    // Held out: origins in 2019 and 2020; the calibration behind each bound has only the errors before it.
    const heldOutFrom = 730;
    const coverage = (method: BoundMethod, kind: 'one day' | 'decision') => {
      let covered = 0;
      let scored = 0;
      series.forEach((y, m) => {
        const targets =
          kind === 'one day'
            ? oneDayAheadTargets(y, forecasts.merchants[m]!, 364, days - 2)
            : decisionTargets(y, forecasts.merchants[m]!, calendar, { firstDay: 365, lastDay: days - 2, openingDay: -1, originLag: 1 }).targets;
        const count = achievedCoverage(targets, calibratedBounds(targets, method), heldOutFrom, days - 2);
        covered += count.covered;
        scored += count.scored;
      });
      return (covered / scored) * 100;
    };
    const nominal = NOMINAL_COVERAGE * 100;
    for (const kind of ['one day', 'decision'] as const) {
      for (const method of ['conformal', 'empirical'] as const) expect(Math.abs(coverage(method, kind) - nominal)).toBeLessThanOrEqual(TOLERANCE_PTS);
      expect(nominal - coverage('gaussian', kind)).toBeGreaterThan(TOLERANCE_PTS);
    }
  }, 60_000);
});
