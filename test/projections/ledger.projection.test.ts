import type { RecordedEvent } from '../../src/eventstore';
import { fold } from '../../src/domain/decider';
import { decodeData } from '../../src/domain/event-codec';
import { fundDecider } from '../../src/domain/fund/fund.decider';
import { ACCOUNTS } from '../../src/domain/ledger/accounts';
import { type Posting, posting } from '../../src/domain/ledger/posting';
import { type PositionState, positionDecider } from '../../src/domain/position/position.decider';
import { ruleSetOn } from '../../src/domain/rules/rule-set';
import { walletDecider } from '../../src/domain/wallet/wallet.decider';
import { InvariantViolation } from '../../src/invariant';
import { BatchView } from '../../src/projections/batch-view';
import { versionedCollection } from '../../src/projections/projection';
import type { ReadStore } from '../../src/projections/read-store';
import { type AccountDoc, LEDGER_COLLECTION, POSTING_EVENT_TYPES, ledgerProjection } from '../../src/projections/read-models/ledger.projection';
import { projectEvents, recorded } from './project-events';

/** Given events that carry postings, then one document per account with its debit-positive balance. */
const ANN = 'a0000000-0000-4000-8000-000000000001';
const SHOP = 'b0000000-0000-4000-8000-000000000002';
const ID = 'e0000000-0000-4000-8000-000000000005';
const annCash = ACCOUNTS.walletCash(ANN);
const shopCash = ACCOUNTS.walletCash(SHOP);
const settlement = ACCOUNTS.fundSettlement('YEB');
const pending = ACCOUNTS.pendingPurchase(ANN, 'YEB');
const holding = ACCOUNTS.fundHolding(ANN, 'YEB');
const income = ACCOUNTS.fundIncome('YEB');

function history(): RecordedEvent[] {
  const steps: [string, string, Posting[], object?][] = [
    [`wallet-${ANN}`, 'CashDeposited', [posting(ACCOUNTS.bankClearing, annCash, 1_000_000n)], { amountFen: 1_000_000n }],
    [`wallet-${ANN}`, 'PaymentSent', [posting(annCash, ACCOUNTS.paymentsInTransit, 25_000n)]],
    [`wallet-${SHOP}`, 'PaymentReceived', [posting(ACCOUNTS.paymentsInTransit, shopCash, 25_000n)]],
    [`wallet-${ANN}`, 'PurchasePaid', [posting(annCash, settlement, 500_000n)]],
    [`position-${ANN}-YEB`, 'PurchasePlaced', [posting(settlement, pending, 500_000n)]],
    // An event that is not money-moving in this read model's eyes, whatever its data.
    ['calendar', 'DayCloseStarted', [], { date: '2026-01-05', days: ['2026-01-05'], nextBusinessDate: '2026-01-06' }],
    [`position-${ANN}-YEB`, 'PurchaseConfirmed', [posting(pending, holding, 500_000n)]],
    [`position-${ANN}-YEB`, 'IncomeAccrued', [posting(income, holding, 32n)]],
    // A zero income carries no postings.
    [`position-${ANN}-YEB`, 'IncomeAccrued', []],
    ['fund-YEB', 'IncomeDistributed', [posting(income, ACCOUNTS.roundingResidual('YEB'), -1n)]],
    [`position-${ANN}-YEB`, 'InstantRedemptionMade', [posting(holding, settlement, 100_000n)]],
    [`wallet-${ANN}`, 'RedemptionCashReceived', [posting(settlement, annCash, 100_000n)]],
  ];
  return steps.map(([stream, type, postings, data], i) => recorded(i + 1, stream, type, { ...data, postings }, { businessDate: '2026-01-06' }));
}

async function balances(events: RecordedEvent[], options: { oneBatch?: boolean } = {}): Promise<Record<string, bigint>> {
  const docs = await (await projectEvents(ledgerProjection, events, options)).all(LEDGER_COLLECTION);
  return Object.fromEntries(docs.map((d) => [d.id, decodeData<AccountDoc>(d.body).balanceFen]));
}

