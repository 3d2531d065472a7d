import { jest } from '@jest/globals';
import { PROCESS_ENGINE } from '../../src/api/processes/process-engine.token';
import { MAX_PORTFOLIO_SWITCHES } from '../../src/api/intelligence/intelligence.queries';
import { type EmbeddedProcessEngine, OperateRequiredError } from '../../src/processes/engine';
import { OPERATOR_KEY, TestApp } from './test-app';

/**
 * The processes of one wallet: GET /processes?wallet= finds them by their business key, the portfolio shows
 * the wallet's fund switches under way until they complete, and the wallet view says how it rebalances.
 */
let app: TestApp;
type Party = { id: string; walletId: string; key: string };
let ann: Party;
let bob: Party;
let shop: Party;
let dan: Party;

const FUNDS = ['PWA', 'PWB'];

async function closeDay(date: string): Promise<void> {
  for (const code of FUNDS) expect((await app.post(`/funds/${code}/incomes`, OPERATOR_KEY, { date, perTenK: '0.5000' })).status).toBe(201);
  expect((await app.post('/operations/day-close', OPERATOR_KEY, { date })).status).toBe(200);
  await app.settleProcesses();
}

async function investor(name: string, amount: string): Promise<Party> {
  const party = await app.party('customer', name);
  expect((await app.post(`/wallets/${party.walletId}/deposits`, party.key, { amount })).status).toBe(201);
  expect((await app.post(`/wallets/${party.walletId}/purchases`, party.key, { fundCode: 'PWA', amount })).status).toBe(201);
  return party;
}

async function rebalance(party: Party, switches: { fromFund: string; toFund: string; amount: string }[]): Promise<string[]> {
  const started = await app.post(`/wallets/${party.walletId}/rebalances`, party.key, { switches });
  expect(started.status).toBe(202);
  await app.settleProcesses();
  return (started.body.processes as { processId: string }[]).map((p) => p.processId);
}

async function listed(query: string): Promise<{ processId: string; model: string; businessKey: string | null; state: string }[]> {
  const response = await app.get(`/processes?${query}`, OPERATOR_KEY);
  expect(response.status).toBe(200);
  return response.body.items;
}

async function portfolio(party: Party) {
  const response = await app.get(`/wallets/${party.walletId}/portfolio`, party.key);
  expect(response.status).toBe(200);
  return response.body as { switches: Record<string, unknown>[] | null; switchesTruncated: boolean; switchesUnavailable: string | null };
}

beforeAll(async () => {
  app = await TestApp.start({ startDate: '2026-01-05' });
  for (const code of FUNDS) expect((await app.post('/funds', OPERATOR_KEY, { code, name: `Wallet process fund ${code}` })).status).toBe(201);
  ann = await investor('Ann', '30000.00');
  bob = await investor('Bob', '100.00');
  dan = await investor('Dan', '100.00');
  shop = await app.party('merchant', 'Shop');
  expect((await app.post(`/wallets/${shop.walletId}/deposits`, shop.key, { amount: '100.00' })).status).toBe(201);
  // Bought on the 5th, the holdings are confirmed by the close of the 6th: the business date is the 7th then.
  await closeDay('2026-01-05');
  await closeDay('2026-01-06');
});

afterAll(() => app.stop());

describe('GET /processes?wallet=', () => {
  let annSwitches: string[];
  let bobSwitches: string[];
  let withdrawal: string;

  beforeAll(async () => {
    annSwitches = await rebalance(ann, [{ fromFund: 'PWA', toFund: 'PWB', amount: '10.00' }]);
    bobSwitches = await rebalance(bob, [{ fromFund: 'PWA', toFund: 'PWB', amount: '20.00' }]);
    const started = await app.post(`/wallets/${shop.walletId}/instant-withdrawals`, shop.key, { amount: '50.00' });
    expect(started.status).toBe(202);
    withdrawal = started.body.processId;
    await app.settleProcesses();
  });

  it("lists only that wallet's instances, of every model, each keyed by the wallet", async () => {
    const ofAnn = await listed(`wallet=${ann.walletId}`);
    expect(ofAnn.map((p) => p.processId)).toEqual(annSwitches);
    expect(ofAnn[0]!.businessKey).toMatch(new RegExp(`^wallet:${ann.walletId}:fund-switch:`));
    expect((await listed(`wallet=${bob.walletId}`)).map((p) => p.processId)).toEqual(bobSwitches);
    const ofShop = await listed(`wallet=${shop.walletId}`);
    expect(ofShop.map((p) => ({ processId: p.processId, model: p.model }))).toEqual([{ processId: withdrawal, model: 'merchant-withdrawal' }]);
    expect(ofShop[0]!.businessKey).toMatch(new RegExp(`^wallet:${shop.walletId}:merchant-withdrawal:`));
  });

  it('combines with the model filter, and a wallet with no processes lists none', async () => {
    expect(await listed(`wallet=${shop.walletId}&model=fund-switch`)).toEqual([]);
    expect(await listed('wallet=00000000-0000-4000-8000-000000000000')).toEqual([]);
  });

  it('takes the wallet id in any case, as the wallet routes do', async () => {
    expect((await listed(`wallet=${ann.walletId.toUpperCase()}`)).map((p) => p.processId)).toEqual(annSwitches);
  });

  it.each([
    ['not a UUID', 'wallet=not-a-wallet'],
    ['given twice', 'wallet=00000000-0000-4000-8000-000000000001&wallet=00000000-0000-4000-8000-000000000002'],
    ['empty', 'wallet='],
  ])('is 400 naming wallet when the id is %s', async (_, query) => {
    const refused = await app.get(`/processes?${query}`, OPERATOR_KEY);
    expect({ status: refused.status, code: refused.body.code, field: refused.body.field }).toEqual({ status: 400, code: 'INVALID_PARAMETER', field: 'wallet' });
  });

  it('is 400 naming cursor for a cursor the engine never gave, however large', async () => {
    const refused = await app.get('/processes?cursor=9999999999999999', OPERATOR_KEY);
    expect({ status: refused.status, code: refused.body.code, field: refused.body.field }).toEqual({ status: 400, code: 'INVALID_PARAMETER', field: 'cursor' });
  });
});

