import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { IfwConfig } from '../config';
import { openReadStore } from '../projections/open-read-store';
import { AppModule } from './app.module';
import { openProductEventStore } from './event-store.module';
import { FASTIFY_EDGE_ERRORS } from './http/fastify-edge-errors';
import { useJsonBodyParser } from './http/json-body-parser';

/** Opens the stores named by the configuration and serves the HTTP API; resolves once it is listening. */
export async function startServer(config: IfwConfig, options: { logger?: boolean } = {}): Promise<NestFastifyApplication> {
  const storeLog = new Logger('EventStore');
  const store = openProductEventStore(config.eventStoreUrl, {
    ...(config.auditKey !== undefined && { auditKey: config.auditKey }),
    onSnapshotRefused: (stream, reason) => storeLog.warn(`the snapshot of ${stream} was refused and the stream folded instead: ${reason}`),
  });
  const readStore = await openReadStore(config.readStoreUrl).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forStores(store, readStore, config), new FastifyAdapter({ bodyLimit: 64 * 1024, ...FASTIFY_EDGE_ERRORS }), {
    logger: options.logger === false ? false : ['error', 'warn', 'log'],
    bodyParser: false, // useJsonBodyParser installs the only parser: JSON bodies, 415 for anything else
  });
  useJsonBodyParser(app);
  await app.listen(config.port, config.host);
  return app;
}
