import { Module } from '@nestjs/common';
import { AsOfModule } from '../as-of/as-of.module';
import { CommandsModule } from '../commands/commands.module';
import { GetWalletHandler } from './get-wallet.query';
import { InstantWithdrawals } from './instant-withdrawals';
import { Rebalances } from './rebalances';
import { WalletCommands } from './wallet-commands';
import { WalletAsOf } from './wallet-as-of';
import { WalletViewQuery } from './wallet-view';
import { ListWalletTransactionsHandler } from './wallet-transactions.query';
import { WalletsController } from './wallets.controller';

@Module({
  imports: [CommandsModule, AsOfModule],
  controllers: [WalletsController],
  providers: [WalletCommands, Rebalances, InstantWithdrawals, WalletViewQuery, WalletAsOf, GetWalletHandler, ListWalletTransactionsHandler],
})
export class WalletsModule {}
