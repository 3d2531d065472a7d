import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EventStore } from '../../eventstore';
import { fundDecider, fundStream } from '../../domain/fund/fund.decider';
import { type PerTenKMicros, formatPerTenK } from '../../domain/income-rate';
import { BusinessCalendar } from '../calendar/business-calendar';
import type { CommandContext } from '../commands/command-context';
import { CommandRunner, type CommandResponse } from '../commands/command-runner';
import { expectedAfter } from '../commands/stored-aggregate';
import { EVENT_STORE } from '../event-store.module';
import { loadRegisteredFund } from './fund-loader';

export class PublishIncomeCommand {
  constructor(
    readonly context: CommandContext,
    readonly fundCode: string,
    readonly date: string,
    readonly perTenK: PerTenKMicros,
  ) {}
}

export type IncomeBody = { fundCode: string; date: string; perTenK: string };

@CommandHandler(PublishIncomeCommand)
export class PublishIncomeHandler implements ICommandHandler<PublishIncomeCommand, CommandResponse<IncomeBody>> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly calendar: BusinessCalendar,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  execute({ context, fundCode, date, perTenK }: PublishIncomeCommand): Promise<CommandResponse<IncomeBody>> {
    return this.runner.run(context, [fundStream(fundCode)], async () => {
      const today = await this.calendar.today();
      const fund = await loadRegisteredFund(this.store, fundCode);
      const events = fundDecider.decide(
        // A day whose close has begun counts as closed: its positions may already have accrued it.
        { type: 'PublishIncome', date, perTenK, businessDate: today.businessDate, lastClosedDate: today.calendar.closing?.date ?? today.calendar.lastClosedDate },
        fund.state,
      );
      return {
        streams: [{ stream: fundStream(fundCode), events, expectedRevision: expectedAfter(fund.revision) }],
        status: 201,
        body: { fundCode, date, perTenK: formatPerTenK(perTenK) },
        businessDate: today.businessDate,
        ruleSetVersion: today.ruleSet.version,
      };
    });
  }
}
