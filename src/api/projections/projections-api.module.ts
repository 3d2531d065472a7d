import { Module } from '@nestjs/common';
import { ProjectionsController } from './projections.controller';
import { GetProjectionsHandler, GetReadinessHandler } from './projections.queries';
import { RebuildJobs } from './rebuild-jobs';

/** The read side as operators see it: projection states, rebuilds, readiness. */
@Module({
  controllers: [ProjectionsController],
  providers: [GetProjectionsHandler, GetReadinessHandler, RebuildJobs],
})
export class ProjectionsApiModule {}
