import { EventEmitter } from 'node:events';
import { Engine, type BpmnEngineOptions } from 'bpmn-engine';
import { invariant } from '../../../invariant';
import type { BpmnError, InstanceState, JsonObject } from '../process-engine';
import { type ArmedTimer, ClockTimers, type TimerSink } from './clock-timers';
import type { CompiledModel, JobTaskSpec } from './compiled-model';
import { evaluateCondition, evaluateCorrelationKey, evaluateFeel, evaluateText, FeelEvaluationError } from './feel';
import { type HistoryRecord, type IncidentRecord, type InstanceRecord, type JobRecord, type StepRecord, type StoredInstance, type SubscriptionRecord, type TimerRecord, waitsOnlyForInput } from './instance-records';
import { InvalidTimerValueError, timerDueAtMs } from './iso-timer';
import { evaluateRetries, mapVariables } from './variable-mappings';

/** What a runtime needs from the engine around it. */
export interface RuntimeHost {
  clockMs(): number;
  /** A new key for a job or an incident, unique in the engine's file. */
  nextKey(): string;
  warn(line: string): void;
}

/** How a worker's failures are retried; from its WorkerOptions. */
export interface RetryPolicy {
  maxRetries: number;
  backoffMs: number;
  maxBackoffMs: number;
}

/** Resolved incidents kept per instance, besides the open ones (the rest is history nobody reads). */
const MAX_RESOLVED_INCIDENTS_KEPT = 50;

type ServiceCallback = (error: Error | null, output?: unknown) => void;

interface ElementApi {
  id: string;
  type: string;
  content: { executionId: string; parent?: { executionId?: string }; message?: { id?: string; name?: string } };
  signal(message?: unknown): void;
}

interface ActivityShape {
  id: string;
  behaviour: Record<string, unknown>;
  environment: { options: Record<string, unknown> };
}

const RUNTIME_OPTION = 'ifwInstanceRuntime';

function runtimeOf(activity: ActivityShape): InstanceRuntime {
  const runtime = activity.environment.options[RUNTIME_OPTION];
  invariant(runtime instanceof InstanceRuntime, () => `activity ${activity.id} runs in an engine without its instance runtime`);
  return runtime;
}

/**
 * The Service of every task with a zeebe:taskDefinition: bpmn-engine calls it when the task executes (again
 * after a restart, with the same execution id), and the runtime turns that into a job for a worker.
 */
class JobService {
  private readonly executionId: string;
  constructor(
    private readonly activity: ActivityShape,
    executeMessage: { content: { executionId: string } },
  ) {
    this.executionId = executeMessage.content.executionId;
  }
  execute(_message: unknown, callback: ServiceCallback): void {
    runtimeOf(this.activity).onJobTaskExecuted(this.activity.id, this.executionId, callback);
  }
  /** A boundary event interrupted the task. */
  discard(): void {
    runtimeOf(this.activity).onJobTaskDiscarded(this.executionId);
  }
  /** The engine stops (close); the job stays for the next open. */
  stop(): void {}
}

function jobTaskExtension(activity: ActivityShape): undefined {
  if (runtimeOf(activity).model.jobTasks.has(activity.id)) activity.behaviour.Service = JobService;
  return undefined;
}

/**
 * One process instance: a bpmn-engine Engine of its own plus what Zeebe adds on top (jobs, correlated message
 * subscriptions, timers on the engine's clock, FEEL, incidents). Its engine runs synchronously from an input
 * (a start, a job result, a message, a timer, a retry) until it waits again; the embedded engine then takes
 * `step()` and commits it, so no input is acknowledged before what it caused is on disk.
 */
