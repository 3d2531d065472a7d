/**
 * Daily forecasts from a fitted (S)ARIMA model without refitting it: the model's coefficients (as the demand
 * module returns them, with R's names and signs) are kept fixed and the series is filtered day by day, so a
 * backtest can forecast every day from a model fitted once a year (a fit with order selection costs ~0.1 s
 * a series; a filter step costs microseconds).
 *
 * The model, in R's convention, with w = (1 − B)^d (1 − B^s)^D y:
 *   (1 − Σ φ_i B^i)(1 − Σ Φ_j B^{sj}) (w_t − μ) = (1 + Σ θ_i B^i)(1 + Σ Θ_j B^{sj}) e_t,   e_t ~ N(0, σ²)
 * (μ only when d + D = 0). w − μ is filtered by the Kalman filter of the ARMA model in Harvey's state-space
 * form (as R's arima does), started from the stationary covariance at the beginning of the training window.
 * A CSS residual recursion would be simpler but never forgets its start when an MA coefficient sits at −1,
 * which the fits of over-differenced demand series often give; the Kalman filter handles it. h-step means
 * propagate the state; y is recovered by undoing the differencing with the observed past. Standard errors
 * are σ·√(Σ_{j<h} ψ_j²), ψ the MA(∞) weights of the full model with the differencing, as R's predict.Arima
 * gives them for a long series. A test compares both with the demand module's forecasts at the fit origin.
 */

export interface FittedArima {
  readonly spec: { readonly order: readonly number[]; readonly seasonal: readonly number[]; readonly period: number };
  /** ar1.., ma1.., sar1.., sma1.., intercept (R's names and signs). */
  readonly coef: Readonly<Record<string, number>>;
  readonly sigma2: number;
}

/** Polynomial product of coefficient arrays (index = power of B). */
function multiply(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(a.length + b.length - 1).fill(0);
  for (let i = 0; i < a.length; i += 1) for (let j = 0; j < b.length; j += 1) out[i + j]! += a[i]! * b[j]!;
  return out;
}

function seasonalPolynomial(coefs: readonly number[], period: number, sign: number): number[] {
  const out = new Array<number>(coefs.length * period + 1).fill(0);
  out[0] = 1;
  coefs.forEach((c, j) => (out[(j + 1) * period] = sign * c));
  return out;
}

export class ArimaFilter {
  /** w_t − μ = Σ_k ar[k−1]·(w_{t−k} − μ) + e_t + Σ_k ma[k−1]·e_{t−k}. */
  private readonly ar: number[];
  private readonly ma: number[];
  /** Differencing: w_t = Σ_k diff[k]·y_{t−k}, diff[0] = 1. */
  private readonly diff: number[];
  private readonly mean: number;
  /** Standard error of the h-step forecast, h = 1…maxHorizon (index h − 1). */
  readonly se: number[];

  // Kalman filter of w − μ: state dimension r, transition T (first column ar, superdiagonal 1), Q = R Rᵀ.
  private readonly r: number;
  private readonly transition: Float64Array;
  private readonly q: Float64Array;
  private state: Float64Array;
  private covariance: Float64Array;
  private readonly y: number[] = [];

  constructor(model: FittedArima, readonly maxHorizon = 3) {
    const [p = 0, d = 0, q = 0] = model.spec.order;
    const [P = 0, D = 0, Q = 0] = model.spec.seasonal;
    const s = model.spec.period;
    const c = model.coef;
    const take = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => c[`${prefix}${i + 1}`] ?? 0);
    // AR: (1 − Σφ B^i)(1 − ΣΦ B^{si}) = 1 − Σ ar_k B^k.
    const arPoly = multiply([1, ...take('ar', p).map((v) => -v)], seasonalPolynomial(take('sar', P), s, -1));
    this.ar = arPoly.slice(1).map((v) => -v);
    const maPoly = multiply([1, ...take('ma', q)], seasonalPolynomial(take('sma', Q), s, 1));
    this.ma = maPoly.slice(1);
    let diff = [1];
    for (let k = 0; k < d; k += 1) diff = multiply(diff, [1, -1]);
    for (let k = 0; k < D; k += 1) diff = multiply(diff, seasonalPolynomial([1], s, -1));
    this.diff = diff;
    this.mean = d + D === 0 ? (c.intercept ?? 0) : 0;

    // ψ weights of the full model on y: (1 − Σ ar B)(Σ diff B) = 1 − Σ A_k B^k.
    const full = multiply([1, ...this.ar.map((v) => -v)], diff);
    const A = full.slice(1).map((v) => -v);
    const psi = [1];
    for (let j = 1; j < maxHorizon; j += 1) {
      let value = this.ma[j - 1] ?? 0;
      for (let k = 1; k <= Math.min(j, A.length); k += 1) value += A[k - 1]! * psi[j - k]!;
      psi.push(value);
    }
    let sum = 0;
    this.se = psi.map((v) => {
      sum += v * v;
      return Math.sqrt(model.sigma2 * sum);
    });

