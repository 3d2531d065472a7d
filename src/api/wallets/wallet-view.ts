import { Injectable } from '@nestjs/common';
import { decodeData } from '../../domain/event-codec';
import { type Fen, formatFen } from '../../domain/money';
import { instantQuotaLeftFen } from '../../domain/position/position.decider';
import { type RebalancingMode, NOTHING_PAID, tierLimitLeftFen } from '../../domain/wallet/wallet.decider';
import { type AccountTier, type RuleSet, ruleSetOn } from '../../domain/rules/rule-set';
import { ProjectionBehindError, ReadModels } from '../../projections';
import { CALENDAR_COLLECTION, CALENDAR_DOC_ID, type CalendarDoc, ruleSetsOf } from '../../projections/read-models/calendar.projection';
import { type FundHoldingDoc, type WalletDoc, WALLETS_COLLECTION } from '../../projections/read-models/wallets.projection';
import { HttpProblem } from '../http/problem';

export interface HoldingView {
  fundCode: string;
  /** Confirmed, earning shares (CNY, NAV 1.00). */
  holding: string;
  pendingPurchase: string;
  pendingPurchases: { purchaseId: string; amount: string; confirmOn: string }[];
  pendingRedemption: string;
  pendingRedemptions: { redemptionId: string; amount: string; payOn: string }[];
  instantQuotaLeft: string;
  /** The income of the latest day that accrued any (negative on a day the fund lost), and that day. */
  incomeLastDay: string;
  incomeLastDayDate: string | null;
  incomeTotal: string;
}

export interface PaymentLimitView {
  period: 'lifetime' | 'year';
  limit: string;
  used: string;
  left: string;
  mayBuyFunds: boolean;
}

export interface WalletView {
  walletId: string;
  ownerKind: string;
  ownerId: string;
  rebalancing: RebalancingMode;
  businessDate: string;
  ruleSetVersion: string;
  /** A customer's payment-account type; null for a merchant. */
  accountTier: AccountTier | null;
  /** What the tier's limit on payments from the balance leaves; null where no tier applies. */
  paymentLimit: PaymentLimitView | null;
  cash: string;
  /** Summed over the funds whose latest income day is the wallet's latest. */
  incomeLastDay: string;
  incomeLastDayDate: string | null;
  incomeTotal: string;
  holdings: HoldingView[];
}

/**
 * A wallet as its owner sees it, from the wallets and calendar read models. It reads what they hold now:
 * a caller that must see its own write waits first with `ReadModels.atLeast(WALLET_VIEW_PROJECTIONS, …)`.
 */
@Injectable()
export class WalletViewQuery {
  constructor(private readonly readModels: ReadModels) {}

  async view(walletId: string): Promise<WalletView> {
    const [stored, calendar] = await Promise.all([
      this.readModels.get('wallets', WALLETS_COLLECTION, walletId),
      this.readModels.get('calendar', CALENDAR_COLLECTION, CALENDAR_DOC_ID) as Promise<CalendarDoc | undefined>,
    ]);
    const wallet = stored && decodeData<WalletDoc>(stored);
    if (!isOpened(wallet)) throw HttpProblem.notFound(`wallet ${walletId} does not exist`);
    // The calendar starts before anything else is written, so only a read model that has not caught up lacks it.
    if (!calendar) throw new ProjectionBehindError('calendar', 0n, await this.readModels.position('calendar'), 0);
    return walletViewOf(wallet, calendar);
  }
}

/** An opened wallet: a wallet document whose WalletOpened has been applied. */
export type OpenedWalletDoc = WalletDoc & { ownerKind: string; ownerId: string };

export function isOpened(wallet: WalletDoc | undefined): wallet is OpenedWalletDoc {
  return wallet !== undefined && wallet.ownerKind !== null && wallet.ownerId !== null;
}

/**
 * The answer of GET /wallets/{id} from the wallets and calendar documents: the live read and the as-of read
 * both render through here, so the two cannot differ in anything but the documents they start from.
 */
