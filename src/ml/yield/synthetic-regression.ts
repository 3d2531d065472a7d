/**
 * A seeded regression problem for tests and benchmarks: rows of correlated Gaussian features (each column
 * shares a common factor with weight `correlation`), a sparse true coefficient vector and Gaussian noise.
 * Same options, same numbers on every machine.
 */
import { SeededRandom } from '../market/seeded-random';

// Module-level aliases: a global `Math.x` lookup in a hot loop is slow in some hosts (jest's vm context).
const { floor, max, sqrt } = Math;

export interface SyntheticRegressionOptions {
  readonly seed?: number | string;
  /** Rows (default 2,000). */
  readonly rows?: number;
  /** Feature columns (default 30). */
  readonly features?: number;
  /** How many leading coefficients are non-zero (default a third of the features). */
  readonly informative?: number;
  /** Weight of the common factor in every column, 0 (independent) to <1 (default 0.3). */
  readonly correlation?: number;
  /** Noise standard deviation (default 0.5). */
  readonly noise?: number;
  /** Constant added to y (default 1.5), so that fitting an intercept matters. */
  readonly intercept?: number;
}

export interface SyntheticRegression {
  readonly X: Float64Array[];
  readonly y: number[];
  readonly trueCoef: number[];
  readonly trueIntercept: number;
}

export function syntheticRegression(options: SyntheticRegressionOptions = {}): SyntheticRegression {
  const { seed = 1, rows = 2_000, features = 30, informative = max(1, floor(features / 3)), correlation = 0.3, noise = 0.5, intercept = 1.5 } = options;
  const random = SeededRandom.fromSeed(seed);
  const coefStream = random.child('coef');
  const rowStream = random.child('rows');
  const trueCoef = Array.from({ length: features }, (_, j) => (j < informative ? coefStream.gaussian(0, 1) : 0));
  const own = sqrt(1 - correlation * correlation);
  const X: Float64Array[] = [];
  const y: number[] = [];
  for (let i = 0; i < rows; i += 1) {
    const common = rowStream.normal();
    const row = new Float64Array(features);
    let target = intercept;
    for (let j = 0; j < features; j += 1) {
      row[j] = correlation * common + own * rowStream.normal() + 0.1 * j; // column means differ, so centring matters
      target += trueCoef[j]! * row[j]!;
    }
    X.push(row);
    y.push(target + noise * rowStream.normal());
  }
  return { X, y, trueCoef, trueIntercept: intercept };
}
