import { SeededRandom } from '../../../src/ml/market/seeded-random';
import { elasticNet, elasticNetGram, elasticNetObjective, predictElasticNet } from '../../../src/ml/yield/elastic-net';
import { syntheticRegression } from '../../../src/ml/yield/synthetic-regression';
import { modelInputErrorCode } from './model-input-error-code';

// ---- small dense linear algebra for the reference solutions (independent of the code under test) ----------

/** Solve A x = b for symmetric positive definite A by Cholesky. */
function choleskySolve(A: number[][], b: number[]): number[] {
  const n = A.length;
  const L = A.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i += 1) {
    for (let j = 0; j <= i; j += 1) {
      let sum = A[i]![j]!;
      for (let k = 0; k < j; k += 1) sum -= L[i]![k]! * L[j]![k]!;
      if (i === j) {
        if (!(sum > 0)) throw new Error('matrix is not positive definite');
        L[i]![i] = Math.sqrt(sum);
      } else L[i]![j] = sum / L[j]![j]!;
    }
  }
  const z = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i += 1) {
    let sum = b[i]!;
    for (let k = 0; k < i; k += 1) sum -= L[i]![k]! * z[k]!;
    z[i] = sum / L[i]![i]!;
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i -= 1) {
    let sum = z[i]!;
    for (let k = i + 1; k < n; k += 1) sum -= L[k]![i]! * x[k]!;
    x[i] = sum / L[i]![i]!;
  }
  return x;
}

const toRows = (X: readonly ArrayLike<number>[]) => X.map((row) => Array.from(row));
const column = (X: number[][], j: number) => X.map((row) => row[j]!);
const dot = (a: readonly number[], b: readonly number[]) => a.reduce((sum, v, i) => sum + v * b[i]!, 0);
const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

function centre(X: number[][], y: number[]): { Xc: number[][]; yc: number[]; xMean: number[]; yMean: number } {
  const p = X[0]!.length;
  const xMean = Array.from({ length: p }, (_, j) => mean(column(X, j)));
  const yMean = mean(y);
  return { Xc: X.map((row) => row.map((v, j) => v - xMean[j]!)), yc: y.map((v) => v - yMean), xMean, yMean };
}

/** Ridge in sklearn's scaling: (XᵀX/n + α I) b = Xᵀy/n on centred data. */
function ridgeClosedForm(X: number[][], y: number[], alpha: number, fitIntercept: boolean): { intercept: number; coef: number[] } {
  const n = X.length;
  const p = X[0]!.length;
  const { Xc, yc, xMean, yMean } = fitIntercept ? centre(X, y) : { Xc: X, yc: y, xMean: new Array<number>(p).fill(0), yMean: 0 };
  const A = Array.from({ length: p }, (_, j) => Array.from({ length: p }, (_, k) => dot(column(Xc, j), column(Xc, k)) / n + (j === k ? alpha : 0)));
  const b = Array.from({ length: p }, (_, j) => dot(column(Xc, j), yc) / n);
  const coef = choleskySolve(A, b);
  return { intercept: yMean - dot(xMean, coef), coef };
}

/** Columns orthogonal to each other and to the ones vector, each with ‖x_j‖² = n, so XᵀX/n = I after centring. */
function orthonormalDesign(n: number, p: number, seed: number): number[][] {
  const random = SeededRandom.fromSeed(seed);
  const basis: number[][] = [new Array<number>(n).fill(1 / Math.sqrt(n))];
  const columns: number[][] = [];
  for (let j = 0; j < p; j += 1) {
    let v = Array.from({ length: n }, () => random.normal());
    for (let pass = 0; pass < 2; pass += 1) {
      for (const q of basis) {
        const projection = dot(v, q);
        v = v.map((value, i) => value - projection * q[i]!);
      }
    }
    const norm = Math.sqrt(dot(v, v));
    const unit = v.map((value) => value / norm);
    basis.push(unit);
    columns.push(unit.map((value) => value * Math.sqrt(n)));
  }
  return Array.from({ length: n }, (_, i) => columns.map((c) => c[i]!));
}

const softThreshold = (z: number, t: number) => Math.sign(z) * Math.max(Math.abs(z) - t, 0);

