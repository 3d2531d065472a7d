import { Module } from '@nestjs/common';
import { CommandsModule } from '../commands/commands.module';
import { GetWalletHandler } from './get-wallet.query';
import { MoveCashHandler } from './move-cash.command';
import { PurchaseFundHandler } from './purchase-fund.command';
import { RedeemFundHandler } from './redeem-fund.command';
import { SendPaymentHandler } from './send-payment.command';
import { WalletViewQuery } from './wallet-view';
import { ListWalletTransactionsHandler } from './wallet-transactions.query';
import { WalletsController } from './wallets.controller';

@Module({
  imports: [CommandsModule],
  controllers: [WalletsController],
  providers: [MoveCashHandler, SendPaymentHandler, PurchaseFundHandler, RedeemFundHandler, WalletViewQuery, GetWalletHandler, ListWalletTransactionsHandler],
})
export class WalletsModule {}
