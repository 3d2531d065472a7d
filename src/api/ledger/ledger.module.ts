import { Module } from '@nestjs/common';
import { AsOfModule } from '../as-of/as-of.module';
import { LedgerAsOf } from './ledger-as-of';
import { ListLedgerAccountsHandler } from './ledger-accounts.query';
import { LedgerController } from './ledger.controller';
import { TrialBalanceHandler } from './trial-balance.query';

@Module({ imports: [AsOfModule], controllers: [LedgerController], providers: [TrialBalanceHandler, ListLedgerAccountsHandler, LedgerAsOf] })
export class LedgerModule {}
