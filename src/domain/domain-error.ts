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

/**
 * A command about something that does not exist (an unknown wallet or fund). The API answers 404. It is not
 * a final refusal: the wallet may be opened a moment later, so an Idempotency-Key does not record it.
 */
export class NotFoundError extends Error {
  readonly kind = 'not-found';
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}
