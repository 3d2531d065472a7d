/**
 * Hannan–Rissanen (1982) regression scores for ranking (S)ARMA orders cheaply, without the package.
 *
 * 1. A long autoregression, AR(m) fitted by Durbin–Levinson on the (differenced) series, gives estimates ê of
 *    the innovations.
 * 2. For each order, least squares of w_t on its own lags (1..p, s·1..s·P and the cross lags s·j + i of the
 *    multiplicative model, with free coefficients) and on the lags of ê at the MA positions, plus a constant
 *    when the model has a mean.
 * 3. The innovations are recomputed by the fitted model's own recursion and the regression is done again on
 *    their lags (the Hannan–Kavalieris step). Without it a larger order fits the estimation error of ê: a
 *    simulated MA(1), θ = 0.7, 1,200 points, ranked ARMA(1,2) first and MA(1) outside the top three.
 * Every order is regressed over the same time points, so the residual variances are comparable, and scored
 * like an AIC: n·log σ̂² + 2·(k + 1), k the order's own number of coefficients. It is a linear approximation
 * (the cross-lag coefficients are free), used only to rank orders; the best-ranked are then fitted by the
 * package with the exact likelihood, and R's AIC decides.
 */

export interface HrOrder {
  p: number;
  q: number;
  P: number;
  Q: number;
}

export interface HrContext {
  w: Float64Array;
  e: Float64Array;
  /** First time index every order is regressed from. */
  start: number;
  period: number;
  includeMean: boolean;
}

/** Prepares the long-AR residuals; `maxLag` is the largest lag any order of the grid will use. */
export function hannanRissanenContext(w: readonly number[], period: number, maxLag: number, includeMean: boolean): HrContext | undefined {
  const n = w.length;
  // Scores are compared between orders only, so the series is put on unit scale (that also makes the
  // divergence guard of the recursion below scale-free).
  const mean = includeMean ? w.reduce((a, b) => a + b, 0) / n : 0;
  const sd = Math.sqrt(w.reduce((a, b) => a + (b - mean) * (b - mean), 0) / n);
  if (!(sd > 0)) return undefined;
  const x = Float64Array.from(w, (v) => (v - mean) / sd);
  const m = Math.min(Math.max(maxLag + 2, Math.ceil(10 * Math.log10(n))), Math.floor(n / 4));
  if (m < 1 || n - m - maxLag < 20) return undefined;
  // Autocovariances and Durbin–Levinson.
  const gamma = new Float64Array(m + 1);
  for (let k = 0; k <= m; k++) {
    let s = 0;
    for (let t = k; t < n; t++) s += x[t]! * x[t - k]!;
    gamma[k] = s / n;
  }
  if (!(gamma[0]! > 0)) return undefined;
  let phi = new Float64Array(0);
  let v = gamma[0]!;
  for (let k = 1; k <= m; k++) {
    let acc = gamma[k]!;
    for (let j = 1; j < k; j++) acc -= phi[j - 1]! * gamma[k - j]!;
    const kappa = acc / v;
    const next = new Float64Array(k);
    for (let j = 1; j < k; j++) next[j - 1] = phi[j - 1]! - kappa * phi[k - j - 1]!;
    next[k - 1] = kappa;
    phi = next;
    v *= 1 - kappa * kappa;
    if (!(v > 0)) return undefined;
  }
  const e = new Float64Array(n);
  for (let t = m; t < n; t++) {
    let fitted = 0;
    for (let j = 1; j <= m; j++) fitted += phi[j - 1]! * x[t - j]!;
    e[t] = x[t]! - fitted;
  }
  return { w: Float64Array.from(w, (v) => v / sd), e, start: m + maxLag, period, includeMean };
}

function lagsOf(regular: number, seasonal: number, s: number): number[] {
  const lags: number[] = [];
  for (let i = 1; i <= regular; i++) lags.push(i);
  for (let j = 1; j <= seasonal; j++) for (let i = 0; i <= regular; i++) lags.push(j * s + i);
  return lags;
}

/** Least squares by Cholesky of the normal equations; returns the coefficients, or undefined if singular. */
function leastSquares(columns: Float64Array[], y: Float64Array): Float64Array | undefined {
  const k = columns.length;
  if (k === 0) return new Float64Array(0);
  const A = new Float64Array(k * k);
  const b = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const ci = columns[i]!;
    for (let j = 0; j <= i; j++) {
      const cj = columns[j]!;
      let s = 0;
      for (let t = 0; t < ci.length; t++) s += ci[t]! * cj[t]!;
      A[i * k + j] = s;
      A[j * k + i] = s;
    }
    let s = 0;
    for (let t = 0; t < ci.length; t++) s += ci[t]! * y[t]!;
    b[i] = s;
  }
  // Cholesky A = L Lᵀ (in place, lower triangle).
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * k + j]!;
      for (let l = 0; l < j; l++) s -= A[i * k + l]! * A[j * k + l]!;
      if (i === j) {
        if (!(s > 1e-12 * (A[i * k + i]! + 1e-300))) return undefined;
        A[i * k + i] = Math.sqrt(s);
      } else {
        A[i * k + j] = s / A[j * k + j]!;
      }
    }
  }
  const z = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i]!;
    for (let l = 0; l < i; l++) s -= A[i * k + l]! * z[l]!;
    z[i] = s / A[i * k + i]!;
  }
  const beta = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let l = i + 1; l < k; l++) s -= A[l * k + i]! * beta[l]!;
    beta[i] = s / A[i * k + i]!;
  }
  return beta;
}

/** AIC-like score of an order (lower is better), or null when a regression is singular. */
export function hannanRissanenScore(ctx: HrContext, order: HrOrder): number | null {
  const { w, e, start, period, includeMean } = ctx;
  const n = w.length - start;
  const y = w.subarray(start);
  const columns: Float64Array[] = [];
  if (includeMean) columns.push(new Float64Array(n).fill(1));
  for (const lag of lagsOf(order.p, order.P, period)) columns.push(w.subarray(start - lag, start - lag + n));
  for (const lag of lagsOf(order.q, order.Q, period)) columns.push(e.subarray(start - lag, start - lag + n));
  let beta = leastSquares(columns, y);
  if (!beta) return null;
  // Step 3: innovations from the fitted model's own recursion, then the regression again on their lags.
  const arLags = lagsOf(order.p, order.P, period);
  const maLags = lagsOf(order.q, order.Q, period);
  if (maLags.length > 0) {
    const offset = includeMean ? 1 : 0;
    const r = Float64Array.from(e);
    for (let t = start; t < w.length; t++) {
      let v = w[t]! - (includeMean ? beta[0]! : 0);
      arLags.forEach((lag, i) => (v -= beta![offset + i]! * w[t - lag]!));
      maLags.forEach((lag, i) => (v -= beta![offset + arLags.length + i]! * r[t - lag]!));
      r[t] = Number.isFinite(v) && Math.abs(v) < 1e6 ? v : 0;
    }
    for (let i = 0; i < maLags.length; i++) columns[offset + arLags.length + i] = r.subarray(start - maLags[i]!, start - maLags[i]! + n);
    beta = leastSquares(columns, y);
    if (!beta) return null;
  }
  let sum = 0;
  for (let t = 0; t < n; t++) {
    let r = y[t]!;
    for (let i = 0; i < columns.length; i++) r -= beta[i]! * columns[i]![t]!;
    sum += r * r;
  }
  if (!(sum > 0) || !Number.isFinite(sum)) return null;
  const k = order.p + order.q + order.P + order.Q + (includeMean ? 1 : 0);
  return n * Math.log(sum / n) + 2 * (k + 1);
}
