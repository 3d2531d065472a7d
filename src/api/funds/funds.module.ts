import { Module } from '@nestjs/common';
import { FundsController } from './funds.controller';
import { PublishIncomeHandler } from './publish-income.command';
import { RegisterFundHandler } from './register-fund.command';

@Module({ controllers: [FundsController], providers: [RegisterFundHandler, PublishIncomeHandler] })
export class FundsModule {}
