import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EventStore } from '../../eventstore';
import { formatFen, type Fen } from '../../domain/money';
import { walletDecider, walletStream } from '../../domain/wallet/wallet.decider';
import { BusinessCalendar } from '../calendar/business-calendar';
import type { CommandContext } from '../commands/command-context';
import { CommandRunner, type CommandResponse } from '../commands/command-runner';
import { expectedAfter } from '../commands/stored-aggregate';
import { EVENT_STORE } from '../event-store.module';
import { cashAfter, loadOpenWallet } from './wallet-loader';

/** Cash in from the owner's bank card, or out to it. */
export class MoveCashCommand {
  constructor(
    readonly context: CommandContext,
    readonly walletId: string,
    readonly direction: 'deposit' | 'withdrawal',
    readonly amountFen: Fen,
  ) {}
}

export type CashMovedBody = { walletId: string; amount: string; cash: string };

@CommandHandler(MoveCashCommand)
export class MoveCashHandler implements ICommandHandler<MoveCashCommand, CommandResponse<CashMovedBody>> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly calendar: BusinessCalendar,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  execute({ context, walletId, direction, amountFen }: MoveCashCommand): Promise<CommandResponse<CashMovedBody>> {
    const stream = walletStream(walletId);
    return this.runner.run(context, [stream], async () => {
      const today = await this.calendar.today();
      const wallet = await loadOpenWallet(this.store, walletId);
      const events = walletDecider.decide({ type: direction === 'deposit' ? 'Deposit' : 'Withdraw', amountFen }, wallet.state);
      return {
        streams: [{ stream, events, expectedRevision: expectedAfter(wallet.revision) }],
        status: 201,
        body: { walletId, amount: formatFen(amountFen), cash: cashAfter(wallet.state, events) },
        businessDate: today.businessDate,
        ruleSetVersion: today.ruleSet.version,
      };
    });
  }
}
