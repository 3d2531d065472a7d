/**
 * Elastic net by cyclic coordinate descent on exactly scikit-learn's objective
 *
 *   (1 / 2n) ‖y − Xb − b₀‖²  +  α ( ρ ‖b‖₁  +  (1 − ρ)/2 ‖b‖² )          (ρ = l1Ratio)
 *
 * as sklearn.linear_model.ElasticNet does it: nothing is standardised implicitly; with `fitIntercept` X and y
 * are centred, the problem is solved without an intercept and b₀ = ȳ − x̄ᵀb. Internally, as in sklearn's
 * cd_fast, the objective is multiplied by n: ½‖R‖² + l1‖b‖₁ + ½ l2 ‖b‖² with l1 = αρn, l2 = α(1−ρ)n, and
 * each coordinate update is b_j ← S(X_jᵀR + b_j‖X_j‖², l1) / (‖X_j‖² + l2) with S the soft-threshold.
 *
 * Stopping rule (sklearn's): after a sweep in which max_j |Δb_j| ≤ tolerance · max_j |b_j|, compute a
 * certificate of optimality and stop when it is ≤ tolerance · ‖y − ȳ‖². The certificate is sklearn's duality
 * gap (the lasso dual of the problem with X augmented by √l2·I); when there is an L2 part it is the smaller
 * of that gap and the strong-convexity bound ‖g‖² / (2·l2), g the minimum-norm subgradient (sklearn's gap
 * alone never shrinks when l1Ratio = 0). Both bound the objective's distance from the optimum. With α = 0
 * (least squares) there is no certificate and the coefficient-change test alone stops the loop. After
 * `maxIterations` sweeps the fit returns with `converged: false`.
 *
 * Two entry points minimise the same objective: `elasticNet` on the data (column-major Float64Array,
 * residual updates, O(np) a sweep) and `elasticNetGram` on sufficient statistics (XᵀX, Xᵀy, yᵀy; O(p²) a
 * sweep), which is what the walk-forward forecaster uses because its windows' statistics are prefix sums.
 */
import { ModelInputError } from './model-input-error';

// Module-level aliases: a global `Math.x` lookup in a hot loop is slow in some hosts (jest's vm context).
const { abs, max, min } = Math;
const isFiniteNumber = Number.isFinite;

export interface ElasticNetOptions {
  /** α ≥ 0, the overall penalty strength. */
  readonly alpha: number;
  /** ρ ∈ [0, 1]: 1 is the lasso, 0 ridge. */
  readonly l1Ratio: number;
  /** Centre X and y and fit an intercept (default true). */
  readonly fitIntercept?: boolean;
  /** Maximum number of full coordinate sweeps (default 10,000). */
  readonly maxIterations?: number;
  /** Relative tolerance of the stopping rule (default 1e-10; sklearn's default is 1e-4). */
  readonly tolerance?: number;
  /** Starting coefficients (warm start); default all zero. */
  readonly initialCoef?: ArrayLike<number>;
}

export interface ElasticNetFit {
  readonly intercept: number;
  readonly coef: number[];
  /** Coordinate sweeps run. */
  readonly iterations: number;
  readonly converged: boolean;
  /** The optimality certificate at the end, on the objective's own scale (divided by n); NaN when α = 0. */
  readonly dualGap: number;
}

/** Sufficient statistics of a (centred, if an intercept is wanted) regression problem. */
export interface GramProblem {
  /** Number of observations behind the statistics (sets the scale of the penalty). */
  readonly n: number;
  /** XᵀX, p × p, row-major. */
  readonly gram: ArrayLike<number>;
  /** Xᵀy, length p. */
  readonly xty: ArrayLike<number>;
  /** yᵀy. */
  readonly yty: number;
}

export const DEFAULT_MAX_ITERATIONS = 10_000;
export const DEFAULT_TOLERANCE = 1e-10;

type Rows = readonly (ArrayLike<number>)[];

