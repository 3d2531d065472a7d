import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../../src/api/app.module';
import { FASTIFY_EDGE_ERRORS } from '../../src/api/http/fastify-edge-errors';
import { useJsonBodyParser } from '../../src/api/http/json-body-parser';
import { loadConfig } from '../../src/config';
import { openEventStore } from '../../src/eventstore';
import { openReadStore } from '../../src/projections/open-read-store';
import { AUDITOR_KEY, OPERATOR_KEY, singleStreamUrl } from './test-app';

/**
 * As-of reads over a real socket, on an event store whose clock the test sets: every event of a step is
 * recorded at the step's time, so "as of a time between two steps" is exact and no test waits on the wall
 * clock. During the scenario the live answers of GET /wallets/{id}, its transactions and the trial balance are
 * recorded after each step; afterwards, asking as of each step's time must give exactly those answers.
 *
 *   step 1  deposit 100.00                     step 5  close 2026-01-06 (the purchase is confirmed)
 *   step 2  deposit 50.00                      step 6  instant redemption of 10.00 of YEB
 *   step 3  buy YEB for 30.00                  step 7  close 2026-01-07 (the quota is whole again)
 *   step 4  close 2026-01-05                   step 8  withdraw 5.00
 */
const FUND = 'YEB';
const MINUTE = 60_000;

interface Response {
  status: number;
  contentType: string;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are compared whole or field by field
  body: any;
}

/**
 * The application as startServer builds it, but on an event store with the test's clock (startServer and
 * TestApp take none). GETs wait for the latest write seen, as TestApp's do.
 */
class ClockedApp {
  private lastWrite: string | undefined;
  nowMs: number;

  private constructor(
    readonly app: NestFastifyApplication,
    readonly url: string,
    startMs: number,
  ) {
    this.nowMs = startMs;
  }

  static async start(startMs: number): Promise<ClockedApp> {
    const config = loadConfig(
      { port: '0' },
      {
        IFW_EVENTSTORE_URL: 'sqlite::memory:',
        IFW_READSTORE_URL: 'sqlite::memory:',
        IFW_PROCESS_ENGINE_URL: 'embedded::memory:',
        IFW_API_KEYS: `${OPERATOR_KEY}=operator,${AUDITOR_KEY}=auditor`,
        IFW_START_DATE: '2026-01-05',
      },
    );
    const holder: { clocked?: ClockedApp } = {};
    const store = openEventStore(singleStreamUrl(config.eventStoreUrl), { clock: () => holder.clocked?.nowMs ?? startMs });
    const readStore = await openReadStore(config.readStoreUrl);
    const app = await NestFactory.create<NestFastifyApplication>(AppModule.forStores(store, readStore, config), new FastifyAdapter({ bodyLimit: 64 * 1024, ...FASTIFY_EDGE_ERRORS }), {
      logger: false,
      bodyParser: false,
    });
    useJsonBodyParser(app);
    await app.listen(config.port, config.host);
    holder.clocked = new ClockedApp(app, await app.getUrl(), startMs);
    return holder.clocked;
  }

  async request(method: 'GET' | 'POST', path: string, key: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    if (method === 'GET' && this.lastWrite !== undefined) path = `${path}${path.includes('?') ? '&' : '?'}minPosition=${this.lastWrite}`;
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const contentType = response.headers.get('content-type') ?? '';
    const parsed = text && contentType.includes('json') ? JSON.parse(text) : text;
    if (method === 'POST' && response.status < 300 && typeof parsed?.position === 'string') {
      if (this.lastWrite === undefined || BigInt(parsed.position) > BigInt(this.lastWrite)) this.lastWrite = parsed.position;
    }
    return { status: response.status, contentType, headers: response.headers, body: parsed };
  }

  async ok(method: 'GET' | 'POST', path: string, key: string, body?: unknown, status = method === 'GET' ? 200 : 201): Promise<Response> {
    const response = await this.request(method, path, key, body);
    if (response.status !== status) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
    return response;
  }

  async lastPosition(): Promise<string> {
    return (await this.ok('GET', '/health', OPERATOR_KEY)).body.lastPosition;
  }
}

interface Recorded {
  atMs: number;
  wallet: unknown;
  transactions: unknown[];
  trialBalance: unknown;
}

let app: ClockedApp;
let walletId: string;
let ownerKey: string;
let otherKey: string;
let startMs: number;
const steps: Recorded[] = [];

