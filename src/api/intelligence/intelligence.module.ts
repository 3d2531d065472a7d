import { Module } from '@nestjs/common';
import type { IfwConfig } from '../../config';
import { IFW_CONFIG } from '../config.module';
import { WalletViewQuery } from '../wallets/wallet-view';
import { resolveCodeVersion } from '../../code-version';
import { CODE_VERSION, DailyForecasts } from './daily-forecasts';
import { ForecastAccuracyHandler } from './forecast-accuracy.query';
import { IntelligenceController } from './intelligence.controller';
import { CloseForecastsHandler, MerchantForecastHandler, PortfolioHandler } from './intelligence.queries';

@Module({
  controllers: [IntelligenceController],
  providers: [
    // Resolved once, when the application starts; a failure to find the commit makes it "unknown", never an error.
    { provide: CODE_VERSION, inject: [IFW_CONFIG], useFactory: (config: IfwConfig) => resolveCodeVersion(config.gitCommit, process.cwd()) },
    DailyForecasts,
    WalletViewQuery,
    MerchantForecastHandler,
    PortfolioHandler,
    CloseForecastsHandler,
    ForecastAccuracyHandler,
  ],
  exports: [DailyForecasts],
})
export class IntelligenceModule {}