/** Fit an elastic net to rows of X (number[][] or Float64Array[]) and y. */
export function elasticNet(X: Rows, y: ArrayLike<number>, options: ElasticNetOptions): ElasticNetFit {
  const { alpha, l1Ratio, fitIntercept, maxIterations, tolerance } = checkOptions(options);
  if (!Array.isArray(X) || X.length === 0) throw new ModelInputError('EMPTY_DATA', 'X has no rows');
  const n = X.length;
  const p = X[0]!.length;
  if (!(p >= 1)) throw new ModelInputError('EMPTY_DATA', 'X has no columns');
  if (y === null || typeof y !== 'object' || y.length !== n) {
    throw new ModelInputError('SHAPE_MISMATCH', `y has ${y?.length ?? 'no'} values but X has ${n} rows`, { rows: String(n), targets: String(y?.length ?? 0) });
  }
  // Column-major copy, checked on the way.
  const x = new Float64Array(n * p);
  for (let i = 0; i < n; i += 1) {
    const row = X[i];
    if (row === null || typeof row !== 'object' || row.length !== p) {
      throw new ModelInputError('SHAPE_MISMATCH', `row ${i} of X has ${row?.length ?? 'no'} values, expected ${p}`, { row: String(i), expected: String(p) });
    }
    for (let j = 0; j < p; j += 1) {
      const value = row[j]!;
      if (typeof value !== 'number' || !isFiniteNumber(value)) {
        throw new ModelInputError('NON_FINITE', `X[${i}][${j}] is ${String(value)}`, { row: String(i), column: String(j) });
      }
      x[j * n + i] = value;
    }
  }
  const target = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    const value = y[i]!;
    if (typeof value !== 'number' || !isFiniteNumber(value)) throw new ModelInputError('NON_FINITE', `y[${i}] is ${String(value)}`, { row: String(i) });
    target[i] = value;
  }
  const initial = checkInitial(options.initialCoef, p);

  const xMean = new Float64Array(p);
  let yMean = 0;
  if (fitIntercept) {
    for (let j = 0; j < p; j += 1) {
      const offset = j * n;
      let sum = 0;
      for (let i = 0; i < n; i += 1) sum += x[offset + i]!;
      const mean = sum / n;
      xMean[j] = mean;
      for (let i = 0; i < n; i += 1) x[offset + i]! -= mean;
    }
    let sum = 0;
    for (let i = 0; i < n; i += 1) sum += target[i]!;
    yMean = sum / n;
    for (let i = 0; i < n; i += 1) target[i]! -= yMean;
  }

  const result = coordinateDescent(x, target, n, p, alpha * l1Ratio * n, alpha * (1 - l1Ratio) * n, maxIterations, tolerance, initial);
  let intercept = 0;
  if (fitIntercept) {
    intercept = yMean;
    for (let j = 0; j < p; j += 1) intercept -= xMean[j]! * result.coef[j]!;
  }
  return { intercept, coef: Array.from(result.coef), iterations: result.iterations, converged: result.converged, dualGap: result.gap / n };
}

/**
 * Fit an elastic net without intercept from sufficient statistics (centre them first to have one). Minimises
 * the same objective as `elasticNet` would on data with those statistics.
 */
export function elasticNetGram(problem: GramProblem, options: ElasticNetOptions): ElasticNetFit {
  const { alpha, l1Ratio, maxIterations, tolerance } = checkOptions({ ...options, fitIntercept: false });
  const { n, gram, xty, yty } = problem;
  if (!(Number.isInteger(n) && n >= 1)) throw new ModelInputError('EMPTY_DATA', `n must be a positive integer, got ${String(n)}`);
  const p = xty.length;
  if (p < 1) throw new ModelInputError('EMPTY_DATA', 'Xᵀy is empty');
  if (gram.length !== p * p) throw new ModelInputError('SHAPE_MISMATCH', `XᵀX has ${gram.length} entries, expected ${p * p}`);
  for (let k = 0; k < p * p; k += 1) if (!isFiniteNumber(gram[k])) throw new ModelInputError('NON_FINITE', `XᵀX[${k}] is ${String(gram[k])}`);
  for (let k = 0; k < p; k += 1) if (!isFiniteNumber(xty[k])) throw new ModelInputError('NON_FINITE', `Xᵀy[${k}] is ${String(xty[k])}`);
  if (!isFiniteNumber(yty)) throw new ModelInputError('NON_FINITE', `yᵀy is ${String(yty)}`);
  const initial = checkInitial(options.initialCoef, p);
  const result = gramCoordinateDescent(Float64Array.from(gram), Float64Array.from(xty), yty, p, alpha * l1Ratio * n, alpha * (1 - l1Ratio) * n, maxIterations, tolerance, initial);
  return { intercept: 0, coef: Array.from(result.coef), iterations: result.iterations, converged: result.converged, dualGap: result.gap / n };
}

