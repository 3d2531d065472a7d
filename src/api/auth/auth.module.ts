import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { IfwConfig } from '../../config';
import { IFW_CONFIG } from '../config.module';
import { Metrics } from '../metrics/metrics';
import { AuthGuard } from './auth.guard';
import { PrincipalResolver } from './principal-resolver';
import { RateLimits } from './rate-limits';

/** Every route passes the AuthGuard; routes open it with the decorators of access.decorator.ts. */
@Global()
@Module({
  providers: [
    PrincipalResolver,
    {
      provide: RateLimits,
      useFactory: (config: IfwConfig, metrics: Metrics) => {
        const { perAddressPerS, perKeyPerS, wrongKeysPerAddress } = config.rateLimits;
        const settings = {
          perAddress: { perSecond: perAddressPerS, burst: 2 * perAddressPerS },
          perKey: { perSecond: perKeyPerS, burst: 2 * perKeyPerS },
          wrongKeysPerAddress: { perSecond: 1, burst: wrongKeysPerAddress },
        };
        return new RateLimits(settings, () => performance.now(), (limit) => metrics.rateLimited.inc({ limit }));
      },
      inject: [IFW_CONFIG, Metrics],
    },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [PrincipalResolver, RateLimits],
})
export class AuthModule {}
