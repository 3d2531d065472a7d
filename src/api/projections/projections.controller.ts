import { Controller, Get, Param, Post, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import { ProjectionCatalog } from '../../projections';
import { Public, Staff } from '../auth/access.decorator';
import { HttpProblem } from '../http/problem';
import type { JsonSchema, RouteDoc } from '../http/openapi';
import { GetProjectionsQuery, GetReadinessQuery, type ProjectionsBody, type ReadinessBody } from './projections.queries';
import { type RebuildJob, RebuildJobs } from './rebuild-jobs';

const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  nullable: true,
  properties: { message: { type: 'string' }, position: { type: 'string', nullable: true, description: 'the event at fault; null for a failed write, which is retried' }, atMs: { type: 'integer' } },
};
const STATUS_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    version: { type: 'integer', description: 'the version served; a rebuild builds the next one beside it' },
    state: { type: 'string', enum: ['standby', 'catching-up', 'live', 'halted'] },
    position: { type: 'string', nullable: true, description: 'position of the last event applied' },
    lagEvents: { type: 'integer' },
    lagMs: { type: 'integer', description: 'age of the oldest event not yet applied; 0 when live' },
    lastError: ERROR_SCHEMA,
    leaseOwner: { type: 'string', nullable: true, description: 'the process writing it, when this one is' },
    eventsApplied: { type: 'integer' },
    rebuild: { type: 'object', nullable: true, description: 'the last rebuild started through this server: state, report with digests' },
  },
};

const REBUILD_STARTED_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'state', 'startedAtMs'],
  properties: {
    name: { type: 'string', description: 'the projection being rebuilt' },
    state: { type: 'string', enum: ['running', 'switched', 'halted', 'failed'], description: 'running when it answers; GET /projections follows it' },
    startedAtMs: { type: 'integer', description: 'when the rebuild started, milliseconds since the Unix epoch' },
  },
};
const READINESS_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ready', 'reasons', 'maxLagMs'],
  properties: {
    ready: { type: 'boolean' },
    reasons: { type: 'array', items: { type: 'string' }, description: 'one sentence per projection holding readiness back; empty when ready' },
    maxLagMs: { type: 'integer', minimum: 0, description: 'the lag a read model may have and still count as ready (IFW_READY_MAX_LAG_MS)' },
  },
};

export const PROJECTION_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/projections',
    summary: 'Every read model: served version, position, lag, state and last error',
    tag: 'operations',
    roles: ['operator', 'auditor'],
    responses: { 200: { description: 'the projections', schema: { type: 'object', properties: { headPosition: { type: 'string' }, projections: { type: 'array', items: STATUS_SCHEMA } } } } },
  },
  {
    method: 'post',
    path: '/projections/{name}/rebuilds',
    summary: 'Rebuild a read model from position 0 beside the served one, then switch to it',
    tag: 'operations',
    roles: ['operator'],
    responses: {
      202: { description: 'started; follow it in GET /projections', schema: REBUILD_STARTED_SCHEMA },
      404: { description: 'no such projection; the problem lists the names' },
      409: { description: 'a rebuild of it is already running' },
    },
  },
  {
    method: 'get',
    path: '/ready',
    summary: 'Readiness: 503 while the event store refuses writes (a full disk, read-only files) or a read model is halted or further behind than IFW_READY_MAX_LAG_MS',
    tag: 'operations',
    roles: [],
    responses: {
      200: { description: 'ready', schema: READINESS_SCHEMA },
      503: { description: 'not ready; `reasons` names each cause: the event store, or a projection' },
    },
  },
];

@Controller()
export class ProjectionsController {
  constructor(
    private readonly queries: QueryBus,
    private readonly jobs: RebuildJobs,
    private readonly catalog: ProjectionCatalog,
  ) {}

  @Get('projections')
  @Staff('operator', 'auditor')
  projections(): Promise<ProjectionsBody> {
    return this.queries.execute(new GetProjectionsQuery());
  }

  @Post('projections/:name/rebuilds')
  @Staff('operator')
  rebuild(@Param('name') name: string, @Res({ passthrough: true }) response: FastifyReply): Pick<RebuildJob, 'name' | 'state' | 'startedAtMs'> {
    if (!this.catalog.definition(name)) throw HttpProblem.notFound(`no projection "${String(name).slice(0, 64)}"; the projections are ${this.catalog.names().join(', ')}`);
    const job = this.jobs.start(name);
    if (!job) throw HttpProblem.conflict(`a rebuild of ${name} is already running; follow it in GET /projections`, 'REBUILD_IN_PROGRESS');
    response.status(202);
    return { name: job.name, state: job.state, startedAtMs: job.startedAtMs };
  }

  @Get('ready')
  @Public()
  async ready(@Res({ passthrough: true }) response: FastifyReply): Promise<ReadinessBody> {
    const body: ReadinessBody = await this.queries.execute(new GetReadinessQuery());
    if (!body.ready) void response.status(503).header('retry-after', '5');
    return body;
  }
}
