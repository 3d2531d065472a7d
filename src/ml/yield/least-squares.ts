/**
 * Unpenalised least squares, the baseline that shows what the elastic net's penalty adds, fitted with
 * MultivariateLinearRegression of the mljs project (normal equations solved through an SVD pseudo-inverse, so
 * a rank-deficient window still gets the minimum-norm solution). It is the class that `ml-regression`
 * re-exports, taken from its own package `ml-regression-multivariate-linear`: ml-regression's index also loads
 * ml-regression-base, which needs the ESM-only `is-any-array`, and jest on Node 20 cannot require that from
 * CommonJS; the class's own package needs only ml-matrix, which bundles it.
 *
 * The walk-forward holds its training windows as sufficient statistics (XᵀX, Xᵀy), not as rows, and a pooled
 * window of 20 funds × 12 years is 80,000 rows: fitting the rows again at every refit would cost O(np²) each
 * time. The least-squares solution depends on the data only through XᵀX and Xᵀy, so the regression is fitted
 * to p rows with the same statistics: R with RᵀR = XᵀX (Cholesky) and z with Rᵀz = Xᵀy. A test checks that
 * this gives what MultivariateLinearRegression gives on the original rows.
 */
import MultivariateLinearRegression from 'ml-regression-multivariate-linear';
import type { GramProblem } from './elastic-net';

const { max, sqrt } = Math;

/** Pivots below this share of the largest diagonal entry are taken as zero: a direction the data do not span. */
const RANK_TOLERANCE = 1e-12;

/** Coefficients b minimising ‖y − Xb‖² (no intercept: centre the statistics first to have one). */
export function leastSquaresGram(problem: GramProblem): number[] {
  const p = problem.xty.length;
  const root = gramRoot(problem.gram, p);
  const z = forwardSubstitute(root, problem.xty, p);
  const rows = Array.from({ length: p }, (_, i) => Array.from(root.subarray(i * p, (i + 1) * p)));
  const regression = new MultivariateLinearRegression(rows, Array.from(z, (value) => [value]), { intercept: false, statistics: false });
  return regression.weights.map((weight) => weight[0]!);
}

/** Upper-triangular R (row-major) with RᵀR = G, for a symmetric positive semi-definite G; zero rows where G is singular. */
function gramRoot(gram: ArrayLike<number>, p: number): Float64Array {
  const r = new Float64Array(p * p);
  let largest = 0;
  for (let j = 0; j < p; j += 1) largest = max(largest, gram[j * p + j]!);
  for (let j = 0; j < p; j += 1) {
    let pivot = gram[j * p + j]!;
    for (let k = 0; k < j; k += 1) pivot -= r[k * p + j]! ** 2;
    if (!(pivot > RANK_TOLERANCE * largest)) continue;
    const diagonal = sqrt(pivot);
    r[j * p + j] = diagonal;
    for (let i = j + 1; i < p; i += 1) {
      let value = gram[j * p + i]!;
      for (let k = 0; k < j; k += 1) value -= r[k * p + j]! * r[k * p + i]!;
      r[j * p + i] = value / diagonal;
    }
  }
  return r;
}

/** z with Rᵀz = q, R upper triangular; components of zero pivots are 0. */
function forwardSubstitute(r: Float64Array, q: ArrayLike<number>, p: number): Float64Array {
  const z = new Float64Array(p);
  for (let j = 0; j < p; j += 1) {
    const diagonal = r[j * p + j]!;
    if (diagonal === 0) continue;
    let value = q[j]!;
    for (let k = 0; k < j; k += 1) value -= r[k * p + j]! * z[k]!;
    z[j] = value / diagonal;
  }
  return z;
}
