import { DemandForecastError } from '../../../src/ml/demand/errors';
import { forecastArima, MAX_HORIZON, minimumPoints, type ArimaSpec } from '../../../src/ml/demand/arima-forecast';
import { difference, fitExactAr1, pureArForecast } from '../../../src/ml/demand/exact-ar1';
import { ctsaFit, MAX_POINTS } from '../../../src/ml/demand/wasm-arima';
import { gaussian, prng, simulateMerchant } from './fixtures/merchants';
import { lh } from './fixtures/r-reference';

const weekly: ArimaSpec = { order: [1, 0, 1], seasonal: [0, 1, 1], period: 7 };
const merchant = simulateMerchant(1, 365);

function refusal(run: () => unknown): DemandForecastError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DemandForecastError);
    return error as DemandForecastError;
  }
  throw new Error('expected a DemandForecastError');
}

describe('bad input is refused with a typed error, never a NaN forecast', () => {
  it.each([
    ['NaN in the middle', 100, NaN],
    ['NaN at the start (the package would forecast NaN silently)', 0, NaN],
    ['NaN at the end (likewise)', 364, NaN],
    ['Infinity', 200, Infinity],
    ['-Infinity', 3, -Infinity],
  ])('%s: NON_FINITE naming the index', (_name, index, value) => {
    const series = [...merchant];
    series[index] = value;
    const error = refusal(() => forecastArima(series, weekly, 7));
    expect(error.code).toBe('NON_FINITE');
    expect(error.index).toBe(index);
    expect(error.message).toContain(`index ${index}`);
  });

  it.each([
    ['a hole', (s: unknown[]) => delete s[50], 50],
    ['null', (s: unknown[]) => (s[51] = null), 51],
    ['undefined', (s: unknown[]) => (s[52] = undefined), 52],
    ['a string', (s: unknown[]) => (s[53] = '12.5'), 53],
  ])('a gap (%s): GAP naming the index', (_name, damage, index) => {
    const series: unknown[] = [...merchant];
    damage(series);
    const error = refusal(() => forecastArima(series as number[], weekly, 7));
    expect(error.code).toBe('GAP');
    expect(error.index).toBe(index);
  });

  it('a negative value: NEGATIVE_VALUE unless allowed', () => {
    const series = [...merchant];
    series[10] = -5;
    const error = refusal(() => forecastArima(series, weekly, 7));
    expect(error.code).toBe('NEGATIVE_VALUE');
    expect(error.index).toBe(10);
    expect(forecastArima(series, weekly, 7, { allowNegative: true }).mean).toHaveLength(7);
  });

  it('a constant series: CONSTANT_SERIES', () => {
    expect(refusal(() => forecastArima(new Array(100).fill(42), { order: [1, 0, 0] }, 1)).code).toBe('CONSTANT_SERIES');
  });

  it('a series that is constant once differenced (an exact weekly pattern): CONSTANT_SERIES', () => {
    const pattern = Array.from({ length: 70 }, (_, t) => [5, 6, 7, 8, 9, 12, 11][t % 7]!);
    const error = refusal(() => forecastArima(pattern, { order: [0, 0, 1], seasonal: [0, 1, 1], period: 7 }, 1));
    expect(error.code).toBe('CONSTANT_SERIES');
    expect(error.message).toContain('differenced');
    const line = Array.from({ length: 50 }, (_, t) => 3 + 0.5 * t);
    expect(refusal(() => forecastArima(line, { order: [0, 1, 1] }, 1)).code).toBe('CONSTANT_SERIES');
  });

  it('too few points for the order: TOO_FEW_POINTS with the number required', () => {
    expect(minimumPoints(weekly)).toBe(25);
    expect(minimumPoints({ order: [2, 1, 2], seasonal: [1, 1, 1], period: 7 })).toBe(31);
    expect(minimumPoints({ order: [1, 0, 0] })).toBe(11);
    const error = refusal(() => forecastArima(merchant.slice(0, 24), weekly, 1));
    expect(error.code).toBe('TOO_FEW_POINTS');
    expect(error.details).toMatchObject({ points: 24, required: 25 });
    expect(forecastArima(merchant.slice(0, 25), weekly, 1).mean).toHaveLength(1);
  });

  it('too many points for the package: TOO_MANY_POINTS', () => {
    const long = Array.from({ length: MAX_POINTS + 1 }, (_, t) => 100 + Math.sin(t));
    expect(refusal(() => forecastArima(long, { order: [1, 0, 0] }, 1)).code).toBe('TOO_MANY_POINTS');
  });

  it.each([0, -1, 1.5, NaN, MAX_HORIZON + 1])('horizon %p: BAD_HORIZON', (horizon) => {
    expect(refusal(() => forecastArima(merchant, weekly, horizon)).code).toBe('BAD_HORIZON');
  });

  it.each<[string, unknown]>([
    ['a negative order', { order: [-1, 0, 0] }],
    ['a fractional order', { order: [1.5, 0, 0] }],
    ['two orders', { order: [1, 0] }],
    ['a seasonal part without a period', { order: [0, 0, 1], seasonal: [0, 1, 1] }],
    ['a period of 1', { order: [0, 0, 1], seasonal: [0, 1, 1], period: 1 }],
    ['an unknown method', { order: [1, 0, 0], method: 'bayes' }],
    ['d = 3', { order: [0, 3, 0] }],
  ])('%s: BAD_SPEC', (_name, spec) => {
    expect(refusal(() => forecastArima(merchant, spec as ArimaSpec, 1)).code).toBe('BAD_SPEC');
  });

  it('a fit the package cannot do: FIT_FAILED with the reason', () => {
    const error = refusal(() => forecastArima(simulateMerchant(8, 120), { order: [0, 1, 2], seasonal: [1, 0, 1], period: 7 }, 1));
    expect(error.code).toBe('FIT_FAILED');
    expect(error.message).toContain('non-stationary seasonal AR part');
    expect(error.details['retval']).toBe(12);
  });
});

