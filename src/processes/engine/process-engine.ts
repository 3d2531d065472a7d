/**
 * The process engine port. It speaks Zeebe's language (BPMN process ids, versioned deployments, job workers by
 * task type, messages by name + correlation key + message id with a time to live, incidents, retries), so the
 * embedded adapter (bpmn-engine, for one machine and the test suite) and a Zeebe adapter (@camunda8/sdk) are
 * interchangeable behind it. Variables are JSON, as Zeebe stores them: money travels as decimal strings.
 */
import type { JsonObject } from '../../eventstore';

export type { JsonObject, JsonValue } from '../../eventstore';

/** One BPMN file: `name` is how errors refer to it (a file name such as `fund-switch.bpmn`). */
export interface ModelResource {
  name: string;
  xml: string;
}

/** One version of one process. A deploy of an unchanged model returns the version already deployed. */
export interface DeployedModel {
  bpmnProcessId: string;
  /** 1-based, one more per deploy of a changed model. */
  version: number;
  resourceName: string;
  deployedAt: Date;
}

export interface StartOptions {
  /**
   * The caller's own id for what the instance is about (a transfer id): a second start with the same key for
   * the same process returns the instance the first one started, whatever its state, and starts nothing.
   */
  businessKey?: string;
}

export interface StartedInstance {
  instanceId: string;
  bpmnProcessId: string;
  version: number;
  /** False when the business key named an instance that already existed. */
  created: boolean;
}

export interface PublishedMessage {
  /** The message name, as in the model's bpmn:message name. */
  name: string;
  /** Matched against the value of the subscription's zeebe:subscription correlationKey expression. */
  correlationKey: string;
  /** A second message with the same name and id is ignored (at-least-once publishers may send twice). */
  messageId?: string;
  variables?: JsonObject;
  /** How long a message no instance waits for yet stays buffered; 0 (the default) drops it at once. */
  timeToLiveMs?: number;
}

export interface MessagePublication {
  messageKey: string;
  /** `correlated`: delivered to waiting instances; `buffered`: kept for its time to live; `dropped`: nobody waited and it had no time to live; `duplicate`: its id was seen before. */
  outcome: 'correlated' | 'buffered' | 'dropped' | 'duplicate';
  /** The instances it was delivered to (at most one per process, as Zeebe does). */
  instanceIds: string[];
}

/** What a worker's handler gets. `key` is stable across retries and crashes: use it as the idempotency key of what the handler sends. */
export interface Job {
  key: string;
  type: string;
  instanceId: string;
  bpmnProcessId: string;
  version: number;
  elementId: string;
  /** The instance's variables with the task's input mappings applied. */
  variables: JsonObject;
  /** Failures still allowed before an incident is raised, this attempt included. */
  retriesLeft: number;
}

/** Returns the variables to merge into the instance (through the task's output mappings when it has any). */
export type JobHandler = (job: Job) => Promise<JsonObject | void> | JsonObject | void;

export interface WorkerOptions {
  /** Retries of a job whose task has no zeebe:taskDefinition retries attribute; 3 when absent too. */
  maxRetries?: number;
  /** Pause after the first failure, doubled after each further one. */
  backoffMs?: number;
  /** The longest pause between two attempts. */
  maxBackoffMs?: number;
  /** An attempt still running after this long counts as failed, and its late result is ignored. */
  timeoutMs?: number;
  /** Jobs of this type running at once. */
  maxConcurrentJobs?: number;
}

export interface JobWorker {
  readonly taskType: string;
  /** Stops taking new jobs of this type; attempts already running finish. */
  close(): Promise<void>;
}

/**
 * A business error a handler throws on purpose: an error boundary event with the same code on the task (or
 * on a sub-process around it) takes over, as Zeebe's throwError does. Anything else a handler throws is a
 * failure and is retried. A code no boundary catches raises an incident.
 */
export class BpmnError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly variables: JsonObject = {},
  ) {
    super(message);
    this.name = 'BpmnError';
  }
}

export type InstanceState = 'active' | 'completed' | 'incident' | 'terminated';

export interface HistoryEntry {
  elementId: string;
  elementType: string;
  enteredAt: Date;
  /** Absent while the instance is in the element. */
  leftAt?: Date;
}

/**
 * `job-failed`: a job's retries ran out; `unhandled-error`: a BpmnError no boundary catches; `expression`: a
 * FEEL expression failed (the expression and the variables it saw are kept); `engine-error`: the engine could
 * not go on (for example no outgoing flow of a gateway could be taken), and the instance was set back to its
 * last saved state.
 */
export type IncidentKind = 'job-failed' | 'unhandled-error' | 'expression' | 'engine-error';

export interface Incident {
  key: string;
  kind: IncidentKind;
  elementId: string;
  message: string;
  /** The FEEL expression at fault, for `expression` incidents. */
  expression?: string;
  /** The variables when the incident was raised. */
  variables: JsonObject;
  jobKey?: string;
  createdAt: Date;
  /** Set once `retry` resolved it. */
  resolvedAt?: Date;
}

export interface InstanceSummary {
  instanceId: string;
  bpmnProcessId: string;
  version: number;
  businessKey?: string;
  state: InstanceState;
  startedAt: Date;
  endedAt?: Date;
}

