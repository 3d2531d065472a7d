import fc from 'fast-check';
import { type EventStore, type RecordedEvent } from '../../src/eventstore';
import { isEntityEvent, toDomainEvent } from '../../src/api/commands/stored-aggregate';
import { CALENDAR_STREAM, type CalendarEvent, calendarDecider } from '../../src/domain/calendar/calendar.decider';
import { fold } from '../../src/domain/decider';
import { decodeData } from '../../src/domain/event-codec';
import type { Posting } from '../../src/domain/ledger/posting';
import { formatFen } from '../../src/domain/money';
import { type PositionEvent, instantQuotaLeftFen, positionDecider } from '../../src/domain/position/position.decider';
import { type RuleSet, ruleSetOn } from '../../src/domain/rules/rule-set';
import { type WalletEvent, type WalletState, tierLimitLeftFen, walletDecider } from '../../src/domain/wallet/wallet.decider';
import { OPERATOR_KEY, type TestApp } from '../api/test-app';
import { FUNDS, type HistoryWorld, applyOperation, openWorld } from './http-history';

/**
 * Random histories of every operation, driven through the HTTP API. Afterwards the read models agree with
 * the log: GET /wallets/{id} is what folding the wallet and position aggregates from the raw log gives, every
 * ledger account's balance is the sum of the postings in the log, and a wallet's transactions add up to its
 * cash and holdings.
 */
const WALLETS = 2;
const START = '2018-05-30';

// Deposits are larger than what is spent, and redemptions smaller than purchases, so most operations succeed
// and a holding is often redeemed several times a day.
const fenAmount = (max: number) => fc.integer({ min: 1, max }).map((fen) => formatFen(BigInt(fen)));
const wallet = fc.integer({ min: 0, max: WALLETS - 1 });
const fund = fc.constantFrom(...FUNDS);
const operation = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deposit' as const), wallet, amount: fenAmount(2_000_000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('withdraw' as const), wallet, amount: fenAmount(200_000) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pay' as const), wallet, to: wallet, amount: fenAmount(200_000) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('purchase' as const), wallet, fund, amount: fenAmount(400_000) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('redeem' as const), wallet, fund, amount: fenAmount(30_000), mode: fc.constantFrom('instant' as const, 'instant' as const, 'standard' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), perTenK: fc.integer({ min: -2_000, max: 20_000 }) }) },
);
async function open(): Promise<HistoryWorld> {
  const world = await openWorld(WALLETS, START);
  // Every wallet starts with cash and a confirmed holding of each fund, so redemptions have something to take.
  for (const { walletId, key } of world.wallets) {
    expect((await world.app.post(`/wallets/${walletId}/deposits`, key, { amount: '5000.00' })).status).toBe(201);
    for (const fundCode of FUNDS) expect((await world.app.post(`/wallets/${walletId}/purchases`, key, { fundCode, amount: '2000.00' })).status).toBe(201);
  }
  for (const perTenK of [6_543, 5_000]) await applyOperation(world, { kind: 'close', perTenK });
  return world;
}

async function readLog(store: EventStore): Promise<RecordedEvent[]> {
  const log: RecordedEvent[] = [];
  for await (const event of store.readAll()) if (isEntityEvent(event)) log.push(event);
  return log;
}

/** The wallet view the aggregates give, folded from the raw log: the reference the read models must match. */
function foldedView(log: readonly RecordedEvent[], walletId: string) {
  const of = (stream: string) => log.filter((e) => e.stream === stream);
  const calendar = fold(calendarDecider, of(CALENDAR_STREAM).map((e) => toDomainEvent<CalendarEvent>(e)));
  const state = fold(walletDecider, of(`wallet-${walletId}`).map((e) => toDomainEvent<WalletEvent>(e)));
  if (!calendar.started || !state.open) throw new Error(`wallet ${walletId} or the calendar is not open in the log`);
  const { businessDate } = calendar;
  const ruleSet = ruleSetOn(businessDate);
  const sum = (items: readonly { amountFen: bigint }[]) => items.reduce((total, item) => total + item.amountFen, 0n);
  const holdings = state.fundCodes.map((fundCode) => {
    const events = of(`position-${walletId}-${fundCode}`).map((e) => toDomainEvent<PositionEvent>(e));
    const position = fold(positionDecider, events);
    if (!position.opened) throw new Error(`position ${walletId}/${fundCode} was paid for but never placed`);
    const incomes = events.flatMap((e) => (e.type === 'IncomeAccrued' ? [e.data] : []));
    const lastDate = incomes.length > 0 ? incomes[incomes.length - 1]!.date : null;
    return {
      fundCode,
      holding: formatFen(position.holdingFen),
      pendingPurchase: formatFen(sum(position.pendingPurchases)),
      pendingPurchases: position.pendingPurchases.map((p) => ({ purchaseId: p.purchaseId, amount: formatFen(p.amountFen), confirmOn: p.confirmOn })),
      pendingRedemption: formatFen(sum(position.pendingRedemptions)),
      pendingRedemptions: position.pendingRedemptions.map((r) => ({ redemptionId: r.redemptionId, amount: formatFen(r.amountFen), payOn: r.payOn })),
      instantQuotaLeft: formatFen(instantQuotaLeftFen(position, businessDate, ruleSet)),
      lastDate,
      lastFen: sum(incomes.filter((i) => i.date === lastDate)),
      totalFen: sum(incomes),
    };
  });
  const walletLastDate = holdings.reduce<string | null>((latest, h) => (h.lastDate !== null && (latest === null || h.lastDate > latest) ? h.lastDate : latest), null);
  return {
    walletId,
    ownerKind: state.ownerKind,
    ownerId: state.ownerId,
    rebalancing: state.rebalancing,
    businessDate,
    ruleSetVersion: ruleSet.version,
    accountTier: state.accountTier,
    paymentLimit: paymentLimitOf(state, businessDate, ruleSet),
    cash: formatFen(state.cashFen),
    incomeLastDay: formatFen(holdings.filter((h) => walletLastDate !== null && h.lastDate === walletLastDate).reduce((total, h) => total + h.lastFen, 0n)),
    incomeLastDayDate: walletLastDate,
    incomeTotal: formatFen(holdings.reduce((total, h) => total + h.totalFen, 0n)),
    holdings: holdings.map(({ lastDate, lastFen, totalFen, ...holding }) => ({ ...holding, incomeLastDay: formatFen(lastFen), incomeLastDayDate: lastDate, incomeTotal: formatFen(totalFen) })),
  };
}