export function walletViewOf(wallet: OpenedWalletDoc, calendar: CalendarDoc): WalletView {
  const ruleSet = ruleSetOn(calendar.businessDate, ruleSetsOf(calendar));
  const holdings = wallet.funds.map((fund) => holdingView(wallet, fund, calendar.businessDate, ruleSet));
  const lastDate = holdings.reduce<string | null>((latest, h) => (h.incomeLastDayDate !== null && (latest === null || h.incomeLastDayDate > latest) ? h.incomeLastDayDate : latest), null);
  const sum = (values: readonly Fen[]) => values.reduce((total, value) => total + value, 0n);
  return {
    walletId: wallet.walletId,
    ownerKind: wallet.ownerKind,
    ownerId: wallet.ownerId,
    rebalancing: wallet.rebalancing,
    businessDate: calendar.businessDate,
    ruleSetVersion: ruleSet.version,
    accountTier: wallet.accountTier ?? null,
    paymentLimit: paymentLimitView(wallet, calendar.businessDate, ruleSet),
    cash: formatFen(wallet.cashFen),
    incomeLastDay: formatFen(sum(wallet.funds.filter((f) => lastDate !== null && f.lastIncomeDate === lastDate).map((f) => f.lastIncomeFen))),
    incomeLastDayDate: lastDate,
    incomeTotal: formatFen(sum(wallet.funds.map((f) => f.incomeTotalFen))),
    holdings,
  };
}

function paymentLimitView(wallet: WalletDoc, businessDate: string, ruleSet: RuleSet): PaymentLimitView | null {
  // Documents written before tiers were recorded have neither field; they read as no tier and nothing paid.
  const limit = tierLimitLeftFen({ accountTier: wallet.accountTier ?? null, paid: wallet.paid ?? NOTHING_PAID }, businessDate, ruleSet);
  if (!limit) return null;
  const { rule, usedFen, leftFen } = limit;
  return { period: rule.period, limit: formatFen(rule.paymentLimitFen), used: formatFen(usedFen), left: formatFen(leftFen), mayBuyFunds: rule.mayBuyFunds };
}

/** The projections a wallet view reads, for callers that wait for a position first. */
export const WALLET_VIEW_PROJECTIONS = ['wallets', 'calendar'] as const;

function holdingView(wallet: WalletDoc, fund: FundHoldingDoc, businessDate: string, ruleSet: RuleSet): HoldingView {
  const sum = (items: readonly { amountFen: Fen }[]) => formatFen(items.reduce((total, item) => total + item.amountFen, 0n));
  // The quota rule is the position aggregate's own; it needs only the instant redemptions of the day.
  const position = {
    opened: true as const,
    walletId: wallet.walletId,
    fundCode: fund.fundCode,
    holdingFen: fund.holdingFen,
    pendingPurchases: fund.pendingPurchases,
    pendingRedemptions: fund.pendingRedemptions,
    instantRedeemed: fund.instantRedeemed ?? { date: '', amountFen: 0n },
    accruedThrough: fund.lastIncomeDate,
    closedThrough: null,
  };
  return {
    fundCode: fund.fundCode,
    holding: formatFen(fund.holdingFen),
    pendingPurchase: sum(fund.pendingPurchases),
    pendingPurchases: fund.pendingPurchases.map((p) => ({ purchaseId: p.purchaseId, amount: formatFen(p.amountFen), confirmOn: p.confirmOn })),
    pendingRedemption: sum(fund.pendingRedemptions),
    pendingRedemptions: fund.pendingRedemptions.map((r) => ({ redemptionId: r.redemptionId, amount: formatFen(r.amountFen), payOn: r.payOn })),
    instantQuotaLeft: formatFen(instantQuotaLeftFen(position, businessDate, ruleSet)),
    incomeLastDay: formatFen(fund.lastIncomeFen),
    incomeLastDayDate: fund.lastIncomeDate,
    incomeTotal: formatFen(fund.incomeTotalFen),
  };
}
