import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { IfwConfig } from '../../config';
import type { EventStore } from '../../eventstore';
import { ProjectionCatalog, type ProjectionRunner, type ProjectionStatus } from '../../projections';
import { ProjectionMonitor } from '../../projections/projection-monitor';
import { IFW_CONFIG } from '../config.module';
import { EVENT_STORE } from '../event-store.module';
import { PROJECTION_RUNNER } from './projections.module';
import { type RebuildJob, RebuildJobs } from './rebuild-jobs';

export class GetProjectionsQuery {}
export class GetReadinessQuery {}

export interface ProjectionsBody {
  headPosition: string;
  projections: (ProjectionStatus & { rebuild: RebuildJob | null })[];
}

export interface ReadinessBody {
  ready: boolean;
  /** One sentence per projection that holds readiness back. */
  reasons: string[];
  maxLagMs: number;
}

abstract class MonitorHandler {
  protected readonly monitor: ProjectionMonitor;

  constructor(store: EventStore, catalog: ProjectionCatalog, runner: ProjectionRunner | null) {
    this.monitor = new ProjectionMonitor(store, catalog, runner ?? undefined, Date.now);
  }
}

@QueryHandler(GetProjectionsQuery)
export class GetProjectionsHandler extends MonitorHandler implements IQueryHandler<GetProjectionsQuery, ProjectionsBody> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    catalog: ProjectionCatalog,
    @Inject(PROJECTION_RUNNER) runner: ProjectionRunner | null,
    private readonly jobs: RebuildJobs,
  ) {
    super(store, catalog, runner);
  }

  async execute(): Promise<ProjectionsBody> {
    const statuses = await this.monitor.statuses();
    return {
      headPosition: (await this.store.lastPosition()).toString(),
      projections: statuses.map((status) => ({ ...status, rebuild: this.jobs.job(status.name) ?? null })),
    };
  }
}

@QueryHandler(GetReadinessQuery)
export class GetReadinessHandler extends MonitorHandler implements IQueryHandler<GetReadinessQuery, ReadinessBody> {
  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    catalog: ProjectionCatalog,
    @Inject(PROJECTION_RUNNER) runner: ProjectionRunner | null,
    @Inject(IFW_CONFIG) private readonly config: IfwConfig,
  ) {
    super(store, catalog, runner);
  }

  async execute(): Promise<ReadinessBody> {
    const reasons: string[] = [];
    for (const status of await this.monitor.statuses()) {
      if (status.state === 'halted') reasons.push(`projection ${status.name} is halted at position ${status.lastError?.position}: ${status.lastError?.message}`);
      else if (status.lagMs > this.config.readyMaxLagMs) reasons.push(`projection ${status.name} is ${status.lagMs} ms (${status.lagEvents} events) behind the log`);
    }
    return { ready: reasons.length === 0, reasons, maxLagMs: this.config.readyMaxLagMs };
  }
}
