import { Injectable } from '@nestjs/common';
import { fundStream } from '../../domain/fund/fund.decider';
import { type PerTenKMicros, formatPerTenK } from '../../domain/income-rate';
import { BusinessCalendar } from '../calendar/business-calendar';
import { FUND } from '../commands/aggregates';
import type { CommandContext } from '../commands/command-context';
import { DecideCommand } from '../commands/decide-command';
import { recordedUnder } from '../wallets/wallet-commands';

/** The operator's commands on a fund's stream; listing a new fund in the registry follows as a process step. */
@Injectable()
export class FundCommands {
  constructor(private readonly calendar: BusinessCalendar) {}

  async register(context: CommandContext, code: string, name: string) {
    const today = await this.calendar.today();
    const command = { type: 'RegisterFund' as const, code, name, businessDate: today.businessDate };
    return new DecideCommand(context, FUND, fundStream(code), command, recordedUnder(today), () => ({ status: 201, body: { code, name, registeredOn: today.businessDate } }), false);
  }

  async publishIncome(context: CommandContext, fundCode: string, date: string, perTenK: PerTenKMicros) {
    const today = await this.calendar.today();
    // A day whose close has begun counts as closed: its positions may already have accrued it.
    const lastClosedDate = today.calendar.closing?.date ?? today.calendar.lastClosedDate;
    const command = { type: 'PublishIncome' as const, date, perTenK, businessDate: today.businessDate, lastClosedDate, ledgerStartedOn: today.calendar.startedOn };
    return new DecideCommand(context, FUND, fundStream(fundCode), command, recordedUnder(today), () => ({ status: 201, body: { fundCode, date, perTenK: formatPerTenK(perTenK) } }));
  }
}
