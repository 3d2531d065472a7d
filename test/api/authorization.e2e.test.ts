import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { AUDITOR_KEY, COMPLIANCE_KEY, OPERATOR_KEY, TestApp, type ApiResponse } from './test-app';

/**
 * The authorisation matrix: every route against every kind of caller. A missing or unknown key is 401 with
 * `WWW-Authenticate: Bearer`; a known key of the wrong role, or a customer's or merchant's key on someone
 * else's wallet, is 403; a caller who may use the route gets past the guard and gets the route's own answer.
 * Refusals (401 and 403) write nothing.
 *
 * The world: customer Ann (whose wallet "own" means), customer Ben (whose wallet "other" means), merchant
 * Mia; Ann and Mia hold cash and a confirmed holding of fund AUTH; the business date is 2026-01-07.
 */
type Party = { id: string; walletId: string; key: string };
const FUND = 'AUTH';
const SECOND_FUND = 'AUTHG';

let app: TestApp;
let ann: Party;
let ben: Party;
let mia: Party;

async function ok(response: Promise<ApiResponse>, status = 201): Promise<void> {
  const answer = await response;
  if (answer.status !== status) throw new Error(`setup step answered ${answer.status}: ${JSON.stringify(answer.body)}`);
}

beforeAll(async () => {
  app = await TestApp.start();
  ann = await app.party('customer', 'Ann');
  ben = await app.party('customer', 'Ben');
  mia = await app.party('merchant', 'Mia');
  await ok(app.post('/funds', OPERATOR_KEY, { code: FUND, name: 'Authorisation Money Fund' }));
  await ok(app.post(`/funds/${FUND}/incomes`, OPERATOR_KEY, { date: '2026-01-05', perTenK: '0.5000' }));
  await ok(app.post('/funds', OPERATOR_KEY, { code: SECOND_FUND, name: 'Authorisation Second Fund' }));
  await ok(app.post(`/funds/${SECOND_FUND}/incomes`, OPERATOR_KEY, { date: '2026-01-05', perTenK: '0.5000' }));
  for (const party of [ann, ben, mia]) await ok(app.post(`/wallets/${party.walletId}/deposits`, party.key, { amount: '1000.00' }));
  for (const party of [ann, mia]) await ok(app.post(`/wallets/${party.walletId}/purchases`, party.key, { fundCode: FUND, amount: '500.00' }));
  await ok(app.post('/operations/day-close', OPERATOR_KEY, { date: '2026-01-05' }), 200);
  for (const code of [FUND, SECOND_FUND]) await ok(app.post(`/funds/${code}/incomes`, OPERATOR_KEY, { date: '2026-01-06', perTenK: '0.5000' }));
  await ok(app.post('/operations/day-close', OPERATOR_KEY, { date: '2026-01-06' }), 200);
});

afterAll(async () => {
  await app.stop();
});

type Caller = 'no key' | 'garbage key' | 'forged customer key' | 'wrong secret' | 'customer, own wallet' | 'customer, other wallet' | 'merchant, own wallet' | 'operator' | 'auditor' | 'compliance';

/** Which key a caller sends, and which wallet the path names when the route has one. */
function credentials(caller: Caller): { key: string | undefined; walletId: string } {
  switch (caller) {
    case 'no key':
      return { key: undefined, walletId: ann.walletId };
    case 'garbage key':
      return { key: 'not-a-key-at-all', walletId: ann.walletId };
    case 'forged customer key':
      // The shape of a real key, for a party that does not exist.
      return { key: `ifw_${randomUUID()}_${'A'.repeat(43)}`, walletId: ann.walletId };
    case 'wrong secret':
      // A real party's id with a secret that is not theirs.
      return { key: `ifw_${ann.id}_${'B'.repeat(43)}`, walletId: ann.walletId };
    case 'customer, own wallet':
      return { key: ann.key, walletId: ann.walletId };
    case 'customer, other wallet':
      return { key: ann.key, walletId: ben.walletId };
    case 'merchant, own wallet':
      return { key: mia.key, walletId: mia.walletId };
    case 'operator':
      return { key: OPERATOR_KEY, walletId: ann.walletId };
    case 'auditor':
      return { key: AUDITOR_KEY, walletId: ann.walletId };
    case 'compliance':
      return { key: COMPLIANCE_KEY, walletId: ann.walletId };
  }
}

