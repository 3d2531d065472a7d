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
import { accessLogWriter, correlationIdOf, useAccessLog } from './http/access-log';
import { Metrics } from './metrics/metrics';
import { jsonLines, productLogger } from './product-logger';
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
  // One JSON log for the application and its access log, off a terminal.
  const json = options.logger === false || process.stdout.isTTY === true ? undefined : jsonLines();
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forStores(store, readStore, config), new FastifyAdapter({ bodyLimit: 64 * 1024, genReqId: correlationIdOf, ...connectionOptions(limits), ...FASTIFY_EDGE_ERRORS }), {
    logger: options.logger === false ? false : productLogger(json),
    // Held until the server listens: a start that fails is told in one line by the caller, not echoed here first.
    bufferLogs: true,
    autoFlushLogs: false,
    bodyParser: false, // useJsonBodyParser installs the only parser: JSON bodies, 415 for anything else
  });
  useJsonBodyParser(app);
  useResponseHeaders(app, config.corsOrigins);
  limitEveryAddress(app, app.get(RateLimits));
  useAccessLog(app, app.get(Metrics), options.logger === false ? undefined : accessLogWriter(json, (line) => process.stdout.write(line)));
  capConnections(app.getHttpServer(), limits.maxConnections);
  try {
    await app.listen(config.port, config.host);
  } catch (error) {
    await app.close();
    throw listenFailure(error as NodeJS.ErrnoException, config);
  }
  app.flushLogs();
  return app;
}

/** The server could not take its address; said in one line, with what to do. */
export class ListenError extends Error {
  readonly code = 'LISTEN_FAILED';
}

function listenFailure(error: NodeJS.ErrnoException, config: IfwConfig): Error {
  const address = `${config.host}:${config.port}`;
  if (error.code === 'EADDRINUSE') return new ListenError(`${address} is in use by another process: stop it, or choose another port with --port or PORT`);
  if (error.code === 'EACCES') return new ListenError(`no permission to listen on ${address}: ports below 1024 need privileges; choose another with --port or PORT`);
  if (error.code === 'EADDRNOTAVAIL') return new ListenError(`${config.host} is not an address of this machine: set IFW_HOST to one that is`);
  return error;
}
