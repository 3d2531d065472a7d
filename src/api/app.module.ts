import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { IfwConfig } from '../config';
import type { EventStore } from '../eventstore';
import type { ReadStore } from '../projections';
import { ACTIVITY_ROUTES } from './activity/activity.controller';
import { ActivityModule } from './activity/activity.module';
import { AUDIT_ROUTES, AuditModule } from './audit/audit.module';
import { PROJECTION_ROUTES } from './projections/projections.controller';
import { ProjectionsApiModule } from './projections/projections-api.module';
import { ProjectionsModule } from './projections/projections.module';
import { AuthModule } from './auth/auth.module';
import { CommandsModule } from './commands/commands.module';
import { COMPLIANCE_ROUTES } from './compliance/compliance.controller';
import { ComplianceModule } from './compliance/compliance.module';
import { ConfigModule } from './config.module';
import { EventStoreModule } from './event-store.module';
import { FUND_ROUTES } from './funds/funds.controller';
import { FundsModule } from './funds/funds.module';
import { HEALTH_ROUTES } from './health/health.controller';
import { HealthModule } from './health/health.module';
import { HttpModule } from './http/http.module';
import { INTELLIGENCE_ROUTES } from './intelligence/intelligence.controller';
import { IntelligenceModule } from './intelligence/intelligence.module';
import { LEDGER_ROUTES } from './ledger/ledger.controller';
import { LedgerModule } from './ledger/ledger.module';
import { METRICS_ROUTES, MetricsModule } from './metrics/metrics.module';
import { OPERATION_ROUTES } from './operations/operations.controller';
import { OperationsModule } from './operations/operations.module';
import { PARTY_ROUTES } from './parties/parties.controller';
import { PartiesModule } from './parties/parties.module';
import { PersonalDataModule } from './parties/personal-data.module';
import { PROCESS_ROUTES } from './processes/processes.controller';
import { ProcessesModule } from './processes/processes.module';
import { WALLET_ROUTES } from './wallets/wallets.controller';
import { WalletsModule } from './wallets/wallets.module';

/** One module per business entity; this one only wires them to the store and the configuration. */
@Module({})
export class AppModule {
  static forStores(store: EventStore, readStore: ReadStore, config: IfwConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        ConfigModule.forConfig(config),
        EventStoreModule.forStore(store),
        PersonalDataModule,
        ProjectionsModule.forStores(readStore),
        HttpModule.forRoutes([...HEALTH_ROUTES, ...PARTY_ROUTES, ...WALLET_ROUTES, ...FUND_ROUTES, ...OPERATION_ROUTES, ...LEDGER_ROUTES, ...INTELLIGENCE_ROUTES, ...ACTIVITY_ROUTES, ...PROJECTION_ROUTES, ...PROCESS_ROUTES, ...AUDIT_ROUTES, ...COMPLIANCE_ROUTES, ...METRICS_ROUTES]),
        MetricsModule,
        AuthModule,
        CommandsModule,
        ProcessesModule,
        HealthModule,
        PartiesModule,
        WalletsModule,
        FundsModule,
        OperationsModule,
        LedgerModule,
        IntelligenceModule,
        ActivityModule,
        ProjectionsApiModule,
        AuditModule,
        ComplianceModule,
      ],
    };
  }
}
