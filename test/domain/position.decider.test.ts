import { fold } from '../../src/domain/decider';
import { dailyIncomeFen } from '../../src/domain/income-rate';
import { ACCOUNTS } from '../../src/domain/ledger/accounts';
import { posting } from '../../src/domain/ledger/posting';
import { type PositionCommand, type PositionEvent, instantQuotaLeftFen, positionDecider, positionStream } from '../../src/domain/position/position.decider';
import { ruleSetOn } from '../../src/domain/rules/rule-set';
import { InvariantViolation } from '../../src/invariant';
import { spec } from './decider-spec';

// 2026-01-05 is a Monday; 2026-01-09 a Friday, 2026-01-10/11 the weekend, 2026-01-12 the Monday after.
const holding = ACCOUNTS.fundHolding('w-1', 'YEB');
const pendingPurchase = ACCOUNTS.pendingPurchase('w-1', 'YEB');
const pendingRedemption = ACCOUNTS.pendingRedemption('w-1', 'YEB');
const settlement = ACCOUNTS.fundSettlement('YEB');
const income = ACCOUNTS.fundIncome('YEB');
/** 0.6543 CNY per 10,000 shares: a 2.4 % money fund. */
const RATE = 6_543n;

const placed = (purchaseId: string, amountFen: bigint, placedOn: string, confirmOn: string): PositionEvent => ({
  type: 'PurchasePlaced',
  data: { purchaseId, walletId: 'w-1', fundCode: 'YEB', amountFen, placedOn, confirmOn, postings: [posting(settlement, pendingPurchase, amountFen)] },
});
const confirmed = (purchaseId: string, amountFen: bigint, confirmedOn: string): PositionEvent => ({
  type: 'PurchaseConfirmed',
  data: { purchaseId, amountFen, confirmedOn, postings: [posting(pendingPurchase, holding, amountFen)] },
});
const accrued = (date: string, holdingFen: bigint, perTenK: bigint, amountFen: bigint): PositionEvent => ({
  type: 'IncomeAccrued',
  data: { date, holdingFen, perTenK, amountFen, postings: amountFen === 0n ? [] : [posting(income, holding, amountFen)] },
});
const dayClosed = (businessDate: string): PositionEvent => ({ type: 'PositionDayClosed', data: { businessDate } });
const instantMade = (redemptionId: string, amountFen: bigint, date: string): PositionEvent => ({
  type: 'InstantRedemptionMade',
  data: { redemptionId, amountFen, date, postings: [posting(holding, settlement, amountFen)] },
});
const standardPlaced = (redemptionId: string, amountFen: bigint, placedOn: string, payOn: string): PositionEvent => ({
  type: 'StandardRedemptionPlaced',
  data: { redemptionId, amountFen, placedOn, payOn, postings: [posting(holding, pendingRedemption, amountFen)] },
});
const settled = (redemptionId: string, amountFen: bigint, paidOn: string): PositionEvent => ({
  type: 'StandardRedemptionSettled',
  data: { redemptionId, amountFen, paidOn, postings: [posting(pendingRedemption, settlement, amountFen)] },
});

const purchase = (purchaseId: string, amountFen: bigint, businessDate: string): PositionCommand => ({ type: 'PlacePurchase', purchaseId, walletId: 'w-1', fundCode: 'YEB', amountFen, businessDate });
const closeDay = (businessDate: string, nextBusinessDate: string, days: [string, bigint][]): PositionCommand => ({
  type: 'CloseDay',
  businessDate,
  nextBusinessDate,
  days: days.map(([date, perTenK]) => ({ date, perTenK })),
});
const redeem = (redemptionId: string, amountFen: bigint, mode: 'instant' | 'standard', businessDate: string): PositionCommand => ({
  type: 'Redeem',
  redemptionId,
  amountFen,
  mode,
  businessDate,
  ruleSet: ruleSetOn(businessDate),
});

/** Bought 10,000.00 CNY on Monday, confirmed Tuesday with Tuesday's income: 10,000.65 CNY held, Wednesday open. */
const funded: PositionEvent[] = [
  placed('pu-1', 1_000_000n, '2026-01-05', '2026-01-06'),
  dayClosed('2026-01-05'),
  confirmed('pu-1', 1_000_000n, '2026-01-06'),
  accrued('2026-01-06', 1_000_000n, RATE, 65n),
  dayClosed('2026-01-06'),
];

