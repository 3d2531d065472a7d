import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '../../eventstore';
import { formatFen, type Fen } from '../../domain/money';
import { nextBusinessDay } from '../../domain/iso-date';
import { type RedemptionMode, instantQuotaLeftFen, positionStream } from '../../domain/position/position.decider';
import { type RebalancingMode, type WalletState, walletStream } from '../../domain/wallet/wallet.decider';
import type { AccountTier } from '../../domain/rules/rule-set';
import { BusinessCalendar, type Today } from '../calendar/business-calendar';
import { POSITION, WALLET } from '../commands/aggregates';
import { type CommandContext, newId } from '../commands/command-context';
import { DecideCommand } from '../commands/decide-command';
import { EVENT_STORE } from '../event-store.module';
import { loadRegisteredFund } from '../funds/fund-loader';
import { loadWalletToCredit } from './wallet-loader';

/**
 * The commands of a wallet's owner, each one append to one stream. What reaches another stream (the payee's
 * cash, the position a purchase places) is a step of a process that follows the first append.
 */
@Injectable()
export class WalletCommands {
  constructor(
    private readonly calendar: BusinessCalendar,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async moveCash(context: CommandContext, walletId: string, direction: 'deposit' | 'withdrawal', amountFen: Fen) {
    const today = await this.calendar.today();
    return new DecideCommand(context, WALLET, walletStream(walletId), { type: direction === 'deposit' ? 'Deposit' : 'Withdraw', amountFen }, recordedUnder(today), ({ after }) => ({
      status: 201,
      body: { walletId, amount: formatFen(amountFen), cash: cashOf(after) },
    }));
  }

  /** Automatic: the close's proposals for the wallet are made as fund switches; manual: they are only shown. */
  async setRebalancing(context: CommandContext, walletId: string, mode: RebalancingMode) {
    const today = await this.calendar.today();
    return new DecideCommand(context, WALLET, walletStream(walletId), { type: 'SetRebalancing', mode }, recordedUnder(today), () => ({ status: 200, body: { walletId, rebalancing: mode } }));
  }

  async raiseAccountTier(context: CommandContext, walletId: string, tier: AccountTier) {
    const today = await this.calendar.today();
    return new DecideCommand(context, WALLET, walletStream(walletId), { type: 'RaiseAccountTier', tier }, recordedUnder(today), () => ({ status: 200, body: { walletId, accountTier: tier } }));
  }

  /** The payer's debit into payments in transit; the payee is credited by the payment process. */
  async sendPayment(context: CommandContext, fromWalletId: string, toWalletId: string, amountFen: Fen) {
    const today = await this.calendar.today();
    await loadWalletToCredit(this.store, toWalletId);
    const paymentId = newId(context, 'payment');
    return new DecideCommand(context, WALLET, walletStream(fromWalletId), { type: 'SendPayment', paymentId, toWalletId, amountFen, businessDate: today.businessDate, ruleSet: today.ruleSet }, recordedUnder(today), ({ after }) => ({
      status: 201,
      body: { paymentId, fromWalletId, toWalletId, amount: formatFen(amountFen), cash: cashOf(after) },
    }));
  }

  /** Cash into the fund's settlement account; the purchase process places it on the position. */
  async purchase(context: CommandContext, walletId: string, fundCode: string, amountFen: Fen) {
    const today = await this.calendar.today();
    await loadRegisteredFund(this.store, fundCode);
    const purchaseId = newId(context, 'purchase');
    return new DecideCommand(context, WALLET, walletStream(walletId), { type: 'PayForPurchase', purchaseId, fundCode, amountFen, ruleSet: today.ruleSet }, recordedUnder(today), ({ after }) => ({
      status: 201,
      body: { purchaseId, walletId, fundCode, amount: formatFen(amountFen), confirmOn: nextBusinessDay(today.businessDate), cash: cashOf(after) },
    }));
  }

  /** Shares out of the position; an instant redemption's cash reaches the wallet by the redemption process. */
  async redeem(context: CommandContext, walletId: string, fundCode: string, amountFen: Fen, mode: RedemptionMode) {
    const today = await this.calendar.today();
    await loadWalletToCredit(this.store, walletId);
    await loadRegisteredFund(this.store, fundCode);
    const redemptionId = newId(context, 'redemption');
    const command = { type: 'Redeem' as const, redemptionId, amountFen, mode, businessDate: today.businessDate, ruleSet: today.ruleSet };
    return new DecideCommand(
      context,
      POSITION,
      positionStream(walletId, fundCode),
      command,
      recordedUnder(today),
      ({ after }) => ({
        status: 201,
        body: {
          redemptionId,
          walletId,
          fundCode,
          mode,
          amount: formatFen(amountFen),
          payOn: mode === 'instant' ? today.businessDate : nextBusinessDay(today.businessDate),
          instantQuotaLeft: formatFen(instantQuotaLeftFen(after, today.businessDate, today.ruleSet)),
          ruleSetVersion: today.ruleSet.version,
        },
      }),
      false,
    );
  }
}

export function recordedUnder(today: Today): { businessDate: string; ruleSetVersion: string } {
  return { businessDate: today.businessDate, ruleSetVersion: today.ruleSet.version };
}

function cashOf(wallet: WalletState): string {
  return formatFen(wallet.open ? wallet.cashFen : 0n);
}