const CALLERS: Caller[] = ['no key', 'garbage key', 'forged customer key', 'wrong secret', 'customer, own wallet', 'customer, other wallet', 'merchant, own wallet', 'operator', 'auditor', 'compliance'];
const UNAUTHENTICATED: Caller[] = ['no key', 'garbage key', 'forged customer key', 'wrong secret'];
const OWNERS: Caller[] = ['customer, own wallet', 'merchant, own wallet'];

let fundCount = 0;

interface Route {
  name: string;
  method: 'GET' | 'POST' | 'DELETE';
  /** The path for the wallet the caller names (ignored by routes without a wallet). */
  path: (walletId: string) => string;
  /** A valid body, so that a caller who gets past the guard gets the route's own answer. */
  body?: (walletId: string) => unknown;
  /** Callers the guard lets through; every other authenticated caller is 403. */
  allowed: Caller[] | 'everyone';
  /** What an allowed caller gets: the route's own answer. */
  success: { status: number; code?: string };
  /** It starts a process that keeps writing after the answer. */
  startsProcess?: true;
}

let proposals = 0;
const NO_REBUILD = '00000000-0000-4000-8000-00000000000f';
const ruleSetProposal = (n: number) => ({
  version: `auth-${n}`,
  effectiveFrom: `2030-01-${String(n).padStart(2, '0')}`,
  instantRedemptionCap: '10000.00',
  accountTiers: [],
  source: 'a rule set of the authorisation matrix',
});

