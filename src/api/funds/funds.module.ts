import { Module } from '@nestjs/common';
import { FundsController } from './funds.controller';
import { GetFundHandler, GetFundYieldsHandler, ListFundsHandler } from './funds.queries';
import { FundCommands } from './fund-commands';

@Module({ controllers: [FundsController], providers: [FundCommands, ListFundsHandler, GetFundHandler, GetFundYieldsHandler] })
export class FundsModule {}
