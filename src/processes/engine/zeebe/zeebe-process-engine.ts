import { checkName, checkedMessage, jsonObject } from '../engine-input';
import { Camunda8, type Zeebe } from '@camunda8/sdk';
import { Logger } from '@nestjs/common';
import { invariant } from '../../../invariant';
import type { EngineLog } from '../embedded/embedded-process-engine';
// The port's worker defaults (3 retries, 1 s back-off doubling to 60 s, 5 min timeout, 32 jobs) live with the
// embedded dispatcher; both adapters take them from there so that a worker behaves alike on either.
import { DEFAULT_WORKER_OPTIONS } from '../embedded/job-dispatcher';
import { DEFAULT_ZEEBE_TARGET, type ZeebeTarget } from '../lint';
import {
  type DeployedModel,
  EngineAtCapacityError,
  EngineClosedError,
  type InstancePage,
  type InstanceQuery,
  type InstanceView,
  InvalidEngineInputError,
  type JobHandler,
  type JobWorker,
  type JsonObject,
  type MessagePublication,
  ModelRejectedError,
  type ModelResource,
  ProcessEngineError,
  type ProcessEngine,
  type PublishedMessage,
  type RetryOptions,
  type StartedInstance,
  type StartOptions,
  UnknownInstanceError,
  UnknownProcessError,
  type WorkerOptions,
} from '../process-engine';
import { BusinessKeyStarts } from './business-key-starts';
import { parseZeebeAddress, type ZeebeAddress } from './zeebe-address';
import { EngineUnavailableError, GRPC_STATUS, grpcDetailsOf, grpcStatusOf, OperateRequiredError, ZeebeRejectedError } from './zeebe-errors';
import { type ActivatedZeebeJob, type JobAttemptPolicy, runJobAttempt } from './zeebe-job-attempt';
import { checkModelsForZeebe } from './zeebe-model-check';

export interface ZeebeEngineOptions {
  /** `zeebe://HOST:PORT` (plaintext, port 26500 by default) or `zeebes://HOST:PORT` (TLS). */
  address: string;
  /** OAuth client credentials (Camunda SaaS, or self-managed with Identity); all three or none. */
  clientId?: string;
  clientSecret?: string;
  /** The token endpoint, such as `https://login.cloud.camunda.io/oauth/token`. */
  oauthUrl?: string;
  /** The token's audience; the SDK's default (`zeebe.camunda.io`, SaaS) when absent; self-managed Identity uses `zeebe-api`. */
  audience?: string;
  /** Retries of a request the gateway could not take (unreachable, back-pressure); the SDK's default is for ever. */
  maxGatewayRetries?: number;
  /** The longest any one request (retries included) may take before the adapter gives up on it. */
  requestTimeoutMs?: number;
  lintTarget?: ZeebeTarget;
  /** How long Zeebe keeps a business key's claim (see BusinessKeyStarts). */
  businessKeyRetentionMs?: number;
  /** Business keys whose instance this adapter remembers, to answer a repeated start with it. */
  maxRememberedStarts?: number;
  /** The SDK's own log lines (to stdout); this adapter logs what matters through `log`. */
  sdkLogLevel?: 'NONE' | 'ERROR' | 'INFO' | 'DEBUG';
  /** Milliseconds since the epoch, for `deployedAt` (Zeebe's answer to a deploy carries no time). */
  clock?: () => number;
  log?: EngineLog;
}

export const DEFAULT_ZEEBE_ENGINE_OPTIONS = {
  maxGatewayRetries: 5,
  requestTimeoutMs: 30_000,
  businessKeyRetentionMs: 24 * 3_600_000,
  maxRememberedStarts: 100_000,
  sdkLogLevel: 'NONE',
} as const;

/** A message name no model uses: claims are buffered, never correlated. */
export const BUSINESS_KEY_CLAIM_MESSAGE = 'ifw.process-engine.business-key-claim';

/**
 * Zeebe's job timeout is this much longer than the worker's timeoutMs, so that the adapter's own failure of a
 * hung attempt (with its back-off and one retry fewer) reaches Zeebe before Zeebe times the job out (which
 * hands it out again at once, retries unchanged).
 */