describe('the fund switches under way in GET /wallets/{walletId}/portfolio', () => {
  it('shows none for a wallet that never switched', async () => {
    const cat = await investor('Cat', '10.00');
    expect(await portfolio(cat)).toMatchObject({ switches: [], switchesTruncated: false, switchesUnavailable: null });
  });

  it('shows a standard switch waiting for its cash, then for its confirmation, and nothing once it completed', async () => {
    // Over the day's instant cap of 10,000.00 (10.00 of it already used), the redemption is standard.
    const [processId] = await rebalance(ann, [{ fromFund: 'PWA', toFund: 'PWB', amount: '15000.00' }]);
    const earlier = await listed(`wallet=${ann.walletId}&model=fund-switch&state=active`);
    const waiting = await portfolio(ann);
    expect(waiting.switchesTruncated).toBe(false);
    expect(waiting.switchesUnavailable).toBeNull();
    expect(waiting.switches!.map((s) => s.processId)).toEqual(earlier.map((p) => p.processId));
    expect(waiting.switches!.at(-1)).toEqual({ processId, fromFund: 'PWA', toFund: 'PWB', amount: '15000.00', state: 'active', step: ['AwaitRedemptionCash'], startedAt: expect.any(String) });
    expect(Date.parse(waiting.switches!.at(-1)!.startedAt as string)).toBeLessThanOrEqual(Date.now());

    // The close of the 7th pays the cash, and the switch buys the target: the next close confirms it.
    await closeDay('2026-01-07');
    expect((await portfolio(ann)).switches!.find((s) => s.processId === processId)).toMatchObject({ state: 'active', step: ['AwaitConfirmation'] });
    await closeDay('2026-01-08');
    expect((await app.get(`/processes/${processId}`, OPERATOR_KEY)).body.state).toBe('completed');
    expect(await portfolio(ann)).toMatchObject({ switches: [], switchesTruncated: false, switchesUnavailable: null });
  });

  it(`lists the oldest ${MAX_PORTFOLIO_SWITCHES} and says when more are under way`, async () => {
    const oneYuan = (count: number) => Array.from({ length: count }, () => ({ fromFund: 'PWA', toFund: 'PWB', amount: '1.00' }));
    const started = [...(await rebalance(dan, oneYuan(10))), ...(await rebalance(dan, oneYuan(10))), ...(await rebalance(dan, oneYuan(1)))];
    expect(started).toHaveLength(MAX_PORTFOLIO_SWITCHES + 1);
    const shown = await portfolio(dan);
    expect(shown.switchesTruncated).toBe(true);
    expect(shown.switches!.map((s) => s.processId)).toEqual((await listed(`wallet=${dan.walletId}&limit=${MAX_PORTFOLIO_SWITCHES}`)).map((p) => p.processId));
  });

  it('answers without switches, saying why, where the engine cannot search instances (Zeebe without Operate)', async () => {
    const engine = app.app.get<EmbeddedProcessEngine>(PROCESS_ENGINE);
    const search = jest.spyOn(engine, 'instances').mockRejectedValue(new OperateRequiredError('instances()', "Zeebe's gRPC API cannot search process instances"));
    try {
      const response = await app.get(`/wallets/${ann.walletId}/portfolio`, ann.key);
      expect({ status: response.status, switches: response.body.switches, switchesTruncated: response.body.switchesTruncated, switchesUnavailable: response.body.switchesUnavailable }).toEqual({
        status: 200,
        switches: null,
        switchesTruncated: false,
        switchesUnavailable: 'OPERATE_REQUIRED',
      });
      expect(response.body.holdings.length).toBeGreaterThan(0);
    } finally {
      search.mockRestore();
    }
  });
});

describe('the rebalancing mode in GET /wallets/{walletId}', () => {
  it('is manual until the wallet opts into automatic rebalancing, and follows it back', async () => {
    const eve = await app.party('customer', 'Eve');
    const mode = async () => (await app.get(`/wallets/${eve.walletId}`, eve.key)).body.rebalancing;
    expect(await mode()).toBe('manual');
    expect((await app.post(`/wallets/${eve.walletId}/rebalancing`, eve.key, { mode: 'automatic' })).status).toBe(200);
    expect(await mode()).toBe('automatic');
    expect((await app.post(`/wallets/${eve.walletId}/rebalancing`, OPERATOR_KEY, { mode: 'manual' })).status).toBe(200);
    expect(await mode()).toBe('manual');
  });
});
