import type { FastifyReply, FastifyServerOptions } from 'fastify';
import type { Socket } from 'node:net';
import { HttpProblem } from './problem';
import { rawProblemResponse, sendProblem } from './problem-details.filter';

/**
 * Errors Fastify meets before a route is chosen (a malformed URL) or before a request is even parsed
 * (headers too large) never reach Nest's exception filter; these options answer them with the same RFC 9457
 * documents as everything else.
 */
export const FASTIFY_EDGE_ERRORS: Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler'> = {
  frameworkErrors(error, _request, reply) {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
    // The reply's generics come from route schemas; this handler runs before any route is chosen.
    void sendProblem(reply as unknown as FastifyReply, new HttpProblem(status, `the request could not be read: ${error.message}`));
  },
  clientErrorHandler(error: Error & { code?: string }, socket: Socket) {
    if (!socket.writable) return;
    const { status, reason, detail } = CLIENT_ERRORS[error.code ?? ''] ?? NOT_HTTP;
    socket.end(rawProblemResponse(new HttpProblem(status, detail), reason));
  },
};

type ClientError = { status: number; reason: string; detail: string };

const NOT_HTTP: ClientError = { status: 400, reason: 'Bad Request', detail: 'the request is not valid HTTP' };

/** Node's parser and timeout errors that deserve their own answer; any other is a request that is not HTTP. */
const CLIENT_ERRORS: Readonly<Record<string, ClientError>> = {
  HPE_HEADER_OVERFLOW: { status: 431, reason: 'Request Header Fields Too Large', detail: 'the request headers are larger than 16 KiB' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', detail: 'the request, its headers or its body, was not received in time' },
};