const JOB_TIMEOUT_GRACE_MS = 10_000;
/** A worker's jobs still running when it or the engine closes get this long to report. */
const CLOSE_TIMEOUT_MS = 5_000;
/** The SDK's back-off between gateway retries doubles from 1 s up to this. */
const MAX_RETRY_BACKOFF_SECONDS = 5;

type ResolvedOptions = Required<Omit<ZeebeEngineOptions, 'address' | 'clientId' | 'clientSecret' | 'oauthUrl' | 'audience' | 'log'>>;
type ZeebeClient = Zeebe.ZeebeGrpcClient;
type ZeebeWorker = ReturnType<ZeebeClient['createWorker']>;
/**
 * The SDK's type for variables, which leaves out JSON's null although it sends null as JSON does: the port's
 * JsonObject is cast to it.
 */
type SdkVariables = Parameters<ZeebeClient['createProcessInstance']>[0]['variables'];
type SdkMessageVariables = NonNullable<Parameters<ZeebeClient['publishMessage']>[0]['variables']>;
type ProcessDeployment = { process: { bpmnProcessId: string; version: number; resourceName: string } };

/**
 * The ProcessEngine port on a Zeebe gateway, through @camunda8/sdk's gRPC client. Zeebe runs the instances,
 * keeps their state and times their jobs; this adapter lints models before they go, maps workers' outcomes
 * to Zeebe's job commands and bounds every request. What Zeebe's gRPC API cannot answer (the state, history
 * and incidents of an instance, the list of deployments) is either kept from what this adapter itself did
 * (deployments, started business keys) or refused with OperateRequiredError: see each method.
 */
export class ZeebeProcessEngine implements ProcessEngine {
  /** Versions this adapter deployed (or was told were already deployed), by `id@version`: gRPC lists none. */
  private readonly deployed = new Map<string, DeployedModel>();
  private readonly workers = new Map<string, ZeebeWorker>();
  private readonly keyedStarts: BusinessKeyStarts;
  private closed = false;

  private constructor(
    private readonly camunda: Camunda8,
    private readonly client: ZeebeClient,
    private readonly address: ZeebeAddress,
    private readonly options: ResolvedOptions,
    private readonly log: EngineLog,
  ) {
    this.keyedStarts = new BusinessKeyStarts((claimKey) => this.claimBusinessKey(claimKey), options.maxRememberedStarts);
  }

  /** Connects and asks the gateway for its topology, within the bounded retries and request time. */
  static async open(options: ZeebeEngineOptions): Promise<ZeebeProcessEngine> {
    const address = parseZeebeAddress(options.address);
    const resolved = resolveOptions(options);
    const log = options.log ?? new Logger('ProcessEngine');
    const camunda = new Camunda8(sdkConfiguration(address, options, resolved));
    const engine = new ZeebeProcessEngine(camunda, camunda.getZeebeGrpcApiClient(), address, resolved, log);
    try {
      const topology = await engine.call('Topology', () => engine.client.topology());
      log.log(`Zeebe gateway ${topology.gatewayVersion} at ${options.address}: ${topology.brokers.length} broker(s), ${topology.partitionsCount} partition(s)`);
    } catch (error) {
      await engine.close();
      if (!(error instanceof EngineUnavailableError)) throw error;
      throw new EngineUnavailableError(`no Zeebe gateway answered at ${options.address} (${resolved.maxGatewayRetries} retries, ${resolved.requestTimeoutMs} ms): ${error.message}`);
    }
    return engine;
  }

  // ---- the port

  async deploy(resources: readonly ModelResource[]): Promise<DeployedModel[]> {
    this.assertOpen();
    await checkModelsForZeebe(resources, this.options.lintTarget);
    const names = new Map(resources.map((resource) => [wireResourceName(resource.name), resource.name]));
    // One DeployResource for all: Zeebe deploys all of them or none.
    const wire = resources.map((resource) => ({ name: wireResourceName(resource.name), process: Buffer.from(resource.xml, 'utf8') }));
    let response: Awaited<ReturnType<ZeebeClient['deployResources']>>;
    try {
      response = await this.call('DeployResource', () => this.client.deployResources(wire));
    } catch (error) {
      if (error instanceof ZeebeRejectedError && error.grpcStatus === GRPC_STATUS.INVALID_ARGUMENT) throw rejectedByZeebe(resources, names, error.details);
      throw error;
    }
    const deployedAt = new Date(this.options.clock());
    return response.deployments.filter(isProcessDeployment).map(({ process }) => {
      const id = `${process.bpmnProcessId}@${process.version}`;
      const model = this.deployed.get(id) ?? { bpmnProcessId: process.bpmnProcessId, version: process.version, resourceName: names.get(process.resourceName) ?? process.resourceName, deployedAt };
      this.deployed.set(id, model);
      return model;
    });
  }

