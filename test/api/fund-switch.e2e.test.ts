import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROCESS_ENGINE } from '../../src/api/processes/process-engine.token';
import { EVENT_STORE } from '../../src/api/event-store.module';
import { toEventInputs } from '../../src/api/commands/stored-aggregate';
import { dailyForecastStream } from '../../src/domain/forecast/daily-forecast.decider';
import type { EventStore } from '../../src/eventstore';
import type { EmbeddedProcessEngine } from '../../src/processes/engine';
import { OPERATOR_KEY, TestApp } from './test-app';

/**
 * Fund switches through the product: POST /wallets/{id}/rebalances starts one per switch; each redeems
 * (instant within the day's remaining cap, else standard), waits for the cash, buys the target and waits for
 * its confirmation, all on the embedded engine with the product's workers and the log's events as messages.
 */
let app: TestApp;
let ann: { id: string; walletId: string; key: string };

const settle = () => app.settleProcesses();

async function closeDay(date: string, weekend: readonly string[] = []): Promise<void> {
  for (const day of [...weekend, date]) {
    for (const code of ['SWA', 'SWB']) expect((await app.post(`/funds/${code}/incomes`, OPERATOR_KEY, { date: day, perTenK: '0.5000' })).status).toBe(201);
  }
  expect((await app.post('/operations/day-close', OPERATOR_KEY, { date })).status).toBe(200);
  await settle();
}

async function holdings(): Promise<Record<string, { holding: string; pendingPurchase: string; pendingRedemption: string }>> {
  const wallet = await app.get(`/wallets/${ann.walletId}?minPosition=${await app.lastPosition()}`, OPERATOR_KEY);
  return Object.fromEntries(wallet.body.holdings.map((h: { fundCode: string; holding: string; pendingPurchase: string; pendingRedemption: string }) => [h.fundCode, { holding: h.holding, pendingPurchase: h.pendingPurchase, pendingRedemption: h.pendingRedemption }]));
}

async function processView(processId: string) {
  const response = await app.get(`/processes/${processId}`, OPERATOR_KEY);
  expect(response.status).toBe(200);
  return response.body as { state: string; currentElements: string[]; history: { elementId: string }[]; variables: Record<string, unknown> };
}

beforeAll(async () => {
  app = await TestApp.start({ startDate: '2026-01-05' });
  for (const code of ['SWA', 'SWB']) expect((await app.post('/funds', OPERATOR_KEY, { code, name: `Switch fund ${code}` })).status).toBe(201);
  ann = await app.party('customer', 'Ann');
  await app.post(`/wallets/${ann.walletId}/deposits`, ann.key, { amount: '30000.00' });
  expect((await app.post(`/wallets/${ann.walletId}/purchases`, ann.key, { fundCode: 'SWA', amount: '30000.00' })).status).toBe(201);
  await closeDay('2026-01-05');
  await closeDay('2026-01-06');
});

afterAll(() => app.stop());

describe('a fund switch within the instant cap', () => {
  it('redeems instantly, buys the target at once, and completes when the purchase is confirmed', async () => {
    const started = await app.post(`/wallets/${ann.walletId}/rebalances`, ann.key, { switches: [{ fromFund: 'SWA', toFund: 'SWB', amount: '5000.00' }] });
    expect(started.status).toBe(202);
    expect(started.body.processes).toEqual([{ processId: started.body.processId, fromFund: 'SWA', toFund: 'SWB', amount: '5000.00' }]);
    await settle();
    const waiting = await processView(started.body.processId);
    expect({ state: waiting.state, at: waiting.currentElements, mode: waiting.variables.redemptionMode }).toEqual({ state: 'active', at: ['AwaitConfirmation'], mode: 'instant' });
    expect((await holdings()).SWB).toMatchObject({ holding: '0.00', pendingPurchase: '5000.00' });
    // Placed on the 7th, the purchase is confirmed by the close of the next business day.
    await closeDay('2026-01-07');
    expect((await processView(started.body.processId)).currentElements).toEqual(['AwaitConfirmation']);
    await closeDay('2026-01-08');
    const done = await processView(started.body.processId);
    expect(done.state).toBe('completed');
    expect(done.history.map((h) => h.elementId)).toEqual(expect.arrayContaining(['RedeemSource', 'AwaitRedemptionCash', 'PurchaseTarget', 'AwaitConfirmation', 'Switched']));
    // Confirmed on the 8th, it earned that day's income: 5,000.00 × 0.5000 / 10,000 = 0.25.
    expect((await holdings()).SWB).toMatchObject({ holding: '5000.25', pendingPurchase: '0.00' });
    const retried = await app.post(`/processes/${started.body.processId}/retry`, OPERATOR_KEY, {});
    expect({ status: retried.status, code: retried.body.code }).toEqual({ status: 409, code: 'NOTHING_TO_RETRY' });
  });
});

