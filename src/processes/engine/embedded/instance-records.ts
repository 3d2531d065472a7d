import type { IncidentKind, InstanceState, JsonObject } from '../process-engine';

/**
 * What the embedded engine keeps of one instance. After every step all of it is written in one transaction
 * with where its token is, so a restart finds the instance exactly as the last step left it.
 */

/** A job of a task the instance is in. Keyed by the task's execution id, which survives a restart. */
export interface JobRecord {
  key: string;
  executionId: string;
  elementId: string;
  taskType: string;
  /** The task's retries; absent until a worker's default applies. */
  retriesLeft?: number;
  /** Failures so far (for the back-off). */
  failures: number;
  /** `activatable`: waiting for a worker (after `retryAtMs`); `incident`: waiting for retry(). */
  state: 'activatable' | 'incident';
  retryAtMs: number;
  /** The task's input mappings, evaluated when it was entered. */
  localVariables: JsonObject;
  lastError?: string;
  /** A result whose output mappings failed: retry() maps it again instead of running the job again. */
  result?: JsonObject;
}

export interface SubscriptionRecord {
  /** From the engine's key sequence: the oldest subscription of a process gets a message first. */
  key: string;
  executionId: string;
  elementId: string;
  messageName: string;
  correlationKey: string;
  openedAtMs: number;
}

export interface TimerRecord {
  executionId: string;
  elementId: string;
  /** Null while the timer's expression is in an incident. */
  dueAtMs: number | null;
}

/** `phase` says which step failed, so retry() knows what to run again. */
export type IncidentPhase = 'job' | 'input-mapping' | 'output-mapping' | 'condition' | 'correlation-key' | 'timer' | 'engine';

export interface IncidentRecord {
  key: string;
  kind: IncidentKind;
  phase: IncidentPhase;
  elementId: string;
  /** What failed; one open incident per execution id and phase (a restart raises the same one again). */
  executionId: string;
  message: string;
  expression?: string;
  variables: JsonObject;
  jobKey?: string;
  createdAtMs: number;
  resolvedAtMs?: number;
}

export interface HistoryRecord {
  executionId: string;
  elementId: string;
  elementType: string;
  enteredAtMs: number;
  leftAtMs?: number;
}

export interface InstanceRecord {
  instanceId: string;
  bpmnProcessId: string;
  version: number;
  businessKey?: string;
  state: InstanceState;
  variables: JsonObject;
  /** Where the token waits (JSON, see InstanceRuntime); null once ended, and before a start that failed. */
  engineState: string | null;
  startedAtMs: number;
  endedAtMs?: number;
}

/** Everything one step changes, committed in one transaction. */
export interface StepRecord {
  instance: InstanceRecord;
  jobs: JobRecord[];
  subscriptions: SubscriptionRecord[];
  timers: TimerRecord[];
  incidents: IncidentRecord[];
  /** History entries entered or left in this step. */
  history: HistoryRecord[];
  /** Buffered messages this step delivered. */
  consumedMessageKeys: string[];
}

/** The rows of one instance, as the last step left them. */
export interface StoredInstance {
  record: InstanceRecord;
  jobs: JobRecord[];
  subscriptions: SubscriptionRecord[];
  timers: TimerRecord[];
  incidents: IncidentRecord[];
  /** Entered and not left. */
  openHistory: HistoryRecord[];
}

/**
 * An instance that waits for nothing but messages or timers (no job, no open incident): its rows say all there
 * is to it, so the engine keeps it in the file alone and brings it back when a message or timer comes.
 */
export function waitsOnlyForInput(instance: { jobs: number; subscriptions: number; timers: number; incidents: readonly IncidentRecord[] }): boolean {
  if (instance.jobs > 0 || instance.incidents.some((incident) => incident.resolvedAtMs === undefined)) return false;
  return instance.subscriptions > 0 || instance.timers > 0;
}

/** The same, of an instance's rows in the file. */
export function storedWaitsOnlyForInput(stored: StoredInstance): boolean {
  return waitsOnlyForInput({ jobs: stored.jobs.length, subscriptions: stored.subscriptions.length, timers: stored.timers.length, incidents: stored.incidents });
}

export interface BufferedMessage {
  key: string;
  name: string;
  correlationKey: string;
  messageId?: string;
  variables: JsonObject;
  publishedAtMs: number;
  expiresAtMs: number;
}

export interface ModelRow {
  bpmnProcessId: string;
  version: number;
  resourceName: string;
  checksum: string;
  xml: string;
  deployedAtMs: number;
}
