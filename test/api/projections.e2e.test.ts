import { EVENT_STORE } from '../../src/api/event-store.module';
import type { EventStore } from '../../src/eventstore';
import { READ_MODELS } from '../../src/projections';
import { AUDITOR_KEY, OPERATOR_KEY, TestApp } from './test-app';

/** Polls the API until `done` holds, bounded: a rebuild runs in the background and says how far it is only through GET /projections. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, boundMs = 15_000): Promise<T> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`the condition never held; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the read side as operators see it', () => {
  let app: TestApp;
  let alice: { id: string; walletId: string; key: string };

  beforeAll(async () => {
    app = await TestApp.start();
    alice = await app.party('customer', 'Alice');
    await app.post(`/wallets/${alice.walletId}/deposits`, alice.key, { amount: '250.00' });
  });
  afterAll(() => app.stop());

  it('lists every projection with its version, position, lag and state', async () => {
    const response = await until(
      () => app.get('/projections', AUDITOR_KEY),
      (r) => r.body.projections?.every((p: { state: string }) => p.state === 'live'),
    );
    expect(response.status).toBe(200);
    expect(response.body.projections.map((p: { name: string }) => p.name)).toEqual(READ_MODELS.map((d) => d.name));
    for (const projection of response.body.projections) {
      expect(projection).toMatchObject({ version: 1, state: 'live', lagEvents: 0, lagMs: 0, lastError: null, rebuild: null });
      expect(projection.position).toBe(response.body.headPosition);
    }
    expect((await app.request('GET', '/ready')).status).toBe(200);
  });

  it('answers 400 naming minPosition when it is not a non-negative integer', async () => {
    for (const bad of ['-1', 'abc', '1.5', '', '123456789012345678901234']) {
      const response = await app.get(`/wallets/${alice.walletId}?minPosition=${bad}`, alice.key, { wait: false });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'INVALID_PARAMETER', field: 'minPosition' });
    }
  });

  it('answers 400 at once for a minPosition past the end of the log, which no wait could reach', async () => {
    const response = await app.get(`/wallets/${alice.walletId}?minPosition=999999999`, alice.key, { wait: false });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'MIN_POSITION_PAST_LOG_END', field: 'minPosition' });
  });

  it('rebuilds a projection beside the served one and switches to it with an equal digest', async () => {
    const started = await app.post('/projections/wallets/rebuilds', OPERATOR_KEY, {});
    expect(started.status).toBe(202);
    const done = await until(
      () => app.get('/projections', OPERATOR_KEY),
      (r) => r.body.projections.find((p: { name: string }) => p.name === 'wallets')?.rebuild?.state !== 'running',
    );
    const wallets = done.body.projections.find((p: { name: string }) => p.name === 'wallets');
    expect(wallets.rebuild).toMatchObject({ state: 'switched', report: { version: 2, switched: true } });
    expect(wallets.rebuild.report.rebuiltDigest).toBe(wallets.rebuild.report.liveDigest);
    await until(() => app.get('/projections', OPERATOR_KEY), (r) => r.body.projections.find((p: { name: string }) => p.name === 'wallets').version === 2);
    const deposit = await app.post(`/wallets/${alice.walletId}/deposits`, alice.key, { amount: '1.00' });
    expect(deposit.status).toBe(201);
    expect((await app.get(`/wallets/${alice.walletId}`, alice.key)).body.cash).toBe('251.00');
  });

  it('refuses to rebuild an unknown projection, naming the ones there are', async () => {
    const response = await app.post('/projections/nope/rebuilds', OPERATOR_KEY, {});
    expect(response.status).toBe(404);
    expect(response.body.detail).toContain('wallets');
    expect((await app.post('/projections/wallets/rebuilds', AUDITOR_KEY, {})).status).toBe(403);
  });

  it('halts a projection on an event it cannot apply, visibly in /projections and /ready, and never skips it', async () => {
    const store = app.app.get<EventStore>(EVENT_STORE);
    // A wallet-cash account is a liability: a posting that leaves it a debit balance is an event the ledger refuses.
    const { position } = await store.append('wallet-broken', [
      { type: 'CashWithdrawn', data: { amountFen: '100', postings: [{ debit: 'wallet-cash:broken', credit: 'bank-clearing', amountFen: '100' }] } },
    ]);
    const halted = await until(
      () => app.get('/projections', OPERATOR_KEY, { wait: false }),
      (r) => r.body.projections.find((p: { name: string }) => p.name === 'ledger')?.state === 'halted',
    );
    expect(halted.body.projections.find((p: { name: string }) => p.name === 'ledger').lastError.position).toBe(position.toString());
    const ready = await app.request('GET', '/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.reasons.join(' ')).toContain('ledger');
    // A position the log has reached and the halted read model never will: 503 with Retry-After after the wait.
    const behind = await app.get(`/ledger/trial-balance?minPosition=${position}`, OPERATOR_KEY, { wait: false });
    expect({ status: behind.status, code: behind.body.code, retryAfter: behind.headers.get('retry-after') }).toEqual({ status: 503, code: 'PROJECTION_BEHIND', retryAfter: '1' });
  });
});
