import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { OPERATOR_KEY, TestApp, type ApiResponse } from './test-app';

/**
 * Every bad input is a 4xx application/problem+json naming the field (or `field: null` for the body as a
 * whole) and the rule it broke, or a 422 with the business rule's `code`; and it writes nothing: the log's
 * last position, as GET /health reports it, is the same before and after.
 *
 * The world, set up once: fund BAD registered on Monday 2026-01-05; customer A deposited 20000.00 and bought
 * 15000.00 of BAD, which the closes of the 5th and 6th confirmed and paid 0.75 of income on; so on the
 * business date 2026-01-07 A holds 5000.00 in cash and 15000.75 of BAD. Customer B has nothing.
 */
const FUND = 'BAD';
const PROBLEM_TYPE = 'https://ifw.example/problems/';

type Party = { id: string; walletId: string; key: string };
let app: TestApp;
let alice: Party;
let bob: Party;
let shop: Party;

async function ok(response: Promise<ApiResponse>, status = 201): Promise<ApiResponse> {
  const answer = await response;
  if (answer.status !== status) throw new Error(`setup step answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer;
}

beforeAll(async () => {
  app = await TestApp.start();
  alice = await app.party('customer', 'Alice');
  bob = await app.party('customer', 'Bob');
  shop = await app.party('merchant', 'Shop');
  await ok(app.post('/funds', OPERATOR_KEY, { code: FUND, name: 'Bad Input Money Fund' }));
  await ok(app.post(`/funds/${FUND}/incomes`, OPERATOR_KEY, { date: '2026-01-05', perTenK: '0.5000' }));
  await ok(app.post(`/wallets/${alice.walletId}/deposits`, alice.key, { amount: '20000.00' }));
  await ok(app.post(`/wallets/${alice.walletId}/purchases`, alice.key, { fundCode: FUND, amount: '15000.00' }));
  await ok(app.post('/operations/day-close', OPERATOR_KEY, { date: '2026-01-05' }), 200);
  await ok(app.post(`/funds/${FUND}/incomes`, OPERATOR_KEY, { date: '2026-01-06', perTenK: '0.5000' }));
  await ok(app.post('/operations/day-close', OPERATOR_KEY, { date: '2026-01-06' }), 200);
  const view = await app.get(`/wallets/${alice.walletId}`, alice.key);
  expect(view.body).toMatchObject({ businessDate: '2026-01-07', cash: '5000.00', holdings: [{ fundCode: FUND, holding: '15000.75' }] });
});

afterAll(async () => {
  await app.stop();
});

interface Expected {
  status: number;
  code: string;
  /** The field the problem must name; `null` for the body as a whole; leave out when the problem names none. */
  field?: string | null;
  /** A phrase of `detail` that states the rule broken. */
  detail?: string | RegExp;
}

/** Sends a request that must be refused as expected, and proves the refusal wrote nothing to the log. */
async function refused(send: () => Promise<ApiResponse>, expected: Expected): Promise<ApiResponse> {
  const before = await app.lastPosition();
  const response = await send();
  expect({ status: response.status, body: response.body }).toMatchObject({ status: expected.status, body: { code: expected.code } });
  expect(response.contentType).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ type: PROBLEM_TYPE + expected.code, title: expect.any(String), status: expected.status, detail: expect.any(String), code: expected.code });
  expect(response.body.position).toBeUndefined();
  if (expected.field !== undefined) expect(response.body.field).toBe(expected.field);
  if (typeof expected.detail === 'string') expect(response.body.detail).toContain(expected.detail);
  else if (expected.detail) expect(response.body.detail).toMatch(expected.detail);
  expect(await app.lastPosition()).toBe(before);
  return response;
}

const deposit = (body: unknown, key = alice.key, walletId = alice.walletId) => app.post(`/wallets/${walletId}/deposits`, key, body);
const raw = (path: string, rawBody: string | undefined, headers: Record<string, string> = {}, key = alice.key) => app.request('POST', path, { key, rawBody, headers });

describe('the body as a whole', () => {
  it('refuses malformed JSON with 400 MALFORMED_JSON, field null', async () => {
    await refused(() => raw(`/wallets/${alice.walletId}/deposits`, '{"amount": "10.00"'), { status: 400, code: 'MALFORMED_JSON', field: null, detail: 'not valid JSON' });
    await refused(() => raw(`/wallets/${alice.walletId}/deposits`, "{'amount': '10.00'}"), { status: 400, code: 'MALFORMED_JSON', field: null });
    await refused(() => raw(`/wallets/${alice.walletId}/deposits`, '{"amount": "10.00",}'), { status: 400, code: 'MALFORMED_JSON', field: null });
  });

  it('refuses an empty JSON body with 400 MALFORMED_JSON', async () => {
    await refused(() => raw(`/wallets/${alice.walletId}/deposits`, '', { 'content-type': 'application/json' }), { status: 400, code: 'MALFORMED_JSON', field: null });
  });

  it('refuses a body sent without any content at all with 400, field null', async () => {
    await refused(() => app.request('POST', `/wallets/${alice.walletId}/deposits`, { key: alice.key }), { status: 400, code: 'VALIDATION_FAILED', field: null, detail: 'must be a JSON object' });
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x'])('refuses content type %s with 415', async (contentType) => {
    await refused(() => raw(`/wallets/${alice.walletId}/deposits`, 'amount=10.00', { 'content-type': contentType }), {
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      detail: 'application/json',
    });
  });

  it.each([
    ['an array', '[{"amount":"10.00"}]'],
    ['a string', '"10.00"'],
    ['a number', '10'],
    ['null', 'null'],
    ['a boolean', 'true'],
  ])('refuses a body that is %s, not an object, with 400 field null', async (kind, body) => {
    await refused(() => raw(`/wallets/${alice.walletId}/deposits`, body), { status: 400, code: 'VALIDATION_FAILED', field: null, detail: `must be a JSON object, not ${kind}` });
  });

  it('refuses a body over the size limit with 413', async () => {
    await refused(() => deposit({ amount: '1.00', pad: 'x'.repeat(100_000) }), { status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('refuses a key given twice with 400 DUPLICATE_KEY naming it, whichever of the two a reader would take', async () => {
    await refused(() => raw(`/wallets/${alice.walletId}/deposits`, '{"amount":"1.00","amount":"2.00"}'), { status: 400, code: 'DUPLICATE_KEY', field: 'amount', detail: 'more than once' });
    await refused(() => raw(`/wallets/${alice.walletId}/deposits`, '{"amount":"1.00","\\u0061mount":"2.00"}'), { status: 400, code: 'DUPLICATE_KEY', field: 'amount' });
    await refused(() => raw(`/wallets/${alice.walletId}/rebalances`, '{"switches":[{"fromFund":"BAD","toFund":"X","toFund":"Y","amount":"1.00"}]}'), { status: 400, code: 'DUPLICATE_KEY', field: 'switches[0].toFund' });
  });

  it('refuses a string with a lone surrogate escape with 400 naming the field, and opens no one', async () => {
    const before = await app.lastPosition();
    const response = await app.request('POST', '/customers', { key: OPERATOR_KEY, rawBody: '{"name":"Li \\ud800 Wei"}' });
    expect(response).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', field: 'name', detail: expect.stringContaining('lone UTF-16 surrogate') } });
    expect(await app.lastPosition()).toBe(before);
    // A pair written as two escapes is one character, and welcome.
    expect((await app.request('POST', '/customers', { key: OPERATOR_KEY, rawBody: '{"name":"Li \\ud83d\\ude00 Wei"}' })).status).toBe(201);
  });

  /** Sends the bytes as they are (fetch would encode a string as UTF-8), with a Content-Length or chunked. */
  function sendBytes(path: string, bytes: Buffer, framing: 'content-length' | 'chunked' = 'content-length'): Promise<ApiResponse> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { authorization: `Bearer ${OPERATOR_KEY}`, 'content-type': 'application/json' };
      if (framing === 'content-length') headers['content-length'] = String(bytes.length);
      const sent = httpRequest(`${app.url}${path}`, { method: 'POST', headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const contentType = response.headers['content-type'] ?? '';
          resolve({ status: response.statusCode!, contentType, headers: new Headers(), text, body: contentType.includes('json') ? JSON.parse(text) : text });
        });
      });
      sent.on('error', reject);
      if (framing === 'chunked') sent.write(bytes);
      sent.end(framing === 'chunked' ? undefined : bytes);
    });
  }
  const nameWith = (bytes: number[]) => Buffer.concat([Buffer.from('{"name":"a'), Buffer.from(bytes), Buffer.from('b"}')]);

  it.each([
    ['a byte never in UTF-8', [0xff]],
    ['a four-byte sequence cut short, which U+FFFD would replace with as many bytes', [0xf0, 0x9f, 0x98]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['a UTF-16 surrogate encoded as UTF-8', [0xed, 0xa0, 0x80]],
  ])('refuses a body that is not UTF-8 (%s) with 400 MALFORMED_JSON, with a Content-Length or chunked', async (_, bytes) => {
    for (const framing of ['content-length', 'chunked'] as const) {
      await refused(() => sendBytes('/customers', nameWith(bytes), framing), { status: 400, code: 'MALFORMED_JSON', field: null, detail: 'not valid UTF-8' });
    }
  });

  it('accepts a UTF-8 byte order mark before the JSON, as JSON parsers may', async () => {
    const response = await sendBytes('/customers', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"name":"Bom Wei"}')]));
    expect({ status: response.status, name: response.body.name }).toEqual({ status: 201, name: 'Bom Wei' });
  });

  it('refuses a prototype-poisoning body', async () => {
    const response = await refused(() => raw(`/wallets/${alice.walletId}/deposits`, '{"amount":"1.00","__proto__":{"admin":true}}'), { status: 400, code: 'MALFORMED_JSON' });
    expect(response.body.detail).not.toMatch(/proto/i);
  });
});

describe('fields', () => {
  it.each([
    ['deposits', {}, 'amount'],
    ['withdrawals', {}, 'amount'],
    ['payments', { amount: '1.00' }, 'toWalletId'],
    ['payments', { toWalletId: '3f2b8c1e-9a4d-4e5f-8b6a-1c2d3e4f5a6b' }, 'amount'],
    ['purchases', { amount: '1.00' }, 'fundCode'],
    ['purchases', { fundCode: FUND }, 'amount'],
    ['redemptions', { fundCode: FUND, amount: '1.00' }, 'mode'],
    ['redemptions', { fundCode: FUND, mode: 'standard' }, 'amount'],
  ])('POST /wallets/{id}/%s without a required field: 400 naming it (%j → %s)', async (route, body, field) => {
    await refused(() => app.post(`/wallets/${alice.walletId}/${route}`, alice.key, body), { status: 400, code: 'VALIDATION_FAILED', field, detail: `${field} is required` });
  });

  it.each([
    ['/customers', {}, 'name'],
    ['/merchants', {}, 'name'],
    ['/funds', { name: 'No Code' }, 'code'],
    ['/funds', { code: 'NOCODE' }, 'name'],
    [`/funds/${FUND}/incomes`, { date: '2026-01-07' }, 'perTenK'],
    [`/funds/${FUND}/incomes`, { perTenK: '0.5000' }, 'date'],
    ['/operations/day-close', {}, 'date'],
  ])('POST %s without a required field: 400 naming it (%j → %s)', async (path, body, field) => {
    await refused(() => app.post(path, OPERATOR_KEY, body), { status: 400, code: 'VALIDATION_FAILED', field, detail: `${field} is required` });
  });

  it.each([
    ['/wallets/{own}/deposits', { amount: '1.00', currency: 'CNY' }, 'currency'],
    ['/wallets/{own}/payments', { toWalletId: '3f2b8c1e-9a4d-4e5f-8b6a-1c2d3e4f5a6b', amount: '1.00', memo: 'lunch' }, 'memo'],
    ['/wallets/{own}/redemptions', { fundCode: FUND, amount: '1.00', mode: 'standard', walletId: 'x' }, 'walletId'],
  ])('POST %s with an unknown field: 400 naming the extra field', async (path, body, field) => {
    await refused(() => app.post(path.replace('{own}', alice.walletId), alice.key, body), { status: 400, code: 'VALIDATION_FAILED', field, detail: `unknown field "${field}"` });
  });

  it.each([
    ['/customers', { name: 'Zhao', role: 'operator' }, 'role'],
    ['/funds', { code: 'EXTRA', name: 'Extra', nav: '1.00' }, 'nav'],
    ['/operations/day-close', { date: '2026-01-07', force: true }, 'force'],
  ])('POST %s with an unknown field: 400 naming the extra field', async (path, body, field) => {
    await refused(() => app.post(path, OPERATOR_KEY, body), { status: 400, code: 'VALIDATION_FAILED', field, detail: `unknown field "${field}"` });
  });

  it.each([
    ['', 'must be 1 to 200 characters long'],
    ['x'.repeat(201), 'must be 1 to 200 characters long'],
    [42, 'must be a string, not a number'],
    [null, 'must be a string, not null'],
  ])('refuses the party name %j', async (name, rule) => {
    await refused(() => app.post('/customers', OPERATOR_KEY, { name }), { status: 400, code: 'VALIDATION_FAILED', field: 'name', detail: `name ${rule}` });
  });

  it.each([
    ['fast', 'mode must be one of "instant", "standard"'],
    ['INSTANT', 'mode must be one of "instant", "standard"'],
    [1, 'mode must be one of'],
  ])('refuses the redemption mode %j', async (mode, rule) => {
    await refused(() => app.post(`/wallets/${alice.walletId}/redemptions`, alice.key, { fundCode: FUND, amount: '1.00', mode }), { status: 400, code: 'VALIDATION_FAILED', field: 'mode', detail: rule });
  });
});

describe('amounts', () => {
  const amounts: [unknown, string][] = [
    ['-5.00', 'amount must be positive'],
    ['-0.01', 'amount must be positive'],
    ['0', 'amount must be greater than zero'],
    ['0.00', 'amount must be greater than zero'],
    ['1.001', 'amount must have at most 2 decimal places'],
    ['0.005', 'amount must have at most 2 decimal places'],
    ['abc', 'amount must be a decimal number of CNY'],
    ['', 'amount must be a decimal number of CNY'],
    [' 1.00', 'amount must be a decimal number of CNY'],
    ['1,000.00', 'amount must be a decimal number of CNY'],
    ['1e3', 'amount must be a decimal number of CNY'],
    ['+1.00', 'amount must be a decimal number of CNY'],
    ['01.00', 'amount must be a decimal number of CNY'],
    ['1.', 'amount must be a decimal number of CNY'],
    ['.50', 'amount must be a decimal number of CNY'],
    ['NaN', 'amount must be a decimal number of CNY'],
    ['１.00', 'amount must be a decimal number of CNY'],
    [100, 'amount must be a decimal string such as "1234.56", not a JSON number'],
    [0.5, 'not a JSON number'],
    [null, 'amount must be a decimal string of CNY such as "1234.56", not null'],
    [true, 'not a boolean'],
    [{ value: '1.00' }, 'not an object'],
    [['1.00'], 'not an array'],
    ['10000000000000.01', 'amount must be at most 10000000000000.00'],
    ['99999999999999.99', 'amount must be at most 10000000000000.00'],
    ['99999999999999999999.00', 'amount must be a decimal number of CNY'],
  ];
  const routes: [string, (amount: unknown) => Record<string, unknown>][] = [
    ['deposits', (amount) => ({ amount })],
    ['withdrawals', (amount) => ({ amount })],
    ['payments', (amount) => ({ toWalletId: '3f2b8c1e-9a4d-4e5f-8b6a-1c2d3e4f5a6b', amount })],
    ['purchases', (amount) => ({ fundCode: FUND, amount })],
    ['redemptions', (amount) => ({ fundCode: FUND, amount, mode: 'instant' })],
  ];
  const table = routes.flatMap(([route, body]) => amounts.map(([amount, rule]) => [route, amount, rule, body] as const));

  it.each(table)('POST /wallets/{id}/%s refuses amount %j: %s', async (route, amount, rule, body) => {
    await refused(() => app.post(`/wallets/${alice.walletId}/${route}`, alice.key, body(amount)), { status: 400, code: 'VALIDATION_FAILED', field: 'amount', detail: rule });
  });

  it('accepts the largest amount, 10^15 fen, exactly', async () => {
    const rich = await app.party('customer', 'Rich');
    const response = await deposit({ amount: '10000000000000.00' }, rich.key, rich.walletId);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ amount: '10000000000000.00', cash: '10000000000000.00' });
  });

  it.each([
    ['0.12345', 'perTenK must have at most 4 decimal places'],
    ['abc', 'perTenK must be a decimal number of CNY per 10,000 shares'],
    ['10000.0000', 'perTenK must be a decimal number of CNY per 10,000 shares'],
    [0.5, 'perTenK must be a decimal string such as "0.6543"'],
    [null, 'perTenK must be a decimal string such as "0.6543", not null'],
  ])('POST /funds/{code}/incomes refuses perTenK %j', async (perTenK, rule) => {
    await refused(() => app.post(`/funds/${FUND}/incomes`, OPERATOR_KEY, { date: '2026-01-07', perTenK }), { status: 400, code: 'VALIDATION_FAILED', field: 'perTenK', detail: rule });
  });
});

describe('wallets', () => {
  it('an unknown wallet is 404 to staff who may read any wallet', async () => {
    const unknown = randomUUID();
    const response = await refused(() => app.get(`/wallets/${unknown}`, OPERATOR_KEY), { status: 404, code: 'NOT_FOUND', detail: unknown });
    expect(response.body.field).toBeUndefined();
  });

  it('a payment to an unknown wallet is 404 and debits nothing', async () => {
    await refused(() => app.post(`/wallets/${alice.walletId}/payments`, alice.key, { toWalletId: randomUUID(), amount: '1.00' }), { status: 404, code: 'NOT_FOUND', detail: 'does not exist' });
    expect((await app.get(`/wallets/${alice.walletId}`, alice.key)).body.cash).toBe('5000.00');
  });

  it.each(['not-a-uuid', '12345', '3f2b8c1e9a4d4e5f8b6a1c2d3e4f5a6b', '3f2b8c1e-9a4d-4e5f-8b6a-1c2d3e4f5a6g', `${randomUUID()}x`])('a non-UUID wallet id %s in the path is 400 naming walletId', async (walletId) => {
    await refused(() => app.get(`/wallets/${walletId}`, OPERATOR_KEY), { status: 400, code: 'INVALID_PARAMETER', field: 'walletId', detail: 'walletId must be a UUID' });
  });

  it.each(['not-a-uuid', '', 42])('a non-UUID toWalletId %j is 400 naming toWalletId', async (toWalletId) => {
    await refused(() => app.post(`/wallets/${alice.walletId}/payments`, alice.key, { toWalletId, amount: '1.00' }), { status: 400, code: 'VALIDATION_FAILED', field: 'toWalletId', detail: 'toWalletId must be a UUID' });
  });

  it('an upper-case toWalletId is the same wallet', async () => {
    const response = await app.post(`/wallets/${alice.walletId}/payments`, alice.key, { toWalletId: shop.walletId.toUpperCase(), amount: '0.01' });
    expect(response.status).toBe(201);
    expect(response.body.toWalletId).toBe(shop.walletId);
    await ok(app.post(`/wallets/${shop.walletId}/payments`, shop.key, { toWalletId: alice.walletId, amount: '0.01' }));
  });

  it('the owner may write their own wallet id in upper case, as the operator may', async () => {
    expect((await app.get(`/wallets/${alice.walletId.toUpperCase()}`, OPERATOR_KEY)).status).toBe(200);
    const response = await app.get(`/wallets/${alice.walletId.toUpperCase()}`, alice.key);
    expect(response.status).toBe(200);
  });
});

describe('funds', () => {
  it('purchasing an unknown fund is 404', async () => {
    await refused(() => app.post(`/wallets/${alice.walletId}/purchases`, alice.key, { fundCode: 'NOPE', amount: '1.00' }), { status: 404, code: 'NOT_FOUND', detail: 'fund NOPE is not registered' });
  });

  it('redeeming an unknown fund is 404', async () => {
    await refused(() => app.post(`/wallets/${alice.walletId}/redemptions`, alice.key, { fundCode: 'NOPE', amount: '1.00', mode: 'instant' }), { status: 404, code: 'NOT_FOUND', detail: 'NOPE' });
  });

  it('publishing income for an unknown fund is 404', async () => {
    await refused(() => app.post('/funds/NOPE/incomes', OPERATOR_KEY, { date: '2026-01-07', perTenK: '0.5000' }), { status: 404, code: 'NOT_FOUND', detail: 'NOPE' });
  });

  const badCodes: [unknown, string][] = [
    ['bad', 'upper-case letters and digits'],
    ['AB-1', 'upper-case letters and digits'],
    ['A B', 'upper-case letters and digits'],
    ['X', 'must be 2 to 12 characters long'],
    ['ABCDEFGHIJKLMNOPQ', 'must be 2 to 12 characters long'],
    [198, 'must be a string, not a number'],
  ];

  it.each(badCodes)('POST /funds refuses code %j', async (code, rule) => {
    await refused(() => app.post('/funds', OPERATOR_KEY, { code, name: 'Bad' }), { status: 400, code: 'VALIDATION_FAILED', field: 'code', detail: rule });
  });

  it.each(badCodes)('a purchase refuses fundCode %j', async (fundCode, rule) => {
    await refused(() => app.post(`/wallets/${alice.walletId}/purchases`, alice.key, { fundCode, amount: '1.00' }), { status: 400, code: 'VALIDATION_FAILED', field: 'fundCode', detail: rule });
  });

  it.each(badCodes.filter(([code]) => typeof code === 'string' && !code.includes(' ')))('POST /funds/%s/incomes is 400 naming the path parameter code', async (code, rule) => {
    await refused(() => app.post(`/funds/${String(code)}/incomes`, OPERATOR_KEY, { date: '2026-01-07', perTenK: '0.5000' }), { status: 400, code: 'INVALID_PARAMETER', field: 'code', detail: rule });
  });

  it('registering a fund twice is 422 FUND_EXISTS', async () => {
    await refused(() => app.post('/funds', OPERATOR_KEY, { code: FUND, name: 'Again' }), { status: 422, code: 'FUND_EXISTS', detail: FUND });
  });
});

describe('dates', () => {
  const badDates: unknown[] = ['2026-13-01', '2026-02-30', '20260105', '2026-1-5', '2026-01-05T00:00:00Z', '05/01/2026', '', 20260105, null];

  it.each(badDates)('publishing income refuses date %j', async (date) => {
    await refused(() => app.post(`/funds/${FUND}/incomes`, OPERATOR_KEY, { date, perTenK: '0.5000' }), { status: 400, code: 'VALIDATION_FAILED', field: 'date', detail: 'date must be a calendar date written YYYY-MM-DD' });
  });

  it.each(badDates)('the day close refuses date %j', async (date) => {
    await refused(() => app.post('/operations/day-close', OPERATOR_KEY, { date }), { status: 400, code: 'VALIDATION_FAILED', field: 'date', detail: 'date must be a calendar date written YYYY-MM-DD' });
  });
});

describe('the day close', () => {
  it.each(['2026-01-08', '2026-01-09', '2026-02-02'])('closing %s while the business date is 2026-01-07 skips a day: 422 DAY_CLOSE_OUT_OF_ORDER', async (date) => {
    const response = await refused(() => app.post('/operations/day-close', OPERATOR_KEY, { date }), { status: 422, code: 'DAY_CLOSE_OUT_OF_ORDER', detail: '2026-01-07' });
    expect(response.body.businessDate).toBe('2026-01-07');
  });

  it.each(['2026-01-05', '2026-01-06', '2025-12-31'])('closing %s again: 422 DAY_ALREADY_CLOSED', async (date) => {
    await refused(() => app.post('/operations/day-close', OPERATOR_KEY, { date }), { status: 422, code: 'DAY_ALREADY_CLOSED', detail: date });
  });

  it('a close with a registered fund lacking the income of the day is 409 INCOME_MISSING naming that fund only', async () => {
    await ok(app.post('/funds', OPERATOR_KEY, { code: 'MISS', name: 'Missing Income Fund' }));
    await ok(app.post(`/funds/${FUND}/incomes`, OPERATOR_KEY, { date: '2026-01-07', perTenK: '0.5000' }));
    const response = await refused(() => app.post('/operations/day-close', OPERATOR_KEY, { date: '2026-01-07' }), { status: 409, code: 'INCOME_MISSING', detail: 'MISS on 2026-01-07' });
    expect(response.body.detail).not.toContain(`${FUND} on`);
    expect(response.body.missing).toBe('MISS on 2026-01-07');
    // Nothing moved: the business date is still the 7th.
    expect((await app.get(`/wallets/${alice.walletId}`, OPERATOR_KEY)).body.businessDate).toBe('2026-01-07');
  });
});

describe('incomes', () => {
  it('publishing a different income for a date that has one is 422 INCOME_ALREADY_PUBLISHED', async () => {
    const closed = await refused(() => app.post(`/funds/${FUND}/incomes`, OPERATOR_KEY, { date: '2026-01-06', perTenK: '0.9999' }), { status: 422, code: 'INCOME_ALREADY_PUBLISHED', detail: '0.5000' });
    expect(closed.body.perTenK).toBe('0.5000');
    await ok(app.post(`/funds/${FUND}/incomes`, OPERATOR_KEY, { date: '2026-01-07', perTenK: '0.5000' }));
    await refused(() => app.post(`/funds/${FUND}/incomes`, OPERATOR_KEY, { date: '2026-01-07', perTenK: '0.5001' }), { status: 422, code: 'INCOME_ALREADY_PUBLISHED' });
  });

  it('publishing the same income again answers 201 and writes nothing', async () => {
    const before = await app.lastPosition();
    const response = await app.post(`/funds/${FUND}/incomes`, OPERATOR_KEY, { date: '2026-01-06', perTenK: '0.5' });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ fundCode: FUND, date: '2026-01-06', perTenK: '0.5000' });
    expect(await app.lastPosition()).toBe(before);
  });

  it('income for a day after the business date is 409 INCOME_IN_FUTURE', async () => {
    await refused(() => app.post(`/funds/${FUND}/incomes`, OPERATOR_KEY, { date: '2026-01-08', perTenK: '0.5000' }), { status: 409, code: 'INCOME_IN_FUTURE' });
  });

  // Every closed day on or after the ledger's start and a fund's registration has the fund's income (the close
  // refuses to run without it), so a closed day without one lies before either: it is refused as such.
  it("income dated before the ledger's first day is 422 INCOME_BEFORE_LEDGER_START naming both dates", async () => {
    const response = await refused(() => app.post(`/funds/${FUND}/incomes`, OPERATOR_KEY, { date: '2026-01-04', perTenK: '0.5000' }), {
      status: 422,
      code: 'INCOME_BEFORE_LEDGER_START',
      detail: /2026-01-04.*2026-01-05/,
    });
    expect(response.body.ledgerStartedOn).toBe('2026-01-05');
  });

  it("income dated before the fund's registration is 422 INCOME_BEFORE_FUND_REGISTERED naming both dates, closed day or not", async () => {
    await ok(app.post('/funds', OPERATOR_KEY, { code: 'LATE', name: 'Late Money Fund' }));
    for (const date of ['2026-01-05', '2026-01-06']) {
      const response = await refused(() => app.post('/funds/LATE/incomes', OPERATOR_KEY, { date, perTenK: '0.5000' }), {
        status: 422,
        code: 'INCOME_BEFORE_FUND_REGISTERED',
        detail: new RegExp(`${date}.*LATE.*2026-01-07`),
      });
      expect(response.body.registeredOn).toBe('2026-01-07');
    }
    await ok(app.post('/funds/LATE/incomes', OPERATOR_KEY, { date: '2026-01-07', perTenK: '0.5000' }));
  });
});

describe('business rules', () => {
  it.each([
    ['withdrawals', () => ({ amount: '0.01' })],
    ['payments', () => ({ toWalletId: shop.walletId, amount: '0.01' })],
    ['purchases', () => ({ fundCode: FUND, amount: '0.01' })],
  ])('an empty wallet cannot fund %s: 422 INSUFFICIENT_FUNDS', async (route, body) => {
    const response = await refused(() => app.post(`/wallets/${bob.walletId}/${route}`, bob.key, body()), { status: 422, code: 'INSUFFICIENT_FUNDS', detail: '0.00' });
    expect(response.body.availableCash).toBe('0.00');
  });

  it('withdrawing one fen more than the cash held is 422 INSUFFICIENT_FUNDS', async () => {
    const response = await refused(() => app.post(`/wallets/${alice.walletId}/withdrawals`, alice.key, { amount: '5000.01' }), { status: 422, code: 'INSUFFICIENT_FUNDS' });
    expect(response.body.availableCash).toBe('5000.00');
  });

  it('paying oneself is 422 SELF_PAYMENT, in lower or upper case', async () => {
    await refused(() => app.post(`/wallets/${alice.walletId}/payments`, alice.key, { toWalletId: alice.walletId, amount: '1.00' }), { status: 422, code: 'SELF_PAYMENT' });
    await refused(() => app.post(`/wallets/${alice.walletId}/payments`, alice.key, { toWalletId: alice.walletId.toUpperCase(), amount: '1.00' }), { status: 422, code: 'SELF_PAYMENT' });
  });

  it.each(['standard', 'instant'])('a %s redemption of one fen more than held is 422 INSUFFICIENT_HOLDING', async (mode) => {
    const held = (await app.get(`/wallets/${alice.walletId}`, alice.key)).body.holdings[0].holding as string;
    const tooMuch = (BigInt(held.replace('.', '')) + 1n).toString();
    const amount = `${tooMuch.slice(0, -2)}.${tooMuch.slice(-2)}`;
    const response = await refused(() => app.post(`/wallets/${alice.walletId}/redemptions`, alice.key, { fundCode: FUND, amount, mode }), { status: 422, code: 'INSUFFICIENT_HOLDING' });
    expect(response.body.holding).toBe(held);
  });

  it('redeeming a fund never bought is 422 INSUFFICIENT_HOLDING', async () => {
    await refused(() => app.post(`/wallets/${bob.walletId}/redemptions`, bob.key, { fundCode: FUND, amount: '1.00', mode: 'standard' }), { status: 422, code: 'INSUFFICIENT_HOLDING' });
  });

  it('a purchase not yet confirmed cannot be redeemed: 422 INSUFFICIENT_HOLDING', async () => {
    await ok(app.post(`/wallets/${bob.walletId}/deposits`, bob.key, { amount: '10.00' }));
    await ok(app.post(`/wallets/${bob.walletId}/purchases`, bob.key, { fundCode: FUND, amount: '10.00' }));
    for (const mode of ['instant', 'standard']) {
      const response = await refused(() => app.post(`/wallets/${bob.walletId}/redemptions`, bob.key, { fundCode: FUND, amount: '1.00', mode }), { status: 422, code: 'INSUFFICIENT_HOLDING' });
      expect(response.body.holding).toBe('0.00');
    }
  });

  it('an instant redemption over the 10,000 CNY daily cap is 422 INSTANT_CAP_EXCEEDED, before and after some quota is used', async () => {
    const over = await refused(() => app.post(`/wallets/${alice.walletId}/redemptions`, alice.key, { fundCode: FUND, amount: '10000.01', mode: 'instant' }), {
      status: 422,
      code: 'INSTANT_CAP_EXCEEDED',
      detail: '10000.00',
    });
    expect(over.body).toMatchObject({ quotaLeft: '10000.00', ruleSetVersion: 'csrc-pboc-2018-06' });
    await ok(app.post(`/wallets/${alice.walletId}/redemptions`, alice.key, { fundCode: FUND, amount: '4000.00', mode: 'instant' }));
    // 11000.75 is still held, so only the cap stands in the way of 6000.01.
    const rest = await refused(() => app.post(`/wallets/${alice.walletId}/redemptions`, alice.key, { fundCode: FUND, amount: '6000.01', mode: 'instant' }), { status: 422, code: 'INSTANT_CAP_EXCEEDED' });
    expect(rest.body.quotaLeft).toBe('6000.00');
    // A standard redemption of the same amount is not capped.
    const standard = await app.post(`/wallets/${alice.walletId}/redemptions`, alice.key, { fundCode: FUND, amount: '10000.01', mode: 'standard' });
    expect(standard.status).toBe(201);
    expect(standard.body.instantQuotaLeft).toBe('6000.00');
  });
});

describe('headers and URLs', () => {
  it('an unknown path is a 404 problem, not a 5xx', async () => {
    const response = await refused(() => app.post('/wallets', OPERATOR_KEY, { amount: '1.00' }), { status: 404, code: 'NOT_FOUND' });
    expect(response.body.detail).toEqual(expect.any(String));
  });

  it.each(['two words', 'x'.repeat(129), 'ünïcode'])('an X-Correlation-Id of %j is 400 naming the header', async (correlationId) => {
    await refused(() => app.post(`/wallets/${alice.walletId}/deposits`, alice.key, { amount: '1.00' }, { 'x-correlation-id': correlationId }), {
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'X-Correlation-Id',
    });
  });

  it('a JSON number too large for a double is refused naming the field, with or without an Idempotency-Key', async () => {
    const send = (headers: Record<string, string>) => app.request('POST', `/wallets/${alice.walletId}/deposits`, { key: alice.key, rawBody: '{"amount":1e400}', headers });
    await refused(() => send({}), { status: 400, code: 'VALIDATION_FAILED', field: 'amount' });
    await refused(() => send({ 'idempotency-key': 'huge-number' }), { status: 400, code: 'VALIDATION_FAILED', field: 'amount' });
  });

  it('a malformed percent-escape in the path is a problem+json 400', async () => {
    const response = await app.get('/wallets/%ZZ', OPERATOR_KEY);
    expect(response.status).toBe(400);
    expect(response.contentType).toMatch(/^application\/problem\+json/);
  });

  it('headers too large are a problem+json 431', async () => {
    const response = await app.request('GET', '/ledger/trial-balance', { headers: { authorization: `Bearer ${'x'.repeat(20_000)}` } });
    expect(response.status).toBe(431);
    expect(response.contentType).toMatch(/^application\/problem\+json/);
  });
});

describe('headers', () => {
  /**
   * fetch joins repeated headers into one, so this request is written with node:http, which sends each line;
   * headers given as a list get no Host added, which the server requires.
   */
  function twoAuthorizations(path: string, keys: readonly string[]): Promise<{ status: number; body: { code?: string; field?: string } }> {
    return new Promise((resolve, reject) => {
      const body = JSON.stringify({ amount: '1.00' });
      const sent = httpRequest(`${app.url}${path}`, { method: 'POST', headers: ['host', new URL(app.url).host, 'content-type', 'application/json', ...keys.flatMap((key) => ['authorization', `Bearer ${key}`])] }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => (text ? resolve({ status: response.statusCode!, body: JSON.parse(text) as { code?: string; field?: string } }) : reject(new Error(`answered ${response.statusCode} with no body`))));
      });
      sent.on('error', reject);
      sent.end(body);
    });
  }

  it('refuses two Authorization headers with 400, even when both name the same key, and writes nothing', async () => {
    for (const keys of [[bob.key, alice.key], [alice.key, alice.key]]) {
      const before = await app.lastPosition();
      const response = await twoAuthorizations(`/wallets/${alice.walletId}/deposits`, keys);
      expect(response).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', field: 'authorization' } });
      expect(await app.lastPosition()).toBe(before);
    }
  });
});