/** A confirmed holding of `amountFen` in 2018, for the instant cap around the 2018-06-01 rule change. */
const held2018 = (amountFen: bigint): PositionEvent[] => [placed('pu-0', amountFen, '2018-05-28', '2018-05-29'), confirmed('pu-0', amountFen, '2018-05-29')];

describe('position decider', () => {
  describe('PlacePurchase', () => {
    it('moves the payment from the fund settlement account to the pending purchase, to be confirmed the next business day', () => {
      spec(positionDecider)
        .given([])
        .when(purchase('pu-1', 1_000_000n, '2026-01-07'))
        .then([
          {
            type: 'PurchasePlaced',
            data: {
              purchaseId: 'pu-1',
              walletId: 'w-1',
              fundCode: 'YEB',
              amountFen: 1_000_000n,
              placedOn: '2026-01-07',
              confirmOn: '2026-01-08',
              postings: [{ debit: 'fund-settlement:YEB', credit: 'fund-pending-purchase:w-1:YEB', amountFen: 1_000_000n }],
            },
          },
        ])
        .thenState((state) => {
          expect(state).toEqual({
            opened: true,
            walletId: 'w-1',
            fundCode: 'YEB',
            holdingFen: 0n,
            pendingPurchases: [{ purchaseId: 'pu-1', amountFen: 1_000_000n, confirmOn: '2026-01-08' }],
            pendingRedemptions: [],
            instantRedeemed: { date: '', amountFen: 0n },
            accruedThrough: null,
            closedThrough: null,
          });
        });
    });

    it('confirms a purchase placed on a Friday on the Monday after', () => {
      spec(positionDecider).given([]).when(purchase('pu-1', 1_000_000n, '2026-01-09')).then([placed('pu-1', 1_000_000n, '2026-01-09', '2026-01-12')]);
    });

    it('adds a purchase to an open position without touching its holding', () => {
      spec(positionDecider)
        .given(funded)
        .when(purchase('pu-2', 50_000n, '2026-01-07'))
        .then([placed('pu-2', 50_000n, '2026-01-07', '2026-01-08')])
        .thenState((state) => {
          expect(state).toMatchObject({ holdingFen: 1_000_065n, pendingPurchases: [{ purchaseId: 'pu-2', amountFen: 50_000n, confirmOn: '2026-01-08' }] });
        });
    });
  });

  describe('on a position with no purchase', () => {
    it.each(['instant', 'standard'] as const)('refuses a %s redemption: INSUFFICIENT_HOLDING', (mode) => {
      spec(positionDecider).given([]).when(redeem('r-1', 100n, mode, '2026-01-07')).thenFails('INSUFFICIENT_HOLDING', {});
    });

    it('closes a day as a no-op', () => {
      spec(positionDecider)
        .given([])
        .when(closeDay('2026-01-07', '2026-01-08', [['2026-01-07', RATE]]))
        .thenNothing();
    });
  });

  describe('CloseDay: confirmation and income', () => {
    const placedFriday = [placed('pu-1', 1_000_000n, '2026-01-09', '2026-01-12')];

    it('does not confirm a Friday purchase at the close of Friday, and accrues nothing for it', () => {
      spec(positionDecider)
        .given(placedFriday)
        .when(closeDay('2026-01-09', '2026-01-12', [['2026-01-09', RATE]]))
        .then([dayClosed('2026-01-09')])
        .thenState((state) => {
          expect(state).toMatchObject({ holdingFen: 0n, pendingPurchases: [{ purchaseId: 'pu-1' }], closedThrough: '2026-01-09', accruedThrough: '2026-01-09' });
        });
    });

    it('confirms it at the Monday close covering Saturday, Sunday and Monday, and accrues Monday only', () => {
      // 1,000,000 fen (10,000 shares) × 0.6543 / 10,000 = 0.6543 CNY = 65.43 fen → 65 fen.
      expect((1_000_000n * RATE) / 10n ** 8n).toBe(65n);
      spec(positionDecider)
        .given([...placedFriday, dayClosed('2026-01-09')])
        .when(
          closeDay('2026-01-12', '2026-01-13', [
            ['2026-01-10', RATE],
            ['2026-01-11', RATE],
            ['2026-01-12', RATE],
          ]),
        )
        .then([
          {
            type: 'PurchaseConfirmed',
            data: { purchaseId: 'pu-1', amountFen: 1_000_000n, confirmedOn: '2026-01-12', postings: [{ debit: 'fund-pending-purchase:w-1:YEB', credit: 'fund-holding:w-1:YEB', amountFen: 1_000_000n }] },
          },
          {
            type: 'IncomeAccrued',
            data: { date: '2026-01-12', holdingFen: 1_000_000n, perTenK: RATE, amountFen: 65n, postings: [{ debit: 'fund-income:YEB', credit: 'fund-holding:w-1:YEB', amountFen: 65n }] },
          },
          dayClosed('2026-01-12'),
        ])
        .thenState((state) => {
          expect(state).toMatchObject({ holdingFen: 1_000_065n, pendingPurchases: [], accruedThrough: '2026-01-12', closedThrough: '2026-01-12' });
        });
    });

    it('confirms a Thursday purchase at the Friday close and accrues Friday on it, leaving a Friday purchase pending', () => {
      spec(positionDecider)
        .given([placed('pu-1', 1_000_000n, '2026-01-08', '2026-01-09'), dayClosed('2026-01-08'), placed('pu-2', 200_000n, '2026-01-09', '2026-01-12')])
        .when(closeDay('2026-01-09', '2026-01-12', [['2026-01-09', RATE]]))
        .then([confirmed('pu-1', 1_000_000n, '2026-01-09'), accrued('2026-01-09', 1_000_000n, RATE, 65n), dayClosed('2026-01-09')])
        .thenState((state) => {
          expect(state).toMatchObject({ holdingFen: 1_000_065n, pendingPurchases: [{ purchaseId: 'pu-2', amountFen: 200_000n, confirmOn: '2026-01-12' }] });
        });
    });

    it('compounds across the days of one close: Saturday’s income earns on Sunday', () => {
      // 1,008,647 × 0.6543 = 65.99… → 65 fen on Saturday; Sunday earns on 1,008,712: 66.00… → 66 fen (65 without compounding).
      expect(dailyIncomeFen(1_008_647n, RATE)).toBe(65n);
      expect(dailyIncomeFen(1_008_647n + 65n, RATE)).toBe(66n);
      const bought = 1_008_582n; // + Friday's 65 fen = 1,008,647 on Saturday morning
      spec(positionDecider)
        .given([
          placed('pu-1', bought, '2026-01-08', '2026-01-09'),
          dayClosed('2026-01-08'),
          confirmed('pu-1', bought, '2026-01-09'),
          accrued('2026-01-09', bought, RATE, 65n),
          dayClosed('2026-01-09'),
        ])
        .when(
          closeDay('2026-01-12', '2026-01-13', [
            ['2026-01-10', RATE],
            ['2026-01-11', RATE],
            ['2026-01-12', RATE],
          ]),
        )
        .then([accrued('2026-01-10', 1_008_647n, RATE, 65n), accrued('2026-01-11', 1_008_712n, RATE, 66n), accrued('2026-01-12', 1_008_778n, RATE, 66n), dayClosed('2026-01-12')])
        .thenState((state) => state.opened && state.holdingFen === 1_008_844n);
    });

    it('rounds income towards zero to the fen: trunc(holding × perTenK / 10^8)', () => {
      spec(positionDecider)
        .given(funded)
        .when(closeDay('2026-01-07', '2026-01-08', [['2026-01-07', 9_999n]]))
        // 1,000,065 × 9,999 / 10^8 = 99.99649… → 99 fen
        .then([accrued('2026-01-07', 1_000_065n, 9_999n, 99n), dayClosed('2026-01-07')]);
    });

    it('rounds negative income towards zero, charging no more than the exact loss, and books it from the holding back to fund income', () => {
      // 1,000,065 × −0.6543 / 10,000 CNY = −65.43… fen → −65 fen (not −66: that fen is the rounding residual's)
      spec(positionDecider)
        .given(funded)
        .when(closeDay('2026-01-07', '2026-01-08', [['2026-01-07', -RATE]]))
        .then([
          {
            type: 'IncomeAccrued',
            data: { date: '2026-01-07', holdingFen: 1_000_065n, perTenK: -RATE, amountFen: -65n, postings: [{ debit: 'fund-holding:w-1:YEB', credit: 'fund-income:YEB', amountFen: 65n }] },
          },
          dayClosed('2026-01-07'),
        ])
        .thenState((state) => state.opened && state.holdingFen === 1_000_000n);
    });

    it('records a negative income smaller than a fen as zero, with no postings', () => {
      // 1,000 fen × −0.6543 / 10,000 CNY = −0.0654… fen → 0 (flooring charged it a whole fen)
      spec(positionDecider)
        .given([placed('pu-1', 1_000n, '2026-01-05', '2026-01-06'), dayClosed('2026-01-05')])
        .when(closeDay('2026-01-06', '2026-01-07', [['2026-01-06', -RATE]]))
        .then([confirmed('pu-1', 1_000n, '2026-01-06'), accrued('2026-01-06', 1_000n, -RATE, 0n), dayClosed('2026-01-06')])
        .thenState((state) => state.opened && state.holdingFen === 1_000n);
    });

    it('records an income that rounds to zero, with no postings', () => {
      spec(positionDecider)
        .given([placed('pu-1', 1_000n, '2026-01-05', '2026-01-06'), dayClosed('2026-01-05')])
        .when(closeDay('2026-01-06', '2026-01-07', [['2026-01-06', RATE]]))
        .then([confirmed('pu-1', 1_000n, '2026-01-06'), accrued('2026-01-06', 1_000n, RATE, 0n), dayClosed('2026-01-06')])
        .thenState((state) => state.opened && state.holdingFen === 1_000n);
    });

    it('skips days whose income is already accrued', () => {
      spec(positionDecider)
        .given([placed('pu-1', 1_000_000n, '2026-01-08', '2026-01-09'), dayClosed('2026-01-08'), confirmed('pu-1', 1_000_000n, '2026-01-09'), accrued('2026-01-09', 1_000_000n, RATE, 65n)])
        .when(
          closeDay('2026-01-12', '2026-01-13', [
            ['2026-01-09', RATE],
            ['2026-01-10', RATE],
          ]),
        )
        .then([accrued('2026-01-10', 1_000_065n, RATE, 65n), dayClosed('2026-01-12')]);
    });

    it('is a no-op when the date is already closed, or an earlier one', () => {
      spec(positionDecider)
        .given(funded)
        .when(closeDay('2026-01-06', '2026-01-07', [['2026-01-06', RATE]]))
        .thenNothing();
      spec(positionDecider)
        .given(funded)
        .when(closeDay('2026-01-05', '2026-01-06', [['2026-01-05', RATE]]))
        .thenNothing();
    });
  });

  describe('Redeem, standard', () => {
    it('moves the amount from the holding to the pending redemption, to be paid the next business day', () => {
      spec(positionDecider)
        .given(funded)
        .when(redeem('r-1', 300_000n, 'standard', '2026-01-07'))
        .then([
          {
            type: 'StandardRedemptionPlaced',
            data: {
              redemptionId: 'r-1',
              amountFen: 300_000n,
              placedOn: '2026-01-07',
              payOn: '2026-01-08',
              postings: [{ debit: 'fund-holding:w-1:YEB', credit: 'fund-pending-redemption:w-1:YEB', amountFen: 300_000n }],
            },
          },
        ])
        .thenState((state) => {
          expect(state).toMatchObject({ holdingFen: 700_065n, pendingRedemptions: [{ redemptionId: 'r-1', amountFen: 300_000n, payOn: '2026-01-08' }] });
        });
    });

    it('is settled at the close of the day it was placed, paid on the next business date; the redeemed amount earns nothing', () => {
      spec(positionDecider)
        .given([...funded, standardPlaced('r-1', 300_000n, '2026-01-07', '2026-01-08')])
        .when(closeDay('2026-01-07', '2026-01-08', [['2026-01-07', RATE]]))
        .then([
          accrued('2026-01-07', 700_065n, RATE, 45n),
          {
            type: 'StandardRedemptionSettled',
            data: { redemptionId: 'r-1', amountFen: 300_000n, paidOn: '2026-01-08', postings: [{ debit: 'fund-pending-redemption:w-1:YEB', credit: 'fund-settlement:YEB', amountFen: 300_000n }] },
          },
          dayClosed('2026-01-07'),
        ])
        .thenState((state) => {
          expect(state).toMatchObject({ holdingFen: 700_110n, pendingRedemptions: [] });
        });
    });

    it('placed on a Friday, is paid on Monday, settled at the Friday close', () => {
      const friday = [placed('pu-1', 1_000_000n, '2026-01-08', '2026-01-09'), dayClosed('2026-01-08'), confirmed('pu-1', 1_000_000n, '2026-01-09')];
      spec(positionDecider).given(friday).when(redeem('r-1', 1_000_000n, 'standard', '2026-01-09')).then([standardPlaced('r-1', 1_000_000n, '2026-01-09', '2026-01-12')]);
      spec(positionDecider)
        .given([...friday, standardPlaced('r-1', 1_000_000n, '2026-01-09', '2026-01-12')])
        .when(closeDay('2026-01-09', '2026-01-12', [['2026-01-09', RATE]]))
        .then([settled('r-1', 1_000_000n, '2026-01-12'), dayClosed('2026-01-09')]);
    });

    it('is not capped like an instant redemption', () => {
      spec(positionDecider)
        .given(held2018(10_000_000n))
        .when(redeem('r-1', 10_000_000n, 'standard', '2018-06-01'))
        .then([standardPlaced('r-1', 10_000_000n, '2018-06-01', '2018-06-04')]);
    });

    it('refuses more than the confirmed holding: INSUFFICIENT_HOLDING with the holding', () => {
      spec(positionDecider).given(funded).when(redeem('r-1', 1_000_066n, 'standard', '2026-01-07')).thenFails('INSUFFICIENT_HOLDING', { holding: '10000.65' });
    });

    it('does not count a pending purchase as holding', () => {
      spec(positionDecider)
        .given([placed('pu-1', 1_000_000n, '2026-01-07', '2026-01-08')])
        .when(redeem('r-1', 1n, 'standard', '2026-01-07'))
        .thenFails('INSUFFICIENT_HOLDING', { holding: '0.00' });
    });
  });

  describe('Redeem, instant (T+0), within the cap of the rule set in force', () => {
    it('pays at once from the holding to the fund settlement account', () => {
      spec(positionDecider)
        .given(funded)
        .when(redeem('r-1', 100_000n, 'instant', '2026-01-07'))
        .then([
          {
            type: 'InstantRedemptionMade',
            data: { redemptionId: 'r-1', amountFen: 100_000n, date: '2026-01-07', postings: [{ debit: 'fund-holding:w-1:YEB', credit: 'fund-settlement:YEB', amountFen: 100_000n }] },
          },
        ])
        .thenState((state) => {
          expect(state).toMatchObject({ holdingFen: 900_065n, instantRedeemed: { date: '2026-01-07', amountFen: 100_000n } });
        });
    });

    it('allows 50,000 CNY a day before 2018-06-01', () => {
      expect(ruleSetOn('2018-05-31')).toMatchObject({ version: 'pboc-2016-07', instantRedemptionCapFen: 5_000_000n });
      spec(positionDecider).given(held2018(10_000_000n)).when(redeem('r-1', 5_000_000n, 'instant', '2018-05-31')).then([instantMade('r-1', 5_000_000n, '2018-05-31')]);
      spec(positionDecider)
        .given(held2018(10_000_000n))
        .when(redeem('r-1', 5_000_001n, 'instant', '2018-05-31'))
        .thenFails('INSTANT_CAP_EXCEEDED', { quotaLeft: '50000.00', ruleSetVersion: 'pboc-2016-07' });
    });

    it('allows 10,000 CNY a day from 2018-06-01', () => {
      expect(ruleSetOn('2018-06-01')).toMatchObject({ version: 'csrc-pboc-2018-06', instantRedemptionCapFen: 1_000_000n });
      spec(positionDecider).given(held2018(10_000_000n)).when(redeem('r-1', 1_000_000n, 'instant', '2018-06-01')).then([instantMade('r-1', 1_000_000n, '2018-06-01')]);
      const error = spec(positionDecider)
        .given(held2018(10_000_000n))
        .when(redeem('r-1', 1_000_001n, 'instant', '2018-06-01'))
        .thenFails('INSTANT_CAP_EXCEEDED', { quotaLeft: '10000.00', ruleSetVersion: 'csrc-pboc-2018-06' });
      expect(error.message).toContain('10000.00 CNY a day');
    });

    it('lets several redemptions add up to the cap on one day, and not a fen beyond it', () => {
      const morning = [...held2018(10_000_000n), instantMade('r-1', 400_000n, '2018-06-01')];
      spec(positionDecider)
        .given(morning)
        .when(redeem('r-2', 600_001n, 'instant', '2018-06-01'))
        .thenFails('INSTANT_CAP_EXCEEDED', { quotaLeft: '6000.00', ruleSetVersion: 'csrc-pboc-2018-06' });
      spec(positionDecider)
        .given(morning)
        .when(redeem('r-2', 600_000n, 'instant', '2018-06-01'))
        .then([instantMade('r-2', 600_000n, '2018-06-01')])
        .thenState((state) => {
          expect(state).toMatchObject({ holdingFen: 9_000_000n, instantRedeemed: { date: '2018-06-01', amountFen: 1_000_000n } });
        });
      spec(positionDecider)
        .given([...morning, instantMade('r-2', 600_000n, '2018-06-01')])
        .when(redeem('r-3', 1n, 'instant', '2018-06-01'))
        .thenFails('INSTANT_CAP_EXCEEDED', { quotaLeft: '0.00', ruleSetVersion: 'csrc-pboc-2018-06' });
    });

    it('restores the quota on the next business date', () => {
      const usedUpFriday = [...held2018(10_000_000n), instantMade('r-1', 1_000_000n, '2018-06-01')];
      spec(positionDecider)
        .given(usedUpFriday)
        .when(redeem('r-2', 1_000_000n, 'instant', '2018-06-04'))
        .then([instantMade('r-2', 1_000_000n, '2018-06-04')])
        .thenState((state) => {
          expect(state).toMatchObject({ instantRedeemed: { date: '2018-06-04', amountFen: 1_000_000n } });
        });
    });

    it('reports the quota left today under a rule set', () => {
      const state = fold(positionDecider, [...held2018(10_000_000n), instantMade('r-1', 400_000n, '2018-06-01')]);
      expect(instantQuotaLeftFen(state, '2018-06-01', ruleSetOn('2018-06-01'))).toBe(600_000n);
      expect(instantQuotaLeftFen(state, '2018-06-04', ruleSetOn('2018-06-04'))).toBe(1_000_000n);
      expect(instantQuotaLeftFen(positionDecider.initialState, '2018-05-31', ruleSetOn('2018-05-31'))).toBe(5_000_000n);
      // Used beyond a cap that is lowered later the same day: nothing is left, never a negative quota.
      const bigDay = fold(positionDecider, [...held2018(10_000_000n), instantMade('r-1', 2_000_000n, '2018-06-01')]);
      expect(instantQuotaLeftFen(bigDay, '2018-06-01', ruleSetOn('2018-06-01'))).toBe(0n);
    });

    it('checks the holding before the cap: INSUFFICIENT_HOLDING', () => {
      spec(positionDecider).given(held2018(500n)).when(redeem('r-1', 1_000n, 'instant', '2018-06-01')).thenFails('INSUFFICIENT_HOLDING', { holding: '5.00' });
    });
  });

  it('treats a negative redemption as a broken invariant instead of creating shares', () => {
    const state = fold(positionDecider, [placed('pu-1', 100n, '2026-01-05', '2026-01-06')]);
    expect(() => positionDecider.decide(redeem('r-1', -5_000_000n, 'instant', '2026-01-05'), state)).toThrow(InvariantViolation);
  });

  it('evolves the whole life of a position', () => {
    spec(positionDecider)
      .given([
        ...funded,
        instantMade('r-1', 65n, '2026-01-07'),
        standardPlaced('r-2', 500_000n, '2026-01-07', '2026-01-08'),
        accrued('2026-01-07', 500_000n, RATE, 32n),
        settled('r-2', 500_000n, '2026-01-08'),
        dayClosed('2026-01-07'),
      ])
      .thenState((state) => {
        expect(state).toEqual({
          opened: true,
          walletId: 'w-1',
          fundCode: 'YEB',
          holdingFen: 500_032n,
          pendingPurchases: [],
          pendingRedemptions: [],
          instantRedeemed: { date: '2026-01-07', amountFen: 65n },
          accruedThrough: '2026-01-07',
          closedThrough: '2026-01-07',
        });
      });
  });

  it('lives in the stream position-<wallet>-<fund>', () => {
    expect(positionStream('w-1', 'YEB')).toBe('position-w-1-YEB');
  });
});
