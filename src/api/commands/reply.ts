import type { FastifyReply } from 'fastify';
import { canonicalJson } from '../../eventstore';
import { REPLAYED_HEADERS } from './idempotency-claims';

/**
 * Sends a command's body with the status the command decided (201 for a creation, 200 otherwise). Its keys go
 * in sorted order, the order the log keeps a recorded answer in, so an answer replayed under an
 * Idempotency-Key is the first answer byte for byte; a header says it is a replay.
 */
export function reply<Body>(response: FastifyReply, result: { status: number; body: Body; replayed?: true }): Body {
  response.status(result.status);
  if (result.replayed) response.headers(REPLAYED_HEADERS);
  return JSON.parse(canonicalJson(result.body)) as Body;
}
