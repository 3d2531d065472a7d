import type { DynamicModule, Provider } from '@nestjs/common';
import { AppModule } from '../../../src/api/app.module';
import { defineBody, FUND_CODE_FIELD, NAME_FIELD } from '../../../src/api/http/body-schema';
import { DocsController, OPENAPI_INFO, OPENAPI_ROUTES } from '../../../src/api/http/docs.controller';
import { buildOpenApiDocument, jsonSchemaOfBody, type JsonSchema, type OpenApiInfo, type RouteDoc } from '../../../src/api/http/openapi';
import type { IfwConfig } from '../../../src/config';
import { parsePerTenK } from '../../../src/domain/income-rate';
import { parseAmount } from '../../../src/domain/money';

const info = { title: 'IFW API', version: '0.0.0' };

const SwitchBody = defineBody({
  fromFund: FUND_CODE_FIELD,
  toFund: FUND_CODE_FIELD,
  amount: { kind: 'amount', example: '500.00' },
  mode: { kind: 'enum', values: ['instant', 'standard'] },
  reason: { kind: 'string', minLength: 1, maxLength: 200, optional: true },
});

const routes: RouteDoc[] = [
  {
    method: 'post',
    path: '/wallets/{walletId}/switches',
    summary: 'Switch between funds',
    tag: 'wallets',
    roles: ['customer'],
    params: { walletId: 'id' },
    body: SwitchBody,
    idempotent: true,
    responses: { 202: { description: 'Accepted', example: { switchId: 'x' } } },
  },
  { method: 'get', path: '/wallets/{walletId}', summary: 'Balance', tag: 'wallets', roles: ['customer', 'auditor'], responses: { 200: { description: 'The wallet' } } },
  { method: 'get', path: '/funds/{code}/yields', summary: 'Yields', tag: 'funds', roles: [], params: { code: FUND_CODE_FIELD }, responses: { 200: { description: 'Yields' } } },
];

describe('buildOpenApiDocument', () => {
  const doc = buildOpenApiDocument(routes, info);

  it('has the OpenAPI 3.0.3 skeleton: info, sorted tags, bearer scheme, the Problem schema', () => {
    expect(doc.openapi).toBe('3.0.3');
    expect(doc.info).toEqual(info);
    expect(doc.tags).toEqual([{ name: 'funds' }, { name: 'wallets' }]);
    expect(doc.components.securitySchemes).toEqual({ bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }) });
    expect(doc.components.schemas.Problem).toMatchObject({ required: ['type', 'title', 'status', 'detail', 'code'] });
  });

  it('documents path parameters with their rules and gives each operation a unique id', () => {
    const yields = doc.paths['/funds/{code}/yields']!.get as { parameters: unknown[]; security: unknown[]; operationId: string };
    expect(yields.parameters).toEqual([{ name: 'code', in: 'path', required: true, schema: expect.objectContaining({ type: 'string', pattern: '^[A-Z0-9]{2,12}$' }) }]);
    expect(yields.security).toEqual([]);
    const ids = Object.values(doc.paths).flatMap((operations) => Object.values(operations).map((op) => (op as { operationId: string }).operationId));
    expect(ids).toEqual(['postWalletsByWalletIdSwitches', 'getWalletsByWalletId', 'getFundsByCodeYields']);
  });

  it('puts problem+json on error responses and the example on success ones', () => {
    const post = doc.paths['/wallets/{walletId}/switches']!.post as { responses: Record<string, unknown>; 'x-roles': string[] };
    expect(post.responses['202']).toEqual({ description: 'Accepted', content: { 'application/json': { example: { switchId: 'x' } } } });
    expect(post.responses['422']).toEqual({ $ref: '#/components/responses/UnprocessableEntity' });
    expect(post['x-roles']).toEqual(['customer']);
    const refs = Object.values(doc.components.responses) as { content: Record<string, unknown> }[];
    for (const response of refs) expect(Object.keys(response.content)).toEqual(['application/problem+json']);
  });

  it('converts a body schema to a closed JSON Schema object', () => {
    expect(jsonSchemaOfBody(SwitchBody)).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['fromFund', 'toFund', 'amount', 'mode'],
      properties: {
        amount: { type: 'string', pattern: expect.any(String), example: '500.00' },
        mode: { type: 'string', enum: ['instant', 'standard'] },
        reason: { type: 'string', minLength: 1, maxLength: 200 },
      },
    });
  });

  it('documents money patterns that agree with the parsers that enforce them', () => {
    const schema = jsonSchemaOfBody(defineBody({ amount: { kind: 'amount' }, rate: { kind: 'perTenK' } })) as {
      properties: { amount: { pattern: string }; rate: { pattern: string } };
    };
    const amount = new RegExp(schema.properties.amount.pattern);
    // Zero and the upper bound are rules a pattern cannot say; the description states them instead.
    for (const text of ['1', '0.01', '1234.5', '1234.56', '10000000000000.00', '-1', '1.234', '01.00', '1.', '.5', '1e3', '1,000.00', '']) {
      const parses = (() => {
        try {
          return parseAmount(text) > 0n;
        } catch {
          return false;
        }
      })();
      expect([text, amount.test(text)]).toEqual([text, parses]);
    }
    const rate = new RegExp(schema.properties.rate.pattern);
    for (const text of ['0.6543', '-0.0001', '9999.9999', '0', '0.12345', '10000', '+1', '-']) {
      const parses = (() => {
        try {
          parsePerTenK(text);
          return true;
        } catch {
          return false;
        }
      })();
      expect([text, rate.test(text)]).toEqual([text, parses]);
    }
  });

  it('refuses a route table that names one operation twice', () => {
    expect(() => buildOpenApiDocument([routes[1]!, routes[1]!], info)).toThrow('GET /wallets/{walletId} twice');
  });
});

