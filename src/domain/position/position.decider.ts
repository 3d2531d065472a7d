import type { Decider } from '../decider';
import { DomainError } from '../domain-error';
import { type PerTenKMicros, dailyIncomeFen } from '../income-rate';
import { type IsoDate, nextBusinessDay } from '../iso-date';
import { ACCOUNTS } from '../ledger/accounts';
import { type Posting, posting } from '../ledger/posting';
import { type Fen, formatFen } from '../money';
import type { RuleSet } from '../rules/rule-set';
import { invariant } from '../../invariant';

/**
 * One wallet's holding in one fund. A purchase placed on business day D is confirmed on the next business
 * day and earns from that day on; a standard redemption pays cash on the next business day; an instant
 * redemption pays at once within the per-investor, per-fund, per-day cap of the rule set in force.
 */
export type RedemptionMode = 'instant' | 'standard';

export type PositionCommand =
  | { type: 'PlacePurchase'; purchaseId: string; walletId: string; fundCode: string; amountFen: Fen; businessDate: IsoDate }
  | { type: 'Redeem'; redemptionId: string; amountFen: Fen; mode: RedemptionMode; businessDate: IsoDate; ruleSet: RuleSet }
  | {
      type: 'CloseDay';
      businessDate: IsoDate;
      nextBusinessDate: IsoDate;
      /** The calendar days this close covers, in order, each with the fund's income for it. */
      days: readonly { date: IsoDate; perTenK: PerTenKMicros }[];
    };

export type PositionEvent =
  | { type: 'PurchasePlaced'; data: { purchaseId: string; walletId: string; fundCode: string; amountFen: Fen; placedOn: IsoDate; confirmOn: IsoDate; postings: Posting[] } }
  | { type: 'PurchaseConfirmed'; data: { purchaseId: string; amountFen: Fen; confirmedOn: IsoDate; postings: Posting[] } }
  | { type: 'IncomeAccrued'; data: { date: IsoDate; holdingFen: Fen; perTenK: PerTenKMicros; amountFen: Fen; postings: Posting[] } }
  | { type: 'InstantRedemptionMade'; data: { redemptionId: string; amountFen: Fen; date: IsoDate; postings: Posting[] } }
  | { type: 'StandardRedemptionPlaced'; data: { redemptionId: string; amountFen: Fen; placedOn: IsoDate; payOn: IsoDate; postings: Posting[] } }
  | { type: 'StandardRedemptionSettled'; data: { redemptionId: string; amountFen: Fen; paidOn: IsoDate; postings: Posting[] } }
  | { type: 'PositionDayClosed'; data: { businessDate: IsoDate } };

export interface PendingPurchase {
  purchaseId: string;
  amountFen: Fen;
  confirmOn: IsoDate;
}

export interface PendingRedemption {
  redemptionId: string;
  amountFen: Fen;
  payOn: IsoDate;
}

export type PositionState =
  | { opened: false }
  | {
      opened: true;
      walletId: string;
      fundCode: string;
      holdingFen: Fen;
      pendingPurchases: readonly PendingPurchase[];
      pendingRedemptions: readonly PendingRedemption[];
      instantRedeemed: { date: IsoDate; amountFen: Fen };
      /** The last calendar day whose income this position has accrued. */
      accruedThrough: IsoDate | null;
      closedThrough: IsoDate | null;
    };

type OpenPosition = Extract<PositionState, { opened: true }>;

export const positionDecider: Decider<PositionCommand, PositionEvent, PositionState> = {
  initialState: { opened: false },

  decide(command, state) {
    if (command.type !== 'CloseDay') invariant(command.amountFen > 0n, () => `${command.type} of ${command.amountFen} fen: amounts are positive`);
    if (command.type === 'PlacePurchase') {
      const { purchaseId, walletId, fundCode, amountFen, businessDate } = command;
      const postings = [posting(ACCOUNTS.fundSettlement(fundCode), ACCOUNTS.pendingPurchase(walletId, fundCode), amountFen)];
      return [{ type: 'PurchasePlaced', data: { purchaseId, walletId, fundCode, amountFen, placedOn: businessDate, confirmOn: nextBusinessDay(businessDate), postings } }];
    }
    if (!state.opened) {
      if (command.type === 'CloseDay') return [];
      throw new DomainError('INSUFFICIENT_HOLDING', 'the wallet holds none of this fund');
    }
    return command.type === 'Redeem' ? decideRedemption(command, state) : decideDayClose(command, state);
  },

  evolve(state, event) {
    if (event.type === 'PurchasePlaced') {
      const { purchaseId, walletId, fundCode, amountFen, confirmOn } = event.data;
      const base: OpenPosition = state.opened
        ? state
        : { opened: true, walletId, fundCode, holdingFen: 0n, pendingPurchases: [], pendingRedemptions: [], instantRedeemed: { date: '', amountFen: 0n }, accruedThrough: null, closedThrough: null };
      return { ...base, pendingPurchases: [...base.pendingPurchases, { purchaseId, amountFen, confirmOn }] };
    }
    invariant(state.opened, () => `${event.type} on a position that has no purchase`);
    switch (event.type) {
      case 'PurchaseConfirmed':
        return {
          ...state,
          holdingFen: state.holdingFen + event.data.amountFen,
          pendingPurchases: state.pendingPurchases.filter((p) => p.purchaseId !== event.data.purchaseId),
        };
      case 'IncomeAccrued':
        return { ...withHolding(state, state.holdingFen + event.data.amountFen), accruedThrough: event.data.date };
      case 'InstantRedemptionMade': {
        const usedToday = state.instantRedeemed.date === event.data.date ? state.instantRedeemed.amountFen : 0n;
        return { ...withHolding(state, state.holdingFen - event.data.amountFen), instantRedeemed: { date: event.data.date, amountFen: usedToday + event.data.amountFen } };
      }
      case 'StandardRedemptionPlaced': {
        const { redemptionId, amountFen, payOn } = event.data;
        return { ...withHolding(state, state.holdingFen - amountFen), pendingRedemptions: [...state.pendingRedemptions, { redemptionId, amountFen, payOn }] };
      }
      case 'StandardRedemptionSettled':
        return { ...state, pendingRedemptions: state.pendingRedemptions.filter((r) => r.redemptionId !== event.data.redemptionId) };
      case 'PositionDayClosed':
        return { ...state, closedThrough: event.data.businessDate, accruedThrough: maxDate(state.accruedThrough, event.data.businessDate) };
    }
  },
};

