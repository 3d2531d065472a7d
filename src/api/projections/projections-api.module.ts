import { Module } from '@nestjs/common';
import type { EventStore } from '../../eventstore';
import { ProjectionCatalog, type ProjectionRunner } from '../../projections';
import { ProjectionMonitor } from '../../projections/projection-monitor';
import { EVENT_STORE } from '../event-store.module';
import { PROJECTION_RUNNER } from './projections.module';
import { ProjectionsController } from './projections.controller';
import { GetProjectionsHandler, GetReadinessHandler } from './projections.queries';
import { RebuildJobs } from './rebuild-jobs';

/** The read side as operators see it: projection states, rebuilds, readiness. */
@Module({
  controllers: [ProjectionsController],
  providers: [
    {
      provide: ProjectionMonitor,
      useFactory: (store: EventStore, catalog: ProjectionCatalog, runner: ProjectionRunner | null) => new ProjectionMonitor(store, catalog, runner ?? undefined, Date.now),
      inject: [EVENT_STORE, ProjectionCatalog, PROJECTION_RUNNER],
    },
    GetProjectionsHandler,
    GetReadinessHandler,
    RebuildJobs,
  ],
  exports: [ProjectionMonitor],
})
export class ProjectionsApiModule {}
