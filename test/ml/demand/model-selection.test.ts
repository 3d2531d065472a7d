import { forecastArima } from '../../../src/ml/demand/arima-forecast';
import { chooseDifferencing, kpssStatistic, seasonalStrength } from '../../../src/ml/demand/differencing-tests';
import { DemandForecastError } from '../../../src/ml/demand/errors';
import { hannanRissanenContext, hannanRissanenScore } from '../../../src/ml/demand/hannan-rissanen';
import { chooseArimaByAic } from '../../../src/ml/demand/model-selection';
import { gaussian, prng, simulateMerchant } from './fixtures/merchants';
import { AirPassengers } from './fixtures/r-reference';

const noise = (seed: number, n: number): number[] => {
  const normal = gaussian(prng(seed));
  return Array.from({ length: n }, () => normal());
};
const randomWalk = (seed: number, n: number): number[] => {
  let level = 100;
  return noise(seed, n).map((e) => (level += e));
};
const weeklyPattern = (seed: number, n: number): number[] =>
  noise(seed, n).map((e, t) => 100 + 20 * [0, -1, -1, 0, 1, 3, 2][t % 7]! + 3 * e);

describe('differencing chosen by tests, as R\'s auto.arima', () => {
  it('KPSS separates a stationary series from a random walk (5 % critical value 0.463)', () => {
    expect(kpssStatistic(noise(5, 365))).toBeLessThan(0.463);
    expect(kpssStatistic(randomWalk(2, 365))).toBeGreaterThan(0.463);
  });

  it('seasonal strength is high for a weekly pattern and low for noise', () => {
    expect(seasonalStrength(weeklyPattern(3, 365), 7)).toBeGreaterThan(0.9);
    expect(seasonalStrength(noise(4, 365), 7)).toBeLessThan(0.2);
    expect(seasonalStrength(AirPassengers.map(Math.log), 12)).toBeGreaterThan(0.64);
  });

  it('chooses D = 1 for a weekly pattern, d = 1 for a random walk, neither for noise', () => {
    expect(chooseDifferencing(weeklyPattern(3, 365), 7)).toMatchObject({ d: 0, D: 1 });
    expect(chooseDifferencing(randomWalk(2, 365), 7)).toMatchObject({ d: 1, D: 0 });
    expect(chooseDifferencing(noise(5, 365).map((e) => 10 + e), 7)).toMatchObject({ d: 0, D: 0 });
    expect(chooseDifferencing(weeklyPattern(3, 365), 7, { d: [0], D: [0] })).toMatchObject({ d: 0, D: 0 });
  });
});

