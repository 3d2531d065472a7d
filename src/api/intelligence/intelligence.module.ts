import { Module } from '@nestjs/common';
import { WalletViewQuery } from '../wallets/wallet-view';
import { DailyForecasts } from './daily-forecasts';
import { IntelligenceController } from './intelligence.controller';
import { CloseForecastsHandler, MerchantForecastHandler, PortfolioHandler } from './intelligence.queries';

@Module({ controllers: [IntelligenceController], providers: [DailyForecasts, WalletViewQuery, MerchantForecastHandler, PortfolioHandler, CloseForecastsHandler], exports: [DailyForecasts] })
export class IntelligenceModule {}
