/**
 * Exact Gaussian maximum likelihood for ARIMA(1,d,0)(0,D,0)[s], the one case where the `arima` package's
 * likelihood is wrong.
 *
 * ctsa's `fas154x_seas` special-cases a model whose AR polynomial has degree 1 and MA degree 0
 * (`ip == 1 && iq == 0`): it skips AS 154's `starma` and sets the initial state variance 1/(1 − φ²) by hand,
 * but the log-determinant term 0.5·log(1/(1 − φ²)) of the first observation never reaches the likelihood.
 * On R's `lh` series that gives ar1 0.5859 and log-likelihood −29.17 where R (and the exact likelihood,
 * evaluated independently) gives ar1 0.5739 and −29.38; AR(3) and ARMA(1,1) on the same series agree with R.
 * So for this model the fit is done here: the profile likelihood is one-dimensional in φ (the mean has a
 * closed-form GLS estimate for a given φ, σ² is S/n), maximised by a grid scan then golden-section search.
 */

export interface ExactAr1Fit {
  phi: number;
  /** 0 when no mean is estimated (d + D > 0, as in R). */
  mean: number;
  sigma2: number;
  /** R's definition: −0.5·(n·log(2π·σ²) + n + log(1/(1 − φ²))). */
  loglik: number;
  /** Standard errors of φ (and of the mean when estimated), from the numerical Hessian of R's objective. */
  se: number[];
}

/** Applies (1 − B)^d (1 − B^s)^D. */
export function difference(y: readonly number[], d: number, D: number, s: number): number[] {
  let w = [...y];
  for (let k = 0; k < D; k++) w = w.slice(s).map((v, i) => v - w[i]!);
  for (let k = 0; k < d; k++) w = w.slice(1).map((v, i) => v - w[i]!);
  return w;
}

function meanFor(w: readonly number[], phi: number): number {
  const a1 = Math.sqrt(1 - phi * phi);
  let zc = a1 * a1 * w[0]!;
  let cc = a1 * a1;
  const c = 1 - phi;
  for (let t = 1; t < w.length; t++) {
    zc += (w[t]! - phi * w[t - 1]!) * c;
    cc += c * c;
  }
  return zc / cc;
}

function sumOfSquares(w: readonly number[], phi: number, mu: number): number {
  let e = w[0]! - mu;
  let s = (1 - phi * phi) * e * e;
  for (let t = 1; t < w.length; t++) {
    e = w[t]! - mu - phi * (w[t - 1]! - mu);
    s += e * e;
  }
  return s;
}

/** R's armafn objective for AR(1): 0.5·(log(S/n) + log(1/(1 − φ²))/n). */
function objective(w: readonly number[], phi: number, mu: number): number {
  const n = w.length;
  return 0.5 * (Math.log(sumOfSquares(w, phi, mu) / n) - Math.log(1 - phi * phi) / n);
}

const PHI_BOUND = 0.9999;