  /**
   * The versions this adapter deployed since it opened. Zeebe's gRPC API has no way to list deployments (Operate
   * has), so versions deployed by another client, or before a restart, are missing here; a deploy of an
   * unchanged model brings its version back (Zeebe answers with the version it already has).
   */
  async models(): Promise<DeployedModel[]> {
    this.assertOpen();
    return [...this.deployed.values()].sort((a, b) => a.bpmnProcessId.localeCompare(b.bpmnProcessId) || a.version - b.version);
  }

  /** With a business key: at most once per (process, key), within the limits BusinessKeyStarts states. */
  async startInstance(bpmnProcessId: string, variables: JsonObject = {}, options: StartOptions = {}): Promise<StartedInstance> {
    this.assertOpen();
    checkName(bpmnProcessId, 'a BPMN process id');
    const startVariables = jsonObject(variables, 'the start variables');
    const { businessKey } = options;
    if (businessKey === undefined) return this.createInstance(bpmnProcessId, startVariables);
    checkName(businessKey, 'a business key');
    return this.keyedStarts.start(bpmnProcessId, businessKey, () => this.createInstance(bpmnProcessId, startVariables));
  }

  /**
   * Zeebe's answer to PublishMessage is the message's key and nothing about correlation: it correlates the
   * message to waiting subscriptions and keeps it for its time to live, asynchronously. So an accepted message
   * is always reported `buffered` with no instance ids, whether it was correlated at once, is waiting, or (with
   * no time to live) was dropped: this adapter never reports `correlated` or `dropped`. A publisher that must
   * not lose a message gives it a time to live and a message id. A message id seen before while its first
   * message is still buffered is refused by Zeebe (ALREADY_EXISTS): that is `duplicate`. With no time to live
   * a message is not buffered, so Zeebe cannot recognise its id again.
   */
  async publishMessage(message: PublishedMessage): Promise<MessagePublication> {
    this.assertOpen();
    const { name, correlationKey, messageId, variables, timeToLiveMs } = checkedMessage(message);
    const request = { name, correlationKey, messageId, variables: variables as SdkMessageVariables, timeToLive: timeToLiveMs };
    try {
      const published = await this.call('PublishMessage', () => this.client.publishMessage(request));
      return { messageKey: String(published.key), outcome: 'buffered', instanceIds: [] };
    } catch (error) {
      // Zeebe assigns no key to a message it refused.
      if (error instanceof ZeebeRejectedError && error.grpcStatus === GRPC_STATUS.ALREADY_EXISTS) return { messageKey: '', outcome: 'duplicate', instanceIds: [] };
      throw error;
    }
  }

  /**
   * One SDK worker (with its own gRPC connection) per task type; it activates up to maxConcurrentJobs jobs at
   * a time, and Zeebe times a job out timeoutMs (plus a grace) after handing it out. `maxRetries` cannot set a
   * job's retries on Zeebe, which takes them from the model's zeebe:taskDefinition retries attribute (3 when
   * absent); here it says what the model gives, so that the back-off doubles from the right attempt.
   */
  registerWorker(taskType: string, handler: JobHandler, options: WorkerOptions = {}): JobWorker {
    this.assertOpen();
    checkName(taskType, 'a task type');
    invariant(!this.workers.has(taskType), () => `a second worker for task type ${taskType}; one handler serves a type`);
    const settings = workerSettings(options);
    const policy: JobAttemptPolicy = { initialRetries: settings.maxRetries, backoffMs: settings.backoffMs, maxBackoffMs: settings.maxBackoffMs, timeoutMs: settings.timeoutMs };
    const worker = this.client.createWorker({
      taskType,
      // The casts only widen the SDK's variable types, which leave out JSON's null, to the port's JSON.
      taskHandler: (job) => {
        const activated: ActivatedZeebeJob = {
          ...jobFields(job),
          complete: (variables) => job.complete(variables as Parameters<typeof job.complete>[0]),
          error: ({ errorCode, errorMessage, variables }) => job.error({ errorCode, errorMessage, variables: variables as SdkVariables }),
          fail: (failure) => job.fail(failure),
        };
        return runJobAttempt(activated, handler, policy, this.log);
      },
      maxJobsToActivate: settings.maxConcurrentJobs,
      timeout: settings.timeoutMs + JOB_TIMEOUT_GRACE_MS,
      onConnectionError: () => this.log.warn(`the ${taskType} worker lost the Zeebe gateway at ${this.address.host}:${this.address.port}; it keeps polling`),
    });
    this.workers.set(taskType, worker);
    return {
      taskType,
      close: async () => {
        if (this.workers.get(taskType) === worker) this.workers.delete(taskType);
        await worker.close(CLOSE_TIMEOUT_MS);
      },
    };
  }

