import { Module } from '@nestjs/common';
import { ListLedgerAccountsHandler } from './ledger-accounts.query';
import { LedgerController } from './ledger.controller';
import { TrialBalanceHandler } from './trial-balance.query';

@Module({ controllers: [LedgerController], providers: [TrialBalanceHandler, ListLedgerAccountsHandler] })
export class LedgerModule {}