describe('a fund switch sent again under its Idempotency-Key', () => {
  it('answers the first 202 again once the first has moved the holding, and starts nothing second', async () => {
    const { holding } = (await holdings()).SWB!;
    const body = { switches: [{ fromFund: 'SWB', toFund: 'SWA', amount: holding }] };
    const first = await app.post(`/wallets/${ann.walletId}/rebalances`, ann.key, body, { 'idempotency-key': 'switch-all-of-swb' });
    expect(first.status).toBe(202);
    await settle();
    expect((await holdings()).SWB!.holding).not.toBe(holding);
    const again = await app.post(`/wallets/${ann.walletId}/rebalances`, ann.key, body, { 'idempotency-key': 'switch-all-of-swb' });
    expect({ status: again.status, body: again.body }).toEqual({ status: 202, body: first.body });
    // Without the key the same body is a new request, which the moved holding refuses.
    const fresh = await app.post(`/wallets/${ann.walletId}/rebalances`, ann.key, body);
    expect(fresh).toMatchObject({ status: 422, body: { code: 'INSUFFICIENT_HOLDING' } });
  });
});

describe('a fund switch over the instant cap', () => {
  it('redeems standard, waits for the close to pay the cash, then buys and waits for the next close', async () => {
    const started = await app.post(`/wallets/${ann.walletId}/rebalances`, OPERATOR_KEY, { switches: [{ fromFund: 'SWA', toFund: 'SWB', amount: '15000.00' }] });
    expect(started.status).toBe(202);
    await settle();
    const waitingForCash = await processView(started.body.processId);
    expect({ at: waitingForCash.currentElements, mode: waitingForCash.variables.redemptionMode }).toEqual({ at: ['AwaitRedemptionCash'], mode: 'standard' });
    expect((await holdings()).SWA).toMatchObject({ pendingRedemption: '15000.00' });
    // The cash is paid by the close of Friday the 9th, which places the purchase on that day: Monday confirms it.
    await closeDay('2026-01-09');
    expect((await processView(started.body.processId)).currentElements).toEqual(['AwaitConfirmation']);
    expect((await holdings()).SWB).toMatchObject({ pendingPurchase: '15000.00' });
    await closeDay('2026-01-12', ['2026-01-10', '2026-01-11']);
    expect((await processView(started.body.processId)).state).toBe('completed');
    expect((await holdings()).SWB).toMatchObject({ pendingPurchase: '0.00' });
  });
});

describe('a fund switch whose purchase is refused', () => {
  it('keeps the redeemed cash in the wallet and ends there', async () => {
    const cashBefore = (await app.get(`/wallets/${ann.walletId}?minPosition=${await app.lastPosition()}`, OPERATOR_KEY)).body.cash as string;
    // The API checks the target fund; a fund gone by the time of the purchase is what the model's error path is for.
    const engine = app.app.get<EmbeddedProcessEngine>(PROCESS_ENGINE);
    const { instanceId } = await engine.startInstance('fund-switch', { walletId: ann.walletId, fromFund: 'SWA', toFund: 'GONE', amount: '100.00' });
    await settle();
    const ended = await processView(instanceId);
    expect({ state: ended.state, at: ended.currentElements, incidents: (ended as unknown as { incidents: unknown[] }).incidents }).toEqual({ state: 'completed', at: [], incidents: [] });
    expect(ended.history.map((h) => h.elementId)).toEqual(expect.arrayContaining(['PurchaseRefused', 'KeepInWallet', 'CompensatedInWallet']));
    const cashAfter = (await app.get(`/wallets/${ann.walletId}?minPosition=${await app.lastPosition()}`, OPERATOR_KEY)).body.cash as string;
    const fen = (cny: string) => BigInt(cny.replace('.', ''));
    expect(fen(cashAfter) - fen(cashBefore)).toBe(10_000n);
  });
});