const iso = (ms: number) => new Date(ms).toISOString();

async function close(date: string): Promise<void> {
  await app.ok('POST', `/funds/${FUND}/incomes`, OPERATOR_KEY, { date, perTenK: '0.6543' });
  await app.ok('POST', '/operations/day-close', OPERATOR_KEY, { date }, 200);
}

/** Runs one step with every event recorded at `atMs`, then records what the live routes answer. */
async function step(atMs: number, write: () => Promise<unknown>): Promise<void> {
  app.nowMs = atMs;
  await write();
  const wallet = (await app.ok('GET', `/wallets/${walletId}`, ownerKey)).body;
  const transactions = (await app.ok('GET', `/wallets/${walletId}/transactions?limit=200`, ownerKey)).body.items;
  const trialBalance = (await app.ok('GET', '/ledger/trial-balance', AUDITOR_KEY)).body;
  steps.push({ atMs, wallet, transactions, trialBalance });
}

beforeAll(async () => {
  // Whole minutes two days back, so every step is in the past and none is in the future.
  startMs = Math.floor(Date.now() / MINUTE) * MINUTE - 2 * 24 * 60 * MINUTE;
  app = await ClockedApp.start(startMs);
  app.nowMs = startMs + MINUTE;
  await app.ok('POST', '/funds', OPERATOR_KEY, { code: FUND, name: 'Yu E Bao' });
  const owner = (await app.ok('POST', '/customers', OPERATOR_KEY, { name: 'Ann', accountTier: 'III' })).body;
  const other = (await app.ok('POST', '/customers', OPERATOR_KEY, { name: 'Bob', accountTier: 'III' })).body;
  [walletId, ownerKey, otherKey] = [owner.walletId, owner.apiKey, other.apiKey];
  const wallet = `/wallets/${walletId}`;
  await step(startMs + 10 * MINUTE, () => app.ok('POST', `${wallet}/deposits`, ownerKey, { amount: '100.00' }));
  await step(startMs + 20 * MINUTE, () => app.ok('POST', `${wallet}/deposits`, ownerKey, { amount: '50.00' }));
  await step(startMs + 30 * MINUTE, () => app.ok('POST', `${wallet}/purchases`, ownerKey, { fundCode: FUND, amount: '30.00' }));
  await step(startMs + 40 * MINUTE, () => close('2026-01-05'));
  await step(startMs + 50 * MINUTE, () => close('2026-01-06'));
  await step(startMs + 60 * MINUTE, () => app.ok('POST', `${wallet}/redemptions`, ownerKey, { fundCode: FUND, amount: '10.00', mode: 'instant' }));
  await step(startMs + 70 * MINUTE, () => close('2026-01-07'));
  await step(startMs + 80 * MINUTE, () => app.ok('POST', `${wallet}/withdrawals`, ownerKey, { amount: '5.00' }));
});

afterAll(async () => {
  await app?.app.close();
});

