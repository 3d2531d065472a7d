import type { BodySchema, FieldSpec } from './body-schema';
import type { ParamSpec } from './validate-body';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE } from './problem';

/** One operation of the API as the document shows it; feature modules contribute these to one table. */
export interface RouteDoc {
  method: 'get' | 'post' | 'delete';
  /** OpenAPI style: '/wallets/{walletId}/deposits'. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** Roles allowed to call it; an empty list means no authentication is needed. */
  roles: string[];
  /** Path parameters' rules; a parameter left out is documented as a plain string. */
  params?: Record<string, ParamSpec>;
  body?: BodySchema;
  /** Query parameters and their schemas. */
  query?: Record<string, { description: string; schema: JsonSchema }>;
  /** Documents the Idempotency-Key header that makes a retried POST safe. */
  idempotent?: boolean;
  /**
   * The read models a GET answers from: it then accepts `?minPosition=` and waits, bounded, for them to reach
   * that position (a write's `position`), else answers 503 with Retry-After.
   */
  readsProjections?: readonly string[];
  responses: { [status: number]: RouteResponse };
}

/** `contentType` is for the rare success answered in something other than JSON; it defaults to application/json. */
export interface RouteResponse {
  description: string;
  example?: unknown;
  schema?: JsonSchema;
  contentType?: string;
}

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

export type JsonSchema = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: '3.0.3';
  info: OpenApiInfo;
  tags: { name: string }[];
  paths: Record<string, Record<string, unknown>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, JsonSchema>; responses: Record<string, unknown> };
}

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

/** Builds the document from the route table; pure, so a test can check it without starting a server. */
export function buildOpenApiDocument(routes: readonly RouteDoc[], info: OpenApiInfo): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  const tags = new Set<string>();
  for (const route of routes) {
    tags.add(route.tag);
    const operations = (paths[route.path] ??= {});
    if (operations[route.method]) throw new Error(`the route table has ${route.method.toUpperCase()} ${route.path} twice`);
    operations[route.method] = operationOf(route);
  }
  return {
    openapi: '3.0.3',
    info,
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key; the key decides the role (customer, merchant, operator, auditor, compliance).' },
      },
      schemas: { Problem: PROBLEM_SCHEMA },
      responses: {
        BadRequest: problemResponse('The input broke a rule; `field` names the field at fault (null when the body as a whole is).'),
        Unauthorized: problemResponse('No valid bearer key was sent.'),
        Forbidden: problemResponse("The key's role may not do this, or not on this wallet."),
        ProjectionBehind: problemResponse('The read models had not reached `minPosition` within the wait (IFW_READ_WAIT_MS); retry after Retry-After seconds.'),
        UnprocessableEntity: problemResponse('A business rule refused the request, or an Idempotency-Key was reused with a different body; `code` says which.'),
        UriTooLong: problemResponse('A path parameter longer than 100 characters once percent-encoded: the router refuses it before any route reads it.'),
        NotYet: problemResponse('A refusal whose cause passes (an income not yet published, a close still running): not recorded under the Idempotency-Key, so the same request may be sent again later.'),
      },
    },
  };
}

function operationOf(route: RouteDoc): Record<string, unknown> {
  const parameters: unknown[] = pathParameterNames(route.path).map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: route.params?.[name] ? jsonSchemaOfField(paramField(route.params[name])) : { type: 'string' },
  }));
  for (const [name, { description, schema }] of Object.entries(route.query ?? {})) parameters.push({ name, in: 'query', required: false, description, schema });
  if (route.readsProjections) {
    parameters.push({
      name: 'minPosition',
      in: 'query',
      required: false,
      description: `Wait until the read models behind this answer (${route.readsProjections.join(', ')}) include the write at this event store position (the \`position\` of a write's response); 503 with Retry-After when they do not within the wait, 400 at once for a position past the end of the log.`,
      schema: { type: 'string', pattern: '^(0|[1-9][0-9]{0,19})$' },
    });
  }
  if (route.idempotent) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'Any unique string (a UUID is best). Repeating it with the same body returns the first response without a second effect, with the header `Idempotent-Replayed: true`; with a different body, 422.',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    });
  }
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(route.responses)) {
    responses[status] = Number(status) >= 400 ? problemResponse(response.description, response.example) : successResponse(response);
  }
  if (route.readsProjections) responses['503'] ??= { $ref: '#/components/responses/ProjectionBehind' };
  if (route.path.includes('{')) responses['414'] ??= { $ref: '#/components/responses/UriTooLong' };
  if ((route.body || parameters.length > 0) && !responses['400']) responses['400'] = { $ref: '#/components/responses/BadRequest' };
  if (route.roles.length > 0) {
    responses['401'] ??= { $ref: '#/components/responses/Unauthorized' };
    responses['403'] ??= { $ref: '#/components/responses/Forbidden' };
  }
  if (route.idempotent) {
    responses['409'] ??= { $ref: '#/components/responses/NotYet' };
    responses['422'] ??= { $ref: '#/components/responses/UnprocessableEntity' };
  }
  const rolesLine = route.roles.length > 0 ? `Roles: ${route.roles.join(', ')}.` : 'No authentication.';
  return {
    operationId: operationIdOf(route),
    summary: route.summary,
    description: route.description ? `${route.description}\n\n${rolesLine}` : rolesLine,
    tags: [route.tag],
    ...(route.roles.length > 0 ? { security: [{ bearer: [] }], 'x-roles': route.roles } : { security: [] }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchemaOfBody(route.body) } } } } : {}),
    responses,
  };
}

