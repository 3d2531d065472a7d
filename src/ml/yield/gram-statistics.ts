/**
 * Sufficient statistics of a growing training window (Σx, ΣxxᵀΣ, Σxy, Σy, Σy²) and the standardised,
 * centred problem they define. The walk-forward forecaster keeps one accumulator per model and adds the rows
 * whose targets became known before each block, so a refit costs O(p²) whatever the window's length; both
 * the elastic net and the least-squares baseline are solved from the same standardised problem.
 */

// Module-level aliases: a global `Math.x` lookup in a hot loop is slow in some hosts (jest's vm context).
const { max, sqrt } = Math;

/** Running sums of rows (shifted by a reference row, the first one added, for accuracy) and of the target. */
export class GramAccumulator {
  count = 0;
  readonly reference: Float64Array;
  readonly sumX: Float64Array;
  /** Upper triangle of Σ x xᵀ, row-major p × p. */
  readonly sumXX: Float64Array;
  readonly sumXY: Float64Array;
  sumY = 0;
  sumYY = 0;
  private readonly shifted: Float64Array;

  constructor(readonly width: number) {
    this.reference = new Float64Array(width);
    this.sumX = new Float64Array(width);
    this.sumXX = new Float64Array(width * width);
    this.sumXY = new Float64Array(width);
    this.shifted = new Float64Array(width);
  }

  add(row: ArrayLike<number>, target: number): void {
    const p = this.width;
    if (this.count === 0) for (let j = 0; j < p; j += 1) this.reference[j] = row[j]!;
    const x = this.shifted;
    for (let j = 0; j < p; j += 1) x[j] = row[j]! - this.reference[j]!;
    for (let j = 0; j < p; j += 1) {
      const xj = x[j]!;
      this.sumX[j]! += xj;
      this.sumXY[j]! += xj * target;
      if (xj === 0) continue;
      const offset = j * p;
      for (let k = j; k < p; k += 1) this.sumXX[offset + k]! += xj * x[k]!;
    }
    this.sumY += target;
    this.sumYY += target * target;
    this.count += 1;
  }
}

/** The standardised, centred problem of a training window: XᵀX, Xᵀy and yᵀy of the z-scored columns. */
export interface StandardisedProblem {
  readonly n: number;
  readonly gram: Float64Array;
  readonly xty: Float64Array;
  readonly yty: number;
  /** Column means and standard deviations in original units (sd 0: the column does not vary and takes no part). */
  readonly mean: Float64Array;
  readonly sd: Float64Array;
  readonly yMean: number;
}

export function standardise(acc: GramAccumulator): StandardisedProblem {
  const p = acc.width;
  const n = acc.count;
  const shiftedMean = acc.sumX.map((s) => s / n);
  const yMean = acc.sumY / n;
  const sd = new Float64Array(p);
  const mean = new Float64Array(p);
  for (let j = 0; j < p; j += 1) {
    mean[j] = shiftedMean[j]! + acc.reference[j]!;
    const variance = acc.sumXX[j * p + j]! / n - shiftedMean[j]! ** 2;
    // A column that does not vary in the window (or only by rounding) takes no part.
    sd[j] = variance > 1e-14 * (acc.sumXX[j * p + j]! / n) && variance > 0 ? sqrt(variance) : 0;
  }
  const gram = new Float64Array(p * p);
  const xty = new Float64Array(p);
  for (let j = 0; j < p; j += 1) {
    if (sd[j] === 0) continue;
    xty[j] = (acc.sumXY[j]! - n * shiftedMean[j]! * yMean) / sd[j]!;
    for (let k = j; k < p; k += 1) {
      if (sd[k] === 0) continue;
      const value = (acc.sumXX[j * p + k]! - n * shiftedMean[j]! * shiftedMean[k]!) / (sd[j]! * sd[k]!);
      gram[j * p + k] = value;
      gram[k * p + j] = value;
    }
  }
  const yty = max(0, acc.sumYY - n * yMean * yMean);
  return { n, gram, xty, yty, mean, sd, yMean };
}

/** Coefficients of the standardised problem back on the original scale, with the intercept they imply. */
export function originalScale(problem: StandardisedProblem, standardisedCoef: ArrayLike<number>): { intercept: number; coef: Float64Array } {
  const p = problem.mean.length;
  const coef = new Float64Array(p);
  let intercept = problem.yMean;
  for (let j = 0; j < p; j += 1) {
    if (problem.sd[j] === 0) continue;
    coef[j] = standardisedCoef[j]! / problem.sd[j]!;
    intercept -= coef[j]! * problem.mean[j]!;
  }
  return { intercept, coef };
}
