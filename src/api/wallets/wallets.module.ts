import { Module } from '@nestjs/common';
import { CommandsModule } from '../commands/commands.module';
import { GetWalletHandler } from './get-wallet.query';
import { InstantWithdrawals } from './instant-withdrawals';
import { Rebalances } from './rebalances';
import { WalletCommands } from './wallet-commands';
import { WalletViewQuery } from './wallet-view';
import { ListWalletTransactionsHandler } from './wallet-transactions.query';
import { WalletsController } from './wallets.controller';

@Module({
  imports: [CommandsModule],
  controllers: [WalletsController],
  providers: [WalletCommands, Rebalances, InstantWithdrawals, WalletViewQuery, GetWalletHandler, ListWalletTransactionsHandler],
})
export class WalletsModule {}
