import { OPERATOR_KEY, TestApp, type ApiResponse } from './test-app';

/**
 * Idempotency-Key over HTTP: the same key with the same request gets the first response again (status and
 * body, position included) and has no second effect; with another request, 422 IDEMPOTENCY_KEY_REUSED; keys
 * are scoped to the caller; final refusals by a business rule are recorded and replayed too, those that say
 * "not yet" (an income not published) are not, so the same key runs again later; concurrent copies of
 * one request apply once.
 */
type Party = { id: string; walletId: string; key: string };
const FUND = 'IDEM';

let app: TestApp;
let ann: Party;
let ben: Party;
let shop: Party;
let keyCount = 0;

/** A key no other test uses. */
const newKey = (label: string) => `test-${label}-${++keyCount}`;

beforeAll(async () => {
  app = await TestApp.start();
  ann = await app.party('customer', 'Ann');
  ben = await app.party('customer', 'Ben');
  shop = await app.party('merchant', 'Shop');
  expect((await app.post('/funds', OPERATOR_KEY, { code: FUND, name: 'Idempotency Money Fund' })).status).toBe(201);
  expect((await app.post(`/funds/${FUND}/incomes`, OPERATOR_KEY, { date: '2026-01-05', perTenK: '0.5000' })).status).toBe(201);
});

afterAll(async () => {
  await app.stop();
});

const withKey = (key: string) => ({ 'idempotency-key': key });

async function cash(party: Party): Promise<string> {
  const response = await app.get(`/wallets/${party.walletId}`, OPERATOR_KEY);
  expect(response.status).toBe(200);
  return response.body.cash;
}

async function count(stream: string, type: string): Promise<number> {
  return (await app.eventTypes(stream)).filter((t) => t === type).length;
}

/**
 * Sends a request twice with one key: the second answer is the first byte for byte, marked as replayed, and
 * the log does not move.
 */
async function expectReplay(send: () => Promise<ApiResponse>): Promise<ApiResponse> {
  const first = await send();
  expect(first.status).toBeLessThan(300);
  expect(first.headers.get('idempotent-replayed')).toBeNull();
  const after = await app.lastPosition();
  expect(first.body.position).toBe(after);
  const second = await send();
  expect({ status: second.status, text: second.text }).toEqual({ status: first.status, text: first.text });
  expect(second.headers.get('idempotent-replayed')).toBe('true');
  expect(await app.lastPosition()).toBe(after);
  return first;
}