export function fitExactAr1(w: readonly number[], includeMean: boolean): ExactAr1Fit {
  const n = w.length;
  const mu = (phi: number): number => (includeMean ? meanFor(w, phi) : 0);
  const f = (phi: number): number => objective(w, phi, mu(phi));

  // Scan, then golden section around the best grid point (the profile is smooth on (−1, 1)).
  const steps = 200;
  let best = 0;
  let bestValue = Infinity;
  for (let i = 1; i < steps; i++) {
    const phi = -1 + (2 * i) / steps;
    const value = f(phi);
    if (value < bestValue) {
      bestValue = value;
      best = phi;
    }
  }
  let lo = Math.max(-PHI_BOUND, best - 2 / steps);
  let hi = Math.min(PHI_BOUND, best + 2 / steps);
  const g = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - g * (hi - lo);
  let x2 = lo + g * (hi - lo);
  let f1 = f(x1);
  let f2 = f(x2);
  while (hi - lo > 1e-12) {
    if (f1 < f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - g * (hi - lo);
      f1 = f(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + g * (hi - lo);
      f2 = f(x2);
    }
  }
  const phi = (lo + hi) / 2;
  const mean = mu(phi);
  const sigma2 = sumOfSquares(w, phi, mean) / n;
  const loglik = -0.5 * (n * Math.log(2 * Math.PI * sigma2) + n - Math.log(1 - phi * phi));
  return { phi, mean, sigma2, loglik, se: standardErrors(w, phi, mean, includeMean) };
}

/** R: var = solve(hessian × n.used), the Hessian being that of the objective at the optimum. */
function standardErrors(w: readonly number[], phi: number, mean: number, includeMean: boolean): number[] {
  const n = w.length;
  const x = includeMean ? [phi, mean] : [phi];
  const value = (v: readonly number[]): number => objective(w, v[0]!, includeMean ? v[1]! : 0);
  const h = x.map((v) => 1e-4 * Math.max(1, Math.abs(v)));
  const k = x.length;
  const H: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      const at = (di: number, dj: number): number => {
        const v = [...x];
        v[i] = v[i]! + di * h[i]!;
        v[j] = v[j]! + dj * h[j]!;
        return value(v);
      };
      const hij = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h[i]! * h[j]!);
      H[i]![j] = hij * n;
      H[j]![i] = hij * n;
    }
  }
  if (k === 1) return [Math.sqrt(1 / H[0]![0]!)];
  const [a, b, c] = [H[0]![0]!, H[0]![1]!, H[1]![1]!];
  const det = a * c - b * b;
  return [Math.sqrt(c / det), Math.sqrt(a / det)];
}

/**
 * Forecasts a pure AR model (no MA terms) with differencing, on the original scale: expands
 * φ(B)(1 − B)^d(1 − B^s)^D, runs the recursion forward from the last observations, and takes the forecast
 * variances from the ψ weights, σ²·Σψ_j². For a pure AR model the state at the forecast origin is known
 * exactly from the data, so this is what R's Kalman-filter `predict` gives.
 */
export function pureArForecast(
  y: readonly number[],
  ar: readonly number[],
  d: number,
  D: number,
  s: number,
  mean: number,
  sigma2: number,
  horizon: number,
): { mean: number[]; variance: number[] } {
  // Polynomial c(B) = 1 + c1 B + ... (signs as in c(B) x_t = e_t).
  let poly = [1, ...ar.map((a) => -a)];
  const multiply = (a: readonly number[], b: readonly number[]): number[] => {
    const out = new Array<number>(a.length + b.length - 1).fill(0);
    a.forEach((ai, i) => b.forEach((bj, j) => (out[i + j] = out[i + j]! + ai * bj)));
    return out;
  };
  for (let k = 0; k < d; k++) poly = multiply(poly, [1, -1]);
  for (let k = 0; k < D; k++) {
    const seasonal = new Array<number>(s + 1).fill(0);
    seasonal[0] = 1;
    seasonal[s] = -1;
    poly = multiply(poly, seasonal);
  }
  const degree = poly.length - 1;
  const x = y.map((v) => v - mean);
  const n = x.length;
  for (let h = 1; h <= horizon; h++) {
    let next = 0;
    for (let i = 1; i <= degree; i++) next -= poly[i]! * x[n + h - 1 - i]!;
    x.push(next);
  }
  const psi = [1];
  for (let j = 1; j < horizon; j++) {
    let v = 0;
    for (let i = 1; i <= Math.min(j, degree); i++) v -= poly[i]! * psi[j - i]!;
    psi.push(v);
  }
  const variance: number[] = [];
  let acc = 0;
  for (let h = 0; h < horizon; h++) {
    acc += psi[h]! * psi[h]!;
    variance.push(sigma2 * acc);
  }
  return { mean: x.slice(n).map((v) => v + mean), variance };
}