export class InstanceRuntime implements TimerSink {
  readonly variables: JsonObject;
  private readonly engine: Engine;
  private readonly listener = new EventEmitter();
  private readonly jobs = new Map<string, JobRecord>();
  private readonly jobCallbacks = new Map<string, ServiceCallback>();
  private readonly subscriptions = new Map<string, SubscriptionRecord>();
  private readonly timers = new Map<string, TimerRecord>();
  private readonly armedTimers = new Map<string, ArmedTimer>();
  private incidents: IncidentRecord[] = [];
  private readonly retryActions = new Map<string, () => void>();
  private readonly openHistory = new Map<string, HistoryRecord>();
  private changedHistory: HistoryRecord[] = [];
  private openedSubscriptions: SubscriptionRecord[] = [];
  private consumedMessageKeys: string[] = [];
  private ended?: { state: 'completed' | 'terminated'; atMs: number };
  private failure?: { message: string; elementId: string };
  private currentElementId = '';

  private constructor(
    private readonly host: RuntimeHost,
    readonly model: CompiledModel,
    private readonly record: InstanceRecord,
  ) {
    this.variables = { ...record.variables };
    this.engine = new Engine({
      name: record.instanceId,
      sourceContext: model.sourceContext,
      expressions: this.expressions(),
      scripts: this.scripts(),
      timers: new ClockTimers(this),
      extensions: { zeebeJobs: jobTaskExtension },
      [RUNTIME_OPTION]: this,
    } as unknown as BpmnEngineOptions);
    this.engine.on('end', () => (this.ended ??= { state: 'completed', atMs: this.host.clockMs() }));
    this.engine.on('error', (error: Error) => this.fail(error));
    this.listenToElements();
  }

  static async start(host: RuntimeHost, model: CompiledModel, record: InstanceRecord): Promise<InstanceRuntime> {
    const runtime = new InstanceRuntime(host, model, record);
    await runtime.guard(() => runtime.engine.execute({ listener: runtime.listener }));
    return runtime;
  }

  /**
   * Rebuilds a running instance from its rows; its engine resumes where the last step left it. An instance
   * whose start failed (saved without engine state) starts again.
   */
  static async resume(host: RuntimeHost, model: CompiledModel, stored: StoredInstance): Promise<InstanceRuntime> {
    const runtime = new InstanceRuntime(host, model, stored.record);
    for (const job of stored.jobs) runtime.jobs.set(job.executionId, job);
    for (const subscription of stored.subscriptions) runtime.subscriptions.set(subscription.executionId, subscription);
    for (const timer of stored.timers) runtime.timers.set(timer.executionId, timer);
    for (const entry of stored.openHistory) runtime.openHistory.set(entry.executionId, entry);
    runtime.incidents = stored.incidents;
    const { engineState } = stored.record;
    await runtime.guard(async () => {
      if (engineState === null) return void (await runtime.engine.execute({ listener: runtime.listener }));
      runtime.engine.recover(JSON.parse(engineState));
      await runtime.engine.resume({ listener: runtime.listener });
    });
    if (!runtime.failure) runtime.dropWhatNothingWaitsFor();
    // A message may have been buffered for it while it was stopped in an incident: it looks again.
    runtime.openedSubscriptions.push(...runtime.subscriptions.values());
    return runtime;
  }

  /**
   * After a resume, the tasks that execute again have claimed their jobs and the timer events have armed their
   * timers; a row nobody claimed belongs to an element the engine is no longer in, and must not be handed out.
   */
  private dropWhatNothingWaitsFor(): void {
    for (const executionId of [...this.jobs.keys()]) if (!this.jobCallbacks.has(executionId)) this.jobs.delete(executionId);
    for (const executionId of [...this.timers.keys()]) if (!this.armedTimers.has(executionId)) this.timers.delete(executionId);
    if (this.subscriptions.size === 0) return;
    const waiting = new Set((this.engine.execution.getPostponed() as unknown as ElementApi[]).flatMap((api) => [api.content.executionId, api.content.parent?.executionId]));
    for (const executionId of [...this.subscriptions.keys()]) if (!waiting.has(executionId)) this.subscriptions.delete(executionId);
  }

  get instanceId(): string {
    return this.record.instanceId;
  }

  get bpmnProcessId(): string {
    return this.record.bpmnProcessId;
  }

  get version(): number {
    return this.record.version;
  }

