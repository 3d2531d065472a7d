import { Global, Module } from '@nestjs/common';
import { BusinessCalendar } from '../calendar/business-calendar';
import { DecideCommandHandler } from './decide-command';

/** The one command handler every write goes through, and the business calendar the commands are decided under. */
@Global()
@Module({ providers: [DecideCommandHandler, BusinessCalendar], exports: [BusinessCalendar] })
export class CommandsModule {}
