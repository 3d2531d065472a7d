import { Module } from '@nestjs/common';
import { FundsController } from './funds.controller';
import { GetFundHandler, GetFundYieldsHandler, ListFundsHandler } from './funds.queries';
import { PublishIncomeHandler } from './publish-income.command';
import { RegisterFundHandler } from './register-fund.command';

@Module({ controllers: [FundsController], providers: [RegisterFundHandler, PublishIncomeHandler, ListFundsHandler, GetFundHandler, GetFundYieldsHandler] })
export class FundsModule {}
