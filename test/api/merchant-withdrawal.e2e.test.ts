import { OPERATOR_KEY, TestApp } from './test-app';

/**
 * A merchant's instant withdrawal through the product: split across the cash and the funds by each fund's
 * remaining instant quota, redeemed instantly, paid out; or nothing moved when they cannot cover it.
 */
let app: TestApp;
let mia: { id: string; walletId: string; key: string };
const fen = (cny: string) => BigInt(cny.replace('.', ''));

async function closeDay(date: string): Promise<void> {
  for (const code of ['MWA', 'MWB']) expect((await app.post(`/funds/${code}/incomes`, OPERATOR_KEY, { date, perTenK: '0.5000' })).status).toBe(201);
  expect((await app.post('/operations/day-close', OPERATOR_KEY, { date })).status).toBe(200);
  await app.settleProcesses();
}

async function wallet() {
  return (await app.get(`/wallets/${mia.walletId}?minPosition=${await app.lastPosition()}`, OPERATOR_KEY)).body as { cash: string; holdings: { fundCode: string; holding: string }[] };
}

async function processView(processId: string) {
  return (await app.get(`/processes/${processId}`, OPERATOR_KEY)).body as { state: string; history: { elementId: string }[]; variables: Record<string, unknown> };
}

beforeAll(async () => {
  app = await TestApp.start({ startDate: '2026-01-05' });
  for (const code of ['MWA', 'MWB']) expect((await app.post('/funds', OPERATOR_KEY, { code, name: `Withdrawal fund ${code}` })).status).toBe(201);
  mia = await app.party('merchant', 'Mia');
  await app.post(`/wallets/${mia.walletId}/deposits`, mia.key, { amount: '25000.00' });
  await app.post(`/wallets/${mia.walletId}/purchases`, mia.key, { fundCode: 'MWA', amount: '10000.00' });
  await app.post(`/wallets/${mia.walletId}/purchases`, mia.key, { fundCode: 'MWB', amount: '12000.00' });
  await closeDay('2026-01-05');
  await closeDay('2026-01-06');
});

afterAll(() => app.stop());

describe('a merchant instant withdrawal', () => {
  it('takes the cash first, then each fund up to what it may still redeem instantly today, and pays the total out', async () => {
    const before = await wallet();
    expect(before.cash).toBe('3000.00');
    const started = await app.post(`/wallets/${mia.walletId}/instant-withdrawals`, mia.key, { amount: '20000.00' });
    expect(started.status).toBe(202);
    await app.settleProcesses();
    const done = await processView(started.body.processId);
    expect(done.state).toBe('completed');
    expect(done.history.map((h) => h.elementId)).toEqual(expect.arrayContaining(['PlanWithdrawal', 'RedeemPlanned', 'PayOut', 'PaidOut']));
    // Both funds may give 10,000.00 today (the cap): the first in code order gives all of it, the second the rest.
    expect(done.variables.plan).toEqual([
      { fundCode: 'MWA', amount: '10000.00' },
      { fundCode: 'MWB', amount: '7000.00' },
    ]);
    const after = await wallet();
    expect(after.cash).toBe('0.00');
    const holding = (code: string, view: typeof before) => fen(view.holdings.find((h) => h.fundCode === code)!.holding);
    expect(holding('MWA', before) - holding('MWA', after)).toBe(1_000_000n);
    expect(holding('MWB', before) - holding('MWB', after)).toBe(700_000n);
  });

  it('moves nothing when the cash and the quotas left cannot cover the amount', async () => {
    const before = await app.lastPosition();
    const started = await app.post(`/wallets/${mia.walletId}/instant-withdrawals`, mia.key, { amount: '50000.00' });
    expect(started.status).toBe(202);
    await app.settleProcesses();
    const ended = await processView(started.body.processId);
    expect(ended.state).toBe('completed');
    expect(ended.history.map((h) => h.elementId)).toEqual(expect.arrayContaining(['CannotMeet', 'Refused']));
    expect(await app.lastPosition()).toBe(before);
  });

  it('answers a repeat under its Idempotency-Key with the first process, and refuses another amount under the same key', async () => {
    const headers = { 'idempotency-key': 'withdraw-once' };
    const first = await app.post(`/wallets/${mia.walletId}/instant-withdrawals`, mia.key, { amount: '1.00' }, headers);
    expect(first.status).toBe(202);
    await app.settleProcesses();
    const again = await app.post(`/wallets/${mia.walletId}/instant-withdrawals`, mia.key, { amount: '1.00' }, headers);
    expect({ status: again.status, body: again.body }).toEqual({ status: 202, body: first.body });
    const other = await app.post(`/wallets/${mia.walletId}/instant-withdrawals`, mia.key, { amount: '2.00' }, headers);
    expect({ status: other.status, code: other.body.code }).toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('is for merchant wallets only, and a customer may not withdraw from a merchant wallet', async () => {
    const ann = await app.party('customer', 'Ann');
    const own = await app.post(`/wallets/${ann.walletId}/instant-withdrawals`, ann.key, { amount: '1.00' });
    expect({ status: own.status, code: own.body.code }).toEqual({ status: 422, code: 'NOT_A_MERCHANT' });
    expect((await app.post(`/wallets/${mia.walletId}/instant-withdrawals`, ann.key, { amount: '1.00' })).status).toBe(403);
  });
});

describe('merchant withdrawals racing for the same quota', () => {
  it('one pays out; the other finds the quota gone, before or after planning, and moves nothing for good; no fen is lost or made', async () => {
    await closeDay('2026-01-07');
    await app.post(`/wallets/${mia.walletId}/deposits`, mia.key, { amount: '30000.00' });
    for (const code of ['MWA', 'MWB']) await app.post(`/wallets/${mia.walletId}/purchases`, mia.key, { fundCode: code, amount: '15000.00' });
    await closeDay('2026-01-08');
    await closeDay('2026-01-09');
    const before = await wallet();
    // Each plans 10,000.00 from MWA (the whole day's cap) and the rest from MWB.
    const startedIds = await Promise.all(
      ['12000.00', '12000.00'].map(async (amount) => (await app.post(`/wallets/${mia.walletId}/instant-withdrawals`, mia.key, { amount })).body.processId as string),
    );
    await app.settleProcesses();
    const ends = await Promise.all(startedIds.map(async (id) => (await processView(id)).history.map((h) => h.elementId).find((e) => ['PaidOut', 'Undone', 'Refused'].includes(e))));
    expect(ends.filter((end) => end === 'PaidOut')).toHaveLength(1);
    expect(['Undone', 'Refused']).toContain(ends.find((end) => end !== 'PaidOut'));
    const paidOutFen = 1_200_000n;
    const after = await wallet();
    const total = (view: typeof before) => fen(view.cash) + view.holdings.reduce((sum, h) => sum + fen(h.holding), 0n);
    const pendingFen = (await app.get(`/wallets/${mia.walletId}?minPosition=${await app.lastPosition()}`, OPERATOR_KEY)).body.holdings.reduce(
      (sum: bigint, h: { pendingPurchase: string }) => sum + fen(h.pendingPurchase),
      0n,
    );
    expect(total(after) + pendingFen + paidOutFen).toBe(total(before));
    expect((await app.get(`/ledger/trial-balance?minPosition=${await app.lastPosition()}`, OPERATOR_KEY)).body.total).toBe('0.00');
  });
});