describe('the same key with the same request', () => {
  it('a deposit replays the same 201 and body, position included, and deposits once', async () => {
    const key = newKey('deposit');
    const before = await count(`wallet-${ann.walletId}`, 'CashDeposited');
    const first = await expectReplay(() => app.post(`/wallets/${ann.walletId}/deposits`, ann.key, { amount: '100.00' }, withKey(key)));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ amount: '100.00', cash: '100.00' });
    // A third time, later, after other writes: still the first answer.
    await app.post(`/wallets/${ben.walletId}/deposits`, ben.key, { amount: '1.00' });
    const third = await app.post(`/wallets/${ann.walletId}/deposits`, ann.key, { amount: '100.00' }, withKey(key));
    expect(third.body).toEqual(first.body);
    expect(await cash(ann)).toBe('100.00');
    expect(await count(`wallet-${ann.walletId}`, 'CashDeposited')).toBe(before + 1);
  });

  it('the body is compared as JSON: key order and white space do not matter', async () => {
    const key = newKey('canonical');
    const first = await app.request('POST', `/wallets/${shop.walletId}/payments`, { key: shop.key, rawBody: `{"toWalletId":"${ben.walletId}","amount":"0.00"}`, headers: withKey(key) });
    expect(first.status).toBe(400); // validation failures are not recorded (nothing was decided)
    await app.post(`/wallets/${shop.walletId}/deposits`, shop.key, { amount: '5.00' });
    const paid = await app.request('POST', `/wallets/${shop.walletId}/payments`, { key: shop.key, rawBody: `{"toWalletId":"${ben.walletId}","amount":"2.00"}`, headers: withKey(key) });
    expect(paid.status).toBe(201);
    const replay = await app.request('POST', `/wallets/${shop.walletId}/payments`, { key: shop.key, rawBody: `{ "amount" : "2.00",\n  "toWalletId" : "${ben.walletId}" }`, headers: withKey(key) });
    expect({ status: replay.status, body: replay.body }).toEqual({ status: paid.status, body: paid.body });
    expect(await cash(shop)).toBe('3.00');
  });

  it.each([
    ['a withdrawal', () => app.post(`/wallets/${ann.walletId}/withdrawals`, ann.key, { amount: '1.00' }, withKey('replay-withdrawal'))],
    ['a payment', () => app.post(`/wallets/${ann.walletId}/payments`, ann.key, { toWalletId: shop.walletId, amount: '1.00' }, withKey('replay-payment'))],
    ['a purchase', () => app.post(`/wallets/${ann.walletId}/purchases`, ann.key, { fundCode: FUND, amount: '50.00' }, withKey('replay-purchase'))],
    ['a fund', () => app.post('/funds', OPERATOR_KEY, { code: 'IDEM2', name: 'Second Fund' }, withKey('replay-fund'))],
  ])('%s replays without a second effect', async (_, send) => {
    const before = await app.lastPosition();
    const first = await expectReplay(send);
    expect(BigInt(first.body.position)).toBeGreaterThan(BigInt(before));
  });

  it('a registration replays its first answer but for the API key, which is never stored', async () => {
    const key = newKey('register');
    const first = await app.post('/customers', OPERATOR_KEY, { name: 'Replayed Registration', phone: '+8613800000000' }, withKey(key));
    expect(first.status).toBe(201);
    const second = await app.post('/customers', OPERATOR_KEY, { name: 'Replayed Registration', phone: '+8613800000000' }, withKey(key));
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.text).toBe(JSON.stringify({ ...first.body, apiKey: undefined }));
  });

  it('the replayed payment and purchase moved money once', async () => {
    // 100.00 deposited, then one withdrawal of 1.00, one payment of 1.00 and one purchase of 50.00.
    expect(await cash(ann)).toBe('48.00');
    expect(await count(`wallet-${ann.walletId}`, 'PurchasePaid')).toBe(1);
    expect(await count(`wallet-${shop.walletId}`, 'PaymentReceived')).toBe(1);
  });

  it('the day close replays its 200 and closes once', async () => {
    const key = newKey('close');
    expect((await app.post('/funds/IDEM2/incomes', OPERATOR_KEY, { date: '2026-01-05', perTenK: '0.5000' })).status).toBe(201);
    const first = await expectReplay(() => app.post('/operations/day-close', OPERATOR_KEY, { date: '2026-01-05' }, withKey(key)));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ date: '2026-01-05', nextBusinessDate: '2026-01-06' });
    expect(await count('calendar', 'DayClosed')).toBe(1);
    // Without the key, the same request is a second close, which the calendar refuses.
    const again = await app.post('/operations/day-close', OPERATOR_KEY, { date: '2026-01-05' });
    expect(again.body.code).toBe('DAY_ALREADY_CLOSED');
  });
});

