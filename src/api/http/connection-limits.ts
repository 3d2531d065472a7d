import type { FastifyServerOptions } from 'fastify';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { HttpProblem } from './problem';
import { rawProblemResponse } from './problem-details.filter';

/**
 * How long a client may take to send a request, how long an idle keep-alive connection stays open, and how
 * many connections are served at once. Without them, a few hundred clients that open a connection and never
 * finish their headers or body hold sockets (and memory) for as long as they like.
 */
export interface ConnectionLimits {
  /** From the first byte to the end of the headers; past it the server answers 408 and closes. */
  headersTimeoutMs: number;
  /** From the first byte to the end of the body. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** How often Node looks for requests past their timeouts, so a timeout fires at most this late. */
  timeoutCheckIntervalMs: number;
  /** Connections open at once; one more is answered 503 with Retry-After and closed. */
  maxConnections: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  // Longer than clients keep an idle connection (undici: 4 s; load balancers: 60 s), so the server is never the
  // side that closes a connection a client is just reusing, a race the client sees as a reset.
  keepAliveTimeoutMs: 65_000,
  timeoutCheckIntervalMs: 1_000,
  maxConnections: 1_024,
};

/**
 * Fastify's options for the limits. The wait for an answer is not among them: a request fully received is
 * bounded by the waits of the route it reached (a read's IFW_READ_WAIT_MS, a day close's own bound).
 */
export function connectionOptions(limits: ConnectionLimits): Pick<FastifyServerOptions, 'requestTimeout' | 'keepAliveTimeout' | 'connectionTimeout'> & { http: Record<string, number> } {
  return {
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionTimeout: 0,
    http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: limits.timeoutCheckIntervalMs },
  };
}

const RETRY_AFTER_S = 1;

/** Answers a connection past the cap with 503 before reading anything from it, and closes it. */
export function capConnections(server: Server, maxConnections: number): void {
  let open = 0;
  const busy = busyResponse(maxConnections);
  server.on('connection', (socket: Socket) => {
    open++;
    socket.once('close', () => open--);
    if (open > maxConnections) socket.end(busy);
  });
}

function busyResponse(maxConnections: number): string {
  const problem = new HttpProblem(503, `the server has ${maxConnections} connections open, its limit; retry after ${RETRY_AFTER_S} s`, {
    code: 'SERVICE_UNAVAILABLE',
    headers: { 'Retry-After': String(RETRY_AFTER_S) },
  });
  return rawProblemResponse(problem, 'Service Unavailable');
}