describe('a rebalance the API refuses starts nothing', () => {
  it.each([
    ['an unknown fund', { fromFund: 'SWA', toFund: 'NOPE', amount: '1.00' }, 409, 'UNKNOWN_FUND', 'switches[0].toFund'],
    ['the same fund on both sides', { fromFund: 'SWA', toFund: 'SWA', amount: '1.00' }, 400, 'VALIDATION_FAILED', 'switches[0].toFund'],
    ['a zero amount', { fromFund: 'SWA', toFund: 'SWB', amount: '0.00' }, 400, 'VALIDATION_FAILED', 'switches[0].amount'],
    ['more than the wallet holds', { fromFund: 'SWB', toFund: 'SWA', amount: '999999.00' }, 422, 'INSUFFICIENT_HOLDING', 'switches[0].amount'],
  ])('%s: %s', async (_, switchRequest, status, code, field) => {
    const before = (await app.get('/processes?limit=200', OPERATOR_KEY)).body.items.length;
    const refused = await app.post(`/wallets/${ann.walletId}/rebalances`, ann.key, { switches: [switchRequest] });
    expect({ status: refused.status, code: refused.body.code, field: refused.body.field }).toEqual({ status, code, field });
    expect((await app.get('/processes?limit=200', OPERATOR_KEY)).body.items.length).toBe(before);
  });

  it('an empty list or eleven switches is 400 naming switches', async () => {
    for (const switches of [[], Array.from({ length: 11 }, () => ({ fromFund: 'SWA', toFund: 'SWB', amount: '1.00' }))]) {
      const refused = await app.post(`/wallets/${ann.walletId}/rebalances`, ann.key, { switches });
      expect({ status: refused.status, field: refused.body.field }).toEqual({ status: 400, field: 'switches' });
    }
  });
});

describe('a new version of the fund switch deployed under running instances', () => {
  const fundSwitchVersions = async () =>
    ((await app.get('/processes/models', OPERATOR_KEY)).body.items as { model: string; version: number; resourceName: string }[])
      .filter((m) => m.model === 'fund-switch' && m.resourceName === 'fund-switch.bpmn')
      .map((m) => m.version);
  const v1 = readFileSync(join(process.cwd(), 'src', 'api', 'processes', 'fund-switch.bpmn'), 'utf8');

  it('serves new instances at once while the running one finishes on the version it started with', async () => {
    expect(await fundSwitchVersions()).toEqual([1]);
    const running = (await app.post(`/wallets/${ann.walletId}/rebalances`, ann.key, { switches: [{ fromFund: 'SWA', toFund: 'SWB', amount: '100.00' }] })).body.processId as string;
    await settle();
    expect((await processView(running)).currentElements).toEqual(['AwaitConfirmation']);

    // A rectification: late cash is escalated after 5 days instead of 10.
    const v2 = v1.replace('<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P10D</bpmn:timeDuration>', '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P5D</bpmn:timeDuration>');
    expect(v2).not.toBe(v1);
    const deployed = await app.post('/processes/models', OPERATOR_KEY, { name: 'fund-switch.bpmn', xml: v2 });
    expect(deployed.status).toBe(201);
    expect(deployed.body).toMatchObject({ model: 'fund-switch', version: 2 });
    const next = (await app.post(`/wallets/${ann.walletId}/rebalances`, ann.key, { switches: [{ fromFund: 'SWA', toFund: 'SWB', amount: '100.00' }] })).body.processId as string;
    await settle();
    expect(((await app.get(`/processes/${next}`, OPERATOR_KEY)).body as { version: number }).version).toBe(2);

    await closeDay('2026-01-13');
    await closeDay('2026-01-14');
    const versions = await Promise.all([running, next].map(async (id) => (await app.get(`/processes/${id}`, OPERATOR_KEY)).body as { version: number; state: string }));
    expect(versions.map(({ version, state }) => ({ version, state }))).toEqual([
      { version: 1, state: 'completed' },
      { version: 2, state: 'completed' },
    ]);
    expect(await fundSwitchVersions()).toEqual([1, 2]);
  });

  it.each([
    ['a model that does not parse', () => v1.replace('sourceRef="SwitchRequested"', 'sourceRef="Nowhere"'), 'MODEL_REJECTED'],
    ['a task no worker serves', () => v1.replace('type="fund-switch.escalate"', 'type="fund-switch.page-someone"'), 'NO_WORKER'],
    ['a process the product does not run', () => v1.replaceAll('"fund-switch"', '"something-else"'), 'UNKNOWN_PROCESS'],
  ])('%s is 422 and deploys nothing', async (_, xml, code) => {
    const refused = await app.post('/processes/models', OPERATOR_KEY, { name: 'fund-switch.bpmn', xml: xml() });
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 422, code });
    if (code === 'MODEL_REJECTED') expect(refused.body.detail).toContain('fund-switch.bpmn');
    expect(await fundSwitchVersions()).toEqual([1, 2]);
  });
});

