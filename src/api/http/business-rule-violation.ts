/**
 * What the HTTP edge needs from a domain refusal (insufficient funds, instant cap reached). It is matched by
 * shape, not by class, so the edge does not depend on the domain and the domain does not depend on HTTP:
 * the domain's DomainError carries `kind = 'business-rule'`.
 */
export interface BusinessRuleViolation {
  readonly kind: 'business-rule';
  readonly code: string;
  readonly message: string;
  readonly details?: Record<string, unknown>;
  /** False for a refusal whose cause passes ("not yet"): answered 409 rather than 422. */
  readonly final?: boolean;
}

export function isBusinessRuleViolation(error: unknown): error is BusinessRuleViolation {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as Record<string, unknown>;
  return (
    candidate.kind === 'business-rule' &&
    typeof candidate.code === 'string' &&
    candidate.code.length > 0 &&
    typeof candidate.message === 'string' &&
    (candidate.details === undefined || isPlainRecord(candidate.details))
  );
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A domain "no such wallet or fund", matched by shape as refusals are: the edge answers 404. */
export function isNotFound(error: unknown): error is { kind: 'not-found'; message: string } {
  return typeof error === 'object' && error !== null && (error as Record<string, unknown>).kind === 'not-found' && typeof (error as Record<string, unknown>).message === 'string';
}