describe('GET /wallets/{id}?asOf=', () => {
  it('answers, between two steps, exactly what the live route answered after the first of them', async () => {
    for (const [index, recorded] of steps.entries()) {
      const between = (await app.ok('GET', `/wallets/${walletId}?asOf=${iso(recorded.atMs + 5 * MINUTE)}`, AUDITOR_KEY)).body;
      expect({ step: index + 1, view: between }).toEqual({ step: index + 1, view: recorded.wallet });
      // The step's own millisecond is in; the one before it is not.
      expect((await app.ok('GET', `/wallets/${walletId}?asOf=${iso(recorded.atMs)}`, AUDITOR_KEY)).body).toEqual(recorded.wallet);
      if (index > 0) expect((await app.ok('GET', `/wallets/${walletId}?asOf=${iso(recorded.atMs - 1)}`, AUDITOR_KEY)).body).toEqual(steps[index - 1]!.wallet);
    }
  });

  it('shows the business date, rule set and instant quota of then', async () => {
    const [closed, redeemed, nextClosed] = steps.slice(4, 7) as [Recorded, Recorded, Recorded];
    const quotaThen = (await app.ok('GET', `/wallets/${walletId}?asOf=${iso(redeemed.atMs)}`, AUDITOR_KEY)).body;
    expect(quotaThen.businessDate).toBe('2026-01-07');
    expect(quotaThen.holdings[0].instantQuotaLeft).not.toBe((closed.wallet as { holdings: { instantQuotaLeft: string }[] }).holdings[0]!.instantQuotaLeft);
    expect(quotaThen).toEqual(redeemed.wallet);
    expect((await app.ok('GET', `/wallets/${walletId}?asOf=${iso(nextClosed.atMs)}`, AUDITOR_KEY)).body).toMatchObject({ businessDate: '2026-01-08', holdings: [{ instantQuotaLeft: (closed.wallet as { holdings: { instantQuotaLeft: string }[] }).holdings[0]!.instantQuotaLeft }] });
  });

  it('takes an offset, and a fraction of a millisecond is cut off, not rounded', async () => {
    const second = steps[1]!;
    const inShanghai = new Date(second.atMs + 8 * 60 * MINUTE).toISOString().replace('Z', '+08:00');
    expect((await app.ok('GET', `/wallets/${walletId}?asOf=${encodeURIComponent(inShanghai)}`, AUDITOR_KEY)).body).toEqual(second.wallet);
    const justBefore = `${iso(second.atMs - 1).slice(0, -1)}999Z`;
    expect((await app.ok('GET', `/wallets/${walletId}?asOf=${justBefore}`, AUDITOR_KEY)).body).toEqual(steps[0]!.wallet);
  });

  it('answers as of the end of a closed business date: right after its close', async () => {
    expect((await app.ok('GET', `/wallets/${walletId}?asOfBusinessDate=2026-01-05`, AUDITOR_KEY)).body).toEqual(steps[3]!.wallet);
    expect((await app.ok('GET', `/wallets/${walletId}?asOfBusinessDate=2026-01-06`, ownerKey)).body).toEqual(steps[4]!.wallet);
  });

  it('is for the owner, operators and auditors, and 404 for a wallet not open then', async () => {
    const at = iso(steps[0]!.atMs);
    expect((await app.request('GET', `/wallets/${walletId}?asOf=${at}`, ownerKey)).status).toBe(200);
    expect((await app.request('GET', `/wallets/${walletId}?asOf=${at}`, OPERATOR_KEY)).status).toBe(200);
    expect((await app.request('GET', `/wallets/${walletId}?asOf=${at}`, otherKey)).status).toBe(403);
    const beforeOpened = await app.request('GET', `/wallets/${walletId}?asOf=${iso(startMs + 30_000)}`, AUDITOR_KEY);
    expect(beforeOpened.status).toBe(404);
  });
});

describe('GET /wallets/{id}/transactions?asOf=', () => {
  it('lists exactly the rows the live route listed then', async () => {
    for (const recorded of steps) {
      const then = await app.ok('GET', `/wallets/${walletId}/transactions?limit=200&asOf=${iso(recorded.atMs + MINUTE)}`, AUDITOR_KEY);
      expect(then.body).toEqual({ items: recorded.transactions, nextCursor: null });
    }
  });

  it('pages by a cursor bound to its moment', async () => {
    const atMs = steps[3]!.atMs;
    const expected = steps[3]!.transactions;
    const items: unknown[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const response: Response = await app.ok('GET', `/wallets/${walletId}/transactions?limit=1&asOf=${iso(atMs)}${cursor ? `&cursor=${cursor}` : ''}`, AUDITOR_KEY);
      items.push(...response.body.items);
      cursor = response.body.nextCursor;
      if (cursor === null) break;
      // The same cursor with another moment, or with none, is not this listing's.
      const elsewhere = await app.request('GET', `/wallets/${walletId}/transactions?limit=1&asOf=${iso(atMs + 1)}&cursor=${cursor}`, AUDITOR_KEY);
      expect({ status: elsewhere.status, field: elsewhere.body.field }).toEqual({ status: 400, field: 'cursor' });
      expect((await app.request('GET', `/wallets/${walletId}/transactions?limit=1&cursor=${cursor}`, AUDITOR_KEY)).status).toBe(400);
    }
    expect(cursor).toBeNull();
    expect(items).toEqual(expected);
  });

  it('filters and answers CSV as the live route does, its next link keeping the moment', async () => {
    const businessDate = '2026-01-06';
    const then = await app.ok('GET', `/wallets/${walletId}/transactions?asOfBusinessDate=${businessDate}&kind=deposit`, AUDITOR_KEY);
    expect(then.body.items).toEqual((steps[4]!.transactions as { kind: string }[]).filter((row) => row.kind === 'deposit'));
    const csv = await fetch(`${app.url}/wallets/${walletId}/transactions?asOfBusinessDate=${businessDate}&limit=1`, { headers: { authorization: `Bearer ${AUDITOR_KEY}`, accept: 'text/csv' } });
    expect(csv.status).toBe(200);
    const link = csv.headers.get('link');
    expect(link).toMatch(/asOfBusinessDate=2026-01-06/);
    const next = await fetch(`${app.url}${/<([^>]+)>/.exec(link!)![1]}`, { headers: { authorization: `Bearer ${AUDITOR_KEY}`, accept: 'text/csv' } });
    expect(next.status).toBe(200);
  });
});