describe('the mapping to the package', () => {
  it('passes the period as ctsa\'s s (the JS option `S` would be silently ignored) and flips MA signs', () => {
    const ours = forecastArima(merchant, weekly, 7);
    const raw = ctsaFit(Float64Array.from(merchant), { p: 1, d: 0, q: 1, P: 0, D: 1, Q: 1, s: 7 }, 0, 7);
    expect(ours.coef).toEqual({ ar1: raw.phi[0], ma1: -raw.theta[0]!, sma1: -raw.THETA[0]! });
    expect(ours.mean).toEqual(raw.pred);
    expect(ours.se).toEqual(raw.amse.map(Math.sqrt));
    expect(ours.spec).toEqual({ order: [1, 0, 1], seasonal: [0, 1, 1], period: 7, method: 'css-ml' });
  });

  it('fits mean models on a standardised scale and maps everything back (the estimates are equivariant)', () => {
    const spec: ArimaSpec = { order: [2, 0, 1], seasonal: [1, 0, 0], period: 7 };
    const a = forecastArima(merchant, spec, 7);
    const b = forecastArima(
      merchant.map((v) => 1000 * v + 5),
      spec,
      7,
    );
    for (const name of ['ar1', 'ar2', 'ma1', 'sar1']) expect(b.coef[name]).toBeCloseTo(a.coef[name]!, 3);
    expect(b.coef['intercept']! / (1000 * a.coef['intercept']! + 5)).toBeCloseTo(1, 4);
    expect(b.sigma2 / (1e6 * a.sigma2)).toBeCloseTo(1, 3);
    expect(b.loglik - a.loglik).toBeCloseTo(-a.nUsed * Math.log(1000), 1);
    b.mean.forEach((m, i) => expect(m / (1000 * a.mean[i]! + 5)).toBeCloseTo(1, 4));
  });

  it('reports AIC as R does: −2·loglik + 2·(coefficients + 1)', () => {
    const f = forecastArima(merchant, { order: [2, 0, 1] }, 1);
    expect(f.aic).toBeCloseTo(-2 * f.loglik + 2 * (Object.keys(f.coef).length + 1), 9);
    expect(Object.keys(f.coef)).toEqual(['ar1', 'ar2', 'ma1', 'intercept']);
  });

  it('forecasts are finite on many random valid inputs', () => {
    const specs: ArimaSpec[] = [
      { order: [1, 0, 0] },
      { order: [0, 1, 1] },
      { order: [1, 0, 0], seasonal: [0, 1, 0], period: 7 },
      { order: [1, 1, 0], seasonal: [0, 1, 0], period: 7 },
      { order: [0, 0, 1], seasonal: [0, 1, 1], period: 7 },
      { order: [2, 0, 0], seasonal: [1, 0, 0], period: 7, method: 'css' },
    ];
    for (let seed = 100; seed < 110; seed++) {
      const y = simulateMerchant(seed, 60 + 30 * (seed % 4));
      for (const spec of specs) {
        try {
          const f = forecastArima(y, spec, 14);
          for (const v of [...f.mean, ...f.se, ...f.lower95, ...f.upper95, ...Object.values(f.coef), f.sigma2, f.loglik]) expect(Number.isFinite(v)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(DemandForecastError);
          expect(['FIT_FAILED', 'NON_FINITE_RESULT']).toContain((error as DemandForecastError).code);
        }
      }
    }
  });
});

describe('exact AR(1), used where the package\'s likelihood is wrong', () => {
  it('maximises the exact likelihood (no nearby φ or mean does better)', () => {
    const fit = fitExactAr1(lh, true);
    const exact = (phi: number, mu: number): number => {
      let s = (1 - phi * phi) * (lh[0]! - mu) ** 2;
      for (let t = 1; t < lh.length; t++) s += (lh[t]! - mu - phi * (lh[t - 1]! - mu)) ** 2;
      const n = lh.length;
      return -0.5 * (n * Math.log((2 * Math.PI * s) / n) + n - Math.log(1 - phi * phi));
    };
    expect(exact(fit.phi, fit.mean)).toBeCloseTo(fit.loglik, 9);
    for (const [dp, dm] of [[1e-3, 0], [-1e-3, 0], [0, 1e-3], [0, -1e-3]]) expect(exact(fit.phi + dp!, fit.mean + dm!)).toBeLessThan(fit.loglik);
  });

  it('forecasts with differencing through the same recursion the package uses (checked on AR(2), which the package fits right)', () => {
    const y = simulateMerchant(5, 200);
    for (const [d, D] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
      const raw = ctsaFit(Float64Array.from(y), { p: 2, d, q: 0, P: 0, D, Q: 0, s: D ? 7 : 0 }, 0, 10);
      expect(raw.retval).toBe(1);
      const ours = pureArForecast(y, raw.phi, d, D, 7, raw.nMean ? raw.mean : 0, raw.sigma2, 10);
      ours.mean.forEach((m, i) => expect(Math.abs(m - raw.pred[i]!) / Math.abs(raw.pred[i]!)).toBeLessThan(1e-9));
      ours.variance.forEach((v, i) => expect(Math.abs(v / raw.amse[i]! - 1)).toBeLessThan(1e-6));
    }
  });

  it('is what forecastArima uses for (1,d,0)(0,D,0), differencing first', () => {
    const normal = gaussian(prng(3));
    const y: number[] = [];
    let e = 0;
    for (let t = 0; t < 300; t++) {
      e = 0.7 * e + normal();
      y.push(90 + 0.01 * t + e);
    }
    const f = forecastArima(y, { order: [1, 1, 0] }, 5);
    expect(f.engine).toBe('exact-ar1');
    const direct = fitExactAr1(difference(y, 1, 0, 0), false);
    expect(f.coef).toEqual({ ar1: direct.phi });
    expect(f.nUsed).toBe(299);
    expect(f.includeMean).toBe(false);
  });
});

describe('models without ARMA terms', () => {
  it('forecast a random walk from its last value, with a variance growing by σ² a step', () => {
    const y = [10, 12, 11, 15, 14, 18, 17, 21, 20, 24, 23, 27, 26, 30];
    const f = forecastArima(y, { order: [0, 1, 0] }, 3);
    const steps = y.slice(1).map((v, i) => v - y[i]!);
    const sigma2 = steps.reduce((sum, v) => sum + v * v, 0) / steps.length;
    expect(f.mean).toEqual([30, 30, 30]);
    expect(f.sigma2).toBeCloseTo(sigma2, 12);
    expect(f.se.map((se) => se * se)).toEqual([1, 2, 3].map((h) => expect.closeTo(h * sigma2, 9)));
    expect(f.engine).toBe('exact-white-noise');
  });

  it('forecast white noise by its mean', () => {
    const y = [3, 5, 4, 6, 2, 5, 4, 3, 6, 5, 4, 5];
    const f = forecastArima(y, { order: [0, 0, 0] }, 2);
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    expect(f.mean.map((m) => m - mean).every((e) => Math.abs(e) < 1e-12)).toBe(true);
    expect(f.coef.intercept).toBeCloseTo(mean, 12);
  });
});