  /**
   * Not over gRPC. Retrying an incident is UpdateJobRetries plus ResolveIncident, and ResolveIncident needs the
   * incident's key, which no gRPC call returns (FailJob and ThrowError answer nothing; an incident is visible
   * only in Zeebe's exported records, which Operate reads). So this refuses, before touching anything.
   */
  async retry(instanceId: string, _options: RetryOptions = {}): Promise<void> {
    this.assertOpen();
    checkInstanceId(instanceId);
    throw new OperateRequiredError('retry', "Zeebe's gRPC API gives no incident keys, and ResolveIncident needs one");
  }

  /** CancelProcessInstance. Zeebe answers NOT_FOUND alike for an instance that never was and one that ended. */
  async cancelInstance(instanceId: string): Promise<void> {
    this.assertOpen();
    checkInstanceId(instanceId);
    try {
      // Typed void, but the SDK resolves to Zeebe's (empty) answer, and to null only while it closes.
      await this.call<unknown>('CancelProcessInstance', () => this.client.cancelProcessInstance(instanceId));
    } catch (error) {
      if (error instanceof ZeebeRejectedError && error.grpcStatus === GRPC_STATUS.NOT_FOUND) throw new UnknownInstanceError(instanceId);
      throw error;
    }
  }

  /**
   * Not over gRPC: Zeebe's gRPC API has no query of an instance's state, variables, history or incidents. An id
   * that is no Zeebe key is no instance (undefined, as the port says); any other is refused.
   */
  async instance(instanceId: string): Promise<InstanceView | undefined> {
    this.assertOpen();
    if (!isZeebeKey(instanceId)) return undefined;
    throw new OperateRequiredError('instance()', "Zeebe's gRPC API cannot read a process instance");
  }

  /** Not over gRPC, for the same reason as instance(); Zeebe has no business key to filter by either. */
  async instances(_query: InstanceQuery): Promise<InstancePage> {
    this.assertOpen();
    throw new OperateRequiredError('instances()', "Zeebe's gRPC API cannot search process instances");
  }

