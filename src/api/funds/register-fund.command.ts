import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EventStore } from '../../eventstore';
import { REGISTRIES, REGISTRY_SCHEMA, registryDecider } from '../../domain/registry/registry.decider';
import { fundDecider, fundStream } from '../../domain/fund/fund.decider';
import { BusinessCalendar } from '../calendar/business-calendar';
import type { CommandContext } from '../commands/command-context';
import { CommandRunner, type CommandResponse } from '../commands/command-runner';
import { expectedAfter, loadStored } from '../commands/stored-aggregate';
import { EVENT_STORE } from '../event-store.module';
import { loadFund } from './fund-loader';

export class RegisterFundCommand {
  constructor(
    readonly context: CommandContext,
    readonly code: string,
    readonly name: string,
  ) {}
}

export type FundBody = { code: string; name: string; registeredOn: string };

@CommandHandler(RegisterFundCommand)
export class RegisterFundHandler implements ICommandHandler<RegisterFundCommand, CommandResponse<FundBody>> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly calendar: BusinessCalendar,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  execute({ context, code, name }: RegisterFundCommand): Promise<CommandResponse<FundBody>> {
    return this.runner.run(context, [fundStream(code)], async () => {
      const today = await this.calendar.today();
      const fund = await loadFund(this.store, code);
      const registry = await loadStored(this.store, REGISTRIES.funds, registryDecider, REGISTRY_SCHEMA);
      const registered = fundDecider.decide({ type: 'RegisterFund', code, name, businessDate: today.businessDate }, fund.state);
      const listed = registryDecider.decide({ type: 'ListMember', id: code }, registry.state);
      return {
        streams: [
          { stream: fundStream(code), events: registered, expectedRevision: expectedAfter(fund.revision) },
          // Listing only adds a code, so concurrent registrations of different funds need not conflict.
          { stream: REGISTRIES.funds, events: listed, expectedRevision: 'any' },
        ],
        status: 201,
        body: { code, name, registeredOn: today.businessDate },
        businessDate: today.businessDate,
        ruleSetVersion: today.ruleSet.version,
      };
    });
  }
}