/** The JSON Schema (OpenAPI 3.0 dialect) of a body schema. */
export function jsonSchemaOfBody(body: BodySchema): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, field] of Object.entries(body)) {
    properties[name] = jsonSchemaOfField(field);
    if (!field.optional) required.push(name);
  }
  return { type: 'object', additionalProperties: false, ...(required.length > 0 ? { required } : {}), properties };
}

// These patterns document the format; the domain's parseAmount and parsePerTenK remain the authority.
const AMOUNT_PATTERN = '^(0|[1-9][0-9]{0,13})(\\.[0-9]{1,2})?$';
const PER_TEN_K_PATTERN = '^-?(0|[1-9][0-9]{0,3})(\\.[0-9]{1,4})?$';

function jsonSchemaOfField(field: FieldSpec): JsonSchema {
  const described = (schema: JsonSchema, fallback: string): JsonSchema => ({ ...schema, description: field.description ?? fallback });
  switch (field.kind) {
    case 'list':
      return described({ type: 'array', minItems: field.minItems, maxItems: field.maxItems, items: jsonSchemaOfBody(field.item) }, `${field.minItems} to ${field.maxItems} objects.`);
    case 'amount':
      return described(
        { type: 'string', pattern: AMOUNT_PATTERN, example: field.example ?? '1234.56' },
        'CNY as a decimal string with at most 2 decimals, greater than 0 and at most 10000000000000.00.',
      );
    case 'perTenK':
      return described(
        { type: 'string', pattern: PER_TEN_K_PATTERN, example: field.example ?? '0.6543' },
        'Income per 10,000 shares in CNY as a decimal string with at most 4 decimals; may be negative.',
      );
    case 'isoDate':
      return described({ type: 'string', format: 'date', example: field.example ?? '2026-01-05' }, 'A calendar date, YYYY-MM-DD.');
    case 'id':
      return described({ type: 'string', format: 'uuid' }, 'A UUID.');
    case 'enum':
      return described({ type: 'string', enum: [...field.values] }, `One of ${field.values.join(', ')}.`);
    case 'boolean':
      return described({ type: 'boolean' }, 'true or false.');
    case 'choices':
      return described(
        { type: 'array', minItems: field.minItems, maxItems: field.values.length, uniqueItems: true, items: { type: 'string', enum: [...field.values] } },
        `Distinct values among ${field.values.join(', ')}.`,
      );
    case 'string':
      return described(
        {
          type: 'string',
          minLength: field.minLength,
          maxLength: field.maxLength,
          ...(field.pattern ? { pattern: field.pattern.source } : {}),
          ...(field.example !== undefined ? { example: field.example } : {}),
        },
        field.patternDescription ? `${field.minLength} to ${field.maxLength} characters: ${field.patternDescription}.` : `${field.minLength} to ${field.maxLength} characters.`,
      );
  }
}

function paramField(spec: ParamSpec): FieldSpec {
  return typeof spec === 'string' ? { kind: spec } : spec;
}

function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
}

/** 'post' + '/wallets/{walletId}/deposits' → 'postWalletsByWalletIdDeposits': unique per route, stable. */
function operationIdOf(route: RouteDoc): string {
  const words = route.path
    .split('/')
    .filter(Boolean)
    .map((segment) => (segment.startsWith('{') ? `By-${segment.slice(1, -1)}` : segment))
    .flatMap((segment) => segment.split(/[^A-Za-z0-9]+/))
    .filter(Boolean);
  return route.method + words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
}

function successResponse({ description, example, schema, contentType = 'application/json' }: RouteResponse): Record<string, unknown> {
  if (example === undefined && schema === undefined) return { description };
  return { description, content: { [contentType]: { ...(schema ? { schema } : {}), ...(example === undefined ? {} : { example }) } } };
}

function problemResponse(description: string, example?: unknown): Record<string, unknown> {
  return { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: PROBLEM_REF, ...(example === undefined ? {} : { example }) } } };
}

const PROBLEM_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'An RFC 9457 problem. Members beyond these are extensions that depend on the code.',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', format: 'uri', description: `${PROBLEM_TYPE_BASE}<code>`, example: `${PROBLEM_TYPE_BASE}INSUFFICIENT_FUNDS` },
    title: { type: 'string', example: 'Insufficient funds' },
    status: { type: 'integer', example: 422 },
    detail: { type: 'string', example: 'the wallet holds 12.00 CNY, less than the 50.00 asked for' },
    code: { type: 'string', description: 'Stable machine-readable code.', example: 'INSUFFICIENT_FUNDS' },
    field: { type: 'string', nullable: true, description: 'The request field at fault (400 only); null when the whole body is.' },
  },
  additionalProperties: true,
};
