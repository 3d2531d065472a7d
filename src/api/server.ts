import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { IfwConfig } from '../config';
import { openEventStore } from '../eventstore';
import { AppModule } from './app.module';

/** Opens the stores named by the configuration and serves the HTTP API; resolves once it is listening. */
export async function startServer(config: IfwConfig, options: { logger?: boolean } = {}): Promise<NestFastifyApplication> {
  const store = openEventStore(config.eventStoreUrl);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forStore(store), new FastifyAdapter(), {
    logger: options.logger === false ? false : ['error', 'warn', 'log'],
  });
  await app.listen(config.port, config.host);
  return app;
}
