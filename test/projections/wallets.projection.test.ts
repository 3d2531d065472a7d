import type { RecordedEvent } from '../../src/eventstore';
import { decodeData } from '../../src/domain/event-codec';
import { ACCOUNTS } from '../../src/domain/ledger/accounts';
import { posting } from '../../src/domain/ledger/posting';
import { InvariantViolation } from '../../src/invariant';
import { BatchView } from '../../src/projections/batch-view';
import { versionedCollection } from '../../src/projections/projection';
import type { ReadStore } from '../../src/projections/read-store';
import {
  type WalletCheckpointDoc,
  type WalletDoc,
  WALLET_CHECKPOINTS_COLLECTION,
  WALLET_CHECKPOINT_EVERY_EVENTS,
  walletsProjection,
} from '../../src/projections/read-models/wallets.projection';
import { projectEvents, recorded } from './project-events';

/**
 * Given a wallet's and its positions' events, then one wallet document: cash from the wallet stream, and per
 * fund what the position aggregate holds, with the day's instant redemptions and income beside it.
 */
const ANN = 'a0000000-0000-4000-8000-000000000001';
const SHOP = 'b0000000-0000-4000-8000-000000000002';
const ANN_PARTY = 'c0000000-0000-4000-8000-000000000003';
const SHOP_PARTY = 'd0000000-0000-4000-8000-000000000004';
const P1 = 'e0000000-0000-4000-8000-000000000005';
const PAY = 'f0000000-0000-4000-8000-000000000006';
const [R1, R2, R3] = ['10000000-0000-4000-8000-000000000007', '20000000-0000-4000-8000-000000000008', '30000000-0000-4000-8000-000000000009'];

const wallet = (id: string) => `wallet-${id}`;
const yeb = `position-${ANN}-YEB`;
const cash = ACCOUNTS.walletCash(ANN);
const holding = ACCOUNTS.fundHolding(ANN, 'YEB');

