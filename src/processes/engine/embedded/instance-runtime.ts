import { invariant } from '../../../invariant';
import type { BpmnError, InstanceState, JsonObject } from '../process-engine';
import type { BoundarySpec, CompiledModel, FlowNode, JobTaskSpec, OutgoingFlow } from './compiled-model';
import { evaluateCondition, evaluateCorrelationKey, evaluateText, FeelEvaluationError } from './feel';
import { type HistoryRecord, type IncidentRecord, type InstanceRecord, type JobRecord, type StepRecord, type StoredInstance, type SubscriptionRecord, type TimerRecord, waitsOnlyForInput } from './instance-records';
import { InvalidTimerValueError, timerDueAtMs } from './iso-timer';
import { evaluateRetries, mapVariables } from './variable-mappings';

/** What a runtime needs from the engine around it. */
export interface RuntimeHost {
  clockMs(): number;
  /** A new key for a job, an incident or an element's execution, unique in the engine's file. */
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

/**
 * Elements one input may move the token through before it must wait. A model whose gateways loop back without
 * a task, a message or a timer on the way would otherwise hold the event loop for ever: past this the input is
 * an engine failure, and the instance is set back to its last step.
 */
const MAX_ELEMENTS_PER_INPUT = 1_000;

/** Where the token is: the element it waits in and that element's execution, which names its job, subscription and timers. */
interface Token {
  executionId: string;
  elementId: string;
}

/** What `engineState` holds: the token. An instance that has not started yet (its start failed) has none. */
interface SavedPosition {
  token: Token;
}

/**
 * One process instance: a token moved through the model's flow graph, plus what Zeebe adds on top (jobs,
 * correlated message subscriptions, timers on the engine's clock, FEEL, incidents). The token moves
 * synchronously from an input (a start, a job result, a message, a timer, a retry) until it waits again in a
 * task, a receive task, a catch event or a gateway whose condition failed; the embedded engine then takes
 * `step()` and commits it, so no input is acknowledged before what it caused is on disk.
 *
 * A boundary event's timer and subscription belong to the execution of the activity it is attached to: their
 * execution id is the activity's followed by `/` and the event's id, so leaving the activity drops them.
 */
export class InstanceRuntime {
  readonly variables: JsonObject;
  private token?: Token;
  private readonly jobs = new Map<string, JobRecord>();
  private readonly subscriptions = new Map<string, SubscriptionRecord>();
  private readonly timers = new Map<string, TimerRecord>();
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
  }

  static start(host: RuntimeHost, model: CompiledModel, record: InstanceRecord): InstanceRuntime {
    const runtime = new InstanceRuntime(host, model, record);
    runtime.act(() => runtime.enter(model.startEventId));
    return runtime;
  }

  /**
   * Rebuilds a running instance from its rows; its token waits again where the last step left it. An instance
   * whose start failed (saved without a position) starts again.
   */
  static resume(host: RuntimeHost, model: CompiledModel, stored: StoredInstance): InstanceRuntime {
    const runtime = new InstanceRuntime(host, model, stored.record);
    for (const job of stored.jobs) runtime.jobs.set(job.executionId, job);
    for (const subscription of stored.subscriptions) runtime.subscriptions.set(subscription.executionId, subscription);
    for (const timer of stored.timers) runtime.timers.set(timer.executionId, timer);
    for (const entry of stored.openHistory) runtime.openHistory.set(entry.executionId, entry);
    runtime.incidents = stored.incidents;
    runtime.act(() => {
      const token = savedToken(stored, model);
      if (!token) return runtime.enter(model.startEventId);
      runtime.token = token;
      runtime.dropWhatNothingWaitsFor(token);
      runtime.waitAgain(runtime.node(token.elementId), token.executionId);
    });
    // A message may have been buffered for it while it was stopped in an incident: it looks again.
    runtime.openedSubscriptions.push(...runtime.subscriptions.values());
    return runtime;
  }

  /** A row that belongs to no execution of the token's element is left over from an element already left, and must not be handed out. */
  private dropWhatNothingWaitsFor(token: Token): void {
    this.deleteRows((executionId) => !isWithin(executionId, token.executionId));
  }

