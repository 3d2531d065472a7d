import type { Decider } from '../decider';
import { DomainError } from '../domain-error';
import { ACCOUNTS } from '../ledger/accounts';
import { type Posting, posting } from '../ledger/posting';
import { type Fen, formatFen } from '../money';
import type { PartyKind } from '../party/party.decider';
import type { IsoDate } from '../iso-date';
import { ACCOUNT_TIERS, type AccountTier, type RuleSet, type TierRule } from '../rules/rule-set';
import { invariant } from '../../invariant';

/** A wallet's cash. Fund holdings live in positions; the wallet only remembers which funds it has bought. */
export type WalletCommand =
  /** A customer's wallet is held to a payment-account tier; a merchant's is not. */
  | { type: 'OpenWallet'; walletId: string; ownerKind: PartyKind; ownerId: string; accountTier?: AccountTier }
  | { type: 'Deposit'; amountFen: Fen }
  /** To the owner's own card: never counted against a tier's payment limit. */
  | { type: 'Withdraw'; amountFen: Fen }
  | { type: 'SendPayment'; paymentId: string; toWalletId: string; amountFen: Fen; businessDate: IsoDate; ruleSet: RuleSet }
  | { type: 'ReceivePayment'; paymentId: string; fromWalletId: string; amountFen: Fen }
  /** The compensation of a payment whose payee refused it: the amount comes back out of payments in transit. */
  | { type: 'ReturnPayment'; paymentId: string; toWalletId: string; amountFen: Fen; reason: string }
  | { type: 'PayForPurchase'; purchaseId: string; fundCode: string; amountFen: Fen; ruleSet: RuleSet }
  | { type: 'ReceiveRedemption'; redemptionId: string; fundCode: string; amountFen: Fen }
  /** Automatic: the switches the day close proposes for this wallet are made as fund switches. */
  | { type: 'SetRebalancing'; mode: RebalancingMode }
  /** After more verification of the owner; a tier is never lowered. */
  | { type: 'RaiseAccountTier'; tier: AccountTier };

export type RebalancingMode = 'automatic' | 'manual';

export type WalletEvent =
  | { type: 'WalletOpened'; data: { walletId: string; ownerKind: PartyKind; ownerId: string; accountTier?: AccountTier } }
  | { type: 'CashDeposited'; data: { amountFen: Fen; postings: Posting[] } }
  | { type: 'CashWithdrawn'; data: { amountFen: Fen; postings: Posting[] } }
  | { type: 'PaymentSent'; data: { paymentId: string; toWalletId: string; amountFen: Fen; businessDate: IsoDate; postings: Posting[] } }
  | { type: 'PaymentReceived'; data: { paymentId: string; fromWalletId: string; amountFen: Fen; postings: Posting[] } }
  | { type: 'PaymentReturned'; data: { paymentId: string; toWalletId: string; amountFen: Fen; reason: string; postings: Posting[] } }
  | { type: 'PurchasePaid'; data: { purchaseId: string; fundCode: string; amountFen: Fen; postings: Posting[] } }
  | { type: 'RedemptionCashReceived'; data: { redemptionId: string; fundCode: string; amountFen: Fen; postings: Posting[] } }
  | { type: 'RebalancingSet'; data: { mode: RebalancingMode } }
  | { type: 'AccountTierRaised'; data: { from: AccountTier; to: AccountTier } };

/** Payments from the balance so far: over the account's life, and in the calendar year of the latest one. */
export interface PaidFromBalance {
  lifetimeFen: Fen;
  year: number;
  yearFen: Fen;
}

export type WalletState =
  | { open: false }
  | {
      open: true;
      walletId: string;
      ownerKind: PartyKind;
      ownerId: string;
      cashFen: Fen;
      fundCodes: readonly string[];
      rebalancing: RebalancingMode;
      accountTier: AccountTier | null;
      paid: PaidFromBalance;
    };

export type OpenWallet = Extract<WalletState, { open: true }>;

