import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import type { AuthenticatedRequest } from '../auth/auth.guard';
import { describePrincipal } from '../auth/principal';
import type { Metrics } from '../metrics/metrics';

/** What a client may send as X-Correlation-Id: short, and nothing a log line could be forged with. */
export const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Every request's id: the client's X-Correlation-Id when it is a valid one, else a new UUID. The commands it
 * sends record it as their correlation id, the access log prints it, and the answer carries it back.
 */
export function correlationIdOf(request: IncomingMessage): string {
  const header = request.headers['x-correlation-id'];
  return typeof header === 'string' && CORRELATION_ID.test(header) ? header : randomUUID();
}

/** One line per answered request. Paths without their query (a name searched for is personal), never a header or a body. */
export interface AccessLine {
  time: string;
  correlationId: string;
  method: string;
  path: string;
  route: string;
  status: number;
  ms: number;
  principal: string | null;
}

/** JSON lines for machines, on the application's pino log (its own time stamp); on a terminal, one short line a person reads. */
export function accessLogWriter(json: Logger | undefined, write: (line: string) => void): (line: AccessLine) => void {
  if (json) return ({ correlationId, method, path, route, status, ms, principal }) => json.info({ correlationId, method, path, route, status, ms, principal }, 'request');
  return (line) => write(`${line.time.slice(11, 23)} ${line.status} ${line.method} ${line.path} ${line.ms.toFixed(1)} ms ${line.principal ?? '-'} ${line.correlationId}\n`);
}

/** Times every answer into the metrics and, when given a writer, logs it. */
export function useAccessLog(app: NestFastifyApplication, metrics: Metrics, log: ((line: AccessLine) => void) | undefined): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply) => {
    void reply.header('x-correlation-id', request.id);
  });
  fastify.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequestSeconds.observe({ method: request.method, route, status: `${Math.floor(reply.statusCode / 100)}xx` }, reply.elapsedTime / 1000);
    if (!log) return;
    const principal = (request as AuthenticatedRequest).principal;
    log({
      time: new Date().toISOString(),
      correlationId: request.id,
      method: request.method,
      path: request.url.split('?')[0]!,
      route,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
      principal: principal ? describePrincipal(principal) : null,
    });
  });
}
