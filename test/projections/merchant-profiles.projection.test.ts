import { addDays, isBusinessDay } from '../../src/domain/iso-date';
import { dailySeries, merchantProfileDoc, merchantProfilesProjection } from '../../src/projections/read-models/merchant-profiles.projection';
import { projectEvents, recorded } from './project-events';
import { replayOnto, snapshot } from './replay';

const SHOP = { partyId: '22222222-2222-4222-8222-222222222222', walletId: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb' };
const LI = { partyId: '11111111-1111-4111-8111-111111111111', walletId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa' };
const WALLET = `wallet-${SHOP.walletId}`;
const POSITION = `position-${SHOP.walletId}-YEB`;

let position = 0;
const on = (businessDate: string, stream: string, type: string, data: object) => recorded(++position, stream, type, data, { businessDate });

/** Monday 2026-01-05 to Monday 2026-01-12, in CNY: +1000 −300 (Mon), buy 500 (Tue), redeem 200 instant + 100 standard (Wed), +50 (Fri), pay 20 (Mon). */
const history = [
  on('2026-01-05', `party-${LI.partyId}`, 'PartyRegistered', { ...LI, kind: 'customer', name: 'Li Wei', apiKeyHash: 'h' }),
  on('2026-01-05', `wallet-${LI.walletId}`, 'WalletOpened', { walletId: LI.walletId, ownerKind: 'customer', ownerId: LI.partyId }),
  on('2026-01-05', `wallet-${LI.walletId}`, 'CashDeposited', { amountFen: 500_000n, postings: [] }),
  on('2026-01-05', `party-${SHOP.partyId}`, 'PartyRegistered', { ...SHOP, kind: 'merchant', name: 'Noodle Shop', apiKeyHash: 'h' }),
  on('2026-01-05', WALLET, 'WalletOpened', { walletId: SHOP.walletId, ownerKind: 'merchant', ownerId: SHOP.partyId }),
  on('2026-01-05', `wallet-${LI.walletId}`, 'PaymentSent', { paymentId: 'p1', toWalletId: SHOP.walletId, amountFen: 100_000n, postings: [] }),
  on('2026-01-05', WALLET, 'PaymentReceived', { paymentId: 'p1', fromWalletId: LI.walletId, amountFen: 100_000n, postings: [] }),
  on('2026-01-05', WALLET, 'CashWithdrawn', { amountFen: 30_000n, postings: [] }),
  on('2026-01-06', WALLET, 'PurchasePaid', { purchaseId: 'b1', fundCode: 'YEB', amountFen: 50_000n, postings: [] }),
  on('2026-01-07', POSITION, 'InstantRedemptionMade', { redemptionId: 'r1', amountFen: 20_000n, date: '2026-01-07', postings: [] }),
  on('2026-01-07', WALLET, 'RedemptionCashReceived', { redemptionId: 'r1', fundCode: 'YEB', amountFen: 20_000n, postings: [] }),
  on('2026-01-07', POSITION, 'StandardRedemptionPlaced', { redemptionId: 'r2', amountFen: 10_000n, placedOn: '2026-01-07', payOn: '2026-01-08', postings: [] }),
  on('2026-01-09', WALLET, 'CashDeposited', { amountFen: 5_000n, postings: [] }),
  on('2026-01-12', WALLET, 'PaymentSent', { paymentId: 'p2', toWalletId: LI.walletId, amountFen: 2_000n, postings: [] }),
];

async function profileAfter(events: typeof history) {
  const read = await projectEvents(merchantProfilesProjection, events);
  return { read, profile: merchantProfileDoc((await read.get('merchant_profiles', SHOP.walletId))!) };
}

describe('the merchant profiles read model', () => {
  it("keeps a merchant's wallet by business day, and no document for a customer's", async () => {
    const { read, profile } = await profileAfter(history);
    expect((await read.all('merchant_profiles')).map((doc) => doc.id)).toEqual([SHOP.walletId]);
    expect(profile).toMatchObject({ merchantId: SHOP.partyId, registeredOn: '2026-01-05', firstDate: '2026-01-05', cashFen: 43_000n, retainedFrom: null });
    expect(profile.days).toEqual([
      { date: '2026-01-05', inflowFen: 100_000n, outflowFen: 30_000n, closingCashFen: 70_000n, instantRedeemedFen: 0n, standardRedeemedFen: 0n, withdrawals: 1 },
      { date: '2026-01-06', inflowFen: 0n, outflowFen: 0n, closingCashFen: 20_000n, instantRedeemedFen: 0n, standardRedeemedFen: 0n, withdrawals: 0 },
      { date: '2026-01-07', inflowFen: 0n, outflowFen: 0n, closingCashFen: 40_000n, instantRedeemedFen: 20_000n, standardRedeemedFen: 10_000n, withdrawals: 0 },
      { date: '2026-01-09', inflowFen: 5_000n, outflowFen: 0n, closingCashFen: 45_000n, instantRedeemedFen: 0n, standardRedeemedFen: 0n, withdrawals: 0 },
      { date: '2026-01-12', inflowFen: 0n, outflowFen: 2_000n, closingCashFen: 43_000n, instantRedeemedFen: 0n, standardRedeemedFen: 0n, withdrawals: 0 },
    ]);
  });

  it('gives every business day through the date asked for, quiet days as zeros that keep the balance', async () => {
    const { profile } = await profileAfter(history);
    const series = dailySeries(profile, '2026-01-13');
    expect(series.dates).toEqual(['2026-01-05', '2026-01-06', '2026-01-07', '2026-01-08', '2026-01-09', '2026-01-12', '2026-01-13']);
    expect(series.outflowFen).toEqual([30_000n, 0n, 0n, 0n, 0n, 2_000n, 0n]);
    expect(series.closingCashFen).toEqual([70_000n, 20_000n, 40_000n, 40_000n, 45_000n, 43_000n, 43_000n]);
    expect(series.withdrawals).toEqual([1, 0, 0, 0, 0, 0, 0]);
    // As of an earlier date the later movements are not there yet.
    expect(dailySeries(profile, '2026-01-08').closingCashFen).toEqual([70_000n, 20_000n, 40_000n, 40_000n]);
    expect(dailySeries(profile, '2026-01-04').dates).toEqual([]);
  });

  it('puts a movement recorded late for an earlier date on that date, and moves every later closing balance', async () => {
    const late = on('2026-01-06', WALLET, 'CashDeposited', { amountFen: 1_000n, postings: [] });
    const { profile } = await profileAfter([...history, late]);
    expect(dailySeries(profile, '2026-01-12').closingCashFen).toEqual([70_000n, 21_000n, 41_000n, 41_000n, 46_000n, 44_000n]);
    expect(dailySeries(profile, '2026-01-12').inflowFen).toEqual([100_000n, 1_000n, 0n, 0n, 5_000n, 0n]);
  });

  it('keeps a year back from the newest (its business days: weekdays less the exchange holidays), and opens the kept window with the balance before it', async () => {
    const aYearOn = [on('2027-01-11', WALLET, 'CashWithdrawn', { amountFen: 1_000n, postings: [] })];
    const { profile } = await profileAfter([...history, ...aYearOn]);
    expect(profile.retainedFrom).toBe('2026-01-13');
    expect(profile.openingCashFen).toBe(43_000n);
    expect(profile.days.map((day) => day.date)).toEqual(['2027-01-11']);
    const series = dailySeries(profile, '2027-01-11');
    const businessDays = Array.from({ length: 364 }, (_, i) => addDays('2026-01-13', i)).filter(isBusinessDay);
    expect(businessDays.length).toBe(243);
    expect(series.dates).toEqual(businessDays);
    expect(series.closingCashFen[0]).toBe(43_000n);
    expect(series.closingCashFen.at(-1)).toBe(42_000n);
  });

  it('ends with the same documents in one batch as in one batch per event', async () => {
    const one = await projectEvents(merchantProfilesProjection, history, { oneBatch: true });
    const many = await projectEvents(merchantProfilesProjection, history);
    expect(await snapshot(merchantProfilesProjection, one.store)).toEqual(await snapshot(merchantProfilesProjection, many.store));
  });

  it('changes nothing when committed events are applied again, so running totals are not counted twice', async () => {
    const read = await projectEvents(merchantProfilesProjection, history, { oneBatch: true });
    const before = await snapshot(merchantProfilesProjection, read.store);
    await replayOnto(merchantProfilesProjection, read.store, history);
    await replayOnto(merchantProfilesProjection, read.store, history.slice(8));
    expect(await snapshot(merchantProfilesProjection, read.store)).toEqual(before);
  });
});
