import MultivariateLinearRegression from 'ml-regression-multivariate-linear';
import { simulateMarket } from '../../../src/ml/market/market-simulator';
import { leastSquaresGram } from '../../../src/ml/yield/least-squares';
import { syntheticRegression } from '../../../src/ml/yield/synthetic-regression';
import { buildYieldDataset, YIELD_FEATURE_SETS, type YieldFeatureSet } from '../../../src/ml/yield/yield-features';
import { forecastFundYields } from '../../../src/ml/yield/yield-forecaster';

/** XᵀX (row-major) and Xᵀy of rows that are used as they are (no centring). */
function gramOf(X: readonly ArrayLike<number>[], y: readonly number[]) {
  const p = X[0]!.length;
  const gram = new Float64Array(p * p);
  const xty = new Float64Array(p);
  X.forEach((row, i) => {
    for (let j = 0; j < p; j += 1) {
      xty[j]! += row[j]! * y[i]!;
      for (let k = 0; k < p; k += 1) gram[j * p + k]! += row[j]! * row[k]!;
    }
  });
  return { n: X.length, gram, xty, yty: y.reduce((sum, v) => sum + v * v, 0) };
}

const predict = (coef: readonly number[], row: ArrayLike<number>, intercept = 0) => coef.reduce((sum, b, j) => sum + b * row[j]!, intercept);

describe('least squares from sufficient statistics', () => {
  it('gives what MultivariateLinearRegression gives on the rows themselves', () => {
    const data = syntheticRegression({ seed: 'ols', rows: 300, features: 8, informative: 5, correlation: 0.6, noise: 0.3, intercept: 0 });
    const X = data.X.map((row) => Array.from(row));
    const reference = new MultivariateLinearRegression(X, data.y.map((v) => [v]), { intercept: false }).weights.map((w) => w[0]!);
    const coef = leastSquaresGram(gramOf(X, data.y));
    coef.forEach((b, j) => expect(b).toBeCloseTo(reference[j]!, 9));
    // And it is the least-squares solution: the residual is orthogonal to every column.
    const residual = X.map((row, i) => data.y[i]! - predict(coef, row));
    for (let j = 0; j < 8; j += 1) expect(Math.abs(X.reduce((sum, row, i) => sum + row[j]! * residual[i]!, 0))).toBeLessThan(1e-8);
  });

  it('gives the minimum-norm solution when a column repeats another (a rank-deficient window)', () => {
    const data = syntheticRegression({ seed: 'rank', rows: 200, features: 4, informative: 4, noise: 0.1, intercept: 0 });
    const X = data.X.map((row) => [...Array.from(row), row[1]!]);
    const coef = leastSquaresGram(gramOf(X, data.y));
    expect(coef.every(Number.isFinite)).toBe(true);
    expect(coef[4]).toBeCloseTo(coef[1]!, 9); // the two copies share the effect equally
    const reduced = new MultivariateLinearRegression(data.X.map((row) => Array.from(row)), data.y.map((v) => [v]), { intercept: false }).weights.map((w) => w[0]!);
    expect(coef[1]! + coef[4]!).toBeCloseTo(reduced[1]!, 9);
    X.forEach((row, i) => expect(predict(coef, row)).toBeCloseTo(predict(reduced, data.X[i]!), 9));
  });
});

describe("the walk-forward's least-squares model", () => {
  const market = simulateMarket({ seed: 5, startDate: '2019-01-01', endDate: '2021-06-30', funds: 3 });
  const trainEnd = '2021-03-31';

  it.each(YIELD_FEATURE_SETS)('is MultivariateLinearRegression fitted to the raw rows of its training window (%s features)', (features: YieldFeatureSet) => {
    const forecast = forecastFundYields(market, { trainEnd, model: 'least-squares', features });
    // Its last block starts at trainEnd: it was fitted on every origin before it, all funds pooled.
    const end = market.dates.indexOf(trainEnd);
    const X: number[][] = [];
    const y: number[] = [];
    market.funds.forEach((fund, i) => {
      const dataset = buildYieldDataset(market, i, features);
      dataset.origins.forEach((t, k) => {
        if (t >= end) return;
        X.push(Array.from(dataset.rows[k]!));
        y.push(fund.perTenK[t + 1]! - fund.perTenK[t]!);
      });
    });
    const reference = new MultivariateLinearRegression(X, y.map((v) => [v]), { intercept: true, statistics: false });
    const names = Object.keys(forecast.funds[0]!.coef);
    const coef = names.map((name) => forecast.funds[0]!.coef[name]!);
    // Compared through their predictions: near-collinear columns (lags and the 7-day yield) leave the
    // coefficients less well determined than the fitted values.
    let largestGap = 0;
    X.forEach((row) => (largestGap = Math.max(largestGap, Math.abs(predict(coef, row, forecast.funds[0]!.intercept) - reference.predict(row)[0]!))));
    expect(largestGap).toBeLessThan(1e-9);
    for (const fund of forecast.funds) {
      expect([fund.alpha, fund.alphaRatio, fund.l1Ratio]).toEqual([0, 0, 0]);
      const dataset = buildYieldDataset(market, forecast.funds.indexOf(fund), features);
      const row = Array.from(dataset.rows[dataset.origins.indexOf(end)]!);
      expect(fund.perTenK).toBeCloseTo(fund.naivePerTenK + reference.predict(row)[0]!, 9);
    }
  });
});
