import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { EventStore } from '../../eventstore';
import { formatFen, type Fen } from '../../domain/money';
import { walletDecider, walletStream } from '../../domain/wallet/wallet.decider';
import { BusinessCalendar } from '../calendar/business-calendar';
import type { CommandContext } from '../commands/command-context';
import { CommandRunner, type CommandResponse } from '../commands/command-runner';
import { expectedAfter } from '../commands/stored-aggregate';
import { EVENT_STORE } from '../event-store.module';
import { cashAfter, loadOpenWallet, loadWalletToCredit } from './wallet-loader';

export class SendPaymentCommand {
  constructor(
    readonly context: CommandContext,
    readonly fromWalletId: string,
    readonly toWalletId: string,
    readonly amountFen: Fen,
  ) {}
}

export type PaymentBody = { paymentId: string; fromWalletId: string; toWalletId: string; amount: string; cash: string };

/**
 * Debits the payer at the revision its balance was read at and credits the payee with no expected revision,
 * in one atomic write: payments into one busy merchant never conflict with each other.
 */
@CommandHandler(SendPaymentCommand)
export class SendPaymentHandler implements ICommandHandler<SendPaymentCommand, CommandResponse<PaymentBody>> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly calendar: BusinessCalendar,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  execute({ context, fromWalletId, toWalletId, amountFen }: SendPaymentCommand): Promise<CommandResponse<PaymentBody>> {
    const payerStream = walletStream(fromWalletId);
    return this.runner.run(context, [payerStream], async () => {
      const today = await this.calendar.today();
      const payer = await loadOpenWallet(this.store, fromWalletId);
      const payee = await loadWalletToCredit(this.store, toWalletId);
      const paymentId = randomUUID();
      const sent = walletDecider.decide({ type: 'SendPayment', paymentId, toWalletId, amountFen }, payer.state);
      const received = walletDecider.decide({ type: 'ReceivePayment', paymentId, fromWalletId, amountFen }, payee);
      return {
        streams: [
          { stream: payerStream, events: sent, expectedRevision: expectedAfter(payer.revision) },
          { stream: walletStream(toWalletId), events: received, expectedRevision: 'stream_exists' },
        ],
        status: 201,
        body: { paymentId, fromWalletId, toWalletId, amount: formatFen(amountFen), cash: cashAfter(payer.state, sent) },
        businessDate: today.businessDate,
        ruleSetVersion: today.ruleSet.version,
      };
    });
  }
}
