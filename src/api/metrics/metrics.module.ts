import { Controller, Get, Global, Header, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { ProjectionMonitor } from '../../projections/projection-monitor';
import { PROCESS_ENGINE_LIMITS, type ProcessEngine } from '../../processes/engine';
import { Staff } from '../auth/access.decorator';
import type { RouteDoc } from '../http/openapi';
import { PROCESS_ENGINE } from '../processes/process-engine.token';
import { ProjectionsApiModule } from '../projections/projections-api.module';
import { Metrics } from './metrics';

export const METRICS_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics: commands by type and outcome, append latency, HTTP latency, projection lag, process incidents, rate-limit refusals, the process itself',
    tag: 'operations',
    roles: ['operator', 'auditor'],
    responses: { 200: { description: 'the metrics in the Prometheus text format 0.0.4', contentType: 'text/plain', schema: { type: 'string', description: 'Prometheus exposition text' } } },
  },
];

/** Pages of incidents counted at a scrape: past them the gauge says at least this many. */
const MAX_INCIDENT_PAGES = 5;

/** The gauges read at each scrape from what knows them. */
@Injectable()
class MetricsCollectors implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly monitor: ProjectionMonitor,
    @Inject(PROCESS_ENGINE) private readonly engine: ProcessEngine,
  ) {}

  onModuleInit(): void {
    const statuses = () => this.monitor.statuses();
    this.metrics.gaugeFrom('ifw_projection_lag_events', 'Events of the log a read model has not applied yet', 'projection', async () => new Map((await statuses()).map((s) => [s.name, s.lagEvents])));
    this.metrics.gaugeFrom('ifw_projection_lag_seconds', 'Age of the oldest event a read model has not applied yet', 'projection', async () => new Map((await statuses()).map((s) => [s.name, s.lagMs / 1000])));
    this.metrics.gaugeFrom('ifw_process_incidents', 'Process instances stopped at an incident, by process', 'process', () => this.incidents());
  }

  private async incidents(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    let after: string | undefined;
    for (let page = 0; page < MAX_INCIDENT_PAGES; page++) {
      const found = await this.engine.instances({ state: 'incident', limit: PROCESS_ENGINE_LIMITS.maxPageSize, ...(after && { after }) });
      for (const instance of found.instances) counts.set(instance.bpmnProcessId, (counts.get(instance.bpmnProcessId) ?? 0) + 1);
      if (!found.next) break;
      after = found.next;
    }
    return counts;
  }
}

@Controller()
class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get('metrics')
  @Staff('operator', 'auditor')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

@Global()
@Module({ imports: [ProjectionsApiModule], controllers: [MetricsController], providers: [{ provide: Metrics, useFactory: () => new Metrics() }, MetricsCollectors], exports: [Metrics] })
export class MetricsModule {}