export const walletDecider: Decider<WalletCommand, WalletEvent, WalletState> = {
  initialState: { open: false },

  decide(command, state) {
    if (command.type === 'OpenWallet') {
      if (state.open) throw new DomainError('WALLET_EXISTS', `wallet ${command.walletId} is already open`);
      const { walletId, ownerKind, ownerId, accountTier } = command;
      invariant((ownerKind === 'customer') === (accountTier !== undefined), () => `a ${ownerKind} wallet opened with account tier ${accountTier}`);
      return [{ type: 'WalletOpened', data: { walletId, ownerKind, ownerId, ...(accountTier && { accountTier }) } }];
    }
    if (!state.open) throw new DomainError('UNKNOWN_WALLET', 'the wallet is not open');
    if (command.type === 'SetRebalancing') return state.rebalancing === command.mode ? [] : [{ type: 'RebalancingSet', data: { mode: command.mode } }];
    if (command.type === 'RaiseAccountTier') return raiseTier(state, command.tier);
    invariant(command.amountFen > 0n, () => `${command.type} of ${command.amountFen} fen: amounts are positive`);
    const cash = ACCOUNTS.walletCash(state.walletId);
    switch (command.type) {
      case 'Deposit':
        return [{ type: 'CashDeposited', data: { amountFen: command.amountFen, postings: [posting(ACCOUNTS.bankClearing, cash, command.amountFen)] } }];
      case 'Withdraw':
        requireCash(state, command.amountFen);
        return [{ type: 'CashWithdrawn', data: { amountFen: command.amountFen, postings: [posting(cash, ACCOUNTS.bankClearing, command.amountFen)] } }];
      case 'SendPayment': {
        if (command.toWalletId === state.walletId) throw new DomainError('SELF_PAYMENT', 'a wallet cannot pay itself');
        requireCash(state, command.amountFen);
        requireTierLimit(state, command.amountFen, command.businessDate, command.ruleSet);
        const { paymentId, toWalletId, amountFen, businessDate } = command;
        return [{ type: 'PaymentSent', data: { paymentId, toWalletId, amountFen, businessDate, postings: [posting(cash, ACCOUNTS.paymentsInTransit, amountFen)] } }];
      }
      case 'ReceivePayment': {
        const { paymentId, fromWalletId, amountFen } = command;
        return [{ type: 'PaymentReceived', data: { paymentId, fromWalletId, amountFen, postings: [posting(ACCOUNTS.paymentsInTransit, cash, amountFen)] } }];
      }
      case 'ReturnPayment': {
        const { paymentId, toWalletId, amountFen, reason } = command;
        return [{ type: 'PaymentReturned', data: { paymentId, toWalletId, amountFen, reason, postings: [posting(ACCOUNTS.paymentsInTransit, cash, amountFen)] } }];
      }
      case 'PayForPurchase': {
        requireCash(state, command.amountFen);
        requireTierMayBuyFunds(state, command.ruleSet);
        const { purchaseId, fundCode, amountFen } = command;
        return [{ type: 'PurchasePaid', data: { purchaseId, fundCode, amountFen, postings: [posting(cash, ACCOUNTS.fundSettlement(fundCode), amountFen)] } }];
      }
      case 'ReceiveRedemption': {
        const { redemptionId, fundCode, amountFen } = command;
        const postings = [posting(ACCOUNTS.fundSettlement(fundCode), cash, amountFen)];
        return [{ type: 'RedemptionCashReceived', data: { redemptionId, fundCode, amountFen, postings } }];
      }
    }
  },

  evolve(state, event) {
    if (event.type === 'WalletOpened') {
      const { walletId, ownerKind, ownerId, accountTier } = event.data;
      return { open: true, walletId, ownerKind, ownerId, cashFen: 0n, fundCodes: [], rebalancing: 'manual', accountTier: accountTier ?? null, paid: NOTHING_PAID };
    }
    invariant(state.open, () => `${event.type} on a wallet that is not open`);
    switch (event.type) {
      case 'RebalancingSet':
        return { ...state, rebalancing: event.data.mode };
      case 'AccountTierRaised':
        return { ...state, accountTier: event.data.to };
      case 'CashDeposited':
      case 'PaymentReceived':
      case 'PaymentReturned':
      case 'RedemptionCashReceived':
        return withCash(state, state.cashFen + event.data.amountFen);
      case 'CashWithdrawn':
        return withCash(state, state.cashFen - event.data.amountFen);
      case 'PaymentSent':
        return { ...withCash(state, state.cashFen - event.data.amountFen), paid: paidAfter(state.paid, event.data.amountFen, event.data.businessDate) };
      case 'PurchasePaid': {
        const fundCodes = state.fundCodes.includes(event.data.fundCode) ? state.fundCodes : [...state.fundCodes, event.data.fundCode];
        return { ...withCash(state, state.cashFen - event.data.amountFen), fundCodes };
      }
    }
  },
};

