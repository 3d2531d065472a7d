import type { RecordedEvent } from '../../src/eventstore';
import { decodeData } from '../../src/domain/event-codec';
import { InvariantViolation } from '../../src/invariant';
import { BatchView } from '../../src/projections/batch-view';
import { versionedCollection } from '../../src/projections/projection';
import type { ReadStore } from '../../src/projections/read-store';
import { type TransactionDoc, transactionId, transactionsProjection } from '../../src/projections/read-models/transactions.projection';
import { projectEvents, recorded } from './project-events';

/** Given wallet and position events, then one row per movement of a wallet's cash or holding, keyed by log position. */
const ANN = 'a0000000-0000-4000-8000-000000000001';
const SHOP = 'b0000000-0000-4000-8000-000000000002';
const P1 = 'e0000000-0000-4000-8000-000000000005';
const PAY = 'f0000000-0000-4000-8000-000000000006';
const [R1, R2] = ['10000000-0000-4000-8000-000000000007', '20000000-0000-4000-8000-000000000008'];
const yeb = `position-${ANN}-YEB`;
const RECORDED_AT = new Date('2026-01-05T08:00:00Z');

function history(): RecordedEvent[] {
  const steps: [string, string, object, string][] = [
    [`wallet-${ANN}`, 'WalletOpened', { walletId: ANN, ownerKind: 'customer', ownerId: ANN }, '2026-01-05'],
    [`wallet-${ANN}`, 'CashDeposited', { amountFen: 2_000_000n, postings: [] }, '2026-01-05'],
    [`wallet-${ANN}`, 'CashWithdrawn', { amountFen: 51n, postings: [] }, '2026-01-05'],
    [`wallet-${ANN}`, 'PaymentSent', { paymentId: PAY, toWalletId: SHOP, amountFen: 25_000n, postings: [] }, '2026-01-05'],
    [`wallet-${SHOP}`, 'PaymentReceived', { paymentId: PAY, fromWalletId: ANN, amountFen: 25_000n, postings: [] }, '2026-01-05'],
    [`wallet-${ANN}`, 'PurchasePaid', { purchaseId: P1, fundCode: 'YEB', amountFen: 1_000_000n, postings: [] }, '2026-01-05'],
    [yeb, 'PurchasePlaced', { purchaseId: P1, walletId: ANN, fundCode: 'YEB', amountFen: 1_000_000n, placedOn: '2026-01-05', confirmOn: '2026-01-06', postings: [] }, '2026-01-05'],
    [yeb, 'IncomeAccrued', { date: '2026-01-05', holdingFen: 0n, perTenK: 0n, amountFen: 0n, postings: [] }, '2026-01-05'],
    [yeb, 'PurchaseConfirmed', { purchaseId: P1, amountFen: 1_000_000n, confirmedOn: '2026-01-06', postings: [] }, '2026-01-09'],
    [yeb, 'IncomeAccrued', { date: '2026-01-10', holdingFen: 1_000_000n, perTenK: -12_340n, amountFen: -2n, postings: [] }, '2026-01-12'],
    [yeb, 'InstantRedemptionMade', { redemptionId: R1, amountFen: 300_000n, date: '2026-01-12', postings: [] }, '2026-01-12'],
    [`wallet-${ANN}`, 'RedemptionCashReceived', { redemptionId: R1, fundCode: 'YEB', amountFen: 300_000n, postings: [] }, '2026-01-12'],
    [yeb, 'StandardRedemptionPlaced', { redemptionId: R2, amountFen: 100_000n, placedOn: '2026-01-12', payOn: '2026-01-13', postings: [] }, '2026-01-12'],
    [yeb, 'StandardRedemptionSettled', { redemptionId: R2, amountFen: 100_000n, paidOn: '2026-01-13', postings: [] }, '2026-01-12'],
    [`wallet-${ANN}`, 'RedemptionCashReceived', { redemptionId: R2, fundCode: 'YEB', amountFen: 100_000n, postings: [] }, '2026-01-12'],
  ];
  return steps.map(([stream, type, data, businessDate], i) => recorded(i + 1, stream, type, data, { businessDate }, RECORDED_AT));
}

type Row = Omit<TransactionDoc, 'walletId' | 'position' | 'recordedAt'> & { id: string };

async function rowsOf(walletId: string, events = history()): Promise<Row[]> {
  const { store } = await projectEvents(transactionsProjection, events);
  const docs = await store.find(versionedCollection('transactions', 1), { where: { walletId: { eq: walletId } }, orderBy: ['id'], direction: 'desc', limit: 100 });
  return docs.map((doc) => {
    const { walletId: owner, position, recordedAt, ...row } = decodeData<TransactionDoc>(doc.body);
    expect({ owner, position: BigInt(position), recordedAt }).toEqual({ owner: walletId, position: BigInt(doc.id.split(':')[0]!), recordedAt: RECORDED_AT.toISOString() });
    return { id: doc.id, ...row };
  });
}

