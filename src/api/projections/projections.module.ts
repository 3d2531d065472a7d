import { type DynamicModule, Global, Inject, Injectable, Module, type OnApplicationBootstrap, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { IfwConfig } from '../../config';
import type { EventStore } from '../../eventstore';
import {
  DEFAULT_LEASE_TTL_MS,
  DEFAULT_LOG_CONSUMER_OPTIONS,
  LogFeed,
  ProjectionCatalog,
  ProjectionRunner,
  READ_MODELS,
  ReadModels,
  type ReadStore,
} from '../../projections';
import { IFW_CONFIG } from '../config.module';
import { EVENT_STORE } from '../event-store.module';

export const READ_STORE = Symbol('ReadStore');
/** The runner of this process's read models, or null under `ifw serve --no-projector`. */
export const PROJECTION_RUNNER = Symbol('ProjectionRunner');

/** How often a process that does not write the read models looks for a rebuild switched elsewhere. */
const CATALOG_REFRESH_MS = 1_000;

/** A name for this process in leases: unique per start, readable in /projections. */
export function processOwnerName(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** Starts the feed and the runner once the application is up, and stops them before the stores close. */
@Injectable()
class ProjectionsLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private refresh: NodeJS.Timeout | undefined;

  constructor(
    private readonly feed: LogFeed,
    private readonly catalog: ProjectionCatalog,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Optional() @Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner | null,
  ) {}

  onApplicationBootstrap(): void {
    this.feed.start();
    if (this.runner) this.runner.start();
    else this.refresh = setInterval(() => void this.catalog.refresh().catch(() => undefined), CATALOG_REFRESH_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.refresh);
    await this.runner?.stop();
    await this.feed.stop();
    await this.readStore.close();
  }
}

/** The read side: the read store, the served versions of the read models, and (unless disabled) their runner. */
@Global()
@Module({})
export class ProjectionsModule {
  static forStores(readStore: ReadStore): DynamicModule {
    return {
      module: ProjectionsModule,
      providers: [
        { provide: READ_STORE, useValue: readStore },
        { provide: LogFeed, useFactory: (store: EventStore) => new LogFeed(store), inject: [EVENT_STORE] },
        {
          provide: ProjectionCatalog,
          useFactory: async () => {
            const catalog = new ProjectionCatalog(readStore, READ_MODELS);
            await catalog.init();
            return catalog;
          },
        },
        {
          provide: PROJECTION_RUNNER,
          useFactory: (store: EventStore, catalog: ProjectionCatalog, feed: LogFeed, config: IfwConfig) =>
            config.runProjector
              ? new ProjectionRunner(store, catalog, feed, READ_MODELS, {
                  owner: processOwnerName(),
                  leaseTtlMs: DEFAULT_LEASE_TTL_MS,
                  clock: Date.now,
                  consumer: DEFAULT_LOG_CONSUMER_OPTIONS,
                  mode: { kind: 'live' },
                })
              : null,
          inject: [EVENT_STORE, ProjectionCatalog, LogFeed, IFW_CONFIG],
        },
        {
          provide: ReadModels,
          useFactory: (catalog: ProjectionCatalog, runner: ProjectionRunner | null, store: EventStore, config: IfwConfig) =>
            ReadModels.open(catalog, runner ?? undefined, store, config.readWaitMs),
          inject: [ProjectionCatalog, PROJECTION_RUNNER, EVENT_STORE, IFW_CONFIG],
        },
        ProjectionsLifecycle,
      ],
      exports: [READ_STORE, LogFeed, ProjectionCatalog, PROJECTION_RUNNER, ReadModels],
    };
  }
}