/** Positions are numbered in the order the events are listed; each day's events carry that business date. */
function history(): RecordedEvent[] {
  const steps: [string, string, object, string][] = [
    [wallet(ANN), 'WalletOpened', { walletId: ANN, ownerKind: 'customer', ownerId: ANN_PARTY, accountTier: 'III' }, '2026-01-05'],
    [wallet(SHOP), 'WalletOpened', { walletId: SHOP, ownerKind: 'merchant', ownerId: SHOP_PARTY }, '2026-01-05'],
    [wallet(ANN), 'CashDeposited', { amountFen: 2_000_000n, postings: [posting(ACCOUNTS.bankClearing, cash, 2_000_000n)] }, '2026-01-05'],
    [wallet(ANN), 'PurchasePaid', { purchaseId: P1, fundCode: 'YEB', amountFen: 1_000_000n, postings: [posting(cash, ACCOUNTS.fundSettlement('YEB'), 1_000_000n)] }, '2026-01-05'],
    [yeb, 'PurchasePlaced', { purchaseId: P1, walletId: ANN, fundCode: 'YEB', amountFen: 1_000_000n, placedOn: '2026-01-05', confirmOn: '2026-01-06', postings: [] }, '2026-01-05'],
    [wallet(ANN), 'PaymentSent', { paymentId: PAY, toWalletId: SHOP, amountFen: 25_000n, businessDate: '2026-01-05', postings: [] }, '2026-01-05'],
    [wallet(SHOP), 'PaymentReceived', { paymentId: PAY, fromWalletId: ANN, amountFen: 25_000n, postings: [] }, '2026-01-05'],
    [yeb, 'PurchaseConfirmed', { purchaseId: P1, amountFen: 1_000_000n, confirmedOn: '2026-01-06', postings: [] }, '2026-01-06'],
    [yeb, 'IncomeAccrued', { date: '2026-01-06', holdingFen: 1_000_000n, perTenK: 654_300n, amountFen: 65n, postings: [] }, '2026-01-06'],
    [yeb, 'InstantRedemptionMade', { redemptionId: R1, amountFen: 300_000n, date: '2026-01-07', postings: [] }, '2026-01-07'],
    [wallet(ANN), 'RedemptionCashReceived', { redemptionId: R1, fundCode: 'YEB', amountFen: 300_000n, postings: [] }, '2026-01-07'],
    [yeb, 'InstantRedemptionMade', { redemptionId: R2, amountFen: 200_000n, date: '2026-01-07', postings: [] }, '2026-01-07'],
    [wallet(ANN), 'RedemptionCashReceived', { redemptionId: R2, fundCode: 'YEB', amountFen: 200_000n, postings: [] }, '2026-01-07'],
    [yeb, 'StandardRedemptionPlaced', { redemptionId: R3, amountFen: 100_000n, placedOn: '2026-01-07', payOn: '2026-01-08', postings: [posting(holding, ACCOUNTS.pendingRedemption(ANN, 'YEB'), 100_000n)] }, '2026-01-07'],
    [yeb, 'PositionDayClosed', { businessDate: '2026-01-07' }, '2026-01-07'],
    [yeb, 'StandardRedemptionSettled', { redemptionId: R3, amountFen: 100_000n, paidOn: '2026-01-08', postings: [] }, '2026-01-07'],
    [wallet(ANN), 'RedemptionCashReceived', { redemptionId: R3, fundCode: 'YEB', amountFen: 100_000n, postings: [] }, '2026-01-07'],
    // Monday's close accrues Saturday, Sunday and Monday, the last at a loss.
    [yeb, 'IncomeAccrued', { date: '2026-01-10', holdingFen: 400_065n, perTenK: 5_000_000n, amountFen: 20n, postings: [] }, '2026-01-12'],
    [yeb, 'IncomeAccrued', { date: '2026-01-11', holdingFen: 400_085n, perTenK: 5_000_000n, amountFen: 20n, postings: [] }, '2026-01-12'],
    [yeb, 'IncomeAccrued', { date: '2026-01-12', holdingFen: 400_105n, perTenK: -12_340n, amountFen: -1n, postings: [] }, '2026-01-12'],
  ];
  return steps.map(([stream, type, data, businessDate], i) => recorded(i + 1, stream, type, data, { businessDate }));
}

async function walletAfter(events: RecordedEvent[], walletId = ANN): Promise<WalletDoc | undefined> {
  const body = await (await projectEvents(walletsProjection, events)).get('wallets', walletId);
  return body && decodeData<WalletDoc>(body);
}

async function reapply(store: ReadStore, events: readonly RecordedEvent[]): Promise<BatchView> {
  const view = new BatchView(store, 1);
  for (const event of events.filter((e) => walletsProjection.eventTypes.includes(e.type))) {
    view.at(event.position);
    await walletsProjection.apply(event, view);
  }
  return view;
}

const bodies = async (store: ReadStore) => (await store.find(versionedCollection('wallets', 1), { limit: 100 })).map((d) => ({ id: d.id, position: d.position, body: d.body }));

