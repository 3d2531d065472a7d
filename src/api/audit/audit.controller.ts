import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { Staff } from '../auth/access.decorator';
import type { StringField } from '../http/body-schema';
import type { RouteDoc } from '../http/openapi';
import { HttpProblem } from '../http/problem';
import { PAGE_LIMITS, PAGE_LIMIT_SCHEMA, parseLimit } from '../http/query-params';
import { validateParam } from '../http/validate-body';
import { ReadLogQuery, ReadStreamEventsQuery, StreamStateQuery, VerifyLogQuery } from './audit.queries';
import { LOG_PAGE_SCHEMA, STREAM_PAGE_SCHEMA, STREAM_STATE_SCHEMA, VERIFY_REPORT_SCHEMA } from './audit.schemas';

/**
 * Every stream name the product writes: wallet-<uuid>, position-<uuid>-<fund>, idempotency-<sha256>, calendar, …;
 * the longest, idempotency-step-<sha256>, has 81 characters. Fastify's router refuses a path parameter over 100
 * characters (414) before this rule is read, so the rule stops there too.
 */
const STREAM_PARAM: StringField = { kind: 'string', minLength: 1, maxLength: 100, pattern: /^[A-Za-z0-9._:-]+$/, patternDescription: 'letters, digits and . _ : -' };
const STREAM_TOO_LONG = { description: 'URI_TOO_LONG: a stream name over 100 characters, refused by the router before it is read' };
/** Up to 18 digits: beyond any log, and within the signed 64-bit integers both stores keep. */
const COUNT = /^(0|[1-9][0-9]{0,17})$/;
const LIMIT_QUERY = { description: `1 to ${PAGE_LIMITS.maxLimit}; default ${PAGE_LIMITS.defaultLimit}.`, schema: PAGE_LIMIT_SCHEMA };
const COUNT_SCHEMA = { type: 'string', pattern: COUNT.source };
const STREAM_MISSING = { description: 'NOT_FOUND, field "stream": no such stream in the log' };

export const AUDIT_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/audit/log',
    summary: 'The whole event log in order of position, paged: each event as stored, with its stream hash',
    tag: 'audit',
    roles: ['operator', 'auditor'],
    query: {
      fromPosition: { description: 'The first position of the page (inclusive): `nextPosition` of the previous page; default the start of the log.', schema: COUNT_SCHEMA },
      limit: LIMIT_QUERY,
    },
    responses: { 200: { description: 'one page of the log', schema: LOG_PAGE_SCHEMA } },
  },
  {
    method: 'get',
    path: '/audit/streams/{stream}/events',
    summary: "One stream's events in order of revision, paged",
    tag: 'audit',
    roles: ['operator', 'auditor'],
    params: { stream: STREAM_PARAM },
    query: {
      fromRevision: { description: 'The first revision of the page (inclusive): `nextRevision` of the previous page; default 0.', schema: COUNT_SCHEMA },
      limit: LIMIT_QUERY,
    },
    responses: {
      200: { description: 'one page of the stream', schema: STREAM_PAGE_SCHEMA },
      400: { description: 'INVALID_PARAMETER: fromRevision past the last revision, or malformed' },
      404: STREAM_MISSING,
      414: STREAM_TOO_LONG,
    },
  },
  {
    method: 'get',
    path: '/audit/streams/{stream}/state',
    summary: "The state of a stream's entity at a revision, folded by its decider from the first event",
    description: 'Folded from the events, never from a snapshot. Outcomes of keyed requests recorded in the stream are passed over, as the entity passes them over.',
    tag: 'audit',
    roles: ['operator', 'auditor'],
    params: { stream: STREAM_PARAM },
    query: { revision: { description: 'The last revision folded (inclusive); default the last of the stream.', schema: COUNT_SCHEMA } },
    responses: {
      200: { description: 'the state then', schema: STREAM_STATE_SCHEMA },
      400: { description: 'INVALID_PARAMETER: revision past the last revision, or malformed' },
      404: STREAM_MISSING,
      414: STREAM_TOO_LONG,
      422: { description: 'NO_ENTITY, field "stream": no entity folds the stream (forecast-…, idempotency-…); read its events' },
    },
  },
  {
    method: 'get',
    path: '/audit/verify',
    summary: 'Verify the whole log: every hash chain, the log chain, keyed checkpoints, every snapshot against its fold',
    description:
      'The report `ifw audit verify --json` prints. It reads every event, so it takes time on a large log; one runs at a time in a server. ' +
      'A large log is better verified with `ifw audit verify` against the store itself.',
    tag: 'audit',
    roles: ['operator', 'auditor'],
    responses: {
      200: { description: 'the report; ok is false, with the breaks, when the log is damaged', schema: VERIFY_REPORT_SCHEMA },
      503: { description: 'VERIFICATION_RUNNING: another verification is under way; retry after Retry-After seconds' },
    },
  },
];

/** Replay for auditors: the log and its streams as stored, an entity's state at any revision, and the log's verification. */
@Controller('audit')
export class AuditController {
  constructor(private readonly queries: QueryBus) {}

  @Get('log')
  @Staff('operator', 'auditor')
  log(@Query() query: Record<string, unknown>) {
    return this.queries.execute(new ReadLogQuery(parseCount('fromPosition', query.fromPosition), parseLimit(query.limit)));
  }

  @Get('streams/:stream/events')
  @Staff('operator', 'auditor')
  streamEvents(@Param('stream') stream: string, @Query() query: Record<string, unknown>) {
    return this.queries.execute(new ReadStreamEventsQuery(validateParam('stream', STREAM_PARAM, stream), parseCount('fromRevision', query.fromRevision), parseLimit(query.limit)));
  }

  @Get('streams/:stream/state')
  @Staff('operator', 'auditor')
  streamState(@Param('stream') stream: string, @Query() query: Record<string, unknown>) {
    return this.queries.execute(new StreamStateQuery(validateParam('stream', STREAM_PARAM, stream), parseCount('revision', query.revision)));
  }

  @Get('verify')
  @Staff('operator', 'auditor')
  verify() {
    return this.queries.execute(new VerifyLogQuery());
  }
}

/** A position or revision given once as a non-negative integer, or absent. */
function parseCount(name: string, value: unknown): bigint | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !COUNT.test(value)) {
    throw new HttpProblem(400, `${name} must be given once, as a non-negative integer such as "120", not ${JSON.stringify(value).slice(0, 40)}`, { code: 'INVALID_PARAMETER', field: name });
  }
  return BigInt(value);
}