    const r = Math.max(this.ar.length, this.ma.length + 1, 1);
    this.r = r;
    this.transition = new Float64Array(r * r);
    for (let i = 0; i < r; i += 1) {
      this.transition[i * r] = this.ar[i] ?? 0;
      if (i + 1 < r) this.transition[i * r + i + 1] = 1;
    }
    const R = Array.from({ length: r }, (_, i) => (i === 0 ? 1 : (this.ma[i - 1] ?? 0)));
    this.q = new Float64Array(r * r);
    for (let i = 0; i < r; i += 1) for (let j = 0; j < r; j += 1) this.q[i * r + j] = R[i]! * R[j]!;
    this.state = new Float64Array(r);
    // The stationary covariance (in units of σ²): P = T P Tᵀ + Q, by iteration (an initial guess only).
    let cov: Float64Array = new Float64Array(r * r);
    for (let k = 0; k < 500; k += 1) {
      const next = this.predictCovariance(cov);
      let change = 0;
      let size = 0;
      for (let i = 0; i < r * r; i += 1) {
        change = Math.max(change, Math.abs(next[i]! - cov[i]!));
        size = Math.max(size, Math.abs(next[i]!));
      }
      cov = next;
      if (change <= 1e-10 * size) break;
    }
    this.covariance = cov;
  }

  /** T P Tᵀ + Q. */
  private predictCovariance(cov: Float64Array): Float64Array {
    const r = this.r;
    const T = this.transition;
    const tp = new Float64Array(r * r);
    for (let i = 0; i < r; i += 1) for (let k = 0; k < r; k += 1) {
      const tik = T[i * r + k]!;
      if (tik === 0) continue;
      for (let j = 0; j < r; j += 1) tp[i * r + j]! += tik * cov[k * r + j]!;
    }
    const out = new Float64Array(r * r);
    for (let i = 0; i < r; i += 1) for (let j = 0; j < r; j += 1) {
      let v = this.q[i * r + j]!;
      for (let k = 0; k < r; k += 1) {
        const tjk = T[j * r + k]!;
        if (tjk !== 0) v += tp[i * r + k]! * tjk;
      }
      out[i * r + j] = v;
    }
    return out;
  }

  private predictState(state: Float64Array): Float64Array {
    const r = this.r;
    const out = new Float64Array(r);
    for (let i = 0; i < r; i += 1) out[i] = (this.ar[i] ?? 0) * state[0]! + (i + 1 < r ? state[i + 1]! : 0);
    return out;
  }

  /** Days filtered so far. */
  get length(): number {
    return this.y.length;
  }

  /** Feeds the next observation. */
  push(value: number): void {
    const t = this.y.length;
    this.y.push(value);
    const dl = this.diff.length - 1;
    if (t < dl) return;
    let w = 0;
    for (let k = 0; k <= dl; k += 1) w += this.diff[k]! * this.y[t - k]!;
    const r = this.r;
    const predicted = this.predictState(this.state);
    const P = this.predictCovariance(this.covariance);
    const F = P[0]!;
    if (!(F > 1e-12)) {
      // The observation is already known exactly from the past: nothing to learn.
      this.state = predicted;
      this.covariance = P;
      return;
    }
    const v = w - this.mean - predicted[0]!;
    const column = P.slice(0, r); // P's first row (= first column: P is symmetric), before the update
    for (let i = 0; i < r; i += 1) predicted[i]! += (column[i]! / F) * v;
    for (let i = 0; i < r; i += 1) for (let j = 0; j < r; j += 1) P[i * r + j]! -= (column[i]! * column[j]!) / F;
    this.state = predicted;
    this.covariance = P;
  }

  /** Forecast means for the next `horizon` days (≤ maxHorizon) from everything pushed so far. */
  forecast(horizon = this.maxHorizon): number[] {
    const n = this.y.length;
    const dl = this.diff.length - 1;
    if (n <= dl) throw new RangeError(`the filter needs more than ${dl} observations to forecast, it has ${n}`);
    const y = this.y.slice(n - dl);
    const out: number[] = [];
    let state = this.state;
    for (let h = 0; h < Math.min(horizon, this.maxHorizon); h += 1) {
      state = this.predictState(state);
      let yHat = this.mean + state[0]!;
      for (let k = 1; k <= dl; k += 1) yHat -= this.diff[k]! * y[y.length - k]!;
      y.push(yHat);
      out.push(yHat);
    }
    return out;
  }
}

/** 1.959964: the 97.5 % point of the standard normal, as R's qnorm(0.975). */
export const Z975 = 1.959963984540054;
