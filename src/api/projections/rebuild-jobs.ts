import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EventStore } from '../../eventstore';
import { DEFAULT_LOG_CONSUMER_OPTIONS, LogFeed, ProjectionCatalog } from '../../projections';
import { type RebuildReport, rebuildProjections } from '../../projections/rebuild';
import { EVENT_STORE } from '../event-store.module';
import { processOwnerName } from './projections.module';

export interface RebuildJob {
  name: string;
  state: 'running' | 'switched' | 'halted' | 'failed';
  startedAtMs: number;
  finishedAtMs: number | null;
  report: RebuildReport | null;
  error: string | null;
}

/** Rebuilds started through the API; one at a time per projection, the last outcome of each kept for /projections. */
@Injectable()
export class RebuildJobs {
  private readonly logger = new Logger(RebuildJobs.name);
  private readonly jobs = new Map<string, RebuildJob>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly catalog: ProjectionCatalog,
    private readonly feed: LogFeed,
  ) {}

  /** Starts a rebuild in the background; undefined when one of that projection is already running here. */
  start(name: string): RebuildJob | undefined {
    const definition = this.catalog.definition(name);
    if (!definition) throw new Error(`no projection ${name}`);
    if (this.jobs.get(name)?.state === 'running') return undefined;
    const job: RebuildJob = { name, state: 'running', startedAtMs: Date.now(), finishedAtMs: null, report: null, error: null };
    this.jobs.set(name, job);
    const options = { owner: processOwnerName(), clock: Date.now, consumer: DEFAULT_LOG_CONSUMER_OPTIONS, liveWaitMs: 10_000 };
    void rebuildProjections(this.store, this.catalog, this.feed, [definition], options).then(
      ([report]) => {
        Object.assign(job, { state: report!.switched ? 'switched' : 'halted', report, finishedAtMs: Date.now() });
        this.logger.log(`rebuild of ${name}: version ${report!.version} ${report!.switched ? 'now served' : `halted: ${report!.halted}`}`);
      },
      (error: Error) => {
        Object.assign(job, { state: 'failed', error: error.message, finishedAtMs: Date.now() });
        this.logger.error(`rebuild of ${name} failed: ${error.message}`);
      },
    );
    return job;
  }

  job(name: string): RebuildJob | undefined {
    return this.jobs.get(name);
  }
}