/** The objective value (1/2n)‖y − Xb − b₀‖² + α(ρ‖b‖₁ + (1−ρ)/2‖b‖²) of a fit on data. */
export function elasticNetObjective(X: Rows, y: ArrayLike<number>, fit: { intercept: number; coef: ArrayLike<number> }, alpha: number, l1Ratio: number): number {
  const n = X.length;
  let loss = 0;
  for (let i = 0; i < n; i += 1) {
    let prediction = fit.intercept;
    const row = X[i]!;
    for (let j = 0; j < row.length; j += 1) prediction += row[j]! * fit.coef[j]!;
    loss += (y[i]! - prediction) ** 2;
  }
  let l1 = 0;
  let l2 = 0;
  for (let j = 0; j < fit.coef.length; j += 1) {
    l1 += abs(fit.coef[j]!);
    l2 += fit.coef[j]! ** 2;
  }
  return loss / (2 * n) + alpha * (l1Ratio * l1 + ((1 - l1Ratio) / 2) * l2);
}

/** Predict ŷ = b₀ + Xb for rows of X. */
export function predictElasticNet(fit: { intercept: number; coef: ArrayLike<number> }, X: Rows): number[] {
  return X.map((row) => {
    let value = fit.intercept;
    for (let j = 0; j < fit.coef.length; j += 1) value += row[j]! * fit.coef[j]!;
    return value;
  });
}

// ---------------------------------------------------------------------------------------------------------

function checkOptions(options: ElasticNetOptions): { alpha: number; l1Ratio: number; fitIntercept: boolean; maxIterations: number; tolerance: number } {
  if (options === null || typeof options !== 'object') throw new ModelInputError('BAD_OPTION', 'options { alpha, l1Ratio } are required');
  const { alpha, l1Ratio, fitIntercept = true, maxIterations = DEFAULT_MAX_ITERATIONS, tolerance = DEFAULT_TOLERANCE } = options;
  if (typeof alpha !== 'number' || Number.isNaN(alpha) || alpha === Infinity) throw new ModelInputError('BAD_OPTION', `alpha must be a finite number, got ${String(alpha)}`);
  if (alpha < 0) throw new ModelInputError('NEGATIVE_ALPHA', `alpha must be ≥ 0, got ${alpha}`, { alpha: String(alpha) });
  if (typeof l1Ratio !== 'number' || !(l1Ratio >= 0 && l1Ratio <= 1)) {
    throw new ModelInputError('L1_RATIO_OUT_OF_RANGE', `l1Ratio must be in [0, 1], got ${String(l1Ratio)}`, { l1Ratio: String(l1Ratio) });
  }
  if (typeof fitIntercept !== 'boolean') throw new ModelInputError('BAD_OPTION', 'fitIntercept must be a boolean');
  if (!Number.isInteger(maxIterations) || maxIterations < 1) throw new ModelInputError('BAD_OPTION', `maxIterations must be a positive integer, got ${String(maxIterations)}`);
  if (typeof tolerance !== 'number' || !(tolerance >= 0) || tolerance === Infinity) throw new ModelInputError('BAD_OPTION', `tolerance must be a finite number ≥ 0, got ${String(tolerance)}`);
  return { alpha, l1Ratio, fitIntercept, maxIterations, tolerance };
}

function checkInitial(initial: ArrayLike<number> | undefined, p: number): Float64Array {
  const coef = new Float64Array(p);
  if (initial === undefined) return coef;
  if (initial.length !== p) throw new ModelInputError('SHAPE_MISMATCH', `initialCoef has ${initial.length} values, expected ${p}`);
  for (let j = 0; j < p; j += 1) {
    if (!isFiniteNumber(initial[j])) throw new ModelInputError('NON_FINITE', `initialCoef[${j}] is ${String(initial[j])}`);
    coef[j] = initial[j]!;
  }
  return coef;
}

interface Solution {
  coef: Float64Array;
  iterations: number;
  converged: boolean;
  /** Certificate on the n-scaled objective. */
  gap: number;
}