describe('the same key with another request', () => {
  it('a different body is 422 IDEMPOTENCY_KEY_REUSED and writes nothing', async () => {
    const key = newKey('reuse');
    expect((await app.post(`/wallets/${ben.walletId}/deposits`, ben.key, { amount: '10.00' }, withKey(key))).status).toBe(201);
    const cashBefore = await cash(ben);
    const before = await app.lastPosition();
    const reused = await app.post(`/wallets/${ben.walletId}/deposits`, ben.key, { amount: '10.01' }, withKey(key));
    expect(reused.status).toBe(422);
    expect(reused.contentType).toMatch(/^application\/problem\+json/);
    expect(reused.body).toMatchObject({ type: 'https://ifw.example/problems/IDEMPOTENCY_KEY_REUSED', status: 422, code: 'IDEMPOTENCY_KEY_REUSED', detail: expect.stringContaining('Idempotency-Key') });
    expect(await app.lastPosition()).toBe(before);
    expect(await cash(ben)).toBe(cashBefore);
  });

  it('another route with the same body is another request: 422', async () => {
    const key = newKey('route');
    expect((await app.post(`/wallets/${ben.walletId}/deposits`, ben.key, { amount: '3.00' }, withKey(key))).status).toBe(201);
    const before = await app.lastPosition();
    const withdrawal = await app.post(`/wallets/${ben.walletId}/withdrawals`, ben.key, { amount: '3.00' }, withKey(key));
    expect(withdrawal.status).toBe(422);
    expect(withdrawal.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await app.lastPosition()).toBe(before);
  });

  it('POST /customers and POST /merchants with one key and one body are two requests', async () => {
    const key = newKey('party');
    expect((await app.post('/customers', OPERATOR_KEY, { name: 'Same Name' }, withKey(key))).status).toBe(201);
    const merchant = await app.post('/merchants', OPERATOR_KEY, { name: 'Same Name' }, withKey(key));
    expect(merchant.status).toBe(422);
    expect(merchant.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});

describe('keys belong to their caller', () => {
  it('two customers using the same key get two effects', async () => {
    const key = newKey('shared');
    const [annBefore, benBefore] = [await cash(ann), await cash(ben)];
    const fromAnn = await app.post(`/wallets/${ann.walletId}/deposits`, ann.key, { amount: '7.00' }, withKey(key));
    const fromBen = await app.post(`/wallets/${ben.walletId}/deposits`, ben.key, { amount: '7.00' }, withKey(key));
    expect([fromAnn.status, fromBen.status]).toEqual([201, 201]);
    expect(fromAnn.body.walletId).toBe(ann.walletId);
    expect(fromBen.body.walletId).toBe(ben.walletId);
    expect(fromBen.body.position).not.toBe(fromAnn.body.position);
    expect(await cash(ann)).toBe(plus(annBefore, '7.00'));
    expect(await cash(ben)).toBe(plus(benBefore, '7.00'));
  });

  it('a key a customer used is free for the operator, and a different body there is no reuse', async () => {
    const key = newKey('cross');
    expect((await app.post(`/wallets/${ann.walletId}/deposits`, ann.key, { amount: '1.00' }, withKey(key))).status).toBe(201);
    const customer = await app.post('/customers', OPERATOR_KEY, { name: 'Cross Key' }, withKey(key));
    expect(customer.status).toBe(201);
    expect(customer.body.apiKey).toEqual(expect.any(String));
  });
});

describe('refusals are recorded too', () => {
  it('a 422 INSUFFICIENT_FUNDS replays as the same 422 even after the wallet is funded', async () => {
    const poor = await app.party('customer', 'Poor');
    const key = newKey('refused');
    const refused = await app.post(`/wallets/${poor.walletId}/withdrawals`, poor.key, { amount: '50.00' }, withKey(key));
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'INSUFFICIENT_FUNDS', availableCash: '0.00' });

    expect((await app.post(`/wallets/${poor.walletId}/deposits`, poor.key, { amount: '100.00' })).status).toBe(201);
    const before = await app.lastPosition();
    const replay = await app.post(`/wallets/${poor.walletId}/withdrawals`, poor.key, { amount: '50.00' }, withKey(key));
    expect({ status: replay.status, contentType: replay.contentType, text: replay.text }).toEqual({ status: refused.status, contentType: refused.contentType, text: refused.text });
    expect([refused.headers.get('idempotent-replayed'), replay.headers.get('idempotent-replayed')]).toEqual([null, 'true']);
    expect(await app.lastPosition()).toBe(before);
    expect(await cash(poor)).toBe('100.00');
    expect(await count(`wallet-${poor.walletId}`, 'CashWithdrawn')).toBe(0);

    // A new key is a new request, which now succeeds.
    const fresh = await app.post(`/wallets/${poor.walletId}/withdrawals`, poor.key, { amount: '50.00' }, withKey(newKey('fresh')));
    expect(fresh.status).toBe(201);
    expect(await cash(poor)).toBe('50.00');
  });
});

describe('refusals that say "not yet" are not recorded', () => {
  it('a day close refused for a missing income runs again under the same key once the income is published, and closes once', async () => {
    const key = newKey('close-too-early');
    const early = await app.post('/operations/day-close', OPERATOR_KEY, { date: '2026-01-06' }, withKey(key));
    expect(early).toMatchObject({ status: 409, body: { code: 'INCOME_MISSING' } });
    expect(early.headers.get('idempotent-replayed')).toBeNull();
    for (const fund of [FUND, 'IDEM2']) expect((await app.post(`/funds/${fund}/incomes`, OPERATOR_KEY, { date: '2026-01-06', perTenK: '0.5000' })).status).toBe(201);
    const closes = await count('calendar', 'DayClosed');
    const closed = await expectReplay(() => app.post('/operations/day-close', OPERATOR_KEY, { date: '2026-01-06' }, withKey(key)));
    expect(closed).toMatchObject({ status: 200, body: { date: '2026-01-06', nextBusinessDate: '2026-01-07' } });
    expect(await count('calendar', 'DayClosed')).toBe(closes + 1);
  });
});

describe('concurrent copies of one request', () => {
  it('20 identical deposits at once with one key: one effect, 20 identical answers', async () => {
    const key = newKey('burst');
    const before = await cash(ben);
    const deposits = await count(`wallet-${ben.walletId}`, 'CashDeposited');
    const answers = await Promise.all(Array.from({ length: 20 }, () => app.post(`/wallets/${ben.walletId}/deposits`, ben.key, { amount: '12.34' }, withKey(key))));
    for (const answer of answers) expect({ status: answer.status, body: answer.body }).toEqual({ status: 201, body: answers[0]!.body });
    expect(await cash(ben)).toBe(plus(before, '12.34'));
    expect(await count(`wallet-${ben.walletId}`, 'CashDeposited')).toBe(deposits + 1);
  });

  it('20 identical payments at once with one key: one payment', async () => {
    const key = newKey('burst-pay');
    const [payerBefore, payeeBefore] = [await cash(ben), await cash(shop)];
    const answers = await Promise.all(Array.from({ length: 20 }, () => app.post(`/wallets/${ben.walletId}/payments`, ben.key, { toWalletId: shop.walletId, amount: '1.11' }, withKey(key))));
    for (const answer of answers) expect({ status: answer.status, body: answer.body }).toEqual({ status: 201, body: answers[0]!.body });
    expect(await cash(ben)).toBe(minus(payerBefore, '1.11'));
    expect(await cash(shop)).toBe(plus(payeeBefore, '1.11'));
  });

  it('20 identical POST /customers at once with one key: one customer, and only one answer carries the API key', async () => {
    const key = newKey('burst-customer');
    const answers = await Promise.all(Array.from({ length: 20 }, () => app.post('/customers', OPERATOR_KEY, { name: 'Burst' }, withKey(key))));
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([201]));
    expect(new Set(answers.map((a) => `${a.body.id} ${a.body.walletId} ${a.body.position}`)).size).toBe(1);
    const withApiKey = answers.filter((a) => a.body.apiKey !== undefined);
    expect(withApiKey).toHaveLength(1);
    expect((await app.get(`/wallets/${answers[0]!.body.walletId}`, withApiKey[0]!.body.apiKey)).status).toBe(200);
  });

  it('one key raced with two different bodies: one of them applies, the other is 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const key = newKey('race');
    const before = await cash(ann);
    const bodies = Array.from({ length: 20 }, (_, i) => ({ amount: i % 2 === 0 ? '2.00' : '3.00' }));
    const answers = await Promise.all(bodies.map((body) => app.post(`/wallets/${ann.walletId}/deposits`, ann.key, body, withKey(key))));
    const applied = answers.filter((a) => a.status === 201);
    const reused = answers.filter((a) => a.status === 422);
    expect(applied.length + reused.length).toBe(20);
    expect(applied).toHaveLength(10);
    for (const answer of applied) expect(answer.body).toEqual(applied[0]!.body);
    for (const answer of reused) expect(answer.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await cash(ann)).toBe(plus(before, applied[0]!.body.amount));
  });
});