const row = (position: number, fields: Partial<Row> & Pick<Row, 'kind' | 'asset' | 'amountFen' | 'businessDate'>): Row => ({
  id: transactionId(BigInt(position), 0),
  fundCode: null,
  counterpartyWalletId: null,
  reference: null,
  valueDate: fields.businessDate,
  ...fields,
});

async function reapply(store: ReadStore, events: readonly RecordedEvent[]): Promise<void> {
  const view = new BatchView(store, 1);
  for (const event of events.filter((e) => transactionsProjection.eventTypes.includes(e.type))) {
    view.at(event.position);
    await transactionsProjection.apply(event, view);
  }
  await store.commit({ writes: view.writes(), checkpoints: [] });
}

describe('the transactions read model', () => {
  it('ids are the position zero-padded to 20 digits and the index within the event, so they sort as the log does', () => {
    expect(transactionId(42n, 0)).toBe('00000000000000000042:0');
    expect(transactionId(18_446_744_073_709_551_615n, 1)).toBe('18446744073709551615:1');
    expect([transactionId(10n, 0), transactionId(9n, 0), transactionId(100n, 0)].sort()).toEqual([transactionId(9n, 0), transactionId(10n, 0), transactionId(100n, 0)]);
  });

  it("lists every movement of a wallet's cash and holdings, newest first, signed, with what it belongs to", async () => {
    const Y = { fundCode: 'YEB' };
    expect(await rowsOf(ANN)).toEqual([
      row(15, { kind: 'redemption_paid', asset: 'cash', amountFen: 100_000n, ...Y, reference: R2, businessDate: '2026-01-12' }),
      row(13, { kind: 'redemption_placed', asset: 'fund', amountFen: -100_000n, ...Y, reference: R2, businessDate: '2026-01-12' }),
      row(12, { kind: 'redemption_paid', asset: 'cash', amountFen: 300_000n, ...Y, reference: R1, businessDate: '2026-01-12' }),
      row(11, { kind: 'instant_redemption', asset: 'fund', amountFen: -300_000n, ...Y, reference: R1, businessDate: '2026-01-12' }),
      // Saturday's loss, accrued at Monday's close.
      row(10, { kind: 'income', asset: 'fund', amountFen: -2n, ...Y, businessDate: '2026-01-12', valueDate: '2026-01-10' }),
      row(9, { kind: 'purchase_confirmed', asset: 'fund', amountFen: 1_000_000n, ...Y, reference: P1, businessDate: '2026-01-09' }),
      row(6, { kind: 'purchase_paid', asset: 'cash', amountFen: -1_000_000n, ...Y, reference: P1, businessDate: '2026-01-05' }),
      row(4, { kind: 'payment_sent', asset: 'cash', amountFen: -25_000n, counterpartyWalletId: SHOP, reference: PAY, businessDate: '2026-01-05' }),
      row(3, { kind: 'withdrawal', asset: 'cash', amountFen: -51n, businessDate: '2026-01-05' }),
      row(2, { kind: 'deposit', asset: 'cash', amountFen: 2_000_000n, businessDate: '2026-01-05' }),
    ]);
  });

  it('gives the payee its own row with the payer as counterparty', async () => {
    expect(await rowsOf(SHOP)).toEqual([row(5, { kind: 'payment_received', asset: 'cash', amountFen: 25_000n, counterpartyWalletId: ANN, reference: PAY, businessDate: '2026-01-05' })]);
  });

  it('rows of one wallet sum to its cash and holdings', async () => {
    const rows = await rowsOf(ANN);
    const total = (asset: string) => rows.filter((r) => r.asset === asset).reduce((sum, r) => sum + r.amountFen, 0n);
    expect({ cash: total('cash'), fund: total('fund') }).toEqual({ cash: 2_000_000n - 51n - 25_000n - 1_000_000n + 300_000n + 100_000n, fund: 1_000_000n - 2n - 300_000n - 100_000n });
  });

  it('halts on a movement with no business date in its metadata rather than guess one', async () => {
    const undated = recorded(16, `wallet-${ANN}`, 'CashDeposited', { amountFen: 1n, postings: [] }, {});
    await expect(projectEvents(transactionsProjection, [...history(), undated])).rejects.toThrow(InvariantViolation);
  });

  it('gives the same rows in one batch as in a batch per event', async () => {
    const oneBatch = await projectEvents(transactionsProjection, history(), { oneBatch: true });
    const perEvent = await projectEvents(transactionsProjection, history());
    expect(await oneBatch.all('transactions')).toEqual(await perEvent.all('transactions'));
  });

  it('is unchanged when events it already applied are applied again (a batch replayed after a crash)', async () => {
    const projected = await projectEvents(transactionsProjection, history());
    const before = await projected.all('transactions');
    expect(before).toHaveLength(11);
    await reapply(projected.store, history());
    expect(await projected.all('transactions')).toEqual(before);
  });
});