  /** Closes the workers (letting running attempts report, within a bound) and the gRPC connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.workers.clear();
    const closing = this.camunda.closeAllClients().then(() => true);
    const timer = new Promise<false>((resolve) => setTimeout(() => resolve(false), 2 * CLOSE_TIMEOUT_MS).unref());
    if (!(await Promise.race([closing, timer]))) this.log.warn(`the Zeebe client did not close within ${2 * CLOSE_TIMEOUT_MS} ms; its connections are left to end`);
  }

  // ---- requests

  private async createInstance(bpmnProcessId: string, variables: JsonObject): Promise<StartedInstance> {
    try {
      const created = await this.call('CreateProcessInstance', () => this.client.createProcessInstance({ bpmnProcessId, variables: variables as SdkVariables }));
      return { instanceId: String(created.processInstanceKey), bpmnProcessId, version: created.version, created: true };
    } catch (error) {
      if (error instanceof ZeebeRejectedError && error.grpcStatus === GRPC_STATUS.NOT_FOUND) throw new UnknownProcessError(bpmnProcessId);
      throw error;
    }
  }

  private async claimBusinessKey(claimKey: string): Promise<boolean> {
    const claim = { name: BUSINESS_KEY_CLAIM_MESSAGE, correlationKey: claimKey, messageId: claimKey, variables: {}, timeToLive: this.options.businessKeyRetentionMs };
    try {
      await this.call('PublishMessage (business key claim)', () => this.client.publishMessage(claim));
      return true;
    } catch (error) {
      if (error instanceof ZeebeRejectedError && error.grpcStatus === GRPC_STATUS.ALREADY_EXISTS) return false;
      throw error;
    }
  }

  /**
   * One request to the gateway, bounded: the SDK retries what the gateway could not take up to
   * maxGatewayRetries times, and the whole of it gets requestTimeoutMs. A request given up on may still reach
   * Zeebe later (the SDK has no way to cancel it), which is why starts are claimed and messages carry ids.
   */
  private async call<T>(operation: string, request: () => Promise<T | null | undefined>): Promise<T> {
    this.assertOpen();
    const { requestTimeoutMs } = this.options;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new EngineUnavailableError(`${operation} got no answer from the Zeebe gateway at ${this.gateway()} within ${requestTimeoutMs} ms; it may still take effect`)), requestTimeoutMs);
      timer.unref();
    });
    // Through then(): the SDK also throws synchronously (a key it cannot read), and that must be translated too.
    const answered = Promise.resolve().then(request);
    answered.catch(() => undefined); // a late failure, after the time-out, is nobody's to handle
    try {
      const answer = await Promise.race([answered, timedOut]);
      // The SDK answers null to requests made while it closes.
      if (answer === null || answer === undefined) throw new EngineClosedError();
      return answer;
    } catch (error) {
      throw this.translated(operation, error);
    } finally {
      clearTimeout(timer);
    }
  }

  private translated(operation: string, error: unknown): Error {
    if (error instanceof ProcessEngineError) return error;
    const status = grpcStatusOf(error);
    const details = grpcDetailsOf(error);
    const retries = this.options.maxGatewayRetries;
    // No gRPC status: the request never reached the gateway (a token that could not be had, a TLS failure).
    if (status === undefined) return new EngineUnavailableError(`${operation} did not reach the Zeebe gateway at ${this.gateway()}: ${details}`);
    if (status === GRPC_STATUS.UNAVAILABLE || status === GRPC_STATUS.DEADLINE_EXCEEDED) {
      return new EngineUnavailableError(`${operation}: the Zeebe gateway at ${this.gateway()} is unavailable (after ${retries} retries): ${details}`);
    }
    if (status === GRPC_STATUS.RESOURCE_EXHAUSTED) return new EngineAtCapacityError(`Zeebe back-pressure on ${operation}, gateway retries`, retries);
    if (status === GRPC_STATUS.UNAUTHENTICATED || status === GRPC_STATUS.PERMISSION_DENIED) {
      return new ZeebeRejectedError(operation, status, `${details} (check clientId, clientSecret, oauthUrl and audience)`);
    }
    return new ZeebeRejectedError(operation, status, details);
  }

  private gateway(): string {
    return `${this.address.host}:${this.address.port}`;
  }

  private assertOpen(): void {
    if (this.closed) throw new EngineClosedError();
  }
}

function resolveOptions(options: ZeebeEngineOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    ...DEFAULT_ZEEBE_ENGINE_OPTIONS,
    lintTarget: DEFAULT_ZEEBE_TARGET,
    clock: Date.now,
    ...definedOnly({
      maxGatewayRetries: options.maxGatewayRetries,
      requestTimeoutMs: options.requestTimeoutMs,
      lintTarget: options.lintTarget,
      businessKeyRetentionMs: options.businessKeyRetentionMs,
      maxRememberedStarts: options.maxRememberedStarts,
      sdkLogLevel: options.sdkLogLevel,
      clock: options.clock,
    }),
  };
  checkWhole(resolved.maxGatewayRetries, 'maxGatewayRetries', 0, 100);
  checkWhole(resolved.requestTimeoutMs, 'requestTimeoutMs', 1, 600_000);
  checkWhole(resolved.businessKeyRetentionMs, 'businessKeyRetentionMs', 1, 365 * 24 * 3_600_000);
  checkWhole(resolved.maxRememberedStarts, 'maxRememberedStarts', 1, 10_000_000);
  const credentials = [options.clientId, options.clientSecret, options.oauthUrl].filter((value) => value !== undefined).length;
  if (credentials !== 0 && credentials !== 3) throw new InvalidEngineInputError('OAuth needs clientId, clientSecret and oauthUrl together');
  return resolved;
}

