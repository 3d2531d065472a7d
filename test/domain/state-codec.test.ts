import { type CalendarEvent, calendarDecider } from '../../src/domain/calendar/calendar.decider';
import { type Decider, fold } from '../../src/domain/decider';
import { decodeData, encodeData } from '../../src/domain/event-codec';
import { type FundEvent, fundDecider } from '../../src/domain/fund/fund.decider';
import { ACCOUNTS } from '../../src/domain/ledger/accounts';
import { posting } from '../../src/domain/ledger/posting';
import { type PartyEvent, partyDecider } from '../../src/domain/party/party.decider';
import { type PositionEvent, positionDecider } from '../../src/domain/position/position.decider';
import { type WalletEvent, walletDecider } from '../../src/domain/wallet/wallet.decider';

/**
 * Long streams are loaded from snapshots, and snapshots store a decider's state through the same codec as
 * events (src/api/commands/stored-aggregate.ts: `encodeData(state)` / `decodeData(json)`). So every
 * decider's state must obey the codec's naming rule: a bigint lives only in a field named …Fen or …PerTenK.
 */
function throughSnapshot<State>(state: State): State {
  return decodeData<State>(JSON.parse(JSON.stringify(encodeData(state as object))));
}

function expectSnapshotRoundTrip<Command, Event, State>(decider: Decider<Command, Event, State>, history: readonly Event[]): void {
  const state = fold(decider, history);
  expect(throughSnapshot(state)).toEqual(state);
}

describe('every decider state survives the snapshot codec', () => {
  it('party', () => {
    const history: PartyEvent[] = [{ type: 'PartyRegistered', data: { partyId: 'p-1', kind: 'customer', name: 'Li', walletId: 'w-1', apiKeyHash: 'h' } }];
    expectSnapshotRoundTrip(partyDecider, history);
  });

  it('wallet', () => {
    const history: WalletEvent[] = [
      { type: 'WalletOpened', data: { walletId: 'w-1', ownerKind: 'customer', ownerId: 'p-1' } },
      { type: 'CashDeposited', data: { amountFen: 10_000n, postings: [posting(ACCOUNTS.bankClearing, ACCOUNTS.walletCash('w-1'), 10_000n)] } },
      { type: 'PurchasePaid', data: { purchaseId: 'pu-1', fundCode: 'YEB', amountFen: 100n, postings: [posting(ACCOUNTS.walletCash('w-1'), ACCOUNTS.fundSettlement('YEB'), 100n)] } },
    ];
    expectSnapshotRoundTrip(walletDecider, history);
  });

  it('position', () => {
    const history: PositionEvent[] = [
      { type: 'PurchasePlaced', data: { purchaseId: 'pu-1', walletId: 'w-1', fundCode: 'YEB', amountFen: 1_000n, placedOn: '2026-01-05', confirmOn: '2026-01-06', postings: [] } },
      { type: 'PurchasePlaced', data: { purchaseId: 'pu-2', walletId: 'w-1', fundCode: 'YEB', amountFen: 2_000n, placedOn: '2026-01-06', confirmOn: '2026-01-07', postings: [] } },
      { type: 'PurchaseConfirmed', data: { purchaseId: 'pu-1', amountFen: 1_000n, confirmedOn: '2026-01-06', postings: [] } },
      { type: 'InstantRedemptionMade', data: { redemptionId: 'r-1', amountFen: 100n, date: '2026-01-06', postings: [] } },
      { type: 'StandardRedemptionPlaced', data: { redemptionId: 'r-2', amountFen: 100n, placedOn: '2026-01-06', payOn: '2026-01-07', postings: [] } },
    ];
    expectSnapshotRoundTrip(positionDecider, history);
  });

  it('calendar', () => {
    const history: CalendarEvent[] = [
      { type: 'CalendarStarted', data: { businessDate: '2026-01-09' } },
      { type: 'DayCloseStarted', data: { date: '2026-01-09', days: ['2026-01-09'], nextBusinessDate: '2026-01-12' } },
    ];
    expectSnapshotRoundTrip(calendarDecider, history);
  });

  it('fund, before any income is published', () => {
    expectSnapshotRoundTrip(fundDecider, [{ type: 'FundRegistered', data: { code: 'YEB', name: "Yu'E Bao", registeredOn: '2026-01-05' } }]);
  });

  it('fund, once income is published', () => {
    const history: FundEvent[] = [
      { type: 'FundRegistered', data: { code: 'YEB', name: "Yu'E Bao", registeredOn: '2026-01-05' } },
      { type: 'IncomePublished', data: { date: '2026-01-05', perTenK: 6_543n } },
    ];
    expectSnapshotRoundTrip(fundDecider, history);
  });
});
