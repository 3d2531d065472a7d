import { Global, Module } from '@nestjs/common';
import { BusinessCalendar } from '../calendar/business-calendar';
import { CommandRunner } from './command-runner';

/** What every command handler needs: one runner (one set of per-stream locks) and the business calendar. */
@Global()
@Module({ providers: [CommandRunner, BusinessCalendar], exports: [CommandRunner, BusinessCalendar] })
export class CommandsModule {}