async function reapply(store: ReadStore, events: readonly RecordedEvent[]): Promise<BatchView> {
  const view = new BatchView(store, 1);
  for (const event of events.filter((e) => ledgerProjection.eventTypes.includes(e.type))) {
    view.at(event.position);
    await ledgerProjection.apply(event, view);
  }
  return view;
}

const stored = async (store: ReadStore) => (await store.find(versionedCollection(LEDGER_COLLECTION, 1), { limit: 100 })).map((d) => ({ id: d.id, position: d.position, body: d.body }));

/** Every event type the deciders produce, with whether it carries postings, from one run of every money-moving command. */
function decidedEventTypes(): Map<string, boolean> {
  const types = new Map<string, boolean>();
  const note = (events: readonly { type: string; data: object }[]) => events.forEach((e) => types.set(e.type, 'postings' in e.data));
  const wallet = fold(walletDecider, walletDecider.decide({ type: 'OpenWallet', walletId: ANN, ownerKind: 'customer', ownerId: SHOP, accountTier: 'III' }, walletDecider.initialState));
  const funded = fold({ ...walletDecider, initialState: wallet }, walletDecider.decide({ type: 'Deposit', amountFen: 1_000n }, wallet));
  note(walletDecider.decide({ type: 'Deposit', amountFen: 1_000n }, wallet));
  note(walletDecider.decide({ type: 'Withdraw', amountFen: 1n }, funded));
  note(walletDecider.decide({ type: 'SendPayment', paymentId: ID, toWalletId: SHOP, amountFen: 1n, businessDate: '2026-01-05', ruleSet: ruleSetOn('2026-01-05') }, funded));
  note(walletDecider.decide({ type: 'ReceivePayment', paymentId: ID, fromWalletId: SHOP, amountFen: 1n }, funded));
  note(walletDecider.decide({ type: 'ReturnPayment', paymentId: ID, toWalletId: SHOP, amountFen: 1n, reason: 'refused' }, funded));
  note(walletDecider.decide({ type: 'PayForPurchase', purchaseId: ID, fundCode: 'YEB', amountFen: 1n, ruleSet: ruleSetOn('2026-01-05') }, funded));
  note(walletDecider.decide({ type: 'ReceiveRedemption', redemptionId: ID, fundCode: 'YEB', amountFen: 1n }, funded));
  const placed = positionDecider.decide({ type: 'PlacePurchase', purchaseId: ID, walletId: ANN, fundCode: 'YEB', amountFen: 1_000_000n, businessDate: '2026-01-05' }, positionDecider.initialState);
  note(placed);
  const day = (date: string) => ({ date, perTenK: 654_300n });
  const close = (state: PositionState, date: string, next: string) => positionDecider.decide({ type: 'CloseDay', businessDate: date, nextBusinessDate: next, days: [day(date)] }, state);
  let position = fold(positionDecider, placed);
  const confirmed = close(position, '2026-01-06', '2026-01-07');
  note(confirmed);
  position = fold({ ...positionDecider, initialState: position }, confirmed);
  const redeem = (mode: 'instant' | 'standard') => positionDecider.decide({ type: 'Redeem', redemptionId: ID, amountFen: 1n, mode, businessDate: '2026-01-07', ruleSet: ruleSetOn('2026-01-07') }, position);
  note(redeem('instant'));
  const standard = redeem('standard');
  note(standard);
  note(close(fold({ ...positionDecider, initialState: position }, standard), '2026-01-07', '2026-01-08'));
  const fund = fold(fundDecider, fundDecider.decide({ type: 'RegisterFund', code: 'YEB', name: 'YEB', businessDate: '2026-01-05' }, fundDecider.initialState));
  const published = fold({ ...fundDecider, initialState: fund }, fundDecider.decide({ type: 'PublishIncome', date: '2026-01-05', perTenK: 654_300n, businessDate: '2026-01-05', lastClosedDate: null, ledgerStartedOn: '2026-01-05' }, fund));
  note(fundDecider.decide({ type: 'DistributeIncome', date: '2026-01-05', holdingsFen: 1_500_000n, distributedFen: 97n }, published));
  return types;
}

