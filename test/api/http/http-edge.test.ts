import 'reflect-metadata';
import { Body, Controller, Get, Module, NotFoundException, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { defineBody } from '../../../src/api/http/body-schema';
import { HttpModule } from '../../../src/api/http/http.module';
import { useJsonBodyParser } from '../../../src/api/http/json-body-parser';
import type { RouteDoc } from '../../../src/api/http/openapi';
import { HttpProblem } from '../../../src/api/http/problem';
import { validateBody, validateParam } from '../../../src/api/http/validate-body';
import { formatFen } from '../../../src/domain/money';
import { CorruptDatabaseError, InvalidEventError, LimitExceededError, WrongExpectedRevisionError } from '../../../src/eventstore';

const DepositBody = defineBody({
  amount: { kind: 'amount', description: 'CNY to deposit' },
  valueDate: { kind: 'isoDate', optional: true },
});

/** Mirrors the domain's DomainError contract without importing it: the edge matches by shape. */
class RuleRefusal extends Error {
  readonly kind = 'business-rule';
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, string>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

const SECRET = 'SQLITE_IOERR at /srv/ifw/data/ifw.db password=hunter2';

@Controller('probe')
class ProbeController {
  @Post('wallets/:walletId/deposits')
  deposit(@Param('walletId') walletId: string, @Body() body: unknown): { walletId: string; amount: string } {
    const id = validateParam('walletId', 'id', walletId);
    const deposit = validateBody(DepositBody, body);
    return { walletId: id, amount: formatFen(deposit.amount) };
  }

  @Get('insufficient')
  insufficient(): never {
    throw HttpProblem.unprocessable('INSUFFICIENT_FUNDS', 'the wallet holds 12.00 CNY, less than the 50.00 asked for', { availableAmount: '12.00', status: 200 });
  }

  @Get('rule')
  rule(): never {
    throw new RuleRefusal('INSTANT_CAP_REACHED', 'instant redemptions from this fund are capped at 10000.00 CNY a day', { remainingToday: '0.00' });
  }

  @Get('conflict')
  conflict(): never {
    throw new WrongExpectedRevisionError('wallet-secret-stream', 3n, 4n);
  }

  @Get('busy')
  busy(): never {
    throw new LimitExceededError('queue of 100000 appends is full');
  }

  @Get('invalid-event')
  invalidEvent(): never {
    throw new InvalidEventError('event 0 (Deposited) for "wallet-1": data must be a JSON object');
  }

  @Get('corrupt')
  corrupt(): never {
    throw new CorruptDatabaseError('/srv/ifw/data/ifw.db', 'file is not a database');
  }

  @Get('crash')
  crash(): never {
    throw new Error(SECRET);
  }

  @Get('nest-not-found')
  nestNotFound(): never {
    throw new NotFoundException('no wallet 42');
  }

  @Get('unauthorized')
  unauthorized(): never {
    throw HttpProblem.unauthorized('send Authorization: Bearer <key>');
  }
}

const routes: RouteDoc[] = [
  {
    method: 'post',
    path: '/probe/wallets/{walletId}/deposits',
    summary: 'Deposit cash',
    tag: 'wallets',
    roles: ['customer', 'merchant'],
    params: { walletId: 'id' },
    body: DepositBody,
    idempotent: true,
    responses: {
      201: { description: 'Deposited', example: { walletId: '3f2b8c1e-9a4d-4e5f-8b6a-1c2d3e4f5a6b', amount: '10.00' } },
      422: { description: 'Insufficient funds' },
    },
  },
  { method: 'get', path: '/health', summary: 'Liveness', tag: 'ops', roles: [], responses: { 200: { description: 'Up' } } },
];

@Module({ imports: [HttpModule.forRoutes(routes)], controllers: [ProbeController] })
class ProbeModule {}

const WALLET = '3f2b8c1e-9a4d-4e5f-8b6a-1c2d3e4f5a6b';
let app: NestFastifyApplication;
let base: string;

beforeAll(async () => {
  app = await NestFactory.create<NestFastifyApplication>(ProbeModule, new FastifyAdapter(), { logger: false, bodyParser: false });
  useJsonBodyParser(app);
  await app.listen(0, '127.0.0.1');
  base = await app.getUrl();
});

afterAll(async () => {
  await app.close();
});

interface Answer {
  status: number;
  contentType: string | null;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

async function call(path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(base + path, init);
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Non-JSON answers (HTML, CSS) are checked through `text`.
  }
  return { status: response.status, contentType: response.headers.get('content-type'), headers: response.headers, body, text };
}

const postJson = (path: string, body: string, contentType = 'application/json') =>
  call(path, { method: 'POST', headers: { 'content-type': contentType }, body });

function expectProblem(answer: Answer, status: number, code: string): void {
  expect(answer.status).toBe(status);
  expect(answer.contentType).toMatch(/^application\/problem\+json/);
  expect(answer.body).toMatchObject({ type: `https://ifw.example/problems/${code}`, status, code, title: expect.any(String), detail: expect.any(String) });
}

describe('HTTP edge over a real socket', () => {
  it('accepts a valid JSON body', async () => {
    const answer = await postJson(`/probe/wallets/${WALLET}/deposits`, JSON.stringify({ amount: '10.5' }));
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ walletId: WALLET, amount: '10.50' });
    const withCharset = await postJson(`/probe/wallets/${WALLET}/deposits`, '{"amount":"1.00"}', 'application/json; charset=utf-8');
    expect(withCharset.status).toBe(201);
  });

  it('answers malformed JSON with 400 MALFORMED_JSON, field null', async () => {
    const answer = await postJson(`/probe/wallets/${WALLET}/deposits`, '{"amount": "10.00"');
    expectProblem(answer, 400, 'MALFORMED_JSON');
    expect(answer.body.field).toBeNull();
    expect(answer.body.detail).toBe('the request body is not valid JSON');
    expectProblem(await postJson(`/probe/wallets/${WALLET}/deposits`, ''), 400, 'MALFORMED_JSON');
  });

  it('answers a non-JSON content type with 415, forms and plain text included', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const answer = await postJson(`/probe/wallets/${WALLET}/deposits`, 'amount=10.00', contentType);
      expectProblem(answer, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(answer.body.detail).toBe('unsupported content type: send the body as application/json');
    }
  });

  it('answers a body over the limit with 413', async () => {
    const answer = await postJson(`/probe/wallets/${WALLET}/deposits`, JSON.stringify({ amount: '1.00', pad: 'x'.repeat(1_100_000) }));
    expectProblem(answer, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('answers validation failures with 400 naming the field', async () => {
    const extra = await postJson(`/probe/wallets/${WALLET}/deposits`, JSON.stringify({ amount: '1.00', currency: 'CNY' }));
    expectProblem(extra, 400, 'VALIDATION_FAILED');
    expect(extra.body.field).toBe('currency');
    const decimals = await postJson(`/probe/wallets/${WALLET}/deposits`, JSON.stringify({ amount: '1.001' }));
    expectProblem(decimals, 400, 'VALIDATION_FAILED');
    expect(decimals.body).toMatchObject({ field: 'amount', detail: 'amount must have at most 2 decimal places (fen)' });
    const notObject = await postJson(`/probe/wallets/${WALLET}/deposits`, '[]');
    expect(notObject.body).toMatchObject({ status: 400, field: null });
    const noBody = await call(`/probe/wallets/${WALLET}/deposits`, { method: 'POST' });
    expectProblem(noBody, 400, 'VALIDATION_FAILED');
    expect(noBody.body.field).toBeNull();
    const badId = await postJson('/probe/wallets/wallet-1/deposits', JSON.stringify({ amount: '1.00' }));
    expectProblem(badId, 400, 'INVALID_PARAMETER');
    expect(badId.body.field).toBe('walletId');
  });

  it('answers an unknown route or method with 404', async () => {
    expectProblem(await call('/no/such/route'), 404, 'NOT_FOUND');
    expectProblem(await call('/probe/crash', { method: 'DELETE' }), 404, 'NOT_FOUND');
    const thrown = await call('/probe/nest-not-found');
    expectProblem(thrown, 404, 'NOT_FOUND');
    expect(thrown.body.detail).toBe('no wallet 42');
  });

  it('writes an HttpProblem with its code and extensions, never letting an extension replace a standard member', async () => {
    const answer = await call('/probe/insufficient');
    expectProblem(answer, 422, 'INSUFFICIENT_FUNDS');
    expect(answer.body).toMatchObject({ title: 'Insufficient funds', availableAmount: '12.00', status: 422 });
    expect(answer.body).not.toHaveProperty('field');
  });

  it('answers a business-rule violation from the domain with 422, its code and details', async () => {
    const answer = await call('/probe/rule');
    expectProblem(answer, 422, 'INSTANT_CAP_REACHED');
    expect(answer.body).toMatchObject({
      detail: 'instant redemptions from this fund are capped at 10000.00 CNY a day',
      remainingToday: '0.00',
    });
  });

  it('maps event store errors: conflict 409, busy 503 with Retry-After, invalid event 400', async () => {
    const conflict = await call('/probe/conflict');
    expectProblem(conflict, 409, 'CONCURRENCY_CONFLICT');
    expect(conflict.text).not.toContain('wallet-secret-stream');
    const busy = await call('/probe/busy');
    expectProblem(busy, 503, 'SERVICE_UNAVAILABLE');
    expect(busy.headers.get('retry-after')).toBe('1');
    expectProblem(await call('/probe/invalid-event'), 400, 'INVALID_EVENT');
  });

  it('answers an unexpected error with a bare 500 that leaks nothing', async () => {
    for (const path of ['/probe/crash', '/probe/corrupt']) {
      const answer = await call(path);
      expectProblem(answer, 500, 'INTERNAL_ERROR');
      expect(answer.body.detail).toBe('internal error');
      expect(Object.keys(answer.body).sort()).toEqual(['code', 'detail', 'status', 'title', 'type']);
      expect(answer.text).not.toMatch(/hunter2|SQLITE|\/srv|stack|at /);
    }
  });

  it('asks for bearer credentials on 401', async () => {
    const answer = await call('/probe/unauthorized');
    expectProblem(answer, 401, 'UNAUTHORIZED');
    expect(answer.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('serves an OpenAPI 3 document built from the route table', async () => {
    const answer = await call('/openapi.json');
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/json/);
    const doc = answer.body as {
      openapi: string;
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; requestBody?: unknown; security: unknown[]; responses: Record<string, unknown> }>>;
      components: { securitySchemes: Record<string, { type: string; scheme: string }>; schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toMatch(/^3\.0\.\d$/);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.schemas.Problem).toBeDefined();
    const deposit = doc.paths['/probe/wallets/{walletId}/deposits']!.post!;
    expect(deposit.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual(['path:walletId', 'header:Idempotency-Key']);
    expect(deposit.security).toEqual([{ bearer: [] }]);
    expect(deposit.requestBody).toMatchObject({
      content: { 'application/json': { schema: { type: 'object', additionalProperties: false, required: ['amount'], properties: { amount: { type: 'string', pattern: expect.any(String) } } } } },
    });
    expect(Object.keys(deposit.responses).sort()).toEqual(['201', '400', '401', '403', '409', '414', '422']);
    expect(doc.paths['/health']!.get!.security).toEqual([]);
  });

  it('serves browsable docs whose assets come from this server, not a CDN', async () => {
    const page = await call('/docs');
    expect(page.status).toBe(200);
    expect(page.contentType).toMatch(/^text\/html/);
    const assets = [...page.text.matchAll(/(?:href|src)="([^"]+)"/g)].map((match) => match[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const asset of assets) {
      expect(asset).toMatch(/^\/docs\//);
      const answer = await fetch(base + asset);
      expect([asset, answer.status]).toEqual([asset, 200]);
      expect((await answer.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
    const initializer = await call('/docs/swagger-initializer.js');
    expect(initializer.text).toContain("url: '/openapi.json'");
    expectProblem(await call('/docs/package.json'), 404, 'NOT_FOUND');
    expectProblem(await call('/docs/..%2Fpackage.json'), 404, 'NOT_FOUND');
  });
});
