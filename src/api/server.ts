import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { IfwConfig } from '../config';
import { openReadStore } from '../projections/open-read-store';
import { AppModule } from './app.module';
import { limitEveryAddress } from './auth/address-limit';
import { RateLimits } from './auth/rate-limits';
import { openProductEventStore } from './event-store.module';
import { type ConnectionLimits, capConnections, connectionOptions, DEFAULT_CONNECTION_LIMITS } from './http/connection-limits';
import { FASTIFY_EDGE_ERRORS } from './http/fastify-edge-errors';
import { useJsonBodyParser } from './http/json-body-parser';
import { useResponseHeaders } from './http/response-headers';

/** Opens the stores named by the configuration and serves the HTTP API; resolves once it is listening. */
export async function startServer(config: IfwConfig, options: { logger?: boolean; limits?: Partial<ConnectionLimits> } = {}): Promise<NestFastifyApplication> {
  const limits: ConnectionLimits = { ...DEFAULT_CONNECTION_LIMITS, maxConnections: config.maxConnections, ...options.limits };
  const storeLog = new Logger('EventStore');
  const store = openProductEventStore(config.eventStoreUrl, {
    ...(config.auditKey !== undefined && { auditKey: config.auditKey }),
    onSnapshotRefused: (stream, reason) => storeLog.warn(`the snapshot of ${stream} was refused and the stream folded instead: ${reason}`),
  });
  const readStore = await openReadStore(config.readStoreUrl).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forStores(store, readStore, config), new FastifyAdapter({ bodyLimit: 64 * 1024, ...connectionOptions(limits), ...FASTIFY_EDGE_ERRORS }), {
    logger: options.logger === false ? false : ['error', 'warn', 'log'],
    bodyParser: false, // useJsonBodyParser installs the only parser: JSON bodies, 415 for anything else
  });
  useJsonBodyParser(app);
  useResponseHeaders(app, config.corsOrigins);
  limitEveryAddress(app, app.get(RateLimits));
  capConnections(app.getHttpServer(), limits.maxConnections);
  await app.listen(config.port, config.host);
  return app;
}