/** The document the app serves: the route table and info its module tree hands the docs controller. */
function appDocument(): ReturnType<DocsController['openApi']> {
  const app = AppModule.forStores(null as never, null as never, {} as IfwConfig);
  const providers = (app.imports ?? []).flatMap((imported) => ((imported as DynamicModule).providers ?? []) as (Provider & { provide?: unknown; useValue?: unknown })[]);
  const valueOf = <T>(token: symbol): T => {
    const provider = providers.find((candidate) => candidate.provide === token);
    if (!provider) throw new Error(`the app module provides no ${token.toString()}`);
    return provider.useValue as T;
  };
  return new DocsController(valueOf<RouteDoc[]>(OPENAPI_ROUTES), valueOf<OpenApiInfo>(OPENAPI_INFO)).openApi();
}

/** Every schema inside one, with the JSON path it is at, so a failure names the field. */
function* schemasIn(schema: JsonSchema, at: string, depth = 0): Generator<[string, JsonSchema]> {
  if (depth > 32) throw new Error(`${at} nests deeper than 32 levels`);
  yield [at, schema];
  for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) yield* schemasIn(property, `${at}.${name}`, depth + 1);
  if (schema.items) yield* schemasIn(schema.items as JsonSchema, `${at}[]`, depth + 1);
  if (typeof schema.additionalProperties === 'object') yield* schemasIn(schema.additionalProperties as JsonSchema, `${at}.*`, depth + 1);
  for (const keyword of ['allOf', 'oneOf', 'anyOf'] as const) {
    for (const [index, member] of ((schema[keyword] ?? []) as JsonSchema[]).entries()) yield* schemasIn(member, `${at}<${keyword}${index}>`, depth + 1);
  }
}

