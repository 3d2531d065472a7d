import { Body, Controller, Get, Inject, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  type DeployedModel,
  InvalidEngineInputError,
  ModelRejectedError,
  type InstanceState,
  type InstanceSummary,
  type InstanceView,
  InstanceNotRunningError,
  NothingToRetryError,
  OperateRequiredError,
  type ProcessEngine,
  UnknownInstanceError,
} from '../../processes/engine';
import { Staff } from '../auth/access.decorator';
import { HttpProblem } from '../http/problem';
import type { JsonSchema, RouteDoc } from '../http/openapi';
import { PAGE_LIMITS, PAGE_LIMIT_SCHEMA, parseChoice, parseLimit } from '../http/query-params';
import { defineBody } from '../http/body-schema';
import { validateBody, validateParam } from '../http/validate-body';
import { PRODUCT_PROCESSES, processesOf } from './process-models';
import { walletProcessKeyPrefix } from './wallet-process-keys';
import { PROCESS_ENGINE } from './process-engine.token';

const STATES: readonly InstanceState[] = ['active', 'completed', 'incident', 'terminated'];
const PROCESS_ID = /^[A-Za-z0-9:._-]{1,100}$/;
const PROCESS_ID_PARAM = { kind: 'string', minLength: 1, maxLength: 100, pattern: PROCESS_ID, patternDescription: 'letters, digits and : . _ -' } as const;
/** Fastify's router refuses a path parameter over 100 characters before PROCESS_ID is checked. */
const PROCESS_ID_TOO_LONG = { description: 'URI_TOO_LONG: a processId over 100 characters, refused by the router before it is read' };
const MODEL = /^[A-Za-z0-9._-]{1,100}$/;
const TIME: JsonSchema = { type: 'string', format: 'date-time' };
const NULLABLE_TIME: JsonSchema = { ...TIME, nullable: true };
const VARIABLES: JsonSchema = { type: 'object', additionalProperties: true, description: 'The variables, JSON; money as decimal strings.' };

const object = (properties: Record<string, JsonSchema>): JsonSchema => ({ type: 'object', additionalProperties: false, required: Object.keys(properties), properties });

const SUMMARY_PROPERTIES: Record<string, JsonSchema> = {
  processId: { type: 'string' },
  model: { type: 'string', description: 'The BPMN process id of the model, such as fund-switch.' },
  version: { type: 'integer', minimum: 1, description: 'The version of the model the instance runs on, for its whole life.' },
  businessKey: { type: 'string', nullable: true },
  state: { type: 'string', enum: [...STATES] },
  startedAt: TIME,
  endedAt: NULLABLE_TIME,
};

const PROCESS_SCHEMA: JsonSchema = object({
  ...SUMMARY_PROPERTIES,
  currentElements: { type: 'array', items: { type: 'string' }, description: 'The BPMN elements it is at (a task, a wait).' },
  history: { type: 'array', items: object({ elementId: { type: 'string' }, elementType: { type: 'string' }, enteredAt: TIME, leftAt: NULLABLE_TIME }) },
  incidents: {
    type: 'array',
    items: object({
      key: { type: 'string' },
      kind: { type: 'string', enum: ['job-failed', 'unhandled-error', 'expression', 'engine-error'] },
      elementId: { type: 'string' },
      message: { type: 'string' },
      expression: { type: 'string', nullable: true, description: 'The FEEL expression that failed, for an expression incident.' },
      variables: VARIABLES,
      jobKey: { type: 'string', nullable: true },
      createdAt: TIME,
      resolvedAt: NULLABLE_TIME,
    }),
  },
  variables: VARIABLES,
});

const PROCESS_PAGE_SCHEMA: JsonSchema = object({
  items: { type: 'array', items: object(SUMMARY_PROPERTIES) },
  nextCursor: { type: 'string', nullable: true, description: 'Pass back as `cursor` for the next page; null on the last.' },
});

const MODEL_SCHEMA: JsonSchema = object({
  model: { type: 'string', description: 'The BPMN process id.' },
  version: { type: 'integer', minimum: 1 },
  resourceName: { type: 'string', description: 'The file it was deployed as.' },
  deployedAt: TIME,
});
const MODEL_LIST_SCHEMA: JsonSchema = object({ items: { type: 'array', items: MODEL_SCHEMA, description: 'Every version of every model, by model and version.' } });
/** A model's XML in a request: far above the product's models (about 15 KB), below the request body limit. */
const MAX_MODEL_CHARACTERS = 60_000;
const MODEL_BODY = defineBody({
  name: { kind: 'string', minLength: 6, maxLength: 100, pattern: /^[a-z0-9][a-z0-9-]*\.bpmn$/, patternDescription: 'a file name such as "fund-switch.bpmn"' },
  xml: { kind: 'string', minLength: 1, maxLength: MAX_MODEL_CHARACTERS, description: 'The BPMN 2.0 XML in the Zeebe dialect, as Camunda Modeler saves it.' },
});

