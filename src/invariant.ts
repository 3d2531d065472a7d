/**
 * A broken invariant means the code is wrong, not the input: it is never caught and turned into a 4xx.
 * Production code asserts where an invariant can break (TigerBeetle's habit) instead of trusting tests alone.
 */
export class InvariantViolation extends Error {
  readonly code = 'INVARIANT_VIOLATION';
}

export function invariant(condition: boolean, message: string | (() => string)): asserts condition {
  if (!condition) throw new InvariantViolation(typeof message === 'string' ? message : message());
}
