import { jest } from '@jest/globals';
import { EVENT_STORE } from '../../src/api/event-store.module';
import type { EventStore } from '../../src/eventstore';
import { AUDITOR_KEY, OPERATOR_KEY, TestApp, type ApiResponse } from './test-app';

/**
 * Replay for auditors over HTTP: the log and a stream paged in order, as stored; a wallet's state at an
 * earlier revision, folded, against what GET /wallets showed then; the verification report; and the refusals,
 * each a problem naming its field.
 */
let app: TestApp;
let ann: { id: string; walletId: string; key: string };
let ben: { id: string; walletId: string; key: string };
/** Ann's cash as GET /wallets showed it after her first deposit, and the revision of her stream then. */
let cashThen: string;
let revisionThen: string;

interface AuditEvent {
  position: string;
  stream: string;
  revision: string;
  type: string;
  data: Record<string, unknown>;
  hash: string;
}

beforeAll(async () => {
  app = await TestApp.start();
  ann = await app.party('customer', 'Ann Audit');
  ben = await app.party('customer', 'Ben Audit');
  expect((await app.post(`/wallets/${ann.walletId}/deposits`, ann.key, { amount: '1000.00' })).status).toBe(201);
  cashThen = (await app.get(`/wallets/${ann.walletId}`, OPERATOR_KEY)).body.cash;
  revisionThen = (await app.get(`/audit/streams/wallet-${ann.walletId}/events`, AUDITOR_KEY, { wait: false })).body.items.at(-1).revision;
  // A keyed request: its outcome is recorded in an idempotency stream, which no entity folds.
  expect((await app.post(`/wallets/${ann.walletId}/deposits`, ann.key, { amount: '200.00' }, { 'idempotency-key': 'audit-deposit' })).status).toBe(201);
  expect((await app.post(`/wallets/${ann.walletId}/payments`, ann.key, { toWalletId: ben.walletId, amount: '100.25' })).status).toBeLessThan(300);
  await app.settleProcesses();
});

afterAll(async () => {
  await app.stop();
});

function audit(path: string, key = AUDITOR_KEY): Promise<ApiResponse> {
  return app.get(path, key, { wait: false });
}

function expectProblem(response: ApiResponse, status: number, field: string): void {
  expect(response.contentType).toMatch(/^application\/problem\+json/);
  expect({ status: response.status, field: response.body.field }).toEqual({ status, field });
}

/** Every event of the log, page after page of `limit`, each page starting where the last said to. */
async function wholeLog(limit: number): Promise<{ events: AuditEvent[]; pages: number }> {
  const events: AuditEvent[] = [];
  let from: string | null = '0';
  let pages = 0;
  while (from !== null && pages < 100) {
    const response = await audit(`/audit/log?fromPosition=${from}&limit=${limit}`);
    expect(response.status).toBe(200);
    expect(response.body.items.length).toBeLessThanOrEqual(limit);
    events.push(...response.body.items);
    from = response.body.nextPosition;
    pages++;
  }
  return { events, pages };
}

describe('GET /audit/log', () => {
  it('pages through the whole log in order of position, each event once, up to the last position', async () => {
    const { events, pages } = await wholeLog(3);
    const positions = events.map((event) => BigInt(event.position));
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(new Set(positions).size).toBe(positions.length);
    expect(pages).toBe(Math.ceil(events.length / 3));
    expect(events.at(-1)!.position).toBe(await app.lastPosition());
    expect((await audit('/audit/log?limit=200')).body.items).toEqual(events);
  });

  it('gives each event as stored: amounts in fen as integer strings, with its stream hash', async () => {
    const { events } = await wholeLog(200);
    const deposit = events.find((event) => event.stream === `wallet-${ann.walletId}` && event.type === 'CashDeposited');
    expect(deposit).toMatchObject({ data: { amountFen: '100000' }, hash: expect.stringMatching(/^[0-9a-f]{64}$/), recordedAt: expect.stringMatching(/Z$/) });
  });

  it('refuses a malformed fromPosition or limit, naming it', async () => {
    expectProblem(await audit('/audit/log?fromPosition=-1'), 400, 'fromPosition');
    expectProblem(await audit('/audit/log?fromPosition=abc'), 400, 'fromPosition');
    expectProblem(await audit('/audit/log?fromPosition=1&fromPosition=2'), 400, 'fromPosition');
    expectProblem(await audit('/audit/log?limit=201'), 400, 'limit');
  });
});

