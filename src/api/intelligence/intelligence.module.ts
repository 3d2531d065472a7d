import { Module } from '@nestjs/common';
import { WalletViewQuery } from '../wallets/wallet-view';
import { DailyForecasts } from './daily-forecasts';
import { IntelligenceController } from './intelligence.controller';

@Module({ controllers: [IntelligenceController], providers: [DailyForecasts, WalletViewQuery], exports: [DailyForecasts] })
export class IntelligenceModule {}
