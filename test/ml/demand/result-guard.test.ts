/**
 * If the package ever hands back NaN or Infinity (it does so silently, e.g. for a NaN at either end of the
 * series), forecastArima throws instead of passing it on. The package is replaced here by one that returns
 * such values, since valid input does not make the real one do it.
 */
import { jest } from '@jest/globals';
import type { CtsaFit } from '../../../src/ml/demand/wasm-arima';

const good: CtsaFit = {
  retval: 1,
  nUsed: 58,
  nMean: 0,
  phi: [],
  theta: [0.4],
  PHI: [],
  THETA: [0.5],
  mean: 0,
  sigma2: 2,
  loglik: -100,
  se: [0.1, 0.1],
  pred: [10, 11],
  amse: [2, 3],
  messages: [],
};
let next: CtsaFit = good;

jest.unstable_mockModule('../../../src/ml/demand/wasm-arima', () => ({
  MAX_POINTS: 5000,
  CTSA_METHOD: { 'css-ml': 0, ml: 1, css: 2 },
  ctsaFit: () => next,
}));

let forecastArima: typeof import('../../../src/ml/demand/arima-forecast').forecastArima;
let DemandForecastError: typeof import('../../../src/ml/demand/errors').DemandForecastError;
beforeAll(async () => {
  ({ forecastArima } = await import('../../../src/ml/demand/arima-forecast'));
  ({ DemandForecastError } = await import('../../../src/ml/demand/errors'));
});

const series = Array.from({ length: 72 }, (_, t) => 100 + 10 * Math.sin(t / 2) + (t % 5));
const spec = { order: [0, 1, 1], seasonal: [0, 1, 1], period: 12 } as const;

describe('a non-finite result from the package', () => {
  it('passes a finite one through', () => {
    next = good;
    expect(forecastArima(series, spec, 2).mean).toEqual([10, 11]);
  });

  it.each<[string, Partial<CtsaFit>, string]>([
    ['a NaN forecast', { pred: [NaN, 11] }, 'mean'],
    ['an infinite forecast variance', { amse: [2, Infinity] }, 'variance'],
    ['a NaN coefficient', { theta: [NaN] }, 'coef'],
    ['a NaN sigma²', { sigma2: NaN }, 'sigma2'],
    ['an infinite log-likelihood', { loglik: -Infinity }, 'loglik'],
    ['a negative forecast variance', { amse: [2, -1] }, 'variance'],
    ['a zero sigma²', { sigma2: 0 }, 'sigma2'],
  ])('throws NON_FINITE_RESULT for %s', (_name, patch, field) => {
    next = { ...good, ...patch };
    let caught: unknown;
    try {
      forecastArima(series, spec, 2);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DemandForecastError);
    expect((caught as InstanceType<typeof DemandForecastError>).code).toBe('NON_FINITE_RESULT');
    expect((caught as InstanceType<typeof DemandForecastError>).details['field']).toBe(field);
  });
});