/** The SDK's configuration: everything explicit, so that ZEEBE_* and CAMUNDA_* variables of the environment change nothing that matters. */
function sdkConfiguration(address: ZeebeAddress, options: ZeebeEngineOptions, resolved: ResolvedOptions): ConstructorParameters<typeof Camunda8>[0] {
  const oauth = options.clientId !== undefined;
  return {
    ZEEBE_GRPC_ADDRESS: address.grpcAddress,
    CAMUNDA_AUTH_STRATEGY: oauth ? 'OAUTH' : 'NONE',
    ...(oauth && { ZEEBE_CLIENT_ID: options.clientId, ZEEBE_CLIENT_SECRET: options.clientSecret, CAMUNDA_OAUTH_URL: options.oauthUrl }),
    ...(options.audience !== undefined && { ZEEBE_TOKEN_AUDIENCE: options.audience }),
    CAMUNDA_TOKEN_DISK_CACHE_DISABLE: true,
    CAMUNDA_LOG_LEVEL: 'none',
    // Nested, not top level: the SDK reads its gRPC settings only from here.
    zeebeGrpcSettings: {
      ZEEBE_GRPC_CLIENT_RETRY: resolved.maxGatewayRetries > 0,
      ZEEBE_GRPC_CLIENT_MAX_RETRIES: resolved.maxGatewayRetries,
      ZEEBE_GRPC_CLIENT_MAX_RETRY_TIMEOUT_SECONDS: MAX_RETRY_BACKOFF_SECONDS,
      ZEEBE_CLIENT_LOG_LEVEL: resolved.sdkLogLevel,
    },
  };
}

function workerSettings(options: WorkerOptions): Required<WorkerOptions> {
  const settings = { ...DEFAULT_WORKER_OPTIONS, ...definedOnly(options) };
  checkWhole(settings.maxRetries, 'maxRetries', 1, 1_000);
  checkWhole(settings.backoffMs, 'backoffMs', 0, 24 * 3_600_000);
  checkWhole(settings.maxBackoffMs, 'maxBackoffMs', 0, 24 * 3_600_000);
  checkWhole(settings.timeoutMs, 'timeoutMs', 1, 24 * 3_600_000);
  checkWhole(settings.maxConcurrentJobs, 'maxConcurrentJobs', 1, 1_000);
  return settings;
}

function jobFields(job: Omit<ActivatedZeebeJob, 'complete' | 'error' | 'fail'>): Omit<ActivatedZeebeJob, 'complete' | 'error' | 'fail'> {
  const { key, type, processInstanceKey, bpmnProcessId, processDefinitionVersion, elementId, retries, variables } = job;
  return { key, type, processInstanceKey, bpmnProcessId, processDefinitionVersion, elementId, retries, variables };
}

/** Zeebe tells a resource's kind by its name: a name without .bpmn (or .xml) goes over the wire with .bpmn added. */
function wireResourceName(name: string): string {
  return /\.(bpmn|xml)$/i.test(name) ? name : `${name}.bpmn`;
}

function isProcessDeployment(deployment: unknown): deployment is ProcessDeployment {
  const process = (deployment as { process?: unknown } | null)?.process;
  return typeof process === 'object' && process !== null;
}

/** Zeebe refused a model the linter passed: its message names the resource and, usually, the element. */
function rejectedByZeebe(resources: readonly ModelResource[], names: ReadonlyMap<string, string>, details: string): ModelRejectedError {
  const wireName = [...names.keys()].find((name) => details.includes(`'${name}'`) || details.includes(`"${name}"`));
  const resourceName = (wireName && names.get(wireName)) ?? resources[0].name;
  const elementId = /Element: ([\w.-]+)/.exec(details)?.[1];
  return new ModelRejectedError(resourceName, [{ ...(elementId !== undefined && { elementId }), rule: 'zeebe/deploy', message: details.replace(/\s+/g, ' ').trim() }]);
}


/** Zeebe's keys are positive 64-bit numbers, written in decimal. */
function isZeebeKey(value: unknown): value is string {
  return typeof value === 'string' && /^[1-9]\d{0,18}$/.test(value);
}

function checkInstanceId(instanceId: unknown): void {
  if (!isZeebeKey(instanceId)) throw new UnknownInstanceError(String(instanceId));
}

function checkWhole(value: number, name: string, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new InvalidEngineInputError(`${name} must be a whole number from ${min} to ${max}, not ${value}`);
}


function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