export const PROCESS_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/processes/models',
    summary: 'Every deployed version of every process model',
    tag: 'processes',
    roles: ['operator', 'auditor'],
    responses: { 200: { description: 'the versions', schema: MODEL_LIST_SCHEMA } },
  },
  {
    method: 'post',
    path: '/processes/models',
    summary: 'Deploy a new version of a process model, live',
    description:
      'The model is parsed and linted (bpmnlint with camunda-compat, Camunda 8.5) and must be one of the product\'s processes, using only task types its workers serve. ' +
      'New instances use it at once; running instances finish on the version they started with. A model unchanged from the latest version deploys nothing and answers that version.',
    tag: 'processes',
    roles: ['operator'],
    body: MODEL_BODY,
    responses: { 201: { description: 'the version deployed', schema: MODEL_SCHEMA }, 422: { description: 'MODEL_REJECTED (naming the file, the element and the rule), UNKNOWN_PROCESS or NO_WORKER' } },
  },
  {
    method: 'get',
    path: '/processes',
    summary: 'Process instances, oldest first, by model, state and wallet',
    tag: 'processes',
    roles: ['operator', 'auditor'],
    query: {
      model: { description: 'Only instances of this model, such as fund-switch.', schema: { type: 'string', pattern: MODEL.source } },
      state: { description: 'Only instances in this state.', schema: { type: 'string', enum: [...STATES] } },
      wallet: { description: "Only instances about this wallet: those whose business key begins with the wallet's id.", schema: { type: 'string', format: 'uuid' } },
      limit: { description: `1 to ${PAGE_LIMITS.maxLimit}; default ${PAGE_LIMITS.defaultLimit}.`, schema: PAGE_LIMIT_SCHEMA },
      cursor: { description: '`nextCursor` of the previous page.', schema: { type: 'string' } },
    },
    responses: { 200: { description: 'one page of instances', schema: PROCESS_PAGE_SCHEMA }, 501: { description: 'OPERATE_REQUIRED: on Zeebe, instances are searched in Operate' } },
  },
  {
    method: 'get',
    path: '/processes/{processId}',
    summary: 'One process instance: its state, where it is, what it went through, its incidents',
    tag: 'processes',
    roles: ['operator', 'auditor'],
    params: { processId: PROCESS_ID_PARAM },
    responses: {
      200: { description: 'the instance', schema: PROCESS_SCHEMA },
      404: { description: 'no such instance' },
      414: PROCESS_ID_TOO_LONG,
      501: { description: 'OPERATE_REQUIRED: on Zeebe, instance state is read from Operate' },
    },
  },
  {
    method: 'post',
    path: '/processes/{processId}/retry',
    summary: 'Resolve the incidents of an instance and run its failed step again',
    tag: 'processes',
    roles: ['operator'],
    params: { processId: PROCESS_ID_PARAM },
    responses: {
      200: { description: 'the instance after the retry began', schema: PROCESS_SCHEMA },
      404: { description: 'no such instance' },
      409: { description: 'NOTHING_TO_RETRY: it has no open incident' },
      414: PROCESS_ID_TOO_LONG,
    },
  },
];

/** The operations view of the process engine: follow a fund switch, see an incident, retry it. */
@Controller('processes')
export class ProcessesController {
  constructor(@Inject(PROCESS_ENGINE) private readonly engine: ProcessEngine) {}

  @Get()
  @Staff('operator', 'auditor')
  async list(@Query() query: Record<string, unknown>) {
    const model = optionalMatching('model', query.model, MODEL);
    const state = parseChoice('state', query.state, STATES);
    const limit = parseLimit(query.limit);
    const cursor = optionalMatching('cursor', query.cursor, /^[0-9]{1,16}$/);
    const walletId = query.wallet === undefined ? undefined : validateParam('wallet', 'id', query.wallet);
    const page = await this.engine
      .instances({ limit, ...(model && { bpmnProcessId: model }), ...(state && { state }), ...(walletId && { businessKeyPrefix: walletProcessKeyPrefix(walletId) }), ...(cursor && { after: cursor }) })
      .catch((error: unknown) => {
        // Every other input was checked above: what the engine still refuses is a cursor it never gave.
        if (error instanceof InvalidEngineInputError) throw new HttpProblem(400, error.message, { code: 'INVALID_PARAMETER', field: 'cursor' });
        throw engineProblem(error, '');
      });
    return { items: page.instances.map(summaryBody), nextCursor: page.next ?? null };
  }

