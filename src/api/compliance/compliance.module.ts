import { Module } from '@nestjs/common';
import { CommandsModule } from '../commands/commands.module';
import { ComplianceController } from './compliance.controller';
import { ListRuleSetsHandler } from './rule-sets.queries';

@Module({ imports: [CommandsModule], controllers: [ComplianceController], providers: [ListRuleSetsHandler] })
export class ComplianceModule {}
