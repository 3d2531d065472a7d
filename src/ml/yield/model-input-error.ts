/**
 * Bad input to a model: the caller's data or options are wrong (not the code). Carries a `code` naming the
 * problem and `details` naming where it is, so an HTTP edge can answer 4xx and a CLI can print it.
 */
export type ModelInputErrorCode =
  | 'EMPTY_DATA'
  | 'SHAPE_MISMATCH'
  | 'NON_FINITE'
  | 'NEGATIVE_ALPHA'
  | 'L1_RATIO_OUT_OF_RANGE'
  | 'BAD_OPTION'
  | 'TOO_SHORT'
  | 'CONSTANT_SERIES'
  | 'GAP'
  | 'BAD_DATE'
  | 'UNKNOWN_DATE';

export class ModelInputError extends Error {
  readonly kind = 'bad-input';
  constructor(
    readonly code: ModelInputErrorCode,
    message: string,
    readonly details: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ModelInputError';
  }
}
