import { Global, Module } from '@nestjs/common';
import type { IfwConfig } from '../config';

export const IFW_CONFIG = Symbol('IfwConfig');

/** The loaded configuration, injectable everywhere; read once at start-up. */
@Global()
@Module({})
export class ConfigModule {
  static forConfig(config: IfwConfig) {
    return { module: ConfigModule, providers: [{ provide: IFW_CONFIG, useValue: config }], exports: [IFW_CONFIG] };
  }
}
