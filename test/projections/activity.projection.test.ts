import { ACTIVITY_TYPES, activityOrder, activityProjection } from '../../src/projections/read-models/activity.projection';
import { versionedCollection } from '../../src/projections/projection';
import { projectEvents, recorded } from './project-events';
import { replayOnto, snapshot } from './replay';

const SHOP = { partyId: '22222222-2222-4222-8222-222222222222', walletId: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb' };
const LI_WALLET = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const by = (principal: string, businessDate = '2026-01-05') => ({ principal, businessDate, correlationId: 'c', causationId: 'c', ruleSetVersion: 'v1' });
const AT = new Date('2026-01-05T09:30:00.000Z');

const events = [
  recorded(1, 'fund-YEB', 'FundRegistered', { code: 'YEB', name: "Yu'E Bao", registeredOn: '2026-01-05' }, by('operator:ops'), AT),
  recorded(2, 'registry-funds', 'MemberListed', { id: 'YEB' }, by('operator:ops'), AT),
  recorded(3, `party-${SHOP.partyId}`, 'PartyRegistered', { ...SHOP, kind: 'merchant', name: 'Noodle Shop', apiKeyHash: 'secret-hash' }, by('operator:ops'), AT),
  recorded(4, `wallet-${SHOP.walletId}`, 'WalletOpened', { walletId: SHOP.walletId, ownerKind: 'merchant', ownerId: SHOP.partyId }, by('operator:ops'), AT),
  recorded(5, `wallet-${SHOP.walletId}`, 'CashDeposited', { amountFen: 123_456n, postings: [] }, by(`merchant:${SHOP.partyId}`), AT),
  recorded(6, `wallet-${SHOP.walletId}`, 'PaymentSent', { paymentId: 'p', toWalletId: LI_WALLET, amountFen: 1_000n, postings: [] }, by(`merchant:${SHOP.partyId}`), AT),
  recorded(7, `wallet-${LI_WALLET}`, 'PaymentReceived', { paymentId: 'p', fromWalletId: SHOP.walletId, amountFen: 1_000n, postings: [] }, by(`merchant:${SHOP.partyId}`), AT),
  recorded(8, `position-${SHOP.walletId}-YEB`, 'PurchasePlaced', { purchaseId: 'b', walletId: SHOP.walletId, fundCode: 'YEB', amountFen: 50_000n, placedOn: '2026-01-05', confirmOn: '2026-01-06', postings: [] }, by(`merchant:${SHOP.partyId}`), AT),
  recorded(9, `wallet-${SHOP.walletId}`, 'PurchasePaid', { purchaseId: 'b', fundCode: 'YEB', amountFen: 50_000n, postings: [] }, by(`merchant:${SHOP.partyId}`), AT),
  recorded(10, 'fund-YEB', 'IncomePublished', { date: '2026-01-05', perTenK: 6_543n }, by('operator:ops'), AT),
  recorded(11, 'calendar', 'DayCloseStarted', { date: '2026-01-05', days: ['2026-01-05'], nextBusinessDate: '2026-01-06' }, by('operator:ops'), AT),
  recorded(12, `position-${SHOP.walletId}-YEB`, 'IncomeAccrued', { date: '2026-01-05', holdingFen: 0n, perTenK: 6_543n, amountFen: 0n, postings: [] }, by('operator:ops'), AT),
  recorded(13, `position-${SHOP.walletId}-YEB`, 'PositionDayClosed', { businessDate: '2026-01-05' }, by('operator:ops'), AT),
  recorded(14, 'forecast-2026-01-05', 'ForecastSkipped', { subject: 'fund YEB', forecastDate: '2026-01-06', reason: 'short' }, { ...by('system:forecasts'), modelVersion: 'm', inputsPosition: '13' }, AT),
  recorded(15, 'forecast-2026-01-05', 'ForecastSkipped', { subject: `merchant ${SHOP.partyId}`, forecastDate: '2026-01-06', reason: 'short' }, { ...by('system:forecasts'), modelVersion: 'm', inputsPosition: '13' }, AT),
  recorded(16, 'calendar', 'DayClosed', { date: '2026-01-05', nextBusinessDate: '2026-01-06' }, by('operator:ops'), AT),
];

async function feed(oneBatch = false) {
  const read = await projectEvents(activityProjection, events, { oneBatch });
  const rows = await read.store.find(versionedCollection('activity', 1), { orderBy: ['order'], direction: 'desc', limit: 100 });
  return { read, rows: rows.map((doc) => doc.body) };
}

describe('the activity read model', () => {
  it('has one row per business event, newest first, and leaves out the bulk and the other side of a movement', async () => {
    const { rows } = await feed();
    expect(rows.map((row) => [row.position, row.type])).toEqual([
      ['16', 'DayClosed'],
      ['14', 'ForecastsRecorded'],
      ['11', 'DayCloseStarted'],
      ['10', 'IncomePublished'],
      ['8', 'PurchasePlaced'],
      ['6', 'PaymentSent'],
      ['5', 'CashDeposited'],
      ['3', 'PartyRegistered'],
      ['1', 'FundRegistered'],
    ]);
  });

  it('says in one line what happened, who decided it and on which business date', async () => {
    const { rows } = await feed();
    const row = (type: string) => rows.find((r) => r.type === type);
    expect(row('CashDeposited')).toEqual({
      position: '5',
      order: activityOrder(5n),
      recordedAt: '2026-01-05T09:30:00.000Z',
      type: 'CashDeposited',
      stream: `wallet-${SHOP.walletId}`,
      summary: `deposit of 1234.56 CNY into wallet ${SHOP.walletId}`,
      principal: `merchant:${SHOP.partyId}`,
      businessDate: '2026-01-05',
    });
    // Names are personal data: the feed, which is never erased, does not carry them.
    expect(row('PartyRegistered')!.summary).toBe(`merchant registered as party ${SHOP.partyId} with wallet ${SHOP.walletId}`);
    expect(row('PartyRegistered')!.summary).not.toContain('secret');
    expect(row('PaymentSent')!.summary).toBe(`payment of 10.00 CNY from wallet ${SHOP.walletId} to wallet ${LI_WALLET}`);
    expect(row('PurchasePlaced')!.summary).toBe(`purchase of 500.00 CNY of YEB by wallet ${SHOP.walletId}, confirmed on 2026-01-06`);
    expect(row('IncomePublished')!.summary).toBe('YEB income for 2026-01-05: 0.6543 CNY per 10,000 shares');
    expect(row('DayClosed')!.summary).toBe('2026-01-05 closed; the business date is now 2026-01-06');
  });

  it("makes one row of a close's forecasts, counted, at the place of the first", async () => {
    const { rows } = await feed();
    expect(rows.find((r) => r.type === 'ForecastsRecorded')).toMatchObject({
      position: '14',
      stream: 'forecast-2026-01-05',
      principal: 'system:forecasts',
      summary: 'forecasts at the close of 2026-01-05: 0 fund yields, 0 merchant demands, 0 proposals, 2 skipped',
    });
  });

  it('can be filtered by type, and offers exactly the types it writes', async () => {
    const { read } = await feed();
    const byType = await read.store.find(versionedCollection('activity', 1), { where: { type: { eq: 'CashDeposited' } }, orderBy: ['order'], direction: 'desc', limit: 10 });
    expect(byType.map((doc) => doc.body.position)).toEqual(['5']);
    const { rows } = await feed();
    for (const row of rows) expect(ACTIVITY_TYPES).toContain(row.type);
  });

  it('ends with the same documents in one batch as in one batch per event', async () => {
    const one = await feed(true);
    const many = await feed(false);
    expect(await snapshot(activityProjection, one.read.store)).toEqual(await snapshot(activityProjection, many.read.store));
  });

  it('changes nothing when committed events are applied again, so forecast rows are not counted twice', async () => {
    const { read } = await feed(true);
    const before = await snapshot(activityProjection, read.store);
    await replayOnto(activityProjection, read.store, events);
    await replayOnto(activityProjection, read.store, events.slice(13));
    expect(await snapshot(activityProjection, read.store)).toEqual(before);
  });
});