/** What a tier's limit is worked out from, in the aggregate and in the wallets read model alike. */
export interface TieredWallet {
  accountTier: AccountTier | null;
  paid: PaidFromBalance;
}

export const NOTHING_PAID: PaidFromBalance = { lifetimeFen: 0n, year: 0, yearFen: 0n };

export function paidAfter(paid: PaidFromBalance, amountFen: Fen, businessDate: IsoDate): PaidFromBalance {
  const year = Number(businessDate.slice(0, 4));
  return { lifetimeFen: paid.lifetimeFen + amountFen, year, yearFen: (year === paid.year ? paid.yearFen : 0n) + amountFen };
}

/** The rule a wallet's tier is held to under a set: none for a merchant, or before tiers were in force. */
export function tierRuleOf(wallet: TieredWallet, ruleSet: RuleSet): TierRule | undefined {
  return (wallet.accountTier && ruleSet.accountTiers?.[wallet.accountTier]) || undefined;
}

/** What the tier's limit has left on a business date: null when no tier applies (a merchant, or before tiers). */
export function tierLimitLeftFen(wallet: TieredWallet, businessDate: IsoDate, ruleSet: RuleSet): { rule: TierRule; usedFen: Fen; leftFen: Fen } | null {
  const rule = tierRuleOf(wallet, ruleSet);
  if (!rule) return null;
  const { paid } = wallet;
  const usedFen = rule.period === 'lifetime' ? paid.lifetimeFen : paid.year === Number(businessDate.slice(0, 4)) ? paid.yearFen : 0n;
  return { rule, usedFen, leftFen: rule.paymentLimitFen > usedFen ? rule.paymentLimitFen - usedFen : 0n };
}

function requireTierLimit(state: OpenWallet, amountFen: Fen, businessDate: IsoDate, ruleSet: RuleSet): void {
  const limit = tierLimitLeftFen(state, businessDate, ruleSet);
  if (!limit || limit.leftFen >= amountFen) return;
  const period = limit.rule.period === 'lifetime' ? 'since the account opened' : `in ${businessDate.slice(0, 4)}`;
  throw new DomainError(
    'ACCOUNT_TIER_LIMIT',
    `a type ${state.accountTier} account may pay ${formatFen(limit.rule.paymentLimitFen)} CNY from its balance ${period} (rule set ${ruleSet.version}); ${formatFen(limit.leftFen)} is left`,
    { accountTier: String(state.accountTier), limit: formatFen(limit.rule.paymentLimitFen), left: formatFen(limit.leftFen), ruleSetVersion: ruleSet.version },
  );
}

/** Refuses a fund purchase from the balance of a tier that may not make one; a fund switch is asked this before it starts. */
export function requireTierMayBuyFunds(state: OpenWallet, ruleSet: RuleSet): void {
  const rule = tierRuleOf(state, ruleSet);
  if (!rule || rule.mayBuyFunds) return;
  throw new DomainError('ACCOUNT_TIER_FORBIDS_FUNDS', `a type ${state.accountTier} account may not buy funds from its balance (rule set ${ruleSet.version}); only type III may`, {
    accountTier: String(state.accountTier),
    ruleSetVersion: ruleSet.version,
  });
}

function raiseTier(state: OpenWallet, tier: AccountTier): WalletEvent[] {
  if (state.accountTier === null) throw new DomainError('NO_ACCOUNT_TIER', 'only customer wallets have an account tier', { field: 'tier' });
  if (state.accountTier === tier) return [];
  if (ACCOUNT_TIERS.indexOf(tier) < ACCOUNT_TIERS.indexOf(state.accountTier)) {
    throw new DomainError('TIER_NOT_RAISED', `the account is type ${state.accountTier}; a tier is raised, never lowered`, { field: 'tier' });
  }
  return [{ type: 'AccountTierRaised', data: { from: state.accountTier, to: tier } }];
}

function requireCash(state: OpenWallet, amountFen: Fen): void {
  if (state.cashFen < amountFen) {
    throw new DomainError('INSUFFICIENT_FUNDS', `the wallet holds ${formatFen(state.cashFen)} CNY, less than ${formatFen(amountFen)}`, {
      availableCash: formatFen(state.cashFen),
    });
  }
}

function withCash(state: OpenWallet, cashFen: Fen): OpenWallet {
  invariant(cashFen >= 0n, () => `wallet ${state.walletId} would hold ${cashFen} fen`);
  return { ...state, cashFen };
}

export const walletStream = (walletId: string) => `wallet-${walletId}`;
