import { type ExecutionContext, createParamDecorator } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../eventstore';
import { CORRELATION_ID } from '../http/access-log';
import { HttpProblem } from '../http/problem';
import type { AuthenticatedRequest } from '../auth/auth.guard';
import { describePrincipal } from '../auth/principal';
import type { CommandContext } from './command-context';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Builds the CommandContext of a request that the AuthGuard has already authenticated. */
export const Command = createParamDecorator((_: unknown, execution: ExecutionContext): CommandContext => {
  const request = execution.switchToHttp().getRequest<AuthenticatedRequest>();
  const principal = request.principal!;
  const correlationHeader = request.headers['x-correlation-id'];
  if (correlationHeader !== undefined && (typeof correlationHeader !== 'string' || !CORRELATION_ID.test(correlationHeader))) {
    throw HttpProblem.badRequest('X-Correlation-Id', 'X-Correlation-Id must be 1 to 128 letters, digits or . _ : -');
  }
  // The request's id is the header when valid (access-log.ts), so the log line and the events share it.
  const context: CommandContext = { principal, correlationId: request.id };
  const key = request.headers['idempotency-key'];
  if (key === undefined) return context;
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
    throw HttpProblem.badRequest('Idempotency-Key', 'Idempotency-Key must be 1 to 255 visible ASCII characters');
  }
  const scope = createHash('sha256').update(`${describePrincipal(principal)}\n${key}`).digest('hex');
  const requestHash = createHash('sha256').update(`${request.method} ${request.url}\n${bodyText(request.body)}`).digest('hex');
  return { ...context, idempotency: { stream: `idempotency-${scope}`, requestHash } };
});

/**
 * The body as hashed for idempotency: canonical JSON, so key order does not matter. A body JSON cannot
 * carry back (1e400 parses to Infinity) is hashed as best it can be; validation refuses it with a 400
 * naming the field before anything is recorded.
 */
function bodyText(body: unknown): string {
  try {
    return canonicalJson(body ?? null);
  } catch {
    return String(body);
  }
}