/** Data path: x column-major n × p (already centred if wanted), target y. Minimises ½‖y − xw‖² + l1‖w‖₁ + ½l2‖w‖². */
function coordinateDescent(x: Float64Array, y: Float64Array, n: number, p: number, l1: number, l2: number, maxIterations: number, tolerance: number, w: Float64Array): Solution {
  const norms = new Float64Array(p);
  for (let j = 0; j < p; j += 1) {
    const offset = j * n;
    let sum = 0;
    for (let i = 0; i < n; i += 1) sum += x[offset + i]! * x[offset + i]!;
    norms[j] = sum;
    if (sum === 0) w[j] = 0; // a constant column (after centring) has no effect: its coefficient is 0, as in sklearn
  }
  const residual = Float64Array.from(y);
  for (let j = 0; j < p; j += 1) {
    const wj = w[j]!;
    if (wj === 0) continue;
    const offset = j * n;
    for (let i = 0; i < n; i += 1) residual[i]! -= wj * x[offset + i]!;
  }
  let yNorm2 = 0;
  for (let i = 0; i < n; i += 1) yNorm2 += y[i]! * y[i]!;
  const gapTolerance = tolerance * yNorm2;

  const certificate = (): number => {
    // XtA = Xᵀr − l2 w, the gradient of the smooth part (sign flipped).
    let dualNorm = 0;
    let rNorm2 = 0;
    let rDotY = 0;
    let wNorm1 = 0;
    let wNorm2 = 0;
    let subgradient2 = 0;
    for (let i = 0; i < n; i += 1) {
      rNorm2 += residual[i]! * residual[i]!;
      rDotY += residual[i]! * y[i]!;
    }
    for (let j = 0; j < p; j += 1) {
      const offset = j * n;
      let dot = 0;
      for (let i = 0; i < n; i += 1) dot += x[offset + i]! * residual[i]!;
      const xta = dot - l2 * w[j]!;
      dualNorm = max(dualNorm, abs(xta));
      wNorm1 += abs(w[j]!);
      wNorm2 += w[j]! * w[j]!;
      subgradient2 += minimumSubgradient(xta, w[j]!, l1, norms[j]!) ** 2;
    }
    return gapOf(dualNorm, rNorm2, rDotY, wNorm1, wNorm2, subgradient2, l1, l2);
  };

  const sweep = (): Sweep => {
    let wMax = 0;
    let dwMax = 0;
    for (let j = 0; j < p; j += 1) {
      const norm = norms[j]!;
      if (norm === 0) continue;
      const offset = j * n;
      const wj = w[j]!;
      let dot = 0;
      for (let i = 0; i < n; i += 1) dot += x[offset + i]! * residual[i]!;
      const rho = dot + wj * norm;
      const updated = softThreshold(rho, l1) / (norm + l2);
      if (updated !== wj) {
        const delta = wj - updated;
        for (let i = 0; i < n; i += 1) residual[i]! += delta * x[offset + i]!;
        w[j] = updated;
      }
      dwMax = max(dwMax, abs(updated - wj));
      wMax = max(wMax, abs(updated));
    }
    return { wMax, dwMax };
  };
  return sweepUntilConverged(w, sweep, certificate, l1 !== 0 || l2 !== 0, maxIterations, tolerance, gapTolerance);
}