const ROUTES: Route[] = [
  { name: 'POST /customers', method: 'POST', path: () => '/customers', body: () => ({ name: 'New Customer' }), allowed: ['operator'], success: { status: 201 } },
  { name: 'POST /merchants', method: 'POST', path: () => '/merchants', body: () => ({ name: 'New Merchant' }), allowed: ['operator'], success: { status: 201 } },
  { name: 'POST /wallets/{id}/deposits', method: 'POST', path: (w) => `/wallets/${w}/deposits`, body: () => ({ amount: '1.00' }), allowed: OWNERS, success: { status: 201 } },
  { name: 'POST /wallets/{id}/withdrawals', method: 'POST', path: (w) => `/wallets/${w}/withdrawals`, body: () => ({ amount: '1.00' }), allowed: OWNERS, success: { status: 201 } },
  {
    name: 'POST /wallets/{id}/payments',
    method: 'POST',
    path: (w) => `/wallets/${w}/payments`,
    body: (w) => ({ toWalletId: w === mia.walletId ? ann.walletId : mia.walletId, amount: '1.00' }),
    allowed: OWNERS,
    success: { status: 201 },
  },
  { name: 'POST /wallets/{id}/purchases', method: 'POST', path: (w) => `/wallets/${w}/purchases`, body: () => ({ fundCode: FUND, amount: '1.00' }), allowed: OWNERS, success: { status: 201 } },
  {
    name: 'POST /wallets/{id}/redemptions',
    method: 'POST',
    path: (w) => `/wallets/${w}/redemptions`,
    body: () => ({ fundCode: FUND, amount: '1.00', mode: 'instant' }),
    allowed: OWNERS,
    success: { status: 201 },
  },
  {
    name: 'POST /wallets/{id}/rebalances',
    method: 'POST',
    path: (w) => `/wallets/${w}/rebalances`,
    body: () => ({ switches: [{ fromFund: FUND, toFund: SECOND_FUND, amount: '1.00' }] }),
    allowed: [...OWNERS, 'operator'],
    success: { status: 202 },
    startsProcess: true,
  },
  { name: 'POST /wallets/{id}/account-tier', method: 'POST', path: (w) => `/wallets/${w}/account-tier`, body: () => ({ tier: 'III' }), allowed: ['operator', 'compliance'], success: { status: 200 } },
  { name: 'POST /wallets/{id}/rebalancing', method: 'POST', path: (w) => `/wallets/${w}/rebalancing`, body: () => ({ mode: 'manual' }), allowed: [...OWNERS, 'operator'], success: { status: 200 } },
  {
    name: 'POST /wallets/{id}/instant-withdrawals',
    method: 'POST',
    // Mia's wallet for every caller but its own wallet's owner: a merchant's withdrawal, which only Mia and operators may ask for.
    path: (w) => `/wallets/${w === ann.walletId ? mia.walletId : w}/instant-withdrawals`,
    body: () => ({ amount: '1.00' }),
    allowed: ['merchant, own wallet', 'operator'],
    success: { status: 202 },
    startsProcess: true,
  },
  { name: 'GET /processes/models', method: 'GET', path: () => '/processes/models', allowed: ['operator', 'auditor'], success: { status: 200 } },
  {
    name: 'POST /processes/models',
    method: 'POST',
    path: () => '/processes/models',
    // The deployed file again: unchanged, it answers the version it is.
    body: () => ({ name: 'fund-switch.bpmn', xml: readFileSync(join(process.cwd(), 'src', 'api', 'processes', 'fund-switch.bpmn'), 'utf8') }),
    allowed: ['operator'],
    success: { status: 201 },
  },
  { name: 'GET /processes', method: 'GET', path: () => '/processes', allowed: ['operator', 'auditor'], success: { status: 200 } },
  // An id no instance has: the route's own answer is 404.
  { name: 'GET /processes/{processId}', method: 'GET', path: () => '/processes/no-such-process', allowed: ['operator', 'auditor'], success: { status: 404, code: 'NOT_FOUND' } },
  { name: 'POST /processes/{processId}/retry', method: 'POST', path: () => '/processes/no-such-process/retry', body: () => ({}), allowed: ['operator'], success: { status: 404, code: 'NOT_FOUND' } },
  { name: 'GET /wallets/{id}', method: 'GET', path: (w) => `/wallets/${w}`, allowed: [...OWNERS, 'operator', 'auditor'], success: { status: 200 } },
  { name: 'GET /wallets/{id}/transactions', method: 'GET', path: (w) => `/wallets/${w}/transactions`, allowed: [...OWNERS, 'operator', 'auditor'], success: { status: 200 } },
  { name: 'POST /funds', method: 'POST', path: () => '/funds', body: () => ({ code: `AUTHF${++fundCount}`, name: 'Another Fund' }), allowed: ['operator'], success: { status: 201 } },
  {
    name: 'POST /funds/{code}/incomes',
    method: 'POST',
    path: () => `/funds/${FUND}/incomes`,
    // The same figure each time: the first is published, the rest change nothing.
    body: () => ({ date: '2026-01-07', perTenK: '0.5000' }),
    allowed: ['operator'],
    success: { status: 201 },
  },
  {
    name: 'POST /operations/day-close',
    method: 'POST',
    path: () => '/operations/day-close',
    // A closed date: the route's own answer, with no side effect, so the matrix never moves the calendar.
    body: () => ({ date: '2026-01-06' }),
    allowed: ['operator'],
    success: { status: 422, code: 'DAY_ALREADY_CLOSED' },
  },
  {
    name: 'GET /merchants/{merchantId}/forecast',
    method: 'GET',
    // The party that owns the wallet the caller names; its history is too short for a forecast, hence 404.
    path: (w) => `/merchants/${[ann, ben, mia].find((p) => p.walletId === w)!.id}/forecast`,
    allowed: [...OWNERS, 'operator', 'auditor'],
    success: { status: 404, code: 'NOT_FOUND' },
  },
  { name: 'GET /wallets/{id}/portfolio', method: 'GET', path: (w) => `/wallets/${w}/portfolio`, allowed: [...OWNERS, 'operator', 'auditor'], success: { status: 200 } },
  { name: 'GET /ledger/trial-balance', method: 'GET', path: () => '/ledger/trial-balance', allowed: ['operator', 'auditor'], success: { status: 200 } },
  { name: 'GET /ledger/accounts', method: 'GET', path: () => '/ledger/accounts', allowed: ['operator', 'auditor'], success: { status: 200 } },
  { name: 'GET /funds', method: 'GET', path: () => '/funds', allowed: [...OWNERS, 'customer, other wallet', 'operator', 'auditor', 'compliance'], success: { status: 200 } },
  { name: 'GET /funds/{code}', method: 'GET', path: () => `/funds/${FUND}`, allowed: [...OWNERS, 'customer, other wallet', 'operator', 'auditor', 'compliance'], success: { status: 200 } },
  { name: 'GET /funds/{code}/yields', method: 'GET', path: () => `/funds/${FUND}/yields`, allowed: [...OWNERS, 'customer, other wallet', 'operator', 'auditor', 'compliance'], success: { status: 200 } },
  { name: 'GET /customers', method: 'GET', path: () => '/customers', allowed: ['operator'], success: { status: 200 } },
  { name: 'GET /merchants', method: 'GET', path: () => '/merchants', allowed: ['operator'], success: { status: 200 } },
  // An erasure leaves the wallet, its money and its key as they were: Ben and Mia go on paying and being paid.
  { name: 'POST /customers/{customerId}/erasure', method: 'POST', path: () => `/customers/${ben.id}/erasure`, body: () => ({}), allowed: ['compliance'], success: { status: 200 } },
  { name: 'POST /merchants/{merchantId}/erasure', method: 'POST', path: () => `/merchants/${mia.id}/erasure`, body: () => ({}), allowed: ['compliance'], success: { status: 200 } },
  // A new key each call for the party named, at most 5 in use: the matrix issues each party 1 (customer) and 1 (merchant).
  { name: 'POST /customers/{customerId}/keys', method: 'POST', path: () => `/customers/${ann.id}/keys`, body: () => ({}), allowed: ['operator'], success: { status: 201 } },
  { name: 'POST /merchants/{merchantId}/keys', method: 'POST', path: () => `/merchants/${mia.id}/keys`, body: () => ({}), allowed: ['operator'], success: { status: 201 } },
  { name: 'GET /customers/{customerId}/keys', method: 'GET', path: (w) => `/customers/${w === ben.walletId ? ben.id : ann.id}/keys`, allowed: ['customer, own wallet', 'operator'], success: { status: 200 } },
  { name: 'GET /merchants/{merchantId}/keys', method: 'GET', path: () => `/merchants/${mia.id}/keys`, allowed: ['merchant, own wallet', 'operator'], success: { status: 200 } },
  // A key id no party has: an allowed caller gets past the guard to the refusal of the decider.
  {
    name: 'DELETE /customers/{customerId}/keys/{keyId}',
    method: 'DELETE',
    path: (w) => `/customers/${w === ben.walletId ? ben.id : ann.id}/keys/0123456789abcdef`,
    allowed: ['customer, own wallet', 'operator'],
    success: { status: 422, code: 'UNKNOWN_KEY' },
  },
  {
    name: 'DELETE /merchants/{merchantId}/keys/{keyId}',
    method: 'DELETE',
    path: () => `/merchants/${mia.id}/keys/0123456789abcdef`,
    allowed: ['merchant, own wallet', 'operator'],
    success: { status: 422, code: 'UNKNOWN_KEY' },
  },
  { name: 'GET /merchants/{merchantId}/profile', method: 'GET', path: () => `/merchants/${mia.id}/profile`, allowed: ['merchant, own wallet', 'operator', 'auditor'], success: { status: 200 } },
  { name: 'GET /forecasts/{date}', method: 'GET', path: () => '/forecasts/2026-01-06', allowed: ['operator', 'auditor'], success: { status: 200 } },
  { name: 'GET /forecasts/accuracy', method: 'GET', path: () => '/forecasts/accuracy', allowed: ['operator', 'auditor'], success: { status: 200 } },
  { name: 'GET /activity', method: 'GET', path: () => '/activity', allowed: ['operator', 'auditor'], success: { status: 200 } },
  { name: 'GET /projections', method: 'GET', path: () => '/projections', allowed: ['operator', 'auditor'], success: { status: 200 } },
  {
    name: 'POST /compliance/rules',
    method: 'POST',
    path: () => '/compliance/rules',
    // A new version and date each call: a taken version or effective date is a 422, not what this matrix tests.
    body: () => ruleSetProposal(++proposals),
    allowed: ['compliance'],
    success: { status: 201 },
  },
  { name: 'POST /compliance/rebuilds', method: 'POST', path: () => '/compliance/rebuilds', body: () => ({ rules: 'csrc-pboc-2018-06' }), allowed: ['compliance'], success: { status: 201 } },
  { name: 'GET /compliance/rebuilds/{rebuildId}', method: 'GET', path: () => `/compliance/rebuilds/${NO_REBUILD}`, allowed: ['auditor', 'compliance'], success: { status: 404, code: 'NOT_FOUND' } },
  {
    name: 'POST /compliance/rebuilds/{rebuildId}/promote',
    method: 'POST',
    path: () => `/compliance/rebuilds/${NO_REBUILD}/promote`,
    body: () => ({}),
    allowed: ['compliance'],
    success: { status: 404, code: 'NOT_FOUND' },
  },
  { name: 'GET /compliance/rules', method: 'GET', path: () => '/compliance/rules', allowed: ['operator', 'auditor', 'compliance'], success: { status: 200 } },
  { name: 'GET /audit/log', method: 'GET', path: () => '/audit/log', allowed: ['operator', 'auditor'], success: { status: 200 } },
  { name: 'GET /audit/streams/{stream}/events', method: 'GET', path: (w) => `/audit/streams/wallet-${w}/events`, allowed: ['operator', 'auditor'], success: { status: 200 } },
  { name: 'GET /audit/streams/{stream}/state', method: 'GET', path: (w) => `/audit/streams/wallet-${w}/state`, allowed: ['operator', 'auditor'], success: { status: 200 } },
  { name: 'GET /audit/verify', method: 'GET', path: () => '/audit/verify', allowed: ['operator', 'auditor'], success: { status: 200 } },
  { name: 'POST /projections/{name}/rebuilds', method: 'POST', path: () => '/projections/activity/rebuilds', body: () => ({}), allowed: ['operator'], success: { status: 202 } },
  { name: 'GET /metrics', method: 'GET', path: () => '/metrics', allowed: ['operator', 'auditor'], success: { status: 200 } },
  { name: 'GET /ready', method: 'GET', path: () => '/ready', allowed: 'everyone', success: { status: 200 } },
  { name: 'GET /health', method: 'GET', path: () => '/health', allowed: 'everyone', success: { status: 200 } },
  { name: 'GET /openapi.json', method: 'GET', path: () => '/openapi.json', allowed: 'everyone', success: { status: 200 } },
  { name: 'GET /docs', method: 'GET', path: () => '/docs', allowed: 'everyone', success: { status: 200 } },
];