describe('the wallets read model', () => {
  it('opens a wallet with its owner and no cash', async () => {
    expect(await walletAfter(history().slice(0, 1))).toEqual({
      walletId: ANN,
      ownerKind: 'customer',
      ownerId: ANN_PARTY,
      cashFen: 0n,
      rebalancing: 'manual',
      accountTier: 'III',
      paid: { lifetimeFen: 0n, year: 0, yearFen: 0n },
      funds: [],
      lastEventPosition: '1',
      trail: { nextRevisions: { [wallet(ANN)]: '1' }, recordedThroughMs: Date.parse('2026-01-05T08:00:00Z'), eventsSinceCheckpoint: 1 },
    });
  });

  it('keeps a purchase pending until it is confirmed, with the cash already paid', async () => {
    const doc = await walletAfter(history().slice(0, 7));
    expect(doc).toMatchObject({ cashFen: 975_000n });
    expect(doc!.funds).toEqual([
      { fundCode: 'YEB', holdingFen: 0n, pendingPurchases: [{ purchaseId: P1, amountFen: 1_000_000n, confirmOn: '2026-01-06' }], pendingRedemptions: [], instantRedeemed: null, lastIncomeDate: null, lastIncomeFen: 0n, incomeTotalFen: 0n },
    ]);
    expect(await walletAfter(history().slice(0, 7), SHOP)).toMatchObject({ ownerKind: 'merchant', cashFen: 25_000n, funds: [] });
  });

  it('sums the instant redemptions of a day and lists a standard one until it is settled', async () => {
    const fund = (await walletAfter(history().slice(0, 14)))!.funds[0]!;
    expect(fund).toMatchObject({
      holdingFen: 1_000_065n - 300_000n - 200_000n - 100_000n,
      pendingPurchases: [],
      pendingRedemptions: [{ redemptionId: R3, amountFen: 100_000n, payOn: '2026-01-08' }],
      instantRedeemed: { date: '2026-01-07', amountFen: 500_000n },
      lastIncomeDate: '2026-01-06',
      lastIncomeFen: 65n,
    });
  });

  it('after the whole history: cash, holding, and the income of the latest day and in total', async () => {
    const doc = await walletAfter(history());
    expect(doc).toEqual({
      walletId: ANN,
      ownerKind: 'customer',
      ownerId: ANN_PARTY,
      // 2,000,000 − 1,000,000 − 25,000 + 300,000 + 200,000 + 100,000
      cashFen: 1_575_000n,
      rebalancing: 'manual',
      accountTier: 'III',
      // The payment to the shop is the one payment from the balance; the purchase does not count.
      paid: { lifetimeFen: 25_000n, year: 2026, yearFen: 25_000n },
      funds: [
        {
          fundCode: 'YEB',
          // 400,065 + 20 + 20 − 1
          holdingFen: 400_104n,
          pendingPurchases: [],
          pendingRedemptions: [],
          instantRedeemed: { date: '2026-01-07', amountFen: 500_000n },
          lastIncomeDate: '2026-01-12',
          lastIncomeFen: -1n,
          incomeTotalFen: 104n,
        },
      ],
      lastEventPosition: '20',
      // Every event of Ann's two streams but the position's day close, which the read model does not apply.
      trail: { nextRevisions: { [wallet(ANN)]: '1', [yeb]: '1' }, recordedThroughMs: Date.parse('2026-01-05T08:00:00Z'), eventsSinceCheckpoint: 17 },
    });
  });

  it('follows the rebalancing mode the wallet sets, and nothing else changes with it', async () => {
    const automatic = recorded(21, wallet(ANN), 'RebalancingSet', { mode: 'automatic' }, { businessDate: '2026-01-12' });
    const manual = recorded(22, wallet(ANN), 'RebalancingSet', { mode: 'manual' }, { businessDate: '2026-01-12' });
    const before = (await walletAfter(history()))!;
    const trail = (events: number) => ({ ...before.trail!, eventsSinceCheckpoint: before.trail!.eventsSinceCheckpoint + events });
    expect(await walletAfter([...history(), automatic])).toEqual({ ...before, rebalancing: 'automatic', lastEventPosition: '21', trail: trail(1) });
    expect(await walletAfter([...history(), automatic, manual])).toEqual({ ...before, rebalancing: 'manual', lastEventPosition: '22', trail: trail(2) });
    expect(await walletAfter([...history(), automatic], SHOP)).toMatchObject({ rebalancing: 'manual' });
  });

  it(`keeps a checkpoint of the wallet after every ${WALLET_CHECKPOINT_EVERY_EVENTS} of its events, where an as-of read begins`, async () => {
    const deposits = Array.from({ length: 2 * WALLET_CHECKPOINT_EVERY_EVENTS + 9 }, (_, i) =>
      recorded(21 + i, wallet(ANN), 'CashDeposited', { amountFen: 1n, postings: [] }, { businessDate: '2026-01-12' }, new Date(Date.parse('2026-01-12T08:00:00Z') + i)),
    );
    const projected = await projectEvents(walletsProjection, [...history(), ...deposits]);
    const checkpoints = (await projected.all(WALLET_CHECKPOINTS_COLLECTION)).map((doc) => doc.body as unknown as WalletCheckpointDoc);
    // Ann's 17 applied events of the history and then deposits: her 256th and 512th events.
    const at = [WALLET_CHECKPOINT_EVERY_EVENTS - 17, 2 * WALLET_CHECKPOINT_EVERY_EVENTS - 17].map((n) => deposits[n - 1]!);
    expect(checkpoints.map((c) => ({ walletId: c.walletId, position: c.position, recordedThroughMs: c.recordedThroughMs }))).toEqual(
      at.map((event) => ({ walletId: ANN, position: event.position.toString(), recordedThroughMs: event.recordedAt.getTime() })),
    );
    const first = decodeData<WalletDoc>(checkpoints[0]!.wallet);
    expect({ cashFen: first.cashFen, lastEventPosition: first.lastEventPosition, since: first.trail!.eventsSinceCheckpoint }).toEqual({
      cashFen: 1_575_000n + BigInt(WALLET_CHECKPOINT_EVERY_EVENTS - 17),
      lastEventPosition: at[0]!.position.toString(),
      since: 0,
    });
    expect(checkpoints[0]!.nextRevisions).toEqual({ [wallet(ANN)]: '1', [yeb]: '1' });
  });

  it('keeps no checkpoints of a wallet whose document was begun without a trail, until a rebuild', async () => {
    const { trail: _, ...untrailed } = (await walletAfter(history().slice(0, 1)))!;
    const projected = await projectEvents(walletsProjection, []);
    const view = new BatchView(projected.store, 1);
    view.at(1n);
    view.write('wallets', ANN, untrailed);
    await projected.store.commit({ writes: view.writes(), checkpoints: [] });
    const deposits = Array.from({ length: WALLET_CHECKPOINT_EVERY_EVENTS + 1 }, (_, i) => recorded(2 + i, wallet(ANN), 'CashDeposited', { amountFen: 1n, postings: [] }));
    await projected.store.commit({ writes: (await reapply(projected.store, deposits)).writes(), checkpoints: [] });
    expect(await projected.all(WALLET_CHECKPOINTS_COLLECTION)).toEqual([]);
    expect(decodeData<WalletDoc>((await projected.get('wallets', ANN))!)).toMatchObject({ cashFen: BigInt(WALLET_CHECKPOINT_EVERY_EVENTS + 1) });
  });

  it('halts on an event that would make a holding negative: the log and the model disagree', async () => {
    const overdrawn = recorded(21, yeb, 'InstantRedemptionMade', { redemptionId: R1, amountFen: 400_105n, date: '2026-01-13', postings: [] }, { businessDate: '2026-01-13' });
    await expect(projectEvents(walletsProjection, [...history(), overdrawn])).rejects.toThrow(InvariantViolation);
  });

  it('gives the same documents in one batch as in a batch per event', async () => {
    const oneBatch = await projectEvents(walletsProjection, history(), { oneBatch: true });
    const perEvent = await projectEvents(walletsProjection, history());
    expect(await oneBatch.all('wallets')).toEqual(await perEvent.all('wallets'));
  });

  it('is unchanged when events it already applied are applied again (a batch replayed after a crash)', async () => {
    const projected = await projectEvents(walletsProjection, history());
    const before = await bodies(projected.store);
    await projected.store.commit({ writes: (await reapply(projected.store, history())).writes(), checkpoints: [] });
    expect(await bodies(projected.store)).toEqual(before);
  });

  it('completes a batch that was half written: replaying it applies each event once', async () => {
    const complete = await projectEvents(walletsProjection, history(), { oneBatch: true });
    // The first attempt wrote the shop's document, not Ann's, and moved no checkpoint.
    const { store } = await projectEvents(walletsProjection, []);
    await store.commit({ writes: (await reapply(store, history())).writes().filter((w) => w.id === SHOP), checkpoints: [] });
    await store.commit({ writes: (await reapply(store, history())).writes(), checkpoints: [] });
    expect(await bodies(store)).toEqual(await bodies(complete.store));
  });
});