  get state(): InstanceState {
    if (this.ended) return this.ended.state;
    return this.incidents.some((incident) => incident.resolvedAtMs === undefined) ? 'incident' : 'active';
  }

  /** Waiting for nothing but messages or timers, its last step committed: it need not stay in memory. */
  get waitsOnlyForInput(): boolean {
    if (this.ended || this.failure) return false;
    return waitsOnlyForInput({ jobs: this.jobs.size, subscriptions: this.subscriptions.size, timers: this.timers.size, incidents: this.incidents });
  }

  /** Why the engine could not go on in the last input, if it could not: the instance must be set back. */
  get engineFailure(): { message: string; elementId: string } | undefined {
    return this.failure;
  }

  /** Runs one input; an exception from inside bpmn-engine is an engine failure, never a crash of the whole engine. */
  act(input: () => void): void {
    try {
      input();
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private async guard(run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private fail(error: Error): void {
    this.failure ??= { message: error.message, elementId: this.currentElementId };
  }

  // ---- what a step commits

  /** Everything this input changed, for one transaction. Clears what is only written once (history, consumed messages). */
  step(): StepRecord {
    if (this.ended) this.resolveIncidents(() => true);
    const record: InstanceRecord = {
      ...this.record,
      state: this.state,
      variables: this.variables,
      // A failed run has no state worth keeping (only a failed start is ever saved: unstarted).
      engineState: this.ended || this.failure ? null : this.engineState(),
      ...(this.ended && { endedAtMs: this.ended.atMs }),
    };
    const running = !this.ended;
    const step: StepRecord = {
      instance: record,
      jobs: running ? [...this.jobs.values()] : [],
      subscriptions: running ? [...this.subscriptions.values()] : [],
      timers: running ? [...this.timers.values()] : [],
      incidents: this.keptIncidents(),
      history: this.changedHistory,
      consumedMessageKeys: this.consumedMessageKeys,
    };
    this.changedHistory = [];
    this.consumedMessageKeys = [];
    return step;
  }

  private engineState(): string {
    const state = this.engine.execution.getState();
    // Every version's model is stored once; an instance's state names its version instead of repeating it.
    for (const definition of state.definitions) delete definition.source;
    return JSON.stringify(state);
  }

  private keptIncidents(): IncidentRecord[] {
    const resolved = this.incidents.filter((incident) => incident.resolvedAtMs !== undefined);
    if (resolved.length > MAX_RESOLVED_INCIDENTS_KEPT) {
      const dropped = new Set(resolved.slice(0, resolved.length - MAX_RESOLVED_INCIDENTS_KEPT));
      this.incidents = this.incidents.filter((incident) => !dropped.has(incident));
    }
    return this.incidents;
  }

  /** Subscriptions opened since the last call, for the engine to look for buffered messages. */
  takeOpenedSubscriptions(): SubscriptionRecord[] {
    const opened = this.openedSubscriptions.filter((subscription) => this.subscriptions.get(subscription.executionId) === subscription);
    this.openedSubscriptions = [];
    return opened;
  }

  // ---- the engine's hooks: FEEL expressions and conditions, element events

  private expressions() {
    const resolve = (expression: unknown): unknown =>
      typeof expression === 'string' && expression.startsWith('=') ? evaluateFeel(expression, this.variables) : expression;
    const isExpression = (text: unknown) => typeof text === 'string' && text.startsWith('=');
    return { resolveExpression: resolve, isExpression, hasExpression: isExpression };
  }

  /**
   * Sequence flow conditions run as "scripts" because a script answers through a callback: a condition whose
   * FEEL fails does not answer, so the gateway waits in an incident (as in Zeebe) until retry() evaluates it again.
   */
  private scripts() {
    return {
      register: () => undefined,
      getScript: (_language: string | undefined, element: { id: string; type?: string; behaviour?: { conditionExpression?: { body?: string } } }) => {
        const body = element.behaviour?.conditionExpression?.body;
        if (element.type !== 'bpmn:SequenceFlow' || !body) return undefined;
        return {
          execute: (scope: { content: { id: string; executionId: string } }, callback: ServiceCallback) =>
            this.evaluateFlowCondition(element.id, body, scope.content, callback),
        };
      },
    };
  }

  private evaluateFlowCondition(flowId: string, expression: string, gateway: { id: string; executionId: string }, callback: ServiceCallback): void {
    const attempt = () => {
      let taken: boolean;
      try {
        taken = evaluateCondition(expression, this.variables);
      } catch (error) {
        if (!(error instanceof FeelEvaluationError)) throw error;
        const incident = { kind: 'expression', phase: 'condition', elementId: gateway.id, message: `${error.message} (on sequence flow ${flowId})` } as const;
        return this.raiseIncident({ ...incident, executionId: `${gateway.executionId}/${flowId}`, expression }, attempt);
      }
      this.succeeded(`${gateway.executionId}/${flowId}`, 'condition');
      callback(null, taken);
    };
    attempt();
  }

  private listenToElements(): void {
    const isBoundaryEvent = (api: ElementApi) => this.model.elementTypes.get(api.id) === 'bpmn:BoundaryEvent';
    this.listener.on('activity.enter', (api: ElementApi) => {
      this.currentElementId = api.id;
      // A boundary event is entered with its task; it is part of the history only once it is triggered.
      if (!isBoundaryEvent(api)) this.entered(api);
    });
    this.listener.on('activity.end', (api: ElementApi) => {
      if (isBoundaryEvent(api)) this.entered(api);
    });
    this.listener.on('activity.leave', (api: ElementApi) => this.left(api.content.executionId));
    this.listener.on('activity.wait', (api: ElementApi) => {
      const message = api.content.message;
      if (message?.id && this.model.messages.has(message.id)) this.onMessageWait(api.id, api.content.executionId, message.id, message.name);
    });
  }

  private entered(api: ElementApi): void {
    const executionId = api.content.executionId;
    if (this.openHistory.has(executionId)) return;
    const elementType = this.model.elementTypes.get(api.id) ?? api.type;
    const entry: HistoryRecord = { executionId, elementId: api.id, elementType, enteredAtMs: this.host.clockMs() };
    this.openHistory.set(executionId, entry);
    this.changedHistory.push(entry);
  }

  /** An element was left (completed, interrupted or discarded): what it waited for goes with it. */
  private left(executionId: string): void {
    const entry = this.openHistory.get(executionId);
    if (entry) {
      entry.leftAtMs = this.host.clockMs();
      this.openHistory.delete(executionId);
      if (!this.changedHistory.includes(entry)) this.changedHistory.push(entry);
    }
    this.subscriptions.delete(executionId);
    this.jobs.delete(executionId);
    this.jobCallbacks.delete(executionId);
    this.resolveIncidents((incident) => incident.executionId === executionId || incident.executionId.startsWith(`${executionId}/`));
  }

  // ---- jobs

  onJobTaskExecuted(elementId: string, executionId: string, callback: ServiceCallback): void {
    this.jobCallbacks.set(executionId, callback);
    const existing = this.jobs.get(executionId);
    if (!existing) return this.createJob(elementId, executionId);
    // Executed again after a restart: the job keeps its key; an incident it was in waits for retry() again.
    if (existing.state === 'incident') this.rearmJobIncident(existing);
  }

  onJobTaskDiscarded(executionId: string): void {
    this.left(executionId);
  }

  private createJob(elementId: string, executionId: string): void {
    const spec = this.model.jobTasks.get(elementId);
    invariant(spec !== undefined, () => `task ${elementId} runs as a job but has no task definition`);
    const attempt = () => {
      let job: JobRecord;
      try {
        job = this.newJob(spec, executionId);
      } catch (error) {
        if (!(error instanceof FeelEvaluationError)) throw error;
        const incident = { kind: 'expression', phase: 'input-mapping', elementId, executionId, message: error.message, expression: error.expression } as const;
        return this.raiseIncident(incident, attempt);
      }
      this.succeeded(executionId, 'input-mapping');
      this.jobs.set(executionId, job);
    };
    attempt();
  }

  private newJob(spec: JobTaskSpec, executionId: string): JobRecord {
    const localVariables = mapVariables(spec.inputs, this.variables, {});
    const taskType = evaluateText(spec.taskType, this.variables, 'a task type');
    const retries = spec.retries === undefined ? undefined : evaluateRetries(spec.retries, this.variables);
    return {
      key: this.host.nextKey(),
      executionId,
      elementId: spec.elementId,
      taskType,
      ...(retries !== undefined && { retriesLeft: retries }),
      failures: 0,
      state: 'activatable',
      retryAtMs: 0,
      localVariables,
    };
  }

  /** The variables a worker sees: the instance's, with the task's input mappings on top. */
  jobVariables(job: JobRecord): JsonObject {
    return { ...this.variables, ...job.localVariables };
  }

  jobByKey(jobKey: string): JobRecord | undefined {
    for (const job of this.jobs.values()) if (job.key === jobKey) return job;
    return undefined;
  }

  /** A worker's result: through the output mappings (or merged whole), then the task completes. */
  completeJob(jobKey: string, result: JsonObject): void {
    const job = this.jobByKey(jobKey);
    if (!job) return;
    const spec = this.model.jobTasks.get(job.elementId);
    invariant(spec !== undefined, () => `job ${jobKey} of task ${job.elementId}, which has no task definition`);
    try {
      if (spec.outputs.length === 0) Object.assign(this.variables, result);
      else Object.assign(this.variables, mapVariables(spec.outputs, { ...this.variables, ...job.localVariables, ...result }, this.variables));
    } catch (error) {
      if (!(error instanceof FeelEvaluationError)) throw error;
      job.state = 'incident';
      job.result = result;
      const incident = { kind: 'expression', phase: 'output-mapping', elementId: job.elementId, executionId: job.executionId } as const;
      return this.raiseIncident({ ...incident, message: error.message, expression: error.expression, jobKey }, () => this.completeJob(jobKey, result));
    }
    this.finishJobTask(job, null);
  }

  failJob(jobKey: string, message: string, policy: RetryPolicy): void {
    const job = this.jobByKey(jobKey);
    if (!job || job.state !== 'activatable') return;
    const retriesLeft = (job.retriesLeft ?? policy.maxRetries) - 1;
    job.failures += 1;
    job.lastError = message;
    job.retriesLeft = Math.max(retriesLeft, 0);
    if (retriesLeft > 0) {
      job.retryAtMs = this.host.clockMs() + Math.min(policy.backoffMs * 2 ** (job.failures - 1), policy.maxBackoffMs);
      return;
    }
    job.state = 'incident';
    this.raiseIncident({ kind: 'job-failed', phase: 'job', elementId: job.elementId, executionId: job.executionId, message, jobKey }, () => this.reactivate(job));
  }

  /** A BpmnError: the catching boundary event takes over, or an incident when none catches its code. */
  throwBpmnError(jobKey: string, error: BpmnError): void {
    const job = this.jobByKey(jobKey);
    if (!job || job.state !== 'activatable') return;
    if (this.model.catchesError(job.elementId, error.code)) {
      Object.assign(this.variables, error.variables);
      return this.finishJobTask(job, Object.assign(new Error(error.message), { code: error.code }));
    }
    job.state = 'incident';
    job.retriesLeft = 0;
    const message = `the job threw BPMN error ${error.code} (${error.message}) and no error boundary event catches it`;
    this.raiseIncident({ kind: 'unhandled-error', phase: 'job', elementId: job.elementId, executionId: job.executionId, message, jobKey }, () => this.reactivate(job));
  }

  private finishJobTask(job: JobRecord, error: Error | null): void {
    const callback = this.jobCallbacks.get(job.executionId);
    invariant(callback !== undefined, () => `job ${job.key} completed but its task ${job.elementId} is not executing`);
    this.jobs.delete(job.executionId);
    this.jobCallbacks.delete(job.executionId);
    this.currentElementId = job.elementId;
    callback(error, {});
  }

  /** retry() of a failed job runs it once more, as Operate's retry does (retries = 1). */
  private reactivate(job: JobRecord): void {
    job.state = 'activatable';
    job.retriesLeft = 1;
    job.retryAtMs = 0;
  }

  private rearmJobIncident(job: JobRecord): void {
    const incident = this.openIncident(job.executionId, job.result ? 'output-mapping' : 'job');
    if (!incident) return;
    const result = job.result;
    this.retryActions.set(incident.key, result ? () => this.completeJob(job.key, result) : () => this.reactivate(job));
  }

  // ---- messages

  private onMessageWait(elementId: string, executionId: string, messageId: string, resolvedName: string | undefined): void {
    if (this.subscriptions.has(executionId)) return;
    const spec = this.model.messages.get(messageId);
    invariant(spec !== undefined, () => `element ${elementId} waits for message ${messageId}, which the model does not define`);
    const attempt = () => {
      let correlationKey: string;
      try {
        correlationKey = evaluateCorrelationKey(spec.correlationKey, this.variables);
      } catch (error) {
        if (!(error instanceof FeelEvaluationError)) throw error;
        const incident = { kind: 'expression', phase: 'correlation-key', elementId, executionId, message: error.message, expression: spec.correlationKey } as const;
        return this.raiseIncident(incident, attempt);
      }
      this.succeeded(executionId, 'correlation-key');
      const subscription = { key: this.host.nextKey(), executionId, elementId, messageName: resolvedName ?? spec.name, correlationKey, openedAtMs: this.host.clockMs() };
      this.subscriptions.set(executionId, subscription);
      this.openedSubscriptions.push(subscription);
    };
    attempt();
  }

  hasSubscription(executionId: string): boolean {
    return this.subscriptions.has(executionId);
  }

  /** Delivers a message to the element waiting at `executionId`; `messageKey` names a buffered message it consumes. */
  deliverMessage(executionId: string, variables: JsonObject, messageKey?: string): void {
    const subscription = this.subscriptions.get(executionId);
    invariant(subscription !== undefined, () => `a message for ${executionId}, where instance ${this.instanceId} does not wait`);
    this.subscriptions.delete(executionId);
    if (messageKey !== undefined) this.consumedMessageKeys.push(messageKey);
    const outputs = this.model.catchOutputs.get(subscription.elementId) ?? [];
    const complete = () => {
      try {
        Object.assign(this.variables, outputs.length === 0 ? variables : mapVariables(outputs, { ...this.variables, ...variables }, this.variables));
      } catch (error) {
        if (!(error instanceof FeelEvaluationError)) throw error;
        const incident = { kind: 'expression', phase: 'output-mapping', elementId: subscription.elementId, executionId } as const;
        return this.raiseIncident({ ...incident, message: error.message, expression: error.expression }, complete);
      }
      this.signalWaiting(subscription.elementId, executionId, variables);
    };
    complete();
  }

  private signalWaiting(elementId: string, executionId: string, variables: JsonObject): void {
    const waiting = (this.engine.execution.getPostponed() as unknown as ElementApi[]).find(
      (api) => api.content.executionId === executionId || api.content.parent?.executionId === executionId,
    );
    invariant(waiting !== undefined, () => `instance ${this.instanceId} has a subscription at ${elementId} (${executionId}) but does not wait there`);
    this.currentElementId = elementId;
    waiting.signal({ ...variables });
  }

  // ---- timers (TimerSink)

  armed(timer: ArmedTimer): void {
    this.armedTimers.set(timer.executionId, timer);
    const kept = this.timers.get(timer.executionId);
    // Armed again after a restart: it keeps the due time it had.
    if (kept && kept.dueAtMs !== null) return;
    const spec = this.model.timers.get(timer.elementId);
    invariant(spec !== undefined, () => `element ${timer.elementId} armed a timer the model does not define`);
    const attempt = () => {
      let dueAtMs: number | null = null;
      try {
        dueAtMs = timerDueAtMs(spec.kind, evaluateText(spec.value, this.variables, 'a timer value'), this.host.clockMs());
      } catch (error) {
        if (!(error instanceof FeelEvaluationError || error instanceof InvalidTimerValueError)) throw error;
        const incident = { kind: 'expression', phase: 'timer', elementId: timer.elementId, executionId: timer.executionId, message: error.message } as const;
        this.raiseIncident({ ...incident, expression: spec.value }, attempt);
      }
      if (dueAtMs !== null) this.succeeded(timer.executionId, 'timer');
      this.timers.set(timer.executionId, { executionId: timer.executionId, elementId: timer.elementId, dueAtMs });
    };
    attempt();
  }

  disarmed(timer: ArmedTimer): void {
    if (this.armedTimers.get(timer.executionId) !== timer) return;
    this.armedTimers.delete(timer.executionId);
    this.timers.delete(timer.executionId);
  }

  /** Fires a due timer; false when it is no longer armed (its event was left meanwhile). */
  fireTimer(executionId: string): boolean {
    const timer = this.armedTimers.get(executionId);
    const record = this.timers.get(executionId);
    if (!timer || !record || record.dueAtMs === null || record.dueAtMs > this.host.clockMs()) return false;
    this.currentElementId = timer.elementId;
    timer.fire();
    return true;
  }

  // ---- incidents

  private raiseIncident(fields: Omit<IncidentRecord, 'key' | 'variables' | 'createdAtMs'>, retry: () => void): void {
    const open = this.openIncident(fields.executionId, fields.phase);
    if (open) {
      this.retryActions.set(open.key, retry);
      return;
    }
    const incident: IncidentRecord = { ...fields, key: this.host.nextKey(), variables: structuredClone(this.variables), createdAtMs: this.host.clockMs() };
    this.incidents.push(incident);
    this.retryActions.set(incident.key, retry);
    this.host.warn(`process instance ${this.instanceId} (${this.bpmnProcessId} v${this.version}) has an incident at ${fields.elementId}: ${fields.message}`);
  }

  /**
   * What failed went through this time (on retry, or when a restart ran it again and the variables or the clock
   * had changed): its incident, if it had one, is resolved.
   */
  private succeeded(executionId: string, phase: IncidentRecord['phase']): void {
    this.resolveIncidents((incident) => incident.executionId === executionId && incident.phase === phase);
  }

  private openIncident(executionId: string, phase: IncidentRecord['phase']): IncidentRecord | undefined {
    return this.incidents.find((incident) => incident.resolvedAtMs === undefined && incident.executionId === executionId && incident.phase === phase);
  }

  private resolveIncidents(which: (incident: IncidentRecord) => boolean): void {
    for (const incident of this.incidents) {
      if (incident.resolvedAtMs !== undefined || !which(incident)) continue;
      incident.resolvedAtMs = this.host.clockMs();
      this.retryActions.delete(incident.key);
    }
  }

  /** Resolves every open incident and runs again what failed; false when there was none. */
  retry(variables: JsonObject | undefined): boolean {
    const open = this.incidents.filter((incident) => incident.resolvedAtMs === undefined);
    if (open.length === 0) return false;
    if (variables) Object.assign(this.variables, variables);
    for (const incident of open) {
      incident.resolvedAtMs = this.host.clockMs();
      const action = this.retryActions.get(incident.key);
      this.retryActions.delete(incident.key);
      action?.();
    }
    return true;
  }

  /** Cancellation: the instance ends where it is; what it waited for is dropped with its engine. */
  terminate(): void {
    invariant(!this.ended, () => `instance ${this.instanceId} terminated after it ended`);
    this.ended = { state: 'terminated', atMs: this.host.clockMs() };
    // A cancelled instance ends whatever its engine could or could not do.
    this.failure = undefined;
    const nowMs = this.host.clockMs();
    for (const entry of this.openHistory.values()) {
      entry.leftAtMs = nowMs;
      this.changedHistory.push(entry);
    }
    this.openHistory.clear();
  }
}