function expectClose(actual: readonly number[], expected: readonly number[], tolerance: number): void {
  expect(actual).toHaveLength(expected.length);
  const worst = Math.max(...actual.map((value, j) => Math.abs(value - expected[j]!)));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

// ---------------------------------------------------------------------------------------------------------

describe('elasticNet: exactness', () => {
  const { X, y } = syntheticRegression({ seed: 'ridge', rows: 300, features: 12, correlation: 0.6, noise: 0.3 });
  const rows = toRows(X);

  it.each([
    [0.001, true],
    [0.05, true],
    [1, true],
    [0.1, false],
  ])('with l1Ratio = 0 equals closed-form ridge (XᵀX/n + αI) b = Xᵀy/n to 1e-6 (α = %p, intercept %p)', (alpha, fitIntercept) => {
    const fit = elasticNet(X, y, { alpha, l1Ratio: 0, fitIntercept });
    const exact = ridgeClosedForm(rows, y, alpha, fitIntercept);
    expect(fit.converged).toBe(true);
    expectClose(fit.coef, exact.coef, 1e-6);
    expect(Math.abs(fit.intercept - exact.intercept)).toBeLessThanOrEqual(1e-6);
    if (!fitIntercept) expect(fit.intercept).toBe(0);
  });

  it.each([0.01, 0.1, 0.3, 0.8])('with l1Ratio = 1 on an orthonormal design equals soft-thresholding (the lasso solution) to 1e-6 (α = %p)', (alpha) => {
    const n = 200;
    const Xo = orthonormalDesign(n, 8, 5);
    const random = SeededRandom.fromSeed('lasso-y');
    const truth = [1, -0.5, 0.25, 0, 0, 0.05, -2, 0];
    const yo = Xo.map((row) => 3 + dot(row, truth) + 0.2 * random.normal());
    const { Xc, yc } = centre(Xo, yo);
    const expected = Array.from({ length: 8 }, (_, j) => softThreshold(dot(column(Xc, j), yc) / n, alpha));
    const fit = elasticNet(Xo, yo, { alpha, l1Ratio: 1 });
    expectClose(fit.coef, expected, 1e-6);
    expect(Math.abs(fit.intercept - (mean(yo) - dot(centre(Xo, yo).xMean, fit.coef)))).toBeLessThan(1e-12);
    // Some coefficients are exactly zero at the larger penalties.
    if (alpha >= 0.1) expect(fit.coef.filter((c) => c === 0).length).toBeGreaterThan(0);
  });

  it('with 0 < l1Ratio < 1 on an orthonormal design equals S(z, αρ) / (1 + α(1 − ρ)) to 1e-6', () => {
    const n = 150;
    const Xo = orthonormalDesign(n, 6, 9);
    const random = SeededRandom.fromSeed('enet-y');
    const yo = Xo.map((row) => dot(row, [0.8, -0.3, 0.1, 0, 1.5, -0.05]) + 0.1 * random.normal());
    const { Xc, yc } = centre(Xo, yo);
    for (const [alpha, rho] of [
      [0.2, 0.5],
      [0.05, 0.1],
      [0.5, 0.9],
    ] as const) {
      const expected = Array.from({ length: 6 }, (_, j) => softThreshold(dot(column(Xc, j), yc) / n, alpha * rho) / (1 + alpha * (1 - rho)));
      expectClose(elasticNet(Xo, yo, { alpha, l1Ratio: rho }).coef, expected, 1e-6);
    }
  });

  it.each([
    [0.01, 0.5],
    [0.1, 0.9],
    [0.003, 1],
    [0.2, 0.1],
    [0.05, 0.7],
  ])('satisfies the KKT conditions on a general correlated design to 1e-6 (α = %p, ρ = %p)', (alpha, rho) => {
    const problem = syntheticRegression({ seed: 'kkt', rows: 400, features: 20, correlation: 0.8, informative: 8 });
    const data = toRows(problem.X);
    const fit = elasticNet(problem.X, problem.y, { alpha, l1Ratio: rho });
    expect(fit.converged).toBe(true);
    const { Xc, yc } = centre(data, problem.y);
    const n = data.length;
    const residual = yc.map((v, i) => v - dot(Xc[i]!, fit.coef));
    let zeros = 0;
    for (let j = 0; j < fit.coef.length; j += 1) {
      const b = fit.coef[j]!;
      const gradient = dot(column(Xc, j), residual) / n - alpha * (1 - rho) * b;
      if (b === 0) {
        zeros += 1;
        expect(Math.abs(gradient)).toBeLessThanOrEqual(alpha * rho + 1e-6);
      } else {
        expect(Math.abs(gradient - alpha * rho * Math.sign(b))).toBeLessThanOrEqual(1e-6);
      }
    }
    if (rho >= 0.9 && alpha >= 0.1) expect(zeros).toBeGreaterThan(0);
    // And it is a minimum: small moves of any coefficient do not lower the objective.
    const best = elasticNetObjective(data, problem.y, fit, alpha, rho);
    for (let j = 0; j < fit.coef.length; j += 1) {
      for (const step of [-1e-4, 1e-4]) {
        const moved = { intercept: fit.intercept, coef: fit.coef.map((c, k) => (k === j ? c + step : c)) };
        expect(elasticNetObjective(data, problem.y, moved, alpha, rho)).toBeGreaterThanOrEqual(best - 1e-12);
      }
    }
  });

  it('gives all-zero coefficients (and the mean as intercept) from α_max = max|Xᵀy|/(nρ) on, and not below it', () => {
    const { Xc, yc } = centre(rows, y);
    const n = rows.length;
    for (const rho of [1, 0.5, 0.1]) {
      const alphaMax = Math.max(...Array.from({ length: 12 }, (_, j) => Math.abs(dot(column(Xc, j), yc)))) / (n * rho);
      const atMax = elasticNet(X, y, { alpha: alphaMax, l1Ratio: rho });
      expect(atMax.coef.every((c) => c === 0)).toBe(true);
      expect(atMax.intercept).toBeCloseTo(mean(y), 12);
      expect(elasticNet(X, y, { alpha: 1e6, l1Ratio: rho }).coef.every((c) => c === 0)).toBe(true);
      expect(elasticNet(X, y, { alpha: alphaMax * 0.95, l1Ratio: rho }).coef.some((c) => c !== 0)).toBe(true);
    }
  });

  it('recovers least squares at α = 0 and the true model on well-posed data', () => {
    const problem = syntheticRegression({ seed: 'ols', rows: 2000, features: 10, noise: 0.01 });
    const fit = elasticNet(problem.X, problem.y, { alpha: 0, l1Ratio: 1 });
    expectClose(fit.coef, problem.trueCoef, 2e-3);
    expect(Math.abs(fit.intercept - problem.trueIntercept)).toBeLessThan(0.01);
    expectClose(fit.coef, ridgeClosedForm(toRows(problem.X), problem.y, 0, true).coef, 1e-6);
  });

  it('gives the same solution from sufficient statistics (elasticNetGram) as from the data', () => {
    const problem = syntheticRegression({ seed: 'gram', rows: 500, features: 15, correlation: 0.5 });
    const data = toRows(problem.X);
    const { Xc, yc } = centre(data, problem.y);
    const p = 15;
    const gram = new Float64Array(p * p);
    for (let j = 0; j < p; j += 1) for (let k = 0; k < p; k += 1) gram[j * p + k] = dot(column(Xc, j), column(Xc, k));
    const xty = Array.from({ length: p }, (_, j) => dot(column(Xc, j), yc));
    for (const [alpha, rho] of [
      [0.01, 0.5],
      [0.1, 1],
      [0.02, 0],
    ] as const) {
      const fromData = elasticNet(problem.X, problem.y, { alpha, l1Ratio: rho });
      const fromGram = elasticNetGram({ n: 500, gram, xty, yty: dot(yc, yc) }, { alpha, l1Ratio: rho });
      expect(fromGram.converged).toBe(true);
      expectClose(fromGram.coef, fromData.coef, 1e-8);
    }
  });

  it('starts warm from given coefficients and ends at the same optimum in fewer sweeps', () => {
    const cold = elasticNet(X, y, { alpha: 0.01, l1Ratio: 0.5 });
    const warm = elasticNet(X, y, { alpha: 0.01, l1Ratio: 0.5, initialCoef: cold.coef });
    expectClose(warm.coef, cold.coef, 1e-9);
    expect(warm.iterations).toBeLessThan(cold.iterations);
    expect(predictElasticNet(cold, [X[0]!])[0]).toBeCloseTo(cold.intercept + dot(Array.from(X[0]!), cold.coef), 12);
  });

  it('gives a constant column a zero coefficient, as scikit-learn does', () => {
    const withConstant = rows.map((row) => [...row, 7]);
    const fit = elasticNet(withConstant, y, { alpha: 0.01, l1Ratio: 0.5 });
    expect(fit.coef.at(-1)).toBe(0);
    expectClose(fit.coef.slice(0, -1), elasticNet(X, y, { alpha: 0.01, l1Ratio: 0.5 }).coef, 1e-9);
  });

  it('returns converged: false when the sweeps run out', () => {
    const problem = syntheticRegression({ seed: 'slow', rows: 300, features: 20, correlation: 0.99 });
    const fit = elasticNet(problem.X, problem.y, { alpha: 1e-6, l1Ratio: 0.5, maxIterations: 2 });
    expect(fit.converged).toBe(false);
    expect(fit.iterations).toBe(2);
    expect(fit.coef.every(Number.isFinite)).toBe(true);
  });
});

describe('elasticNet: speed', () => {
  it('fits 2,000 × 30 in well under 100 ms', () => {
    const { X, y } = syntheticRegression({ rows: 2000, features: 30 });
    elasticNet(X, y, { alpha: 0.01, l1Ratio: 0.5 }); // warm up the JIT
    for (const [alpha, rho] of [
      [0.01, 0.5],
      [0.001, 0.9],
      [0.1, 1],
      [0.001, 0.1],
      [0.05, 0.5],
    ] as const) {
      // Its speed is measured by `npm run bench:ml`, not here.
      expect(elasticNet(X, y, { alpha, l1Ratio: rho }).converged).toBe(true);
    }
  });
});

describe('elasticNet: bad input is a typed error naming the problem', () => {
  const X = [
    [1, 2],
    [3, 4],
    [5, 7],
  ];
  const y = [1, 2, 3];
  const code = modelInputErrorCode;

  it('names mismatched shapes, non-finite values, empty data, a negative α and ρ outside [0, 1]', () => {
    expect(code(() => elasticNet(X, [1, 2], { alpha: 0.1, l1Ratio: 0.5 }))).toBe('SHAPE_MISMATCH');
    expect(code(() => elasticNet([[1, 2], [3], [5, 6]], y, { alpha: 0.1, l1Ratio: 0.5 }))).toBe('SHAPE_MISMATCH');
    expect(code(() => elasticNet([[1, 2], [3, Number.NaN], [5, 6]], y, { alpha: 0.1, l1Ratio: 0.5 }))).toBe('NON_FINITE');
    expect(code(() => elasticNet(X, [1, Infinity, 3], { alpha: 0.1, l1Ratio: 0.5 }))).toBe('NON_FINITE');
    expect(code(() => elasticNet([], [], { alpha: 0.1, l1Ratio: 0.5 }))).toBe('EMPTY_DATA');
    expect(code(() => elasticNet([[], [], []], y, { alpha: 0.1, l1Ratio: 0.5 }))).toBe('EMPTY_DATA');
    expect(code(() => elasticNet(X, y, { alpha: -0.1, l1Ratio: 0.5 }))).toBe('NEGATIVE_ALPHA');
    expect(code(() => elasticNet(X, y, { alpha: Number.NaN, l1Ratio: 0.5 }))).toBe('BAD_OPTION');
    expect(code(() => elasticNet(X, y, { alpha: 0.1, l1Ratio: 1.5 }))).toBe('L1_RATIO_OUT_OF_RANGE');
    expect(code(() => elasticNet(X, y, { alpha: 0.1, l1Ratio: -0.1 }))).toBe('L1_RATIO_OUT_OF_RANGE');
    expect(code(() => elasticNet(X, y, { alpha: 0.1, l1Ratio: Number.NaN }))).toBe('L1_RATIO_OUT_OF_RANGE');
    expect(code(() => elasticNet(X, y, { alpha: 0.1, l1Ratio: 0.5, maxIterations: 0 }))).toBe('BAD_OPTION');
    expect(code(() => elasticNet(X, y, { alpha: 0.1, l1Ratio: 0.5, initialCoef: [1] }))).toBe('SHAPE_MISMATCH');
    expect(code(() => elasticNetGram({ n: 3, gram: [1, 0, 0], xty: [1, 2], yty: 1 }, { alpha: 0.1, l1Ratio: 0.5 }))).toBe('SHAPE_MISMATCH');
  });

  it('fits a constant target with all-zero coefficients, never NaN', () => {
    const fit = elasticNet(X, [2, 2, 2], { alpha: 0.1, l1Ratio: 0.5 });
    expect(fit.coef).toEqual([0, 0]);
    expect(fit.intercept).toBe(2);
  });
});
