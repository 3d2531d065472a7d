/**
 * The fixed-coefficient filter that turns one yearly ARIMA fit into daily forecasts must agree with the
 * demand module's own forecasts at the fit origin (means and standard errors), for models with a mean,
 * with differencing and with seasonal parts.
 */
import { forecastArima, type ArimaSpec } from '../../../src/ml/demand';
import { simulateMerchants } from '../../../src/ml/market';
import { ArimaFilter } from '../../../src/ml/backtest/arima-filter';

const merchants = simulateMerchants({ seed: 5, startDate: '2019-01-01', endDate: '2019-12-31', merchants: 3 }).merchants;

const specs: ArimaSpec[] = [
  { order: [1, 0, 0] },
  { order: [2, 0, 1], seasonal: [1, 0, 0], period: 7 },
  { order: [1, 0, 1], seasonal: [0, 0, 1], period: 7 },
  { order: [0, 1, 1] }, // over-differenced: the MA coefficient sits at −1
  { order: [2, 0, 2], seasonal: [1, 0, 0], period: 7 },
  { order: [1, 0, 1], seasonal: [0, 1, 1], period: 7 },
];

describe('ArimaFilter', () => {
  it.each(specs.map((spec) => [JSON.stringify(spec), spec] as const))('reproduces the fitted model’s 3-day forecasts and standard errors: %s', (_name, spec) => {
    for (const merchant of merchants) {
      const y = merchant.withdrawalFen;
      const fit = forecastArima(y, spec, 3);
      const filter = new ArimaFilter({ spec: fit.spec, coef: fit.coef, sigma2: fit.sigma2 }, 3);
      for (const value of y) filter.push(value);
      const mean = filter.forecast(3);
      const scale = Math.sqrt(fit.sigma2);
      for (let h = 0; h < 3; h += 1) {
        // Both are Kalman filters; they start differently, which 365 days make irrelevant.
        expect(Math.abs(mean[h]! - fit.mean[h]!) / scale).toBeLessThan(1e-3);
        // σ·√Σψ² is the long-series limit; the package's finite-sample variance is up to ~1 % larger when an
        // MA coefficient sits at −1.
        expect(filter.se[h]! / fit.se[h]!).toBeGreaterThan(0.985);
        expect(filter.se[h]! / fit.se[h]!).toBeLessThan(1.005);
      }
    }
  });

  it('forecasts a random walk, ARIMA(0,1,0), as the last value with σ√h standard errors', () => {
    const filter = new ArimaFilter({ spec: { order: [0, 1, 0], seasonal: [0, 0, 0], period: 0 }, coef: {}, sigma2: 9 }, 3);
    for (const value of [5, 8, 6]) filter.push(value);
    expect(filter.forecast(3)).toEqual([6, 6, 6]);
    [3, 3 * Math.SQRT2, 3 * Math.sqrt(3)].forEach((se, h) => expect(filter.se[h]).toBeCloseTo(se, 12));
  });

  it('forecasts an AR(1) with a mean as μ + φ(y − μ), and refuses to forecast before it has the lags', () => {
    const filter = new ArimaFilter({ spec: { order: [1, 0, 0], seasonal: [0, 0, 0], period: 0 }, coef: { ar1: 0.5, intercept: 10 }, sigma2: 4 }, 2);
    expect(() => filter.forecast()).toThrow(RangeError);
    filter.push(14);
    expect(filter.forecast(2)).toEqual([12, 11]);
    expect(filter.se).toEqual([2, Math.sqrt(4 * (1 + 0.25))]);
  });
});
