import { Module } from '@nestjs/common';
import { LedgerBalances } from './ledger-balances';
import { LedgerController } from './ledger.controller';

@Module({ controllers: [LedgerController], providers: [LedgerBalances] })
export class LedgerModule {}