type OperationDocument = {
  parameters?: { name: string; schema: JsonSchema }[];
  requestBody?: { content: Record<string, { schema?: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
};

describe('NAME_FIELD', () => {
  it('refuses exactly the control characters (Unicode category Cc), in ranges any regex engine reads', () => {
    const disagreements: string[] = [];
    for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
      if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue;
      const character = String.fromCodePoint(codePoint);
      if (NAME_FIELD.pattern!.test(`a${character}`) === /\p{Cc}/u.test(character)) disagreements.push(codePoint.toString(16));
    }
    expect(disagreements).toEqual([]);
    expect(NAME_FIELD.pattern!.test('   ')).toBe(false);
  });
});

describe("the app's OpenAPI document", () => {
  const doc = appDocument();
  const operations = Object.entries(doc.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, responses: (operation as { responses: Record<string, { content?: Record<string, { schema?: JsonSchema }> }> }).responses })),
  );
  const successes = operations.flatMap(({ name, responses }) => Object.entries(responses).filter(([status]) => /^2\d\d$/.test(status)).map(([status, response]) => ({ name: `${name} ${status}`, response })));

  it('documents the write, health and documentation routes, not only the reads', () => {
    const names = operations.map((operation) => operation.name);
    for (const route of ['POST /wallets/{walletId}/deposits', 'POST /funds', 'POST /customers', 'POST /operations/day-close', 'GET /health', 'GET /openapi.json', 'GET /docs']) expect(names).toContain(route);
  });

  it('gives every operation a 2xx response', () => {
    const without = operations.filter(({ responses }) => !Object.keys(responses).some((status) => /^2\d\d$/.test(status))).map((operation) => operation.name);
    expect(without).toEqual([]);
  });

  it('gives every 2xx response a schema, in JSON except the HTML docs page and the Prometheus text of /metrics', () => {
    const described = successes.map(({ name, response }) => {
      const [contentType, media] = Object.entries(response.content ?? {})[0] ?? [];
      return { name, contentType, hasSchema: media?.schema !== undefined };
    });
    const expectedType = (name: string) => (name.startsWith('GET /docs ') ? 'text/html' : name.startsWith('GET /metrics ') ? 'text/plain' : 'application/json');
    expect(described).toEqual(successes.map(({ name }) => ({ name, contentType: expectedType(name), hasSchema: true })));
  });

  it('types every property of every object schema of a 2xx response', () => {
    const untyped = successes.flatMap(({ name, response }) =>
      Object.values(response.content ?? {}).flatMap((media) =>
        [...schemasIn(media.schema ?? {}, name)].flatMap(([at, schema]) =>
          Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)
            .filter(([, property]) => property.type === undefined && property.$ref === undefined)
            .map(([property]) => `${at}.${property}`),
        ),
      ),
    );
    expect(untyped).toEqual([]);
  });

  /** Every schema of an operation: its parameters', its request body's and its responses'. */
  function operationSchemas(name: string, operation: OperationDocument): [string, JsonSchema][] {
    const media = (content: Record<string, { schema?: JsonSchema }> | undefined) => Object.values(content ?? {}).flatMap((entry) => (entry.schema ? [entry.schema] : []));
    const roots: [string, JsonSchema][] = [
      ...(operation.parameters ?? []).map((parameter): [string, JsonSchema] => [`${name} ${parameter.name}`, parameter.schema]),
      ...media(operation.requestBody?.content).map((schema): [string, JsonSchema] => [`${name} body`, schema]),
      ...Object.entries(operation.responses).flatMap(([status, response]) => media(response.content).map((schema): [string, JsonSchema] => [`${name} ${status}`, schema])),
    ];
    return roots.flatMap(([at, schema]) => [...schemasIn(schema, at)]);
  }

  it('writes its patterns for any regex engine: no \\p{…} classes, which Python and others lack', () => {
    const unportable = Object.entries(doc.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod).flatMap(([method, operation]) =>
        operationSchemas(`${method.toUpperCase()} ${path}`, operation as OperationDocument)
          .filter(([, schema]) => typeof schema.pattern === 'string' && /\\[pP]\{/.test(schema.pattern))
          .map(([at]) => at),
      ),
    );
    expect(unportable).toEqual([]);
  });

  it('documents 422 on every route that reads as of a time or a business date, which AS_OF_BEFORE_LOG and BUSINESS_DATE_NOT_CLOSED answer', () => {
    const asOfRoutes = Object.entries(doc.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod)
        .filter(([, operation]) => ((operation as OperationDocument).parameters ?? []).some((parameter) => parameter.name === 'asOfBusinessDate'))
        .map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, documents422: '422' in (operation as OperationDocument).responses })),
    );
    expect(asOfRoutes.length).toBeGreaterThan(0);
    expect(asOfRoutes).toEqual(asOfRoutes.map(({ name }) => ({ name, documents422: true })));
  });

  it("documents 414 where a path parameter may reach the router's 100-character limit, and allows none past it", () => {
    // Fastify's router (maxParamLength) refuses a longer path parameter with 414 before any controller reads it.
    const ROUTER_LIMIT = 100;
    const parameters = Object.entries(doc.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod).flatMap(([method, operation]) =>
        ((operation as OperationDocument).parameters ?? [])
          .filter((parameter) => (parameter as { in?: string }).in === 'path')
          .map((parameter) => ({ name: `${method.toUpperCase()} ${path} ${parameter.name}`, schema: parameter.schema, responses: (operation as OperationDocument).responses })),
      ),
    );
    const tooLong = parameters.filter(({ schema }) => typeof schema.maxLength === 'number' && schema.maxLength > ROUTER_LIMIT).map(({ name }) => name);
    expect(tooLong).toEqual([]);
    const mayReachLimit = parameters.filter(({ schema }) => schema.maxLength === ROUTER_LIMIT);
    expect(mayReachLimit.length).toBeGreaterThan(0);
    expect(mayReachLimit.filter(({ responses }) => !('414' in responses)).map(({ name }) => name)).toEqual([]);
  });

  it('keeps to the OpenAPI 3.0 dialect: no type lists, null by nullable', () => {
    const listed = successes.flatMap(({ name, response }) =>
      Object.values(response.content ?? {}).flatMap((media) => [...schemasIn(media.schema ?? {}, name)].filter(([, schema]) => typeof schema.type !== 'string' && schema.type !== undefined).map(([at]) => at)),
    );
    expect(listed).toEqual([]);
  });
});
