import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  EventStoreError,
  InvalidEventError,
  LimitExceededError,
  PayloadTooLargeError,
  STORE_FAILURE_WORDS,
  StoreClosedError,
  StoreUnavailableError,
  WrongExpectedRevisionError,
} from '../../eventstore';
import { EngineAtCapacityError, EngineClosedError } from '../../processes/engine';
import { InvalidCursorError } from '../../projections/page-cursor';
import { PositionPastLogEndError, ProjectionBehindError, ProjectionBusyError } from '../../projections/read-models';
import { TransfersBehindError } from '../processes/transfer-processes';
import { isBusinessRuleViolation, isNotFound } from './business-rule-violation';
import { codeForStatus, HttpProblem, PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE } from './problem';
import { RecordedRefusal, REPLAYED_HEADERS } from '../commands/idempotency-claims';
import { KeyQueueFullError } from '../commands/keyed-mutex';

/** A disk freed or a server back takes a while: clients retry after this many seconds. */
const STORE_RETRY_AFTER_S = 5;

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  field?: string | null;
  [extension: string]: unknown;
}

/**
 * Turns every error that leaves a route (or Fastify's body parsing, or the not-found handler) into an RFC
 * 9457 problem. Client faults keep their detail; server faults are logged here and answered with nothing
 * but "internal error", because messages of unexpected errors can hold paths, SQL or stream names.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    // Only HTTP has a reply to write; other transports keep Nest's own handling.
    if (host.getType() !== 'http') throw exception;
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const problem = this.toProblem(exception);
    if (reply.sent) {
      this.logger.error(`an error was raised after the response was sent: ${describe(exception)}`);
      return;
    }
    void sendProblem(reply, problem);
  }

  private toProblem(exception: unknown): HttpProblem {
    if (exception instanceof HttpProblem) return exception;
    if (isBusinessRuleViolation(exception)) {
      // A refusal that says "not yet" is a conflict with the present state, which a later retry may not meet.
      const status = exception.final === false ? 409 : 422;
      const headers = exception instanceof RecordedRefusal ? REPLAYED_HEADERS : undefined;
      return new HttpProblem(status, exception.message, { code: exception.code, extensions: exception.details, ...(headers && { headers }) });
    }
    if (isNotFound(exception)) return HttpProblem.notFound(exception.message);
    if (exception instanceof HttpException) {
      if (exception.getStatus() >= 500) this.logger.error(`HttpException answered with ${exception.getStatus()}: ${describe(exception)}`, stackOf(exception));
      return fromHttpException(exception);
    }
    if (exception instanceof InvalidCursorError) return new HttpProblem(400, exception.message, { code: 'INVALID_PARAMETER', field: 'cursor' });
    if (exception instanceof KeyQueueFullError) return new HttpProblem(503, exception.message, { code: exception.code, headers: { 'retry-after': '1' } });
    if (exception instanceof EngineAtCapacityError || exception instanceof EngineClosedError) {
      return new HttpProblem(503, 'the process engine is busy: try again in a moment', { code: 'SERVICE_UNAVAILABLE', headers: { 'retry-after': '1' } });
    }
    if (exception instanceof TransfersBehindError) return new HttpProblem(503, exception.message, { code: exception.code, headers: { 'retry-after': '5' } });
    if (exception instanceof PositionPastLogEndError) return new HttpProblem(400, exception.message, { code: exception.code, field: 'minPosition' });
    if (exception instanceof ProjectionBehindError || exception instanceof ProjectionBusyError) {
      return new HttpProblem(503, exception.message, { code: exception.code, headers: { 'retry-after': '1' }, extensions: { projection: exception.projection } });
    }
    if (exception instanceof EventStoreError) {
      const problem = fromEventStoreError(exception);
      if (problem) return problem;
    }
    const fastifyProblem = fromFastifyError(exception);
    if (fastifyProblem) return fastifyProblem;
    this.logger.error(`unexpected error answered with 500: ${describe(exception)}`, stackOf(exception));
    return internalError();
  }
}

/** Answers a problem on a reply: the filter's answer, and that of the hooks that run before Nest does. */
export function sendProblem(reply: FastifyReply, problem: HttpProblem): FastifyReply {
  const headers: Record<string, string> = { ...problem.headers };
  if (problem.status === 401) headers['www-authenticate'] ??= 'Bearer';
  return reply.status(problem.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(renderProblem(problem)));
}