type Outcome = 'allowed' | 401 | 403;

function expectedOutcome(route: Route, caller: Caller): Outcome {
  if (route.allowed === 'everyone') return 'allowed';
  if (UNAUTHENTICATED.includes(caller)) return 401;
  return route.allowed.includes(caller) ? 'allowed' : 403;
}

const MATRIX = ROUTES.flatMap((route) => CALLERS.map((caller) => ({ route: route.name, caller, expected: expectedOutcome(route, caller), spec: route })));

describe('the authorisation matrix', () => {
  it('covers every route of the OpenAPI document', async () => {
    const document = await app.request('GET', '/openapi.json');
    const documented = Object.entries(document.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace('{walletId}', '{id}')}`),
    );
    const tested = ROUTES.map((r) => r.name);
    for (const route of documented) expect(tested).toContain(route);
  });

  it.each(MATRIX)('$route as $caller → $expected', async ({ spec, caller, expected }) => {
    const { key, walletId } = credentials(caller);
    const before = await app.lastPosition();
    const response = await app.request(spec.method, spec.path(walletId), { key, body: spec.body?.(walletId) });
    if (expected === 'allowed') {
      // A fund switch goes on writing after its 202; the next caller must find the log still.
      if (spec.startsProcess) await app.settleProcesses();
      expect({ status: response.status, body: response.body }).toMatchObject({ status: spec.success.status, ...(spec.success.code ? { body: { code: spec.success.code } } : {}) });
      return;
    }
    expect({ status: response.status, code: response.body?.code }).toEqual({ status: expected, code: expected === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN' });
    expect(response.contentType).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ type: `https://ifw.example/problems/${response.body.code}`, status: expected, title: expect.any(String), detail: expect.any(String) });
    if (expected === 401) expect(response.headers.get('www-authenticate')).toBe('Bearer');
    // The refusal wrote nothing.
    expect(await app.lastPosition()).toBe(before);
  });
});

