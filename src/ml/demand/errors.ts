/**
 * Every refusal of the demand forecaster is a `DemandForecastError` with a machine-readable `code`. Bad input
 * is refused before the `arima` package sees it (the package itself answers bad input with NaN forecasts or
 * a plain Error), and anything non-finite the package hands back is turned into an error here: a caller
 * never receives a NaN forecast.
 */
export type DemandForecastErrorCode =
  /** A hole in the series: a missing element, `null`/`undefined`, a non-number, or a missing calendar day. */
  | 'GAP'
  /** NaN or ±Infinity at `index`. */
  | 'NON_FINITE'
  /** Every value is the same (or the series is constant once differenced): the likelihood is degenerate. */
  | 'CONSTANT_SERIES'
  /** Fewer points than the model needs; `details.required` says how many (see `minimumPoints`). */
  | 'TOO_FEW_POINTS'
  /** More points than the package can take (it copies the series onto its 64 KiB wasm stack). */
  | 'TOO_MANY_POINTS'
  /** A negative value at `index` while `allowNegative` is false (the default: demand is not negative). */
  | 'NEGATIVE_VALUE'
  /** Horizon not an integer in [1, MAX_HORIZON]. */
  | 'BAD_HORIZON'
  /** The model specification is malformed (orders, period, method). */
  | 'BAD_SPEC'
  /** The optimiser failed (non-stationary AR part, no convergence, NaN during optimisation...). */
  | 'FIT_FAILED'
  /** The package returned NaN/Infinity (or a negative variance) where a number was due. */
  | 'NON_FINITE_RESULT'
  /** No model of the selection grid could be fitted. */
  | 'NO_MODEL'
  /** The compiled package does not look like the one this code reads (version or memory layout changed). */
  | 'PACKAGE_MISMATCH';

export class DemandForecastError extends Error {
  constructor(
    readonly code: DemandForecastErrorCode,
    message: string,
    readonly details: Readonly<Record<string, string | number>> = {},
  ) {
    super(message);
    this.name = 'DemandForecastError';
  }

  /** Position in the series the problem is at, when there is one. */
  get index(): number | undefined {
    const index = this.details['index'];
    return typeof index === 'number' ? index : undefined;
  }

  toJSON(): { code: DemandForecastErrorCode; message: string; details: Readonly<Record<string, string | number>> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}
