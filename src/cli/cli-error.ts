/** A mistake in how the command was called: printed with the usage hint, exit status 2. */
export class UsageError extends Error {
  readonly code = 'USAGE';
}

export const EXIT = { ok: 0, failure: 1, usage: 2, auditFailed: 3 } as const;
