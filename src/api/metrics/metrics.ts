import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** How a command ended, a label of few values so the series stay few. */
export type CommandOutcome = 'ok' | 'replayed' | 'refused' | 'not-found' | 'failed';

/**
 * The product's Prometheus metrics, in a registry of this application's own (two applications in one
 * process, as the tests run them, count apart). Gauges of state (projection lag, open incidents) are read
 * when scraped, from the components that know them, so they are never stale.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly commands = new Counter({
    name: 'ifw_commands_total',
    help: 'Commands decided, by command type and outcome (ok, replayed under an Idempotency-Key, refused by a rule, not found, failed)',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly appendSeconds = new Histogram({
    name: 'ifw_append_seconds',
    help: "Seconds from a command's append to its events being durable (the store's group commit and fsync included)",
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: 'ifw_rate_limited_total',
    help: 'Requests refused with 429, by the limit they met (address, key, failed-keys)',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });

  readonly httpRequestSeconds = new Histogram({
    name: 'ifw_http_request_seconds',
    help: 'Seconds to answer an HTTP request, by method, route pattern and status class',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'ifw_' });
  }

  /** A gauge whose values are read from `collect` at each scrape. */
  gaugeFrom(name: string, help: string, labelName: string, collect: () => Promise<ReadonlyMap<string, number>>): void {
    new Gauge({
      name,
      help,
      labelNames: [labelName],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [label, value] of await collect()) this.set({ [labelName]: label }, value);
      },
    });
  }
}
