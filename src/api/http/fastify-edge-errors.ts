import type { FastifyServerOptions } from 'fastify';
import type { Socket } from 'node:net';
import { HttpProblem, PROBLEM_CONTENT_TYPE } from './problem';
import { renderProblem } from './problem-details.filter';

/**
 * Errors Fastify meets before a route is chosen (a malformed URL) or before a request is even parsed
 * (headers too large) never reach Nest's exception filter; these options answer them with the same RFC 9457
 * documents as everything else.
 */
export const FASTIFY_EDGE_ERRORS: Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler'> = {
  frameworkErrors(error, _request, reply) {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
    const body = JSON.stringify(renderProblem(new HttpProblem(status, `the request could not be read: ${error.message}`)));
    // The reply's generics come from route schemas; this handler runs before any route is chosen.
    (reply as unknown as { status(code: number): { type(t: string): { send(b: string): void } } }).status(status).type(PROBLEM_CONTENT_TYPE).send(body);
  },
  clientErrorHandler(error: Error & { code?: string }, socket: Socket) {
    if (!socket.writable) return;
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const detail = tooLarge ? 'the request headers are larger than 16 KiB' : 'the request is not valid HTTP';
    const body = JSON.stringify(renderProblem(new HttpProblem(status, detail)));
    const reason = tooLarge ? 'Request Header Fields Too Large' : 'Bad Request';
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  },
};
