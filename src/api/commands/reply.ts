import type { FastifyReply } from 'fastify';

/** Sends a command's body with the status the command decided (201 for a creation, 200 otherwise). */
export function reply<Body>(response: FastifyReply, result: { status: number; body: Body }): Body {
  response.status(result.status);
  return result.body;
}