/** What is left of today's instant quota: the cap of the rule set in force minus what was redeemed today. */
export function instantQuotaLeftFen(state: PositionState, businessDate: IsoDate, ruleSet: RuleSet): Fen {
  const used = state.opened && state.instantRedeemed.date === businessDate ? state.instantRedeemed.amountFen : 0n;
  return ruleSet.instantRedemptionCapFen > used ? ruleSet.instantRedemptionCapFen - used : 0n;
}

function decideRedemption(command: Extract<PositionCommand, { type: 'Redeem' }>, state: OpenPosition): PositionEvent[] {
  const { redemptionId, amountFen, businessDate } = command;
  if (state.holdingFen < amountFen) {
    throw new DomainError('INSUFFICIENT_HOLDING', `the confirmed holding is ${formatFen(state.holdingFen)} CNY, less than ${formatFen(amountFen)}`, {
      holding: formatFen(state.holdingFen),
    });
  }
  if (command.mode === 'standard') {
    const postings = [posting(ACCOUNTS.fundHolding(state.walletId, state.fundCode), ACCOUNTS.pendingRedemption(state.walletId, state.fundCode), amountFen)];
    return [{ type: 'StandardRedemptionPlaced', data: { redemptionId, amountFen, placedOn: businessDate, payOn: nextBusinessDay(businessDate), postings } }];
  }
  const left = instantQuotaLeftFen(state, businessDate, command.ruleSet);
  if (amountFen > left) {
    throw new DomainError(
      'INSTANT_CAP_EXCEEDED',
      `instant redemptions of ${state.fundCode} are capped at ${formatFen(command.ruleSet.instantRedemptionCapFen)} CNY a day (rule set ${command.ruleSet.version}); ${formatFen(left)} is left today`,
      { quotaLeft: formatFen(left), ruleSetVersion: command.ruleSet.version },
    );
  }
  const postings = [posting(ACCOUNTS.fundHolding(state.walletId, state.fundCode), ACCOUNTS.fundSettlement(state.fundCode), amountFen)];
  return [{ type: 'InstantRedemptionMade', data: { redemptionId, amountFen, date: businessDate, postings } }];
}

/**
 * Walks the calendar days of the close: confirms purchases as their day comes, then accrues that day's
 * income on what is confirmed; afterwards pays the standard redemptions due by the next business day.
 */
function decideDayClose(command: Extract<PositionCommand, { type: 'CloseDay' }>, state: OpenPosition): PositionEvent[] {
  if (state.closedThrough !== null && state.closedThrough >= command.businessDate) return [];
  const events: PositionEvent[] = [];
  const { walletId, fundCode } = state;
  let holdingFen = state.holdingFen;
  let pending = state.pendingPurchases;
  for (const { date, perTenK } of command.days) {
    if (state.accruedThrough !== null && date <= state.accruedThrough) continue;
    for (const purchase of pending.filter((p) => p.confirmOn <= date)) {
      const postings = [posting(ACCOUNTS.pendingPurchase(walletId, fundCode), ACCOUNTS.fundHolding(walletId, fundCode), purchase.amountFen)];
      events.push({ type: 'PurchaseConfirmed', data: { purchaseId: purchase.purchaseId, amountFen: purchase.amountFen, confirmedOn: date, postings } });
      holdingFen += purchase.amountFen;
    }
    pending = pending.filter((p) => p.confirmOn > date);
    if (holdingFen === 0n) continue;
    const amountFen = dailyIncomeFen(holdingFen, perTenK);
    const postings = amountFen === 0n ? [] : [posting(ACCOUNTS.fundIncome(fundCode), ACCOUNTS.fundHolding(walletId, fundCode), amountFen)];
    events.push({ type: 'IncomeAccrued', data: { date, holdingFen, perTenK, amountFen, postings } });
    holdingFen += amountFen;
  }
  for (const redemption of state.pendingRedemptions.filter((r) => r.payOn <= command.nextBusinessDate)) {
    const postings = [posting(ACCOUNTS.pendingRedemption(walletId, fundCode), ACCOUNTS.fundSettlement(fundCode), redemption.amountFen)];
    events.push({ type: 'StandardRedemptionSettled', data: { redemptionId: redemption.redemptionId, amountFen: redemption.amountFen, paidOn: command.nextBusinessDate, postings } });
  }
  events.push({ type: 'PositionDayClosed', data: { businessDate: command.businessDate } });
  return events;
}

function withHolding(state: OpenPosition, holdingFen: Fen): OpenPosition {
  invariant(holdingFen >= 0n, () => `position ${state.walletId}/${state.fundCode} would hold ${holdingFen} fen`);
  return { ...state, holdingFen };
}

function maxDate(a: IsoDate | null, b: IsoDate): IsoDate {
  return a !== null && a > b ? a : b;
}

export const positionStream = (walletId: string, fundCode: string) => `position-${walletId}-${fundCode}`;