/** The tier's limit as the aggregate works it out: the decider's own rule, applied to the folded wallet. */
function paymentLimitOf(state: Extract<WalletState, { open: true }>, businessDate: string, ruleSet: RuleSet) {
  const limit = tierLimitLeftFen(state, businessDate, ruleSet);
  if (!limit) return null;
  return { period: limit.rule.period, limit: formatFen(limit.rule.paymentLimitFen), used: formatFen(limit.usedFen), left: formatFen(limit.leftFen), mayBuyFunds: limit.rule.mayBuyFunds };
}

/** Every item of a paged listing; bounded, so a listing that never ends fails instead of hanging. */
async function everyItem<T>(app: TestApp, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const response = await app.get(`${path}?limit=200${cursor ? `&cursor=${cursor}` : ''}`, OPERATOR_KEY);
    expect(response.status).toBe(200);
    items.push(...response.body.items);
    cursor = response.body.nextCursor;
    if (cursor === null) return items;
  }
  throw new Error(`${path} did not end within 50 pages`);
}

async function checkLedger(app: TestApp, log: readonly RecordedEvent[]): Promise<void> {
  const expected = new Map<string, bigint>();
  for (const event of log) {
    for (const p of decodeData<{ postings?: Posting[] }>(event.data).postings ?? []) {
      expected.set(p.debit, (expected.get(p.debit) ?? 0n) + p.amountFen);
      expected.set(p.credit, (expected.get(p.credit) ?? 0n) - p.amountFen);
    }
  }
  const accounts = await everyItem<{ account: string; balance: string }>(app, '/ledger/accounts');
  const sorted = [...expected].sort(([a], [b]) => (a < b ? -1 : 1)).map(([account, fen]) => ({ account, balance: formatFen(fen) }));
  expect(accounts).toEqual(sorted);
  const trial = await app.get('/ledger/trial-balance', OPERATOR_KEY);
  expect(trial.body).toMatchObject({ accounts: accounts.length, total: '0.00' });
}

async function checkReadModels(world: HistoryWorld): Promise<void> {
  const log = await readLog(world.store);
  for (const { walletId } of world.wallets) {
    const view = await world.app.get(`/wallets/${walletId}`, OPERATOR_KEY);
    expect(view.status).toBe(200);
    expect(view.body).toEqual(foldedView(log, walletId));
    const rows = await everyItem<{ asset: string; fundCode: string | null; amount: string }>(world.app, `/wallets/${walletId}/transactions`);
    const total = (asset: string, fundCode: string | null) => formatFen(rows.filter((r) => r.asset === asset && (asset === 'cash' || r.fundCode === fundCode)).reduce((sum, r) => sum + BigInt(r.amount.replace('.', '')), 0n));
    expect(total('cash', null)).toBe(view.body.cash);
    for (const holding of view.body.holdings) expect(total('fund', holding.fundCode)).toBe(holding.holding);
  }
  await checkLedger(world.app, log);
}

describe('random histories through the API', () => {
  it('leave the wallets, transactions and ledger read models equal to folding the log', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 5, maxLength: 20 }), async (operations) => {
        const world = await open();
        try {
          for (const op of operations) {
            await applyOperation(world, op);
            await checkReadModels(world);
          }
        } finally {
          await world.app.stop();
        }
      }),
      { seed: 42, numRuns: 10 },
    );
  });
});