describe('chooseArimaByAic', () => {
  const y = simulateMerchant(11, 365);

  const exactly = (spec: { order: [number, number, number]; seasonal: [number, number, number]; period: number; method: 'css-ml' | 'css' | 'ml' }, h: number) =>
    forecastArima(y, { order: spec.order, seasonal: spec.seasonal, ...(spec.period ? { period: spec.period } : {}), method: spec.method }, h);

  it('fits the three best-ranked orders exactly and returns the lowest R AIC, with its forecast', () => {
    const result = chooseArimaByAic(y, { period: 7, horizon: 7 });
    const { d, D } = result.differencing;
    expect(result.spec.order[1]).toBe(d);
    expect(result.spec.seasonal[1]).toBe(D);
    const top3 = result.candidates
      .filter((c) => c.score !== null)
      .sort((a, b) => a.score! - b.score!)
      .slice(0, 3)
      .map((c) => exactly(c.spec, 7));
    const best = top3.reduce((a, b) => (b.aic! < a.aic! ? b : a));
    expect(result.spec).toEqual(best.spec);
    expect(result.forecast).toEqual(best);
    expect(result.fits).toBe(3);
  });

  it('with search "css-approx" refits the order with the best CSS score', () => {
    const result = chooseArimaByAic(y, { period: 7, horizon: 7, search: 'css-approx' });
    const scored = result.candidates.filter((c) => c.score !== null);
    const best = scored.reduce((a, b) => (b.score! < a.score! ? b : a));
    expect(result.spec).toEqual(best.spec);
    expect(result.forecast).toEqual(exactly(result.spec, 7));
    expect(result.fits).toBe(result.candidates.length + 1);
  });

  it('keeps the grid small and bounded: p + q + P + Q ≤ 5, no (P, Q) = (1, 1) without seasonal differencing', () => {
    const result = chooseArimaByAic(y, { period: 7, horizon: 1 });
    for (const c of result.candidates) {
      const [p, , q] = c.spec.order;
      const [P, D, Q] = c.spec.seasonal;
      expect(p + q + P + Q).toBeLessThanOrEqual(5);
      if (D === 0) expect(P > 0 && Q > 0).toBe(false);
    }
    expect(result.candidates.length).toBeLessThanOrEqual(36);
    const full = chooseArimaByAic(y, { period: 7, horizon: 1, prune: false, maxOrder: 6 });
    expect(full.candidates).toHaveLength(36);
  });

  it('with search "exact" picks the smallest R AIC among the fits that succeeded', () => {
    const short = simulateMerchant(12, 150);
    const result = chooseArimaByAic(short, { period: 7, horizon: 3, search: 'exact', grid: { p: [0, 1], q: [0, 1], P: [0], Q: [0, 1] } });
    const aics = result.candidates.filter((c) => c.score !== null).map((c) => c.score!);
    expect(result.forecast.aic).toBe(Math.min(...aics));
    expect(result.fits).toBe(result.candidates.length);
  });

  it('skips orders that cannot be fitted and still answers', () => {
    // Seed 8 over 120 days: the seasonal ARMA orders without seasonal differencing fail (non-stationary).
    const hard = simulateMerchant(8, 120);
    const result = chooseArimaByAic(hard, { period: 7, horizon: 1, grid: { d: [1], D: [0] }, prune: false, search: 'exact' });
    expect(result.candidates.some((c) => c.score === null && c.error === 'FIT_FAILED')).toBe(true);
    expect(Number.isFinite(result.forecast.mean[0])).toBe(true);
  });

  it('is deterministic', () => {
    expect(chooseArimaByAic(y, { period: 7, horizon: 2 })).toEqual(chooseArimaByAic(y, { period: 7, horizon: 2 }));
  });

  it('refuses what forecastArima refuses, and a series too short for any order', () => {
    const bad = [...y];
    bad[7] = NaN;
    expect(() => chooseArimaByAic(bad, { period: 7 })).toThrow(DemandForecastError);
    expect(() => chooseArimaByAic(new Array(50).fill(3), { period: 7 })).toThrow(expect.objectContaining({ code: 'CONSTANT_SERIES' }));
    expect(() => chooseArimaByAic(y.slice(0, 9), { period: 7 })).toThrow(expect.objectContaining({ code: 'TOO_FEW_POINTS' }));
    expect(() => chooseArimaByAic(y, { period: 7, grid: { p: [] } })).toThrow(expect.objectContaining({ code: 'BAD_SPEC' }));
  });
});

describe('Hannan–Rissanen ranking', () => {
  const e = noise(21, 1200);
  const orders = [0, 1, 2].flatMap((p) => [0, 1, 2].flatMap((q) => [0, 1].flatMap((Q) => [{ p, q, P: 0, Q }])));
  const top3 = (w: number[], includeMean: boolean) => {
    const ctx = hannanRissanenContext(w, 7, 9, includeMean)!;
    return orders
      .map((o) => ({ o, score: hannanRissanenScore(ctx, o)! }))
      .sort((a, b) => a.score - b.score)
      .slice(0, 3)
      .map((r) => r.o);
  };

  it('ranks the order of a simulated ARMA process among the three it hands to the exact fit', () => {
    const ar2 = [...e];
    for (let t = 2; t < ar2.length; t++) ar2[t] = 0.6 * ar2[t - 1]! - 0.3 * ar2[t - 2]! + e[t]!;
    expect(top3(ar2.map((v) => v + 50), true)).toContainEqual({ p: 2, q: 0, P: 0, Q: 0 });
    const ma1 = e.map((v, t) => v + (t > 0 ? 0.7 * e[t - 1]! : 0));
    expect(top3(ma1, false)).toContainEqual({ p: 0, q: 1, P: 0, Q: 0 });
    const sma = e.map((v, t) => v - (t >= 7 ? 0.6 * e[t - 7]! : 0));
    expect(top3(sma, false)).toContainEqual({ p: 0, q: 0, P: 0, Q: 1 });
  });

  it('declines a series too short for its long autoregression', () => {
    expect(hannanRissanenContext(e.slice(0, 30), 7, 9, true)).toBeUndefined();
  });
});