describe('POST /customers replayed', () => {
  it('omits apiKey but keeps id, walletId, name, kind and position', async () => {
    const key = newKey('customer');
    const first = await app.post('/customers', OPERATOR_KEY, { name: 'Replay Customer' }, withKey(key));
    expect(first.status).toBe(201);
    expect(first.body.apiKey).toMatch(/^ifw_/);
    const replay = await app.post('/customers', OPERATOR_KEY, { name: 'Replay Customer' }, withKey(key));
    expect(replay.status).toBe(201);
    const { apiKey, ...rest } = first.body;
    expect(replay.body).toEqual(rest);
    expect(replay.body.apiKey).toBeUndefined();
    expect(JSON.stringify(replay.body)).not.toContain(apiKey);
    // The key of the first answer is the customer's key.
    expect((await app.get(`/wallets/${first.body.walletId}`, apiKey)).status).toBe(200);
  });
});

describe('the Idempotency-Key header', () => {
  it.each([
    ['longer than 255 characters', 'k'.repeat(256)],
    ['not ASCII', 'clé-1'],
    ['with a space', 'two words'],
    ['empty', ''],
  ])('a key %s is 400 naming the header, and writes nothing', async (_, key) => {
    const before = await app.lastPosition();
    const response = await app.post(`/wallets/${ann.walletId}/deposits`, ann.key, { amount: '1.00' }, withKey(key));
    expect(response.status).toBe(400);
    expect(response.contentType).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 400, field: 'Idempotency-Key', detail: expect.stringContaining('Idempotency-Key') });
    expect(await app.lastPosition()).toBe(before);
  });

  it('a key of exactly 255 visible ASCII characters is accepted', async () => {
    const key = `${'~'.repeat(250)}${String(++keyCount).padStart(5, '0')}`;
    const response = await app.post(`/wallets/${ann.walletId}/deposits`, ann.key, { amount: '1.00' }, withKey(key));
    expect(response.status).toBe(201);
    const replay = await app.post(`/wallets/${ann.walletId}/deposits`, ann.key, { amount: '1.00' }, withKey(key));
    expect(replay.body).toEqual(response.body);
  });

  it('the OpenAPI document states the limit the server enforces (255)', async () => {
    const document = await app.request('GET', '/openapi.json');
    const parameters = document.body.paths['/wallets/{walletId}/deposits'].post.parameters as { name: string; schema: { maxLength: number } }[];
    expect(parameters.find((p) => p.name === 'Idempotency-Key')?.schema.maxLength).toBe(255);
  });
});

/** Adds two decimal strings of CNY, exactly. */
function plus(a: string, b: string): string {
  return fen(toFen(a) + toFen(b));
}

function minus(a: string, b: string): string {
  return fen(toFen(a) - toFen(b));
}

function toFen(amount: string): bigint {
  const [whole, fraction = ''] = amount.split('.');
  return BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0'));
}

function fen(value: bigint): string {
  return `${value / 100n}.${(value % 100n).toString().padStart(2, '0')}`;
}