/** Gram path: minimises ½(yᵀy − 2wᵀq + wᵀQw) + l1‖w‖₁ + ½l2‖w‖² with Q = XᵀX, q = Xᵀy. */
function gramCoordinateDescent(Q: Float64Array, q: Float64Array, yty: number, p: number, l1: number, l2: number, maxIterations: number, tolerance: number, w: Float64Array): Solution {
  for (let j = 0; j < p; j += 1) if (Q[j * p + j]! <= 0) w[j] = 0;
  const H = new Float64Array(p); // Q w
  for (let j = 0; j < p; j += 1) {
    const wj = w[j]!;
    if (wj === 0) continue;
    for (let k = 0; k < p; k += 1) H[k]! += wj * Q[j * p + k]!;
  }
  const gapTolerance = tolerance * yty;

  const certificate = (): number => {
    let dualNorm = 0;
    let qDotW = 0;
    let wDotH = 0;
    let wNorm1 = 0;
    let wNorm2 = 0;
    let subgradient2 = 0;
    for (let j = 0; j < p; j += 1) {
      const xta = q[j]! - H[j]! - l2 * w[j]!;
      dualNorm = max(dualNorm, abs(xta));
      qDotW += q[j]! * w[j]!;
      wDotH += w[j]! * H[j]!;
      wNorm1 += abs(w[j]!);
      wNorm2 += w[j]! * w[j]!;
      subgradient2 += minimumSubgradient(xta, w[j]!, l1, Q[j * p + j]!) ** 2;
    }
    const rNorm2 = max(0, yty - 2 * qDotW + wDotH);
    return gapOf(dualNorm, rNorm2, yty - qDotW, wNorm1, wNorm2, subgradient2, l1, l2);
  };

  const sweep = (): Sweep => {
    let wMax = 0;
    let dwMax = 0;
    for (let j = 0; j < p; j += 1) {
      const norm = Q[j * p + j]!;
      if (norm <= 0) continue;
      const wj = w[j]!;
      const rho = q[j]! - H[j]! + wj * norm;
      const updated = softThreshold(rho, l1) / (norm + l2);
      if (updated !== wj) {
        const delta = updated - wj;
        const row = j * p;
        for (let k = 0; k < p; k += 1) H[k]! += delta * Q[row + k]!;
        w[j] = updated;
      }
      dwMax = max(dwMax, abs(updated - wj));
      wMax = max(wMax, abs(updated));
    }
    return { wMax, dwMax };
  };
  return sweepUntilConverged(w, sweep, certificate, l1 !== 0 || l2 !== 0, maxIterations, tolerance, gapTolerance);
}

/** The largest coefficient and the largest change of one sweep over all coordinates. */
interface Sweep {
  wMax: number;
  dwMax: number;
}

/**
 * The outer loop both solvers share, scikit-learn's stopping rule: sweep until the coefficients stop
 * moving, then let the duality gap certify the optimum (keep sweeping if it does not). Without a penalty
 * there is no gap to compute, and the coefficient change alone decides.
 */
function sweepUntilConverged(
  w: Float64Array,
  sweep: () => Sweep,
  certificate: () => number,
  penalised: boolean,
  maxIterations: number,
  tolerance: number,
  gapTolerance: number,
): Solution {
  let gap = NaN;
  for (let iterations = 1; iterations <= maxIterations; iterations += 1) {
    const { wMax, dwMax } = sweep();
    const settled = wMax === 0 || dwMax <= tolerance * wMax;
    if (!settled && iterations !== maxIterations) continue;
    if (!penalised) {
      if (settled) return { coef: w, iterations, converged: true, gap: NaN };
      continue;
    }
    gap = certificate();
    if (gap <= gapTolerance) return { coef: w, iterations, converged: true, gap };
  }
  return { coef: w, iterations: maxIterations, converged: false, gap };
}

function softThreshold(value: number, threshold: number): number {
  if (value > threshold) return value - threshold;
  if (value < -threshold) return value + threshold;
  return 0;
}

/**
 * The component of the minimum-norm subgradient of the objective for coordinate j, given xta = X_jᵀr − l2·w_j
 * (the negative gradient of the smooth part). Columns with no variation do not take part.
 */
function minimumSubgradient(xta: number, wj: number, l1: number, columnNorm: number): number {
  if (columnNorm <= 0) return 0;
  if (wj > 0) return -xta + l1;
  if (wj < 0) return -xta - l1;
  return max(0, abs(xta) - l1);
}

/** sklearn's duality gap, tightened by the strong-convexity bound when there is an L2 part. */
function gapOf(dualNorm: number, rNorm2: number, rDotY: number, wNorm1: number, wNorm2: number, subgradient2: number, l1: number, l2: number): number {
  let gap = Infinity;
  if (l1 > 0) {
    let scale = 1;
    let aNorm2 = rNorm2;
    if (dualNorm > l1) {
      scale = l1 / dualNorm;
      aNorm2 = rNorm2 * scale * scale;
    }
    gap = 0.5 * (rNorm2 + aNorm2) + l1 * wNorm1 - scale * rDotY + 0.5 * l2 * (1 + scale * scale) * wNorm2;
  }
  if (l2 > 0) gap = min(gap, subgradient2 / (2 * l2));
  return max(0, gap);
}