describe('GET /ledger/trial-balance?asOf=', () => {
  it('totals the ledger exactly as the live route did then', async () => {
    for (const recorded of steps) {
      expect((await app.ok('GET', `/ledger/trial-balance?asOf=${iso(recorded.atMs + MINUTE)}`, AUDITOR_KEY)).body).toEqual(recorded.trialBalance);
    }
    expect((await app.ok('GET', '/ledger/trial-balance?asOfBusinessDate=2026-01-05', OPERATOR_KEY)).body).toEqual(steps[3]!.trialBalance);
  });

  it('is for staff only', async () => {
    expect((await app.request('GET', `/ledger/trial-balance?asOf=${iso(steps[0]!.atMs)}`, ownerKey)).status).toBe(403);
  });
});

describe('as-of input that cannot be answered', () => {
  const routes = () => [`/wallets/${walletId}`, `/wallets/${walletId}/transactions`, '/ledger/trial-balance'];
  const cases: { name: string; query: () => string; status: number; field: string; code?: string; detail?: RegExp }[] = [
    { name: 'before the log begins', query: () => `asOf=${iso(startMs - 24 * 60 * MINUTE)}`, status: 422, field: 'asOf', code: 'AS_OF_BEFORE_LOG', detail: /before the log begins/ },
    { name: 'in the future', query: () => `asOf=${iso(Date.now() + 60 * MINUTE)}`, status: 400, field: 'asOf', code: 'AS_OF_IN_FUTURE' },
    { name: 'a date without a time', query: () => 'asOf=2026-01-05', status: 400, field: 'asOf' },
    { name: 'a time without an offset', query: () => 'asOf=2026-01-05T10:00:00', status: 400, field: 'asOf' },
    { name: 'a day that does not exist', query: () => 'asOf=2026-02-30T10:00:00Z', status: 400, field: 'asOf' },
    { name: 'no time at all', query: () => 'asOf=yesterday', status: 400, field: 'asOf' },
    { name: 'given twice', query: () => `asOf=${iso(steps[0]!.atMs)}&asOf=${iso(steps[1]!.atMs)}`, status: 400, field: 'asOf' },
    { name: 'both parameters', query: () => `asOf=${iso(steps[0]!.atMs)}&asOfBusinessDate=2026-01-05`, status: 400, field: 'asOf' },
    { name: 'a malformed business date', query: () => 'asOfBusinessDate=2026-1-5', status: 400, field: 'asOfBusinessDate' },
    { name: 'a business date not closed yet', query: () => 'asOfBusinessDate=2026-01-08', status: 422, field: 'asOfBusinessDate', code: 'BUSINESS_DATE_NOT_CLOSED', detail: /not been closed yet/ },
    { name: 'a business date before the calendar', query: () => 'asOfBusinessDate=2025-12-31', status: 422, field: 'asOfBusinessDate', code: 'BUSINESS_DATE_NOT_CLOSED', detail: /before the calendar/ },
  ];

  it.each(cases)('$name: 4xx problem+json naming the field, and nothing written', async ({ query, status, field, code, detail }) => {
    const before = await app.lastPosition();
    for (const route of routes()) {
      const response = await app.request('GET', `${route}?${query()}`, AUDITOR_KEY);
      expect({ route, status: response.status, problem: response.contentType.startsWith('application/problem+json'), field: response.body.field }).toEqual({ route, status, problem: true, field });
      if (code) expect(response.body.code).toBe(code);
      if (detail) expect(response.body.detail).toMatch(detail);
    }
    expect(await app.lastPosition()).toBe(before);
  });
});
