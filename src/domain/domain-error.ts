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

  /**
   * A final refusal stands however often the request is sent again, so an Idempotency-Key records it. One
   * whose cause passes by itself (an income not published yet, a date not come, a close still running) is not
   * recorded: a retry with the same key runs again once the cause is gone.
   */
  get final(): boolean {
    return !PASSING_REFUSALS.has(this.code);
  }
}

/** Refusals that say "not yet" rather than "no"; every other code is final. */
const PASSING_REFUSALS: ReadonlySet<string> = new Set(['INCOME_MISSING', 'INCOME_IN_FUTURE', 'DAY_CLOSE_IN_PROGRESS', 'DAY_CLOSE_NOT_STARTED', 'CALENDAR_NOT_STARTED', 'UNKNOWN_WALLET', 'UNKNOWN_FUND']);

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