describe('GET /audit/streams/{stream}/events', () => {
  it("pages through one stream's events by revision, gapless from 0", async () => {
    const stream = `wallet-${ann.walletId}`;
    const first = await audit(`/audit/streams/${stream}/events?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.items.map((event: AuditEvent) => event.revision)).toEqual(['0', '1']);
    expect(first.body.nextRevision).toBe('2');
    const rest = await audit(`/audit/streams/${stream}/events?fromRevision=2&limit=200`);
    expect(rest.body.nextRevision).toBeNull();
    const all: AuditEvent[] = [...first.body.items, ...rest.body.items];
    expect(all.map((event) => event.revision)).toEqual(all.map((_, index) => String(index)));
    expect(all.every((event) => event.stream === stream)).toBe(true);
    expect(all.map((event) => event.type)).toEqual(expect.arrayContaining(['CashDeposited', 'PaymentSent']));
  });

  it('is 404 naming the stream for a stream not in the log, and 400 naming fromRevision past its end', async () => {
    expectProblem(await audit('/audit/streams/wallet-00000000-0000-4000-8000-000000000000/events'), 404, 'stream');
    expectProblem(await audit(`/audit/streams/wallet-${ann.walletId}/events?fromRevision=1000`), 400, 'fromRevision');
    expectProblem(await audit('/audit/streams/bad%20name/events'), 400, 'stream');
  });
});

describe('GET /audit/streams/{stream}/state', () => {
  it('folds a wallet to an earlier revision: the cash GET /wallets showed then', async () => {
    const response = await audit(`/audit/streams/wallet-${ann.walletId}/state?revision=${revisionThen}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ stream: `wallet-${ann.walletId}`, revision: revisionThen, schema: 'wallet-v3', state: { open: true, walletId: ann.walletId } });
    expect({ cashThen, cashFen: response.body.state.cashFen }).toEqual({ cashThen: '1000.00', cashFen: '100000' });
  });

  it('folds to the last revision by default: the cash GET /wallets shows now', async () => {
    const response = await audit(`/audit/streams/wallet-${ann.walletId}/state`);
    const events = (await audit(`/audit/streams/wallet-${ann.walletId}/events?limit=200`)).body.items as AuditEvent[];
    expect(response.body.revision).toBe(events.at(-1)!.revision);
    expect(response.body.state.cashFen).toBe('109975');
    expect((await app.get(`/wallets/${ann.walletId}`, OPERATOR_KEY)).body.cash).toBe('1099.75');
  });

  it('folds the streams of other entities by their names', async () => {
    expect((await audit('/audit/streams/calendar/state')).body).toMatchObject({ schema: 'calendar-v2', state: { started: true } });
    expect((await audit(`/audit/streams/party-${ann.id}/state`)).body).toMatchObject({ schema: 'party-v3', state: { registered: true } });
  });

  it('refuses a revision past the end, an unknown stream and a stream of no entity, naming the field', async () => {
    expectProblem(await audit(`/audit/streams/wallet-${ann.walletId}/state?revision=1000`), 400, 'revision');
    expectProblem(await audit(`/audit/streams/wallet-${ann.walletId}/state?revision=x`), 400, 'revision');
    expectProblem(await audit('/audit/streams/wallet-00000000-0000-4000-8000-000000000000/state'), 404, 'stream');
    const idempotency = (await wholeLog(200)).events.find((event) => event.stream.startsWith('idempotency-'));
    const noEntity = await audit(`/audit/streams/${idempotency!.stream}/state`);
    expectProblem(noEntity, 422, 'stream');
    expect(noEntity.body.code).toBe('NO_ENTITY');
  });
});

describe('GET /audit/verify', () => {
  it('reports the log intact, with its head at the last position', async () => {
    const response = await audit('/audit/verify');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ ok: true, head: { position: await app.lastPosition(), hash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(response.body.eventsChecked).toBe(Number(await app.lastPosition()));
    expect(response.body.firstBreak).toBeUndefined();
  });

  it('runs one verification at a time: another meanwhile is 503 with Retry-After', async () => {
    const store = app.app.get<EventStore>(EVENT_STORE);
    const verifyAll = store.verifyAll.bind(store);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const verifying = jest.spyOn(store, 'verifyAll').mockImplementationOnce(async (options) => {
      await held;
      return verifyAll(options);
    });
    try {
      const first = audit('/audit/verify');
      for (let wait = 0; wait < 200 && verifying.mock.calls.length === 0; wait++) await new Promise((resolve) => setTimeout(resolve, 5));
      const second = await audit('/audit/verify');
      expect({ status: second.status, code: second.body.code, retryAfter: second.headers.get('retry-after') }).toEqual({ status: 503, code: 'VERIFICATION_RUNNING', retryAfter: '10' });
      release();
      expect((await first).body.ok).toBe(true);
      expect((await audit('/audit/verify')).status).toBe(200);
    } finally {
      release();
      verifying.mockRestore();
    }
  });
});

describe('who may replay', () => {
  it.each([
    ['/audit/log'],
    ['/audit/streams/calendar/events'],
    ['/audit/streams/calendar/state'],
    ['/audit/verify'],
  ])('%s: auditors and operators, not a customer', async (path) => {
    expect((await audit(path, AUDITOR_KEY)).status).toBe(200);
    expect((await audit(path, OPERATOR_KEY)).status).toBe(200);
    const refused = await audit(path, ann.key);
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
  });
});