describe('what the guard lets through acts on the right wallet', () => {
  it("a payment by a customer's key leaves another customer's wallet untouched", async () => {
    const before = (await app.get(`/wallets/${ben.walletId}`, OPERATOR_KEY)).body.cash;
    const refused = await app.post(`/wallets/${ben.walletId}/withdrawals`, ann.key, { amount: '1.00' });
    expect(refused.status).toBe(403);
    expect((await app.get(`/wallets/${ben.walletId}`, OPERATOR_KEY)).body.cash).toBe(before);
  });

  it("a customer cannot read another customer's wallet, nor a merchant a customer's", async () => {
    expect((await app.get(`/wallets/${ben.walletId}`, ann.key)).status).toBe(403);
    expect((await app.get(`/wallets/${ann.walletId}`, mia.key)).status).toBe(403);
    expect((await app.get(`/wallets/${mia.walletId}`, ann.key)).status).toBe(403);
  });

  it('a refused request is 403 even when its body is invalid: the guard runs before validation', async () => {
    const response = await app.post(`/wallets/${ben.walletId}/deposits`, ann.key, { amount: 'abc' });
    expect(response.status).toBe(403);
    const staff = await app.post('/funds', AUDITOR_KEY, { code: 'lower' });
    expect(staff.status).toBe(403);
  });

  it('a staff key never stands for a wallet owner', async () => {
    for (const key of [OPERATOR_KEY, AUDITOR_KEY, COMPLIANCE_KEY]) {
      expect((await app.post(`/wallets/${ann.walletId}/deposits`, key, { amount: '1.00' })).status).toBe(403);
    }
  });
});