describe('a wallet that rebalances automatically', () => {
  /** A proposal as the day close's forecasts record one: the wallet's holdings against the IIMMF targets. */
  async function propose(walletId: string, date: string, targets: { fundCode: string; currentFen: bigint; targetFen: bigint }[]): Promise<void> {
    const proposal = { type: 'RebalanceProposed' as const, data: { walletId, forecastDate: date, targets, expectedGainFen: 1n, instantCapacityFen: 0n, demandUpper95Fen: 0n, shortfallFen: 0n, binding: [] } };
    const metadata = { correlationId: 'close', causationId: 'close', principal: 'operator:system', ruleSetVersion: 'csrc-pboc-2018-06', businessDate: date };
    const store = app.app.get<EventStore>(EVENT_STORE);
    await store.append(dailyForecastStream(date), toEventInputs([proposal], metadata), { expectedRevision: 'no_stream' });
  }

  const proposalSwitches = async () =>
    ((await app.get('/processes?model=fund-switch&limit=200', OPERATOR_KEY)).body.items as { processId: string; businessKey: string | null }[]).filter((p) => p.businessKey?.includes(':fund-switch:proposal:'));

  it("has the close's proposals made as fund switches once it opts in, and only then", async () => {
    const bob = await app.party('customer', 'Bob');
    await app.post(`/wallets/${bob.walletId}/deposits`, bob.key, { amount: '20000.00' });
    await app.post(`/wallets/${bob.walletId}/purchases`, bob.key, { fundCode: 'SWA', amount: '20000.00' });
    await closeDay('2026-01-15');
    await closeDay('2026-01-16');
    const targets = [
      { fundCode: 'SWA', currentFen: 2_000_000n, targetFen: 1_500_000n },
      { fundCode: 'SWB', currentFen: 0n, targetFen: 500_000n },
    ];
    await propose(bob.walletId, '2026-01-19', targets);
    await app.settleProcesses();
    expect(await proposalSwitches()).toEqual([]);

    const optedIn = await app.post(`/wallets/${bob.walletId}/rebalancing`, bob.key, { mode: 'automatic' });
    expect({ status: optedIn.status, body: optedIn.body }).toMatchObject({ status: 200, body: { walletId: bob.walletId, rebalancing: 'automatic' } });
    await propose(bob.walletId, '2026-01-20', targets);
    await app.settleProcesses();
    const started = await proposalSwitches();
    expect(started).toHaveLength(1);
    const view = await processView(started[0]!.processId);
    expect(view.variables).toMatchObject({ walletId: bob.walletId, fromFund: 'SWA', toFund: 'SWB', amount: '5000.00' });
    expect(view.history.map((h) => h.elementId)).toContain('PurchaseTarget');
  });
});

// Last, as it leaves a switch under way in Ann's wallet that the tests above do not expect.
describe('another request under a used Idempotency-Key', () => {
  it('refuses another request under the same key, one more switch included, and starts none of it unchecked', async () => {
    const body = { switches: [{ fromFund: 'SWA', toFund: 'SWB', amount: '1.00' }] };
    const first = await app.post(`/wallets/${ann.walletId}/rebalances`, ann.key, body, { 'idempotency-key': 'one-switch-then-two' });
    expect(first.status).toBe(202);
    await settle();
    const listed = async () => (await app.get(`/processes?wallet=${ann.walletId}&model=fund-switch&limit=200`, OPERATOR_KEY)).body.items.length as number;
    const before = await listed();
    // The first switch is the one started; the second goes from a fund into itself and was never checked.
    const more = { switches: [...body.switches, { fromFund: 'SWB', toFund: 'SWB', amount: '9999999.00' }] };
    const again = await app.post(`/wallets/${ann.walletId}/rebalances`, ann.key, more, { 'idempotency-key': 'one-switch-then-two' });
    expect({ status: again.status, code: again.body.code }).toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await listed()).toBe(before);
  });
});
