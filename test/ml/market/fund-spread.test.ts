import { DEFAULT_SPREAD_PARAMETERS, fundSpreadPath, normalQuantile, phiOfHalfLife, spreadSdPct } from '../../../src/ml/market/fund-spread';
import { SeededRandom } from '../../../src/ml/market/seeded-random';

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('normalQuantile', () => {
  it('matches reference values of the standard normal quantile within Acklam’s relative error, centre and tails', () => {
    // Values of scipy.stats.norm.ppf.
    const reference: [number, number][] = [
      [0.5, 0],
      [0.25, -0.6744897501960817],
      [0.75, 0.6744897501960817],
      [0.975, 1.959963984540054],
      [0.01, -2.3263478740408408],
      [1e-6, -4.753424308822899],
      [0.999, 3.090232306167813],
    ];
    for (const [p, z] of reference) expect(Math.abs(normalQuantile(p) - z)).toBeLessThanOrEqual(1.2e-9 * Math.abs(z) + 1e-15);
  });

  it('is odd about 0.5 and refuses p outside (0, 1)', () => {
    for (const p of [0.01, 0.1, 0.3, 0.49]) expect(normalQuantile(p)).toBeCloseTo(-normalQuantile(1 - p), 12);
    for (const p of [0, 1, -0.1, 1.5, Number.NaN]) expect(() => normalQuantile(p)).toThrow(RangeError);
  });
});

describe('fundSpreadPath', () => {
  const constantLevel = (levelPct: number, days: number) => Array.from({ length: days }, () => levelPct);

  it('has sd fixedSdPct + levelSdShare × level and the lag-h autocorrelation ½ at the half-life', () => {
    const p = { halfLifeDays: 30, fixedSdPct: 0.05, levelSdShare: 0.05 };
    const paths = Array.from({ length: 40 }, (_, i) =>
      fundSpreadPath(constantLevel(3, 3000), p, { fundZeroQuantile: 0.5, otherVariancePct2: 0.01 }, SeededRandom.fromSeed(i)),
    );
    const sd = spreadSdPct(3, p);
    expect(sd).toBeCloseTo(0.2, 12);
    const values = paths.flat();
    expect(Math.abs(mean(values))).toBeLessThan(0.02);
    expect(Math.sqrt(mean(values.map((v) => v * v)))).toBeGreaterThan(0.9 * sd);
    expect(Math.sqrt(mean(values.map((v) => v * v)))).toBeLessThan(1.1 * sd);
    const lagged = paths.flatMap((path) => path.slice(30).map((v, t) => v * path[t]!));
    expect(mean(lagged) / (sd * sd)).toBeGreaterThan(0.4);
    expect(mean(lagged) / (sd * sd)).toBeLessThan(0.6);
    expect(phiOfHalfLife(30) ** 30).toBeCloseTo(0.5, 12);
  });

  it('centres at −Φ⁻¹(q) × √(sd² + the other funds’ noise variance), the same draws at every q', () => {
    const level = constantLevel(2, 200);
    const centre = (q: number) => ({ fundZeroQuantile: q, otherVariancePct2: 0.0077 });
    const atMedian = fundSpreadPath(level, DEFAULT_SPREAD_PARAMETERS, centre(0.5), SeededRandom.fromSeed(7));
    const atQuartile = fundSpreadPath(level, DEFAULT_SPREAD_PARAMETERS, centre(0.25), SeededRandom.fromSeed(7));
    const sd = spreadSdPct(2, DEFAULT_SPREAD_PARAMETERS);
    const shift = 0.6744897501960817 * Math.sqrt(sd * sd + 0.0077);
    atQuartile.forEach((value, t) => expect(value - atMedian[t]!).toBeCloseTo(shift, 8));
  });
});