describe('the Authorization header', () => {
  it.each([
    ['another scheme', `Basic ${Buffer.from(`x:${OPERATOR_KEY}`).toString('base64')}`],
    ['a bare key without a scheme', OPERATOR_KEY],
    ['"Bearer" with nothing after it', 'Bearer '],
    ['a key with a character too many', `Bearer ${OPERATOR_KEY}x`],
    ['a key with a character too few', `Bearer ${OPERATOR_KEY.slice(0, -1)}`],
    ['two keys', `Bearer ${OPERATOR_KEY} ${OPERATOR_KEY}`],
  ])('%s is 401', async (_, authorization) => {
    const response = await app.request('GET', '/ledger/trial-balance', { headers: { authorization } });
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('UNAUTHORIZED');
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('a key is matched exactly: the key of another role is that role', async () => {
    expect((await app.get('/ledger/trial-balance', COMPLIANCE_KEY)).status).toBe(403);
    expect((await app.get('/ledger/trial-balance', AUDITOR_KEY)).status).toBe(200);
  });

  it('the scheme is case-insensitive, as RFC 9110 says', async () => {
    const response = await app.request('GET', '/ledger/trial-balance', { headers: { authorization: `bearer ${AUDITOR_KEY}` } });
    expect(response.status).toBe(200);
  });
});