export interface InstanceView extends InstanceSummary {
  variables: JsonObject;
  /** The ids of the elements the instance is in now. */
  currentElements: string[];
  /** In the order the elements were entered; the last `PROCESS_ENGINE_LIMITS.maxHistoryEntries` entries. */
  history: HistoryEntry[];
  incidents: Incident[];
}

export interface InstanceQuery {
  bpmnProcessId?: string;
  state?: InstanceState;
  businessKeyPrefix?: string;
  /** At most `PROCESS_ENGINE_LIMITS.maxPageSize`. */
  limit: number;
  /** The `next` of the previous page. */
  after?: string;
}

export interface InstancePage {
  instances: InstanceSummary[];
  /** Pass as `after` for the next page; absent on the last page. */
  next?: string;
}

export interface RetryOptions {
  /** Merged into the instance's variables before the failed step runs again (to fix what made it fail). */
  variables?: JsonObject;
}

export interface ProcessEngine {
  /** Refuses the whole deploy with ModelRejectedError when any resource fails to parse or lint; nothing is deployed then. */
  deploy(resources: readonly ModelResource[]): Promise<DeployedModel[]>;
  /** Every version of every process, by process id then version. */
  models(): Promise<DeployedModel[]>;
  /** Starts on the latest version. */
  startInstance(bpmnProcessId: string, variables?: JsonObject, options?: StartOptions): Promise<StartedInstance>;
  /**
   * Delivers to the oldest matching subscription of each process (Zeebe's rule); without one, buffers the
   * message for its time to live, for the first instance that comes to wait for it.
   */
  publishMessage(message: PublishedMessage): Promise<MessagePublication>;
  registerWorker(taskType: string, handler: JobHandler, options?: WorkerOptions): JobWorker;
  /**
   * Resolves the instance's open incidents and runs what failed again: a failed job gets one more attempt (as
   * Operate's retry gives it), a failed expression is evaluated again against the (corrected) variables.
   */
  retry(instanceId: string, options?: RetryOptions): Promise<void>;
  /** Terminates a running instance: its jobs, subscriptions and timers are dropped. */
  cancelInstance(instanceId: string): Promise<void>;
  /** Undefined for an unknown instance. */
  instance(instanceId: string): Promise<InstanceView | undefined>;
  instances(query: InstanceQuery): Promise<InstancePage>;
  close(): Promise<void>;
}

export const PROCESS_ENGINE_LIMITS = {
  maxPageSize: 200,
  maxHistoryEntries: 1_000,
  maxResourcesPerDeploy: 100,
  /** Bytes of one BPMN file. */
  maxResourceBytes: 4 * 1024 * 1024,
  /** Bytes of the JSON of one variables object (a start, a message, a job's result). */
  maxVariablesBytes: 1024 * 1024,
  maxNameLength: 256,
  /** A message may be buffered for at most a week. */
  maxTimeToLiveMs: 7 * 24 * 3_600_000,
} as const;

/** Every failure the engine reports on purpose carries a stable `code` and a message that says what to do. */
export abstract class ProcessEngineError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export interface ModelProblem {
  /** The id of the element at fault, when the problem is in one. */
  elementId?: string;
  /** The lint rule (`camunda-compat/implementation`), `parse` or `embedded-engine/...`. */
  rule: string;
  message: string;
}

export class ModelRejectedError extends ProcessEngineError {
  readonly code = 'MODEL_REJECTED';
  constructor(
    readonly resourceName: string,
    readonly problems: readonly ModelProblem[],
  ) {
    super(`${resourceName} was not deployed: ${problems.map(describeProblem).join('; ')}`);
  }
}

function describeProblem(problem: ModelProblem): string {
  return `${problem.elementId ? `element ${problem.elementId}: ` : ''}${problem.message} (${problem.rule})`;
}

export class UnknownProcessError extends ProcessEngineError {
  readonly code = 'UNKNOWN_PROCESS';
  constructor(readonly bpmnProcessId: string) {
    super(`no process "${bpmnProcessId}" is deployed: deploy its model first`);
  }
}

export class UnknownInstanceError extends ProcessEngineError {
  readonly code = 'UNKNOWN_INSTANCE';
  constructor(readonly instanceId: string) {
    super(`there is no process instance "${instanceId}"`);
  }
}

export class InstanceNotRunningError extends ProcessEngineError {
  readonly code = 'INSTANCE_NOT_RUNNING';
  constructor(
    readonly instanceId: string,
    readonly state: InstanceState,
  ) {
    super(`process instance "${instanceId}" is ${state}: only a running instance can be changed`);
  }
}

export class NothingToRetryError extends ProcessEngineError {
  readonly code = 'NOTHING_TO_RETRY';
  constructor(readonly instanceId: string) {
    super(`process instance "${instanceId}" has no open incident to retry`);
  }
}

/** A bound was reached; the caller may try again later. */
export class EngineAtCapacityError extends ProcessEngineError {
  readonly code = 'ENGINE_AT_CAPACITY';
  constructor(
    readonly bound: string,
    readonly limit: number,
  ) {
    super(`the process engine holds its maximum (${bound} = ${limit}): try again once work has drained`);
  }
}

export class InvalidEngineInputError extends ProcessEngineError {
  readonly code = 'INVALID_ENGINE_INPUT';
}

export class EngineClosedError extends ProcessEngineError {
  readonly code = 'ENGINE_CLOSED';
  constructor() {
    super('the process engine is closed');
  }
}
