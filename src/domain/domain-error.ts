/**
 * A command refused by a business rule (insufficient funds, the instant cap, a date out of order). The API
 * answers 422 with `code`; `kind` lets the HTTP edge recognise it without depending on the domain.
 */
export class DomainError extends Error {
  readonly kind = 'business-rule';
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
