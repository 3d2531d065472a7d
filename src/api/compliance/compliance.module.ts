import { Module } from '@nestjs/common';
import { CommandsModule } from '../commands/commands.module';
import { ComplianceController } from './compliance.controller';
import { RuleChangeJobs } from './rule-change-jobs';
import { ListRuleSetsHandler } from './rule-sets.queries';

@Module({ imports: [CommandsModule], controllers: [ComplianceController], providers: [ListRuleSetsHandler, RuleChangeJobs] })
export class ComplianceModule {}
