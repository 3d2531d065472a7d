import type { Decider } from '../decider';
import { DomainError } from '../domain-error';
import { ACCOUNTS } from '../ledger/accounts';
import { type Posting, posting } from '../ledger/posting';
import { type Fen, formatFen } from '../money';
import type { PartyKind } from '../party/party.decider';
import { invariant } from '../../invariant';

/** A wallet's cash. Fund holdings live in positions; the wallet only remembers which funds it has bought. */
export type WalletCommand =
  | { type: 'OpenWallet'; walletId: string; ownerKind: PartyKind; ownerId: string }
  | { type: 'Deposit'; amountFen: Fen }
  | { type: 'Withdraw'; amountFen: Fen }
  | { type: 'SendPayment'; paymentId: string; toWalletId: string; amountFen: Fen }
  | { type: 'ReceivePayment'; paymentId: string; fromWalletId: string; amountFen: Fen }
  /** The compensation of a payment whose payee refused it: the amount comes back out of payments in transit. */
  | { type: 'ReturnPayment'; paymentId: string; toWalletId: string; amountFen: Fen; reason: string }
  | { type: 'PayForPurchase'; purchaseId: string; fundCode: string; amountFen: Fen }
  | { type: 'ReceiveRedemption'; redemptionId: string; fundCode: string; amountFen: Fen }
  /** Automatic: the switches the day close proposes for this wallet are made as fund switches. */
  | { type: 'SetRebalancing'; mode: RebalancingMode };

export type RebalancingMode = 'automatic' | 'manual';

export type WalletEvent =
  | { type: 'WalletOpened'; data: { walletId: string; ownerKind: PartyKind; ownerId: string } }
  | { type: 'CashDeposited'; data: { amountFen: Fen; postings: Posting[] } }
  | { type: 'CashWithdrawn'; data: { amountFen: Fen; postings: Posting[] } }
  | { type: 'PaymentSent'; data: { paymentId: string; toWalletId: string; amountFen: Fen; postings: Posting[] } }
  | { type: 'PaymentReceived'; data: { paymentId: string; fromWalletId: string; amountFen: Fen; postings: Posting[] } }
  | { type: 'PaymentReturned'; data: { paymentId: string; toWalletId: string; amountFen: Fen; reason: string; postings: Posting[] } }
  | { type: 'PurchasePaid'; data: { purchaseId: string; fundCode: string; amountFen: Fen; postings: Posting[] } }
  | { type: 'RedemptionCashReceived'; data: { redemptionId: string; fundCode: string; amountFen: Fen; postings: Posting[] } }
  | { type: 'RebalancingSet'; data: { mode: RebalancingMode } };

export type WalletState =
  | { open: false }
  | { open: true; walletId: string; ownerKind: PartyKind; ownerId: string; cashFen: Fen; fundCodes: readonly string[]; rebalancing: RebalancingMode };

type OpenWallet = Extract<WalletState, { open: true }>;

export const walletDecider: Decider<WalletCommand, WalletEvent, WalletState> = {
  initialState: { open: false },

  decide(command, state) {
    if (command.type === 'OpenWallet') {
      if (state.open) throw new DomainError('WALLET_EXISTS', `wallet ${command.walletId} is already open`);
      return [{ type: 'WalletOpened', data: { walletId: command.walletId, ownerKind: command.ownerKind, ownerId: command.ownerId } }];
    }
    if (!state.open) throw new DomainError('UNKNOWN_WALLET', 'the wallet is not open');
    if (command.type === 'SetRebalancing') return state.rebalancing === command.mode ? [] : [{ type: 'RebalancingSet', data: { mode: command.mode } }];
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
        const { paymentId, toWalletId, amountFen } = command;
        return [{ type: 'PaymentSent', data: { paymentId, toWalletId, amountFen, postings: [posting(cash, ACCOUNTS.paymentsInTransit, amountFen)] } }];
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
    if (event.type === 'WalletOpened') return { open: true, ...event.data, cashFen: 0n, fundCodes: [], rebalancing: 'manual' };
    invariant(state.open, () => `${event.type} on a wallet that is not open`);
    switch (event.type) {
      case 'RebalancingSet':
        return { ...state, rebalancing: event.data.mode };
      case 'CashDeposited':
      case 'PaymentReceived':
      case 'PaymentReturned':
      case 'RedemptionCashReceived':
        return withCash(state, state.cashFen + event.data.amountFen);
      case 'CashWithdrawn':
      case 'PaymentSent':
        return withCash(state, state.cashFen - event.data.amountFen);
      case 'PurchasePaid': {
        const fundCodes = state.fundCodes.includes(event.data.fundCode) ? state.fundCodes : [...state.fundCodes, event.data.fundCode];
        return { ...withCash(state, state.cashFen - event.data.amountFen), fundCodes };
      }
    }
  },
};

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
