import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageRequire } from '../../../../src/processes/engine/package-require';

/**
 * A scripted stand-in for a Zeebe gateway on a loopback port, speaking the SDK's own zeebe.proto over real
 * gRPC, so that the adapter is driven through @camunda8/sdk exactly as against Zeebe. It is not an engine:
 * it runs no model. It answers each call from what the test queued (jobs, refusals) and records every
 * request; FailJob puts a job back with the retries and after the back-off the request names, as Zeebe does.
 * The gRPC libraries are the SDK's own (resolved from its folder), not dependencies of this project.
 */

const sdkRequire = createRequire(packageRequire.resolve('@camunda8/sdk'));
const grpc = sdkRequire('@grpc/grpc-js') as typeof import('@grpc/grpc-js');
const protoLoader = sdkRequire('@grpc/proto-loader') as typeof import('@grpc/proto-loader');
const PROTO_PATH = join(dirname(packageRequire.resolve('@camunda8/sdk')), 'proto', 'zeebe.proto');

/** How long an ActivateJobs long poll with nothing to hand out stays open here (Zeebe's is much longer). */
const EMPTY_POLL_MS = 20;

export type GatewayRequest = Record<string, unknown>;
export type GatewayAnswer = Record<string, unknown> | { grpcError: number; details: string };

export interface FakeJob {
  key: string;
  type: string;
  processInstanceKey: string;
  bpmnProcessId: string;
  processDefinitionVersion: number;
  elementId: string;
  retries: number;
  variables: Record<string, unknown>;
}

type UnaryCall = { request: GatewayRequest };
type UnaryCallback = (error: { code: number; details: string } | null, response?: Record<string, unknown>) => void;
type ServerStream = { request: GatewayRequest; write(message: unknown): void; end(): void };

export class FakeZeebeGateway {
  readonly requests: { method: string; request: GatewayRequest }[] = [];
  /** Answers by method name; a method with none answers `{}`. */
  readonly answers: Record<string, (request: GatewayRequest) => GatewayAnswer> = {
    Topology: () => ({ brokers: [{ nodeId: 0, host: '127.0.0.1', port: 26501, partitions: [] }], clusterSize: 1, partitionsCount: 1, replicationFactor: 1, gatewayVersion: '8.5.0-fake' }),
  };
  private readonly jobs: { job: FakeJob; activatableAtMs: number }[] = [];
  /** Each job handed out, for FailJob to put back. */
  private readonly handedOut = new Map<string, FakeJob>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private boundPort = 0;

  private constructor(private readonly server: import('@grpc/grpc-js').Server) {}

  static async start(): Promise<FakeZeebeGateway> {
    const definition = protoLoader.loadSync(PROTO_PATH, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
    const service = (grpc.loadPackageDefinition(definition).gateway_protocol as unknown as { Gateway: { service: import('@grpc/grpc-js').ServiceDefinition } }).Gateway.service;
    const gateway = new FakeZeebeGateway(new grpc.Server());
    const implementation: Record<string, unknown> = {};
    for (const [method, spec] of Object.entries(service)) {
      implementation[method] = spec.responseStream
        ? (call: ServerStream) => gateway.stream(method, call)
        : (call: UnaryCall, callback: UnaryCallback) => gateway.unary(method, call, callback);
    }
    gateway.server.addService(service, implementation as import('@grpc/grpc-js').UntypedServiceImplementation);
    gateway.boundPort = await new Promise<number>((resolve, reject) =>
      gateway.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    return gateway;
  }

  get port(): number {
    return this.boundPort;
  }

  get address(): string {
    return `zeebe://127.0.0.1:${this.port}`;
  }

  /** Makes a job available to the next ActivateJobs of its type. */
  queueJob(job: FakeJob): void {
    this.jobs.push({ job, activatableAtMs: Date.now() });
  }

  requestsOf(method: string): GatewayRequest[] {
    return this.requests.filter((entry) => entry.method === method).map((entry) => entry.request);
  }

  /** Resolves once a request of `method` has come, or rejects after `timeoutMs`. */
  async waitFor(method: string, count = 1, timeoutMs = 5_000): Promise<GatewayRequest[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.requestsOf(method).length < count) {
      if (Date.now() > deadline) throw new Error(`the fake gateway got ${this.requestsOf(method).length} ${method} requests, not ${count}, within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.requestsOf(method);
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server.forceShutdown();
  }

  private unary(method: string, call: UnaryCall, callback: UnaryCallback): void {
    this.requests.push({ method, request: call.request });
    if (method === 'FailJob') this.requeueFailedJob(call.request);
    const answer = this.answers[method]?.(call.request) ?? {};
    if ('grpcError' in answer) callback({ code: answer.grpcError as number, details: answer.details as string });
    else callback(null, answer);
  }

  /** ActivateJobs: hands out the activatable jobs of the type asked for, at most as many as asked, then ends. */
  private stream(method: string, call: ServerStream): void {
    if (method !== 'ActivateJobs') return call.end();
    const { type, maxJobsToActivate, worker } = call.request as { type: string; maxJobsToActivate: number; worker: string };
    const nowMs = Date.now();
    const taken = this.jobs.filter((entry) => entry.job.type === type && entry.activatableAtMs <= nowMs).slice(0, maxJobsToActivate);
    if (taken.length === 0) return this.later(EMPTY_POLL_MS, () => call.end());
    this.requests.push({ method, request: call.request });
    for (const entry of taken) {
      this.jobs.splice(this.jobs.indexOf(entry), 1);
      this.handedOut.set(entry.job.key, entry.job);
    }
    call.write({ jobs: taken.map(({ job }) => toActivatedJob(job, worker)) });
    call.end();
  }

  /** What Zeebe does with a failed job that has retries left: it is activatable again after the back-off. */
  private requeueFailedJob(request: GatewayRequest): void {
    const { jobKey, retries, retryBackOff } = request as { jobKey: string; retries: number; retryBackOff: string };
    const failed = this.handedOut.get(jobKey);
    if (!failed || retries <= 0) return;
    this.jobs.push({ job: { ...failed, retries }, activatableAtMs: Date.now() + Number(retryBackOff) });
  }

  private later(delayMs: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, delayMs);
    this.timers.add(timer);
  }
}

function toActivatedJob(job: FakeJob, worker: string) {
  return {
    key: job.key,
    type: job.type,
    processInstanceKey: job.processInstanceKey,
    bpmnProcessId: job.bpmnProcessId,
    processDefinitionVersion: job.processDefinitionVersion,
    processDefinitionKey: '2251799813685250',
    elementId: job.elementId,
    elementInstanceKey: String(BigInt(job.key) + 1n),
    customHeaders: '{}',
    worker,
    retries: job.retries,
    deadline: String(Date.now() + 60_000),
    variables: JSON.stringify(job.variables),
    tenantId: '<default>',
  };
}
