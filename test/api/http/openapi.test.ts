import { defineBody, FUND_CODE_FIELD } from '../../../src/api/http/body-schema';
import { buildOpenApiDocument, jsonSchemaOfBody, type RouteDoc } from '../../../src/api/http/openapi';
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
