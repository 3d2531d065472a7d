import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { EventStore } from '../../eventstore';
import { fundDecider, fundStream } from '../../domain/fund/fund.decider';
import { formatFen, type Fen } from '../../domain/money';
import { nextBusinessDay } from '../../domain/iso-date';
import { positionDecider, positionStream } from '../../domain/position/position.decider';
import { walletDecider, walletStream } from '../../domain/wallet/wallet.decider';
import { BusinessCalendar } from '../calendar/business-calendar';
import type { CommandContext } from '../commands/command-context';
import { CommandRunner, type CommandResponse } from '../commands/command-runner';
import { expectedAfter } from '../commands/stored-aggregate';
import { EVENT_STORE } from '../event-store.module';
import { loadRegisteredFund } from '../funds/fund-loader';
import { loadPosition } from './position-loader';
import { cashAfter, loadOpenWallet } from './wallet-loader';

export class PurchaseFundCommand {
  constructor(
    readonly context: CommandContext,
    readonly walletId: string,
    readonly fundCode: string,
    readonly amountFen: Fen,
  ) {}
}

export type PurchaseBody = { purchaseId: string; walletId: string; fundCode: string; amount: string; confirmOn: string; cash: string };

/** Moves cash from the wallet into a pending purchase, in one write with the fund learning of its holder. */
@CommandHandler(PurchaseFundCommand)
export class PurchaseFundHandler implements ICommandHandler<PurchaseFundCommand, CommandResponse<PurchaseBody>> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly calendar: BusinessCalendar,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  execute({ context, walletId, fundCode, amountFen }: PurchaseFundCommand): Promise<CommandResponse<PurchaseBody>> {
    const streams = { wallet: walletStream(walletId), position: positionStream(walletId, fundCode), fund: fundStream(fundCode) };
    return this.runner.run(context, [streams.wallet, streams.position], async () => {
      const today = await this.calendar.today();
      const wallet = await loadOpenWallet(this.store, walletId);
      const fund = await loadRegisteredFund(this.store, fundCode);
      const position = await loadPosition(this.store, walletId, fundCode);
      const purchaseId = randomUUID();
      const paid = walletDecider.decide({ type: 'PayForPurchase', purchaseId, fundCode, amountFen }, wallet.state);
      const placed = positionDecider.decide({ type: 'PlacePurchase', purchaseId, walletId, fundCode, amountFen, businessDate: today.businessDate }, position.state);
      const holder = fundDecider.decide({ type: 'RecordHolder', walletId }, fund.state);
      return {
        streams: [
          { stream: streams.wallet, events: paid, expectedRevision: expectedAfter(wallet.revision) },
          { stream: streams.position, events: placed, expectedRevision: expectedAfter(position.revision) },
          { stream: streams.fund, events: holder, expectedRevision: 'stream_exists' },
        ],
        status: 201,
        body: { purchaseId, walletId, fundCode, amount: formatFen(amountFen), confirmOn: nextBusinessDay(today.businessDate), cash: cashAfter(wallet.state, paid) },
        businessDate: today.businessDate,
        ruleSetVersion: today.ruleSet.version,
      };
    });
  }
}
