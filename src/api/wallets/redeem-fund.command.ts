import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { EventStore } from '../../eventstore';
import { formatFen, type Fen } from '../../domain/money';
import { nextBusinessDay } from '../../domain/iso-date';
import { type RedemptionMode, instantQuotaLeftFen, positionDecider, positionStream } from '../../domain/position/position.decider';
import { fold } from '../../domain/decider';
import { walletDecider, walletStream } from '../../domain/wallet/wallet.decider';
import { BusinessCalendar } from '../calendar/business-calendar';
import type { CommandContext } from '../commands/command-context';
import { CommandRunner, type CommandResponse } from '../commands/command-runner';
import { expectedAfter } from '../commands/stored-aggregate';
import { EVENT_STORE } from '../event-store.module';
import { loadRegisteredFund } from '../funds/fund-loader';
import { loadPosition } from './position-loader';
import { loadWalletToCredit } from './wallet-loader';

export class RedeemFundCommand {
  constructor(
    readonly context: CommandContext,
    readonly walletId: string,
    readonly fundCode: string,
    readonly amountFen: Fen,
    readonly mode: RedemptionMode,
  ) {}
}

export type RedemptionBody = {
  redemptionId: string;
  walletId: string;
  fundCode: string;
  mode: RedemptionMode;
  amount: string;
  /** When the cash reaches the wallet: today for instant, the next business day for standard. */
  payOn: string;
  instantQuotaLeft: string;
  ruleSetVersion: string;
};

/** Instant redemptions credit the wallet in the same write; standard ones wait for the day close. */
@CommandHandler(RedeemFundCommand)
export class RedeemFundHandler implements ICommandHandler<RedeemFundCommand, CommandResponse<RedemptionBody>> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly calendar: BusinessCalendar,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  execute({ context, walletId, fundCode, amountFen, mode }: RedeemFundCommand): Promise<CommandResponse<RedemptionBody>> {
    const stream = positionStream(walletId, fundCode);
    return this.runner.run(context, [stream], async () => {
      const today = await this.calendar.today();
      const wallet = await loadWalletToCredit(this.store, walletId);
      await loadRegisteredFund(this.store, fundCode);
      const position = await loadPosition(this.store, walletId, fundCode);
      const redemptionId = randomUUID();
      const redeemed = positionDecider.decide({ type: 'Redeem', redemptionId, amountFen, mode, businessDate: today.businessDate, ruleSet: today.ruleSet }, position.state);
      const credited = mode === 'instant' ? walletDecider.decide({ type: 'ReceiveRedemption', redemptionId, fundCode, amountFen }, wallet) : [];
      const after = fold({ initialState: position.state, evolve: positionDecider.evolve }, redeemed);
      return {
        streams: [
          { stream, events: redeemed, expectedRevision: expectedAfter(position.revision) },
          { stream: walletStream(walletId), events: credited, expectedRevision: 'stream_exists' },
        ],
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
        businessDate: today.businessDate,
        ruleSetVersion: today.ruleSet.version,
      };
    });
  }
}