describe('the ledger read model', () => {
  it('reads every event type the deciders give postings to, and no other', () => {
    const decided = decidedEventTypes();
    const withPostings = [...decided].filter(([, carries]) => carries).map(([type]) => type);
    expect(withPostings.sort()).toEqual([...POSTING_EVENT_TYPES].sort());
    expect([...ledgerProjection.eventTypes].sort()).toEqual([...POSTING_EVENT_TYPES].sort());
    expect(decided.get('PositionDayClosed')).toBe(false);
  });

  it('debits add and credits subtract, per account, and every balance sums to zero', async () => {
    const result = await balances(history());
    expect(result).toEqual({
      [ACCOUNTS.bankClearing]: 1_000_000n,
      [annCash]: -1_000_000n + 25_000n + 500_000n - 100_000n,
      [ACCOUNTS.paymentsInTransit]: 0n,
      [shopCash]: -25_000n,
      [settlement]: 0n,
      [pending]: 0n,
      [holding]: -500_032n + 100_000n,
      [income]: 32n - 1n,
      [ACCOUNTS.roundingResidual('YEB')]: 1n,
    });
    expect(Object.values(result).reduce((sum, b) => sum + b, 0n)).toBe(0n);
  });

  it('halts when a wallet-cash account, a liability, would hold a debit balance', async () => {
    const overdrawn = recorded(13, `wallet-${SHOP}`, 'CashWithdrawn', { amountFen: 25_001n, postings: [posting(shopCash, ACCOUNTS.bankClearing, 25_001n)] });
    await expect(projectEvents(ledgerProjection, [...history(), overdrawn])).rejects.toThrow(new InvariantViolation(`CashWithdrawn at position 13 leaves ${shopCash} with a debit balance of 1 fen`));
  });

  it.each([
    ['of zero', { debit: annCash, credit: ACCOUNTS.bankClearing, amountFen: 0n }],
    ['of a negative amount', { debit: ACCOUNTS.bankClearing, credit: annCash, amountFen: -5n }],
    ['between an account and itself', { debit: annCash, credit: annCash, amountFen: 5n }],
    ['naming no account', { debit: '', credit: annCash, amountFen: 5n }],
  ])('halts on a posting %s', async (_, malformed) => {
    const event = recorded(13, `wallet-${ANN}`, 'CashDeposited', { amountFen: 5n, postings: [malformed] });
    await expect(projectEvents(ledgerProjection, [...history(), event])).rejects.toThrow(InvariantViolation);
  });

  it('halts on a money-moving event without a list of postings', async () => {
    const event = recorded(13, `wallet-${ANN}`, 'CashDeposited', { amountFen: 5n });
    await expect(projectEvents(ledgerProjection, [event])).rejects.toThrow(InvariantViolation);
  });

  it('gives the same balances in one batch as in a batch per event', async () => {
    expect(await balances(history(), { oneBatch: true })).toEqual(await balances(history()));
  });

  it('is unchanged when events it already applied are applied again (a batch replayed after a crash)', async () => {
    const projected = await projectEvents(ledgerProjection, history());
    const before = await stored(projected.store);
    await projected.store.commit({ writes: (await reapply(projected.store, history())).writes(), checkpoints: [] });
    expect(await stored(projected.store)).toEqual(before);
  });

  it('completes a half-written batch, counting every event once', async () => {
    const complete = await projectEvents(ledgerProjection, history(), { oneBatch: true });
    // The first attempt wrote Ann's cash (as of the last event) and nothing else: replaying the batch must
    // count the events already in that document once, and the others once.
    const { store } = await projectEvents(ledgerProjection, []);
    await store.commit({ writes: (await reapply(store, history())).writes().filter((w) => w.id === annCash), checkpoints: [] });
    await store.commit({ writes: (await reapply(store, history())).writes(), checkpoints: [] });
    expect(await stored(store)).toEqual(await stored(complete.store));
  });
});