  /** Jobs, subscriptions and timers of the executions `which` picks. */
  private deleteRows(which: (executionId: string) => boolean): void {
    for (const rows of [this.jobs, this.subscriptions, this.timers]) {
      for (const executionId of [...rows.keys()]) if (which(executionId)) rows.delete(executionId);
    }
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

  /** Why the token could not go on in the last input, if it could not: the instance must be set back. */
  get engineFailure(): { message: string; elementId: string } | undefined {
    return this.failure;
  }

  /** Runs one input; an exception while it moves the token is an engine failure, never a crash of the whole engine. */
  act(input: () => void): void {
    try {
      input();
    } catch (error) {
      this.failure ??= { message: (error as Error).message, elementId: this.currentElementId };
    }
  }

  // ---- what a step commits

  /** Everything this input changed, for one transaction. Clears what is only written once (history, consumed messages). */
  step(): StepRecord {
    if (this.ended) this.resolveIncidents(() => true);
    const position: SavedPosition | undefined = this.token && { token: this.token };
    const record: InstanceRecord = {
      ...this.record,
      state: this.state,
      variables: this.variables,
      // A failed run has no position worth keeping (only a failed start is ever saved: unstarted).
      engineState: this.ended || this.failure || !position ? null : JSON.stringify(position),
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

  // ---- moving the token

  private node(elementId: string): FlowNode {
    const node = this.model.nodes.get(elementId);
    invariant(node !== undefined, () => `instance ${this.instanceId} reached ${elementId}, which ${this.bpmnProcessId} v${this.version} does not have`);
    return node;
  }

  /** Moves the token into `elementId` and on through every element that does not wait, until one does or the instance ends. */
  private enter(elementId: string): void {
    let next: string | undefined = elementId;
    for (let elements = 0; next !== undefined; elements += 1) {
      if (elements === MAX_ELEMENTS_PER_INPUT) throw new Error(`the token went through ${MAX_ELEMENTS_PER_INPUT} elements without waiting: the model loops`);
      const node = this.node(next);
      const executionId = `${node.id}_${this.host.nextKey()}`;
      this.token = { executionId, elementId: node.id };
      this.currentElementId = node.id;
      this.entered(executionId, node.id);
      next = this.execute(node, executionId);
    }
  }

  /** What entering `node` does: the element to go on to when it completes at once, undefined when it waits (or the instance ended). */
  private execute(node: FlowNode, executionId: string): string | undefined {
    switch (node.behaviour) {
      case 'pass':
        return this.leave(node, executionId);
      case 'gateway':
        return this.chooseFlow(node, executionId);
      case 'job':
      case 'message':
      case 'timer':
        this.waitAgain(node, executionId);
        return undefined;
    }
  }

  /**
   * Sets up what the token waits for in `node`, as far as it is not set up already: a restart (or a retry) runs
   * this again, and a job, a subscription or a timer that exists keeps its key and its due time.
   */
  private waitAgain(node: FlowNode, executionId: string): void {
    if (node.behaviour === 'gateway') return this.proceed(this.chooseFlow(node, executionId));
    invariant(node.behaviour !== 'pass', () => `instance ${this.instanceId} saved its token in ${node.id}, which does not wait`);
    if (node.behaviour === 'job') this.awaitJob(node.id, executionId);
    if (node.behaviour === 'message') this.openSubscription(node.id, executionId, node.messageId!);
    if (node.behaviour === 'timer') this.armTimer(node.id, executionId);
    for (const boundary of node.boundaries) {
      const boundaryExecutionId = `${executionId}/${boundary.id}`;
      if (boundary.trigger === 'timer') this.armTimer(boundary.id, boundaryExecutionId);
      if (boundary.trigger === 'message') this.openSubscription(boundary.id, boundaryExecutionId, boundary.messageId!);
    }
  }

  private proceed(next: string | undefined): void {
    if (next !== undefined) this.enter(next);
  }

  /** The token leaves `node` by its one flow; none (an end event, an implicit end) ends the instance. */
  private leave(node: FlowNode, executionId: string): string | undefined {
    this.left(executionId);
    const [flow] = node.outgoing;
    if (flow) return flow.targetId;
    this.complete();
    return undefined;
  }

  private complete(): void {
    this.token = undefined;
    this.ended = { state: 'completed', atMs: this.host.clockMs() };
  }

  /**
   * An exclusive gateway takes the first flow whose condition holds, else its default flow. A condition whose
   * FEEL fails keeps the token in the gateway in an incident (as in Zeebe) until retry() evaluates it again; no
   * flow to take at all is an engine failure, and the instance is set back to its last step.
   */
  private chooseFlow(node: FlowNode, executionId: string): string | undefined {
    let chosen: OutgoingFlow | undefined;
    for (const flow of node.outgoing) {
      if (flow.condition === undefined || flow.id === node.defaultFlowId) continue;
      const conditionExecutionId = `${executionId}/${flow.id}`;
      try {
        if (evaluateCondition(flow.condition, this.variables)) chosen = flow;
      } catch (error) {
        if (!(error instanceof FeelEvaluationError)) throw error;
        const incident = { kind: 'expression', phase: 'condition', elementId: node.id, message: `${error.message} (on sequence flow ${flow.id})` } as const;
        this.raiseIncident({ ...incident, executionId: conditionExecutionId, expression: flow.condition }, () => this.proceed(this.chooseFlow(node, executionId)));
        return undefined;
      }
      this.succeeded(conditionExecutionId, 'condition');
      if (chosen) break;
    }
    chosen ??= node.outgoing.find((flow) => flow.id === node.defaultFlowId);
    if (!chosen) throw new Error(`no condition on a flow out of gateway ${node.id} holds and it has no default flow`);
    this.left(executionId);
    return chosen.targetId;
  }

  /** An interrupting boundary event of the token's activity takes over: the activity is left, the event is passed, and the token goes on from it. */
  private takeBoundary(boundary: BoundarySpec): void {
    invariant(this.token !== undefined, () => `boundary event ${boundary.id} of instance ${this.instanceId} triggered without a token`);
    const boundaryExecutionId = `${this.token.executionId}/${boundary.id}`;
    this.left(this.token.executionId);
    this.currentElementId = boundary.id;
    this.entered(boundaryExecutionId, boundary.id);
    this.left(boundaryExecutionId);
    if (boundary.outgoing) return this.enter(boundary.outgoing.targetId);
    this.complete();
  }

  /** The token's element completed (its job, its message, its timer): it goes on by the element's flow. */
  private completeWaiting(executionId: string): void {
    invariant(this.token?.executionId === executionId, () => `instance ${this.instanceId} completed ${executionId}, where its token is not`);
    const node = this.node(this.token.elementId);
    this.currentElementId = node.id;
    this.proceed(this.leave(node, executionId));
  }

  private boundaryOf(executionId: string, elementId: string): BoundarySpec {
    invariant(this.token !== undefined && isWithin(executionId, this.token.executionId), () => `instance ${this.instanceId} has no activity under way for ${executionId}`);
    const boundary = this.node(this.token.elementId).boundaries.find((candidate) => candidate.id === elementId);
    invariant(boundary !== undefined, () => `${elementId} is not a boundary event of ${this.token?.elementId}`);
    return boundary;
  }

  private entered(executionId: string, elementId: string): void {
    if (this.openHistory.has(executionId)) return;
    const elementType = this.model.elementTypes.get(elementId) ?? 'unknown';
    const entry: HistoryRecord = { executionId, elementId, elementType, enteredAtMs: this.host.clockMs() };
    this.openHistory.set(executionId, entry);
    this.changedHistory.push(entry);
  }

  /** An element was left (completed or interrupted): what it and its boundary events waited for goes with it. */
  private left(executionId: string): void {
    const entry = this.openHistory.get(executionId);
    if (entry) {
      entry.leftAtMs = this.host.clockMs();
      this.openHistory.delete(executionId);
      if (!this.changedHistory.includes(entry)) this.changedHistory.push(entry);
    }
    this.deleteRows((id) => isWithin(id, executionId));
    this.resolveIncidents((incident) => isWithin(incident.executionId, executionId));
  }

  // ---- jobs

  private awaitJob(elementId: string, executionId: string): void {
    const existing = this.jobs.get(executionId);
    if (!existing) return this.createJob(elementId, executionId);
    // Waited for again after a restart: the job keeps its key; an incident it was in waits for retry() again.
    if (existing.state === 'incident') this.rearmJobIncident(existing);
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
    this.completeWaiting(job.executionId);
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
    const boundary = this.node(job.elementId).boundaries.find((candidate) => candidate.trigger === 'error' && (candidate.errorCode === undefined || candidate.errorCode === error.code));
    if (boundary) {
      Object.assign(this.variables, error.variables);
      return this.takeBoundary(boundary);
    }
    job.state = 'incident';
    job.retriesLeft = 0;
    const message = `the job threw BPMN error ${error.code} (${error.message}) and no error boundary event catches it`;
    this.raiseIncident({ kind: 'unhandled-error', phase: 'job', elementId: job.elementId, executionId: job.executionId, message, jobKey }, () => this.reactivate(job));
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

  private openSubscription(elementId: string, executionId: string, messageId: string): void {
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
      const subscription = { key: this.host.nextKey(), executionId, elementId, messageName: spec.name, correlationKey, openedAtMs: this.host.clockMs() };
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
      this.signalWaiting(subscription.elementId, executionId);
    };
    complete();
  }

  private signalWaiting(elementId: string, executionId: string): void {
    if (executionId === this.token?.executionId) this.completeWaiting(executionId);
    else this.takeBoundary(this.boundaryOf(executionId, elementId));
  }

  // ---- timers

  /** Computes the due time of a timer on the engine clock; a timer already armed (before a restart) keeps the due time it had. */
  private armTimer(elementId: string, executionId: string): void {
    const kept = this.timers.get(executionId);
    if (kept && kept.dueAtMs !== null) return;
    const spec = this.model.timers.get(elementId);
    invariant(spec !== undefined, () => `element ${elementId} waits for a timer the model does not define`);
    const attempt = () => {
      let dueAtMs: number | null = null;
      try {
        dueAtMs = timerDueAtMs(spec.kind, evaluateText(spec.value, this.variables, 'a timer value'), this.host.clockMs());
      } catch (error) {
        if (!(error instanceof FeelEvaluationError || error instanceof InvalidTimerValueError)) throw error;
        const incident = { kind: 'expression', phase: 'timer', elementId, executionId, message: error.message } as const;
        this.raiseIncident({ ...incident, expression: spec.value }, attempt);
      }
      if (dueAtMs !== null) this.succeeded(executionId, 'timer');
      this.timers.set(executionId, { executionId, elementId, dueAtMs });
    };
    attempt();
  }

  /** Fires a due timer; false when it is not due or no longer armed (its element was left meanwhile). */
  fireTimer(executionId: string): boolean {
    const record = this.timers.get(executionId);
    if (!record || record.dueAtMs === null || record.dueAtMs > this.host.clockMs()) return false;
    this.signalWaiting(record.elementId, executionId);
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

/**
 * Where a stored instance's token is. A file written before the engine saved its token (bpmn-engine's state in
 * `engineState`) still tells it: the element whose history entry is open is where the instance waits.
 */
function savedToken(stored: StoredInstance, model: CompiledModel): Token | undefined {
  const { engineState } = stored.record;
  if (engineState === null) return undefined;
  const saved = JSON.parse(engineState) as Partial<SavedPosition>;
  if (saved.token) return saved.token;
  const open = stored.openHistory.filter((entry) => model.nodes.has(entry.elementId));
  if (open.length !== 1) throw new Error(`instance ${stored.record.instanceId} is in ${open.length} elements by its history: where its token is cannot be told`);
  return { executionId: open[0].executionId, elementId: open[0].elementId };
}

/** Whether `executionId` is `scopeExecutionId` or one of its boundary events' or conditions' (`scope/…`). */
function isWithin(executionId: string, scopeExecutionId: string): boolean {
  return executionId === scopeExecutionId || executionId.startsWith(`${scopeExecutionId}/`);
}