/**
 * A problem as a whole HTTP/1.1 response, for a socket no request was parsed from (a request that is not
 * HTTP, one connection past the cap): the same document and the headers every answer carries.
 */
export function rawProblemResponse(problem: HttpProblem, reason: string): string {
  const body = JSON.stringify(renderProblem(problem));
  const headers = Object.entries(problem.headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return (
    `HTTP/1.1 ${problem.status} ${reason}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headers}` +
    `X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`
  );
}

/** The RFC 9457 document of a problem, as every error response carries it. */
export function renderProblem(problem: HttpProblem): ProblemDocument {
  const code = problem.code;
  // The standard members come last so an extension can never overwrite them.
  const document: ProblemDocument = {
    ...problem.extensions,
    type: PROBLEM_TYPE_BASE + code,
    title: problem.title ?? titleFromCode(code),
    status: problem.status,
    detail: problem.detail,
    code,
  };
  if (problem.field !== undefined) document.field = problem.field;
  return document;
}

/** 'INSUFFICIENT_FUNDS' → 'Insufficient funds': constant per code, as RFC 9457 wants of a title. */
function titleFromCode(code: string): string {
  const words = code.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function fromHttpException(exception: HttpException): HttpProblem {
  const status = exception.getStatus();
  if (status === 500) return internalError();
  if (status > 500) return new HttpProblem(status, 'internal error', { code: codeForStatus(status) });
  // Fastify's own 4xx errors (too large, wrong media type) reach here already turned into HttpExceptions by
  // Nest, which keeps only their status and message; fixed wording avoids echoing Fastify's phrasing.
  return new HttpProblem(status, FIXED_DETAIL[status] ?? messageOf(exception), { code: codeForStatus(status) });
}

const FIXED_DETAIL: Record<number, string> = {
  413: 'the request body is too large',
  415: 'unsupported content type: send the body as application/json',
};

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return exception.message;
}

function fromEventStoreError(error: EventStoreError): HttpProblem | undefined {
  if (error instanceof WrongExpectedRevisionError) {
    // The command layer has already retried; what is left is a genuine race the client may simply repeat.
    return HttpProblem.conflict('the same records were changed by another request at the same time: send the request again', 'CONCURRENCY_CONFLICT');
  }
  if (error instanceof StoreUnavailableError) {
    // The store's own message may name a file; the answer says what the client can do.
    return new HttpProblem(503, `nothing was written: ${STORE_FAILURE_WORDS[error.reason].replace('its', "the ledger's")}; try again later`, {
      code: 'STORE_UNAVAILABLE',
      headers: { 'retry-after': String(STORE_RETRY_AFTER_S) },
    });
  }
  if (error instanceof LimitExceededError || error instanceof StoreClosedError) {
    return new HttpProblem(503, 'the ledger is busy: try again in a moment', { code: 'SERVICE_UNAVAILABLE', headers: { 'retry-after': '1' } });
  }
  if (error instanceof InvalidEventError) return new HttpProblem(400, error.message, { code: 'INVALID_EVENT' });
  if (error instanceof PayloadTooLargeError) return new HttpProblem(413, 'the request would record an event over the size limit', { code: 'PAYLOAD_TOO_LARGE' });
  return undefined;
}

/** Fastify errors that bypassed Nest's mapping still carry `statusCode` and an `FST_…` code. */
function fromFastifyError(error: unknown): HttpProblem | undefined {
  if (!(error instanceof Error)) return undefined;
  const { statusCode, code } = error as Error & { statusCode?: unknown; code?: unknown };
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return undefined;
  if (typeof code !== 'string' || !code.startsWith('FST_')) return undefined;
  if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return HttpProblem.malformedJson();
  return new HttpProblem(statusCode, FIXED_DETAIL[statusCode] ?? error.message, { code: codeForStatus(statusCode) });
}

function internalError(): HttpProblem {
  return new HttpProblem(500, 'internal error', { code: 'INTERNAL_ERROR' });
}

function describe(exception: unknown): string {
  if (exception instanceof Error) return `${exception.name}: ${exception.message}`;
  try {
    return JSON.stringify(exception) ?? String(exception);
  } catch {
    return String(exception);
  }
}

function stackOf(exception: unknown): string | undefined {
  return exception instanceof Error ? exception.stack : undefined;
}
