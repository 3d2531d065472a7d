import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { IfwConfig } from '../../config';
import { type EventStore, STORE_FAILURE_WORDS } from '../../eventstore';
import type { ProjectionStatus } from '../../projections';
import { ProjectionMonitor } from '../../projections/projection-monitor';
import { IFW_CONFIG } from '../config.module';
import { EVENT_STORE } from '../event-store.module';
import { type RebuildJob, RebuildJobs } from './rebuild-jobs';

export class GetProjectionsQuery {}
export class GetReadinessQuery {}

export interface ProjectionsBody {
  headPosition: string;
  projections: (ProjectionStatus & { rebuild: RebuildJob | null })[];
}

export interface ReadinessBody {
  ready: boolean;
  /** One sentence per cause that holds readiness back: the event store refusing writes, a projection. */
  reasons: string[];
  maxLagMs: number;
}

@QueryHandler(GetProjectionsQuery)
export class GetProjectionsHandler implements IQueryHandler<GetProjectionsQuery, ProjectionsBody> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly monitor: ProjectionMonitor,
    private readonly jobs: RebuildJobs,
  ) {}

  async execute(): Promise<ProjectionsBody> {
    const statuses = await this.monitor.statuses();
    return {
      headPosition: (await this.store.lastPosition()).toString(),
      projections: statuses.map((status) => ({ ...status, rebuild: this.jobs.job(status.name) ?? null })),
    };
  }
}

@QueryHandler(GetReadinessQuery)
export class GetReadinessHandler implements IQueryHandler<GetReadinessQuery, ReadinessBody> {
  constructor(
    private readonly monitor: ProjectionMonitor,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(IFW_CONFIG) private readonly config: IfwConfig,
  ) {}

  async execute(): Promise<ReadinessBody> {
    const reasons: string[] = [];
    const failure = await this.store.writeFailure();
    if (failure) reasons.push(`the event store refuses writes since ${new Date(failure.sinceMs).toISOString()}: ${STORE_FAILURE_WORDS[failure.reason]}`);
    for (const status of await this.monitor.statuses()) {
      if (status.state === 'halted') reasons.push(`projection ${status.name} is halted at position ${status.lastError?.position}: ${status.lastError?.message}`);
      else if (status.lastError) reasons.push(`projection ${status.name} could not write its last batch and is retrying: ${status.lastError.message}`);
      else if (status.lagMs > this.config.readyMaxLagMs) reasons.push(`projection ${status.name} is ${status.lagMs} ms (${status.lagEvents} events) behind the log`);
    }
    return { ready: reasons.length === 0, reasons, maxLagMs: this.config.readyMaxLagMs };
  }
}