  @Get('models')
  @Staff('operator', 'auditor')
  async models() {
    return { items: (await this.engine.models()).map(modelBody) };
  }

  @Post('models')
  @Staff('operator')
  async deploy(@Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    const { name, xml } = validateBody(MODEL_BODY, body);
    await requireProductModel(name, xml);
    try {
      const [deployed] = await this.engine.deploy([{ name, xml }]);
      response.status(201);
      return modelBody(deployed!);
    } catch (error) {
      if (error instanceof ModelRejectedError) {
        throw new HttpProblem(422, error.message, { code: error.code, extensions: { resourceName: error.resourceName, problems: error.problems.map((p) => ({ elementId: p.elementId ?? null, rule: p.rule, message: p.message })) } });
      }
      throw engineProblem(error, '');
    }
  }

  @Get(':processId')
  @Staff('operator', 'auditor')
  async view(@Param('processId') processId: string) {
    const view = await this.engine.instance(requireMatching('processId', processId, PROCESS_ID)).catch((error: unknown) => {
      throw engineProblem(error, processId);
    });
    if (!view) throw HttpProblem.notFound(`no process instance ${processId}`);
    return viewBody(view);
  }

  @Post(':processId/retry')
  @Staff('operator')
  async retry(@Param('processId') processId: string) {
    const id = requireMatching('processId', processId, PROCESS_ID);
    try {
      await this.engine.retry(id);
    } catch (error) {
      throw engineProblem(error, id);
    }
    return viewBody((await this.engine.instance(id))!);
  }
}

/** A model for a process the product does not run, or with a task no worker serves, would never complete. */
async function requireProductModel(name: string, xml: string): Promise<void> {
  // A model that does not parse is left to the engine's deploy, which names the file and the element.
  for (const { processId, taskTypes } of (await processesOf(xml)) ?? []) {
    const served = PRODUCT_PROCESSES.get(processId);
    if (!served) {
      throw new HttpProblem(422, `${name}: the model's process "${processId}" is not one the product runs (${[...PRODUCT_PROCESSES.keys()].join(', ')})`, { code: 'UNKNOWN_PROCESS', field: 'xml' });
    }
    const unserved = taskTypes.filter((type) => !served.includes(type));
    if (unserved.length > 0) {
      throw new HttpProblem(422, `${name}: no worker serves the task type ${unserved.map((t) => `"${t}"`).join(', ')}; the workers of ${processId} serve ${served.join(', ')}`, { code: 'NO_WORKER', field: 'xml' });
    }
  }
}

function modelBody(model: DeployedModel) {
  return { model: model.bpmnProcessId, version: model.version, resourceName: model.resourceName, deployedAt: model.deployedAt.toISOString() };
}

function engineProblem(error: unknown, processId: string): unknown {
  if (error instanceof OperateRequiredError) return new HttpProblem(501, error.message, { code: error.code });
  if (error instanceof UnknownInstanceError) return HttpProblem.notFound(`no process instance ${processId}`);
  if (error instanceof NothingToRetryError || error instanceof InstanceNotRunningError) return HttpProblem.conflict(error.message, 'NOTHING_TO_RETRY');
  return error;
}

function optionalMatching(name: string, value: unknown, pattern: RegExp): string | undefined {
  return value === undefined ? undefined : requireMatching(name, value, pattern);
}

function requireMatching(name: string, value: unknown, pattern: RegExp): string {
  if (typeof value !== 'string' || !pattern.test(value)) throw new HttpProblem(400, `${name} must match ${pattern.source}`, { code: 'INVALID_PARAMETER', field: name });
  return value;
}

function summaryBody(summary: InstanceSummary) {
  return {
    processId: summary.instanceId,
    model: summary.bpmnProcessId,
    version: summary.version,
    businessKey: summary.businessKey ?? null,
    state: summary.state,
    startedAt: summary.startedAt.toISOString(),
    endedAt: summary.endedAt?.toISOString() ?? null,
  };
}

function viewBody(view: InstanceView) {
  return {
    ...summaryBody(view),
    currentElements: view.currentElements,
    history: view.history.map((entry) => ({ elementId: entry.elementId, elementType: entry.elementType, enteredAt: entry.enteredAt.toISOString(), leftAt: entry.leftAt?.toISOString() ?? null })),
    incidents: view.incidents.map((incident) => ({
      key: incident.key,
      kind: incident.kind,
      elementId: incident.elementId,
      message: incident.message,
      expression: incident.expression ?? null,
      variables: incident.variables,
      jobKey: incident.jobKey ?? null,
      createdAt: incident.createdAt.toISOString(),
      resolvedAt: incident.resolvedAt?.toISOString() ?? null,
    })),
    variables: view.variables,
  };
}
