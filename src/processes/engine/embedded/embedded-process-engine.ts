import { checkName, checkedMessage, jsonObject } from '../engine-input';
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { DEFAULT_ZEEBE_TARGET, type ZeebeTarget } from '../lint';
import {
  BpmnError,
  type DeployedModel,
  EngineAtCapacityError,
  EngineClosedError,
  type Incident,
  type InstancePage,
  type InstanceQuery,
  type InstanceView,
  InstanceNotRunningError,
  InvalidEngineInputError,
  type Job,
  type JobHandler,
  type JobWorker,
  type JsonObject,
  type MessagePublication,
  type ModelResource,
  NothingToRetryError,
  PROCESS_ENGINE_LIMITS,
  type ProcessEngine,
  type PublishedMessage,
  type RetryOptions,
  type StartedInstance,
  type StartOptions,
  UnknownInstanceError,
  UnknownProcessError,
  type WorkerOptions,
} from '../process-engine';
import { type IncidentRecord, type InstanceRecord, type StoredInstance, storedWaitsOnlyForInput } from './instance-records';
import { InstanceRuntime, type RetryPolicy, type RuntimeHost } from './instance-runtime';
import { JobDispatcher } from './job-dispatcher';
import { ModelCatalog } from './model-catalog';
import { type EngineCommit, SqliteEngineStore } from './sqlite-engine-store';

/** Where the engine's log lines go; Nest's Logger by default, as the rest of IFW. */
export interface EngineLog {
  log(line: string): void;
  warn(line: string): void;
}

/** Explicit bounds on what the engine holds; beyond them it refuses work (EngineAtCapacityError) instead of growing. */
export interface EmbeddedEngineBounds {
  /**
   * Instances in memory at once (each its variables and its rows): those with a job, an incident or an input
   * under way. A start beyond it is refused; instances waiting only for a message or a timer are kept in
   * the file and do not count. The bound holds starts only: a message or a timer brings its waiting instance
   * back whatever the count, and one it moves to a job stays until the job has run, so many messages at once
   * (a close paying many switches' redemptions) can hold more than this for a while.
   */
  maxInstancesInMemory: number;
  /** Job handlers running at once, over all workers. */
  maxRunningJobs: number;
  /**
   * Jobs waiting for a worker (in the file, not in memory); beyond this new instances are refused, so that work
   * does not pile up while workers are down.
   */
  maxQueuedJobs: number;
  /** Messages buffered for their time to live, waiting for an instance to wait for them. */
  maxBufferedMessages: number;
  /** Instances resumed per turn of the event loop when the engine opens. */
  resumeBatchSize: number;
  /** Due timers fired, and expired messages dropped, per call of runDueTimers(). */
  maxTimersPerTurn: number;
  /** Waiting instances one message is offered to (Zeebe correlates it to one per process). */
  maxSubscriptionsPerMessage: number;
  /** How long a message id is remembered after its message was correlated or buffered (at least its time to live). */
  messageIdRetentionMs: number;
}

/**
 * Times a message looks again for waiting instances to bring into memory before it is correlated: another
 * instance may begin to wait (and leave memory) while the first ones are brought back.
 */
const MAX_ACTIVATION_ROUNDS = 8;

export const DEFAULT_EMBEDDED_ENGINE_BOUNDS: EmbeddedEngineBounds = {
  maxInstancesInMemory: 1_000,
  maxRunningJobs: 64,
  maxQueuedJobs: 100_000,
  maxBufferedMessages: 10_000,
  resumeBatchSize: 100,
  maxTimersPerTurn: 1_000,
  maxSubscriptionsPerMessage: 1_000,
  messageIdRetentionMs: 24 * 3_600_000,
};

export interface EmbeddedEngineOptions {
  /** The SQLite file (created when absent) or ':memory:'. */
  path: string;
  /** Milliseconds since the epoch; injected so that tests move time themselves. */
  clock?: () => number;
  /** When set, runDueTimers() runs on this interval; tests leave it unset and call runDueTimers() after moving the clock. */
  tickIntervalMs?: number;
  lintTarget?: ZeebeTarget;
  bounds?: Partial<EmbeddedEngineBounds>;
  log?: EngineLog;
}

export interface DueWork {
  timersFired: number;
  jobsTimedOut: number;
  messagesExpired: number;
}

/**
 * The ProcessEngine port in this process, persisted in one SQLite file. Each instance is a token run through its
 * model's flow graph (InstanceRuntime); every input moves instances synchronously until they wait again, and the steps
 * they took are committed in one transaction before the input is answered or any job is handed out. On open,
 * the running instances resume from their last step: a job whose task was interrupted runs again with its key.
 */
export class EmbeddedProcessEngine implements ProcessEngine {
  /** Instances in memory: those with a job, an incident or an input under way; the rest wait in the file alone. */
  private readonly runtimes = new Map<string, InstanceRuntime>();
  private readonly activating = new Map<string, Promise<boolean>>();
  private readonly starting = new Map<string, Promise<StartedInstance>>();
  private readonly inProgress = new Set<Promise<unknown>>();
  private readonly dispatcher: JobDispatcher;
  private readonly host: RuntimeHost;
  private lastKey: number;
  private bufferedCount: number;
  private closed = false;
  private ticker?: NodeJS.Timeout;

  private constructor(
    private readonly store: SqliteEngineStore,
    private readonly catalog: ModelCatalog,
    private readonly clock: () => number,
    private readonly bounds: EmbeddedEngineBounds,
    private readonly log: EngineLog,
  ) {
    this.lastKey = store.lastKey();
    this.bufferedCount = store.countBuffered();
    this.host = { clockMs: clock, nextKey: () => String(++this.lastKey), warn: (line) => log.warn(line) };
    this.dispatcher = new JobDispatcher(
      {
        clockMs: clock,
        activatableJobs: (taskType, limit, running, defaultRetries) => this.activatableJobs(taskType, limit, running, defaultRetries),
        jobSucceeded: (job, output, policy) => this.jobSucceeded(job, output, policy),
        jobFailed: (job, error, policy) => this.jobFailed(job, error, policy),
      },
      bounds.maxRunningJobs,
    );
  }

  /** Opens (or creates) the engine's file and resumes its running instances before resolving. */
  static async open(options: EmbeddedEngineOptions): Promise<EmbeddedProcessEngine> {
    const store = SqliteEngineStore.open(options.path);
    const bounds = { ...DEFAULT_EMBEDDED_ENGINE_BOUNDS, ...options.bounds };
    const log = options.log ?? new Logger('ProcessEngine');
    const engine = new EmbeddedProcessEngine(store, new ModelCatalog(store, options.lintTarget ?? DEFAULT_ZEEBE_TARGET), options.clock ?? Date.now, bounds, log);
    try {
      await engine.resumeRunningInstances();
    } catch (error) {
      store.close();
      throw error;
    }
    if (options.tickIntervalMs !== undefined) engine.startTicker(options.tickIntervalMs);
    engine.dispatcher.poke();
    return engine;
  }

  // ---- the port

  async deploy(resources: readonly ModelResource[]): Promise<DeployedModel[]> {
    this.assertOpen();
    return this.catalog.deploy(resources, this.clock);
  }

  async models(): Promise<DeployedModel[]> {
    this.assertOpen();
    return this.catalog.all();
  }

  async startInstance(bpmnProcessId: string, variables: JsonObject = {}, options: StartOptions = {}): Promise<StartedInstance> {
    this.assertOpen();
    const { businessKey } = options;
    checkName(bpmnProcessId, 'a BPMN process id');
    if (businessKey !== undefined) checkName(businessKey, 'a business key');
    const startVariables = jsonObject(variables, 'the start variables');
    const startKey = businessKey === undefined ? undefined : JSON.stringify([bpmnProcessId, businessKey]);
    if (startKey !== undefined && businessKey !== undefined) {
      const existing = this.store.byBusinessKey(bpmnProcessId, businessKey);
      if (existing) return { instanceId: existing.instanceId, bpmnProcessId, version: existing.version, created: false };
      const pending = this.starting.get(startKey);
      if (pending) return pending.then((started) => ({ ...started, created: false }));
    }
    const latest = this.catalog.latest(bpmnProcessId);
    if (!latest) throw new UnknownProcessError(bpmnProcessId);
    if (this.runtimes.size + this.starting.size >= this.bounds.maxInstancesInMemory) {
      throw new EngineAtCapacityError('maxInstancesInMemory', this.bounds.maxInstancesInMemory);
    }
    if (this.store.countQueuedJobs() >= this.bounds.maxQueuedJobs) throw new EngineAtCapacityError('maxQueuedJobs', this.bounds.maxQueuedJobs);
    const started = this.track(this.createInstance(bpmnProcessId, latest.version, startVariables, businessKey));
    if (startKey === undefined) return started;
    this.starting.set(startKey, started);
    return started.finally(() => this.starting.delete(startKey));
  }

  async publishMessage(message: PublishedMessage): Promise<MessagePublication> {
    this.assertOpen();
    const checked = checkedMessage(message);
    // Every instance waiting for it must be in memory when it is correlated, with no wait in between.
    const activated: string[] = [];
    for (let round = 0; round < MAX_ACTIVATION_ROUNDS; round++) {
      const subscribers = this.store.subscriptionsFor(checked.name, checked.correlationKey, this.bounds.maxSubscriptionsPerMessage);
      const away = subscribers.map((subscription) => subscription.instanceId).filter((instanceId) => !this.runtimes.has(instanceId));
      if (away.length === 0) break;
      activated.push(...(await this.activate(away)));
    }
    const publication = this.publishNow(checked);
    this.passivateUnmoved(activated, publication.instanceIds);
    return publication;
  }

  registerWorker(taskType: string, handler: JobHandler, options: WorkerOptions = {}): JobWorker {
    this.assertOpen();
    checkName(taskType, 'a task type');
    return this.dispatcher.register(taskType, handler, options);
  }

  async retry(instanceId: string, options: RetryOptions = {}): Promise<void> {
    this.assertOpen();
    const variables = options.variables && jsonObject(options.variables, 'the retry variables');
    await this.activate([instanceId]);
    const runtime = this.runtimes.get(instanceId);
    if (runtime) {
      let retried = false;
      runtime.act(() => (retried = runtime.retry(variables)));
      if (!retried) throw new NothingToRetryError(instanceId);
      return this.commitSteps([runtime]);
    }
    const stored = this.stoppedInstance(instanceId);
    const engineIncidents = stored.incidents.filter((incident) => incident.phase === 'engine' && incident.resolvedAtMs === undefined);
    if (engineIncidents.length === 0) throw new NothingToRetryError(instanceId);
    for (const incident of engineIncidents) incident.resolvedAtMs = this.clock();
    Object.assign(stored.record.variables, variables);
    await this.track(this.resumeStopped(stored, (resumed) => resumed.retry(undefined)));
  }

  async cancelInstance(instanceId: string): Promise<void> {
    this.assertOpen();
    await this.activate([instanceId]);
    const runtime = this.runtimes.get(instanceId);
    if (runtime) {
      runtime.terminate();
      return this.commitSteps([runtime]);
    }
    const stored = this.stoppedInstance(instanceId);
    for (const incident of stored.incidents) incident.resolvedAtMs ??= this.clock();
    await this.track(this.resumeStopped(stored, (resumed) => resumed.terminate()));
  }

  async instance(instanceId: string): Promise<InstanceView | undefined> {
    this.assertOpen();
    const record = this.store.instanceRecord(instanceId);
    if (!record) return undefined;
    return {
      ...summaryOf(record),
      variables: record.variables,
      currentElements: this.store.openHistory(instanceId).map((entry) => entry.elementId),
      history: this.store.history(instanceId, PROCESS_ENGINE_LIMITS.maxHistoryEntries).map((entry) => ({
        elementId: entry.elementId,
        elementType: entry.elementType,
        enteredAt: new Date(entry.enteredAtMs),
        ...(entry.leftAtMs !== undefined && { leftAt: new Date(entry.leftAtMs) }),
      })),
      incidents: this.store.incidents(instanceId).map(toIncident),
    };
  }

  async instances(query: InstanceQuery): Promise<InstancePage> {
    this.assertOpen();
    const { maxPageSize } = PROCESS_ENGINE_LIMITS;
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > maxPageSize) {
      throw new InvalidEngineInputError(`limit must be a whole number from 1 to ${maxPageSize}`);
    }
    const afterSeq = query.after === undefined ? 0 : Number(query.after);
    if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) throw new InvalidEngineInputError(`"${query.after}" is not a page cursor this engine gave`);
    const listed = this.store.listInstances(query, afterSeq);
    const page = listed.slice(0, query.limit);
    return { instances: page.map((row) => summaryOf(row.record)), ...(listed.length > query.limit && { next: String(page.at(-1)!.seq) }) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ticker) clearInterval(this.ticker);
    this.dispatcher.close();
    await Promise.allSettled([...this.inProgress]);
    this.runtimes.clear();
    this.store.close();
  }

  // ---- the embedded engine's own controls

  /**
   * Fires the timers due on the engine's clock, fails job attempts past their timeout, drops buffered messages
   * whose time to live is over and lets jobs whose back-off has ended be taken again. Production calls it on
   * `tickIntervalMs`; tests call it after moving their clock.
   */
  async runDueTimers(): Promise<DueWork> {
    this.assertOpen();
    const nowMs = this.clock();
    const moved = new Set<InstanceRuntime>();
    const due = this.store.dueTimers(nowMs, this.bounds.maxTimersPerTurn);
    const activated = await this.activate(due.map((timer) => timer.instanceId));
    for (const { instanceId, executionId } of due) {
      const runtime = this.runtimes.get(instanceId);
      if (!runtime) continue;
      let fired = false;
      runtime.act(() => (fired = runtime.fireTimer(executionId)));
      if (fired || runtime.engineFailure) moved.add(runtime);
    }
    if (moved.size > 0) this.commitSteps([...moved]);
    this.passivateUnmoved(activated, [...moved].map((runtime) => runtime.instanceId));
    const jobsTimedOut = this.dispatcher.expireAttempts(nowMs);
    const expired = this.store.expireBuffered(nowMs, this.bounds.maxTimersPerTurn);
    this.bufferedCount -= expired.length;
    for (const message of expired) {
      this.log.log(`message ${message.name} (correlation key ${message.correlationKey}, key ${message.key}) expired after its time to live; no instance waited for it`);
    }
    this.store.forgetMessageIds(nowMs, this.bounds.maxTimersPerTurn);
    this.dispatcher.poke();
    return { timersFired: moved.size, jobsTimedOut, messagesExpired: expired.length };
  }

  /** Resolves once nothing is in progress: no start or resume under way, no job handler running, no dispatch pending. */
  async whenSettled(): Promise<void> {
    for (;;) {
      await Promise.allSettled([...this.inProgress]);
      await this.dispatcher.whenIdle();
      if (this.inProgress.size === 0 && (this.dispatcher.idle || this.closed)) return;
    }
  }

  // ---- instances

  private async createInstance(bpmnProcessId: string, version: number, variables: JsonObject, businessKey?: string): Promise<StartedInstance> {
    const model = await this.catalog.model(bpmnProcessId, version);
    const record: InstanceRecord = {
      instanceId: randomUUID(),
      bpmnProcessId,
      version,
      ...(businessKey !== undefined && { businessKey }),
      state: 'active',
      variables,
      engineState: null,
      startedAtMs: this.clock(),
    };
    const runtime = InstanceRuntime.start(this.host, model, record);
    this.assertOpen();
    this.runtimes.set(record.instanceId, runtime);
    this.commitSteps([runtime], {}, true);
    return { instanceId: record.instanceId, bpmnProcessId, version, created: true };
  }

  private async resumeRunningInstances(): Promise<void> {
    for (let afterSeq = 0; ; ) {
      const batch = this.store.runningInstances(afterSeq, this.bounds.resumeBatchSize);
      if (batch.length === 0) return;
      const resumed: InstanceRuntime[] = [];
      for (const { seq, record } of batch) {
        afterSeq = seq;
        const stored = this.store.load(record.instanceId)!;
        // Set back by an engine failure: it stays stopped until retry(). Waiting for input: it stays in the file.
        if (stored.incidents.some((incident) => incident.phase === 'engine' && incident.resolvedAtMs === undefined)) continue;
        if (storedWaitsOnlyForInput(stored)) continue;
        const runtime = await this.resumeOnOpen(stored);
        if (runtime) resumed.push(runtime);
      }
      this.commitSteps(resumed);
      // One batch per turn: a large file resumes without holding the event loop.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** One instance of the file; one whose model no longer loads stops in an incident instead of failing the open. */
  private async resumeOnOpen(stored: StoredInstance): Promise<InstanceRuntime | undefined> {
    const { instanceId, bpmnProcessId, version } = stored.record;
    let runtime: InstanceRuntime;
    try {
      runtime = InstanceRuntime.resume(this.host, await this.catalog.model(bpmnProcessId, version), stored);
    } catch (error) {
      const message = `version ${version} of ${bpmnProcessId} could not be loaded: ${(error as Error).message}`;
      this.log.warn(`process instance ${instanceId} was not resumed: ${message}`);
      const incident = { key: this.host.nextKey(), kind: 'engine-error', phase: 'engine', elementId: bpmnProcessId, executionId: 'engine', message } as const;
      this.store.setBackToLastStep(instanceId, { ...incident, variables: stored.record.variables, createdAtMs: this.clock() }, this.lastKey);
      return undefined;
    }
    this.runtimes.set(instanceId, runtime);
    return runtime;
  }

  /** An instance that is not in memory because an engine failure stopped it. */
  private stoppedInstance(instanceId: string): StoredInstance {
    const stored = this.store.load(instanceId);
    if (!stored) throw new UnknownInstanceError(instanceId);
    const { state } = stored.record;
    if (state === 'completed' || state === 'terminated') throw new InstanceNotRunningError(instanceId, state);
    return stored;
  }

  private async resumeStopped(stored: StoredInstance, then: (runtime: InstanceRuntime) => void): Promise<void> {
    const model = await this.catalog.model(stored.record.bpmnProcessId, stored.record.version);
    const runtime = InstanceRuntime.resume(this.host, model, stored);
    this.assertOpen();
    this.runtimes.set(stored.record.instanceId, runtime);
    runtime.act(() => then(runtime));
    this.commitSteps([runtime]);
  }

  // ---- instances waiting in the file

  /**
   * Brings back into memory the instances of `instanceIds` that wait in the file alone (once each, however
   * many inputs ask at once); returns those it brought back.
   */
  private async activate(instanceIds: readonly string[]): Promise<string[]> {
    const wanted = [...new Set(instanceIds)].filter((instanceId) => !this.runtimes.has(instanceId));
    const loaded = await Promise.all(wanted.map((instanceId) => this.activateOne(instanceId)));
    return wanted.filter((_, i) => loaded[i]);
  }

  private activateOne(instanceId: string): Promise<boolean> {
    let pending = this.activating.get(instanceId);
    if (!pending) {
      pending = this.track(this.loadWaiting(instanceId)).finally(() => this.activating.delete(instanceId));
      this.activating.set(instanceId, pending);
    }
    return pending;
  }

  private async loadWaiting(instanceId: string): Promise<boolean> {
    const stored = this.store.load(instanceId);
    if (!stored || !storedWaitsOnlyForInput(stored) || this.runtimes.has(instanceId)) return false;
    const { bpmnProcessId, version } = stored.record;
    const runtime = InstanceRuntime.resume(this.host, await this.catalog.model(bpmnProcessId, version), stored);
    if (this.closed || this.runtimes.has(instanceId)) return false;
    this.runtimes.set(instanceId, runtime);
    return true;
  }

  /** Instances brought back for an input that did not move them go back to the file: nothing of theirs changed. */
  private passivateUnmoved(activated: readonly string[], moved: readonly string[]): void {
    for (const instanceId of activated) if (!moved.includes(instanceId)) this.runtimes.delete(instanceId);
  }

  // ---- messages

  private publishNow(message: Required<Omit<PublishedMessage, 'messageId'>> & { messageId?: string }): MessagePublication {
    const nowMs = this.clock();
    const messageKey = this.host.nextKey();
    const { name, correlationKey, messageId, variables, timeToLiveMs } = message;
    if (messageId !== undefined && this.store.isKnownMessageId(name, messageId, nowMs)) return { messageKey, outcome: 'duplicate', instanceIds: [] };
    const rememberMessageId = messageId === undefined ? undefined : { name, messageId, forgetAtMs: nowMs + Math.max(timeToLiveMs, this.bounds.messageIdRetentionMs) };
    const moved = this.correlate(name, correlationKey, variables);
    if (moved.length > 0) {
      this.commitSteps(moved, { rememberMessageId });
      return { messageKey, outcome: 'correlated', instanceIds: moved.map((runtime) => runtime.instanceId) };
    }
    if (timeToLiveMs === 0) {
      this.log.log(`message ${name} (correlation key ${correlationKey}) dropped: no instance waits for it and it has no time to live`);
      return { messageKey, outcome: 'dropped', instanceIds: [] };
    }
    if (this.bufferedCount >= this.bounds.maxBufferedMessages) throw new EngineAtCapacityError('maxBufferedMessages', this.bounds.maxBufferedMessages);
    const bufferMessage = { key: messageKey, name, correlationKey, ...(messageId !== undefined && { messageId }), variables, publishedAtMs: nowMs, expiresAtMs: nowMs + timeToLiveMs };
    this.commitSteps([], { bufferMessage, rememberMessageId });
    this.bufferedCount += 1;
    return { messageKey, outcome: 'buffered', instanceIds: [] };
  }

  /** Delivers to the oldest waiting subscription of each process (Zeebe's rule: one instance per process). */
  private correlate(name: string, correlationKey: string, variables: JsonObject): InstanceRuntime[] {
    const moved: InstanceRuntime[] = [];
    const served = new Set<string>();
    for (const subscription of this.store.subscriptionsFor(name, correlationKey, this.bounds.maxSubscriptionsPerMessage)) {
      if (served.has(subscription.bpmnProcessId)) continue;
      const runtime = this.runtimes.get(subscription.instanceId);
      if (!runtime || !runtime.hasSubscription(subscription.executionId)) continue;
      served.add(subscription.bpmnProcessId);
      runtime.act(() => runtime.deliverMessage(subscription.executionId, variables));
      moved.push(runtime);
    }
    return moved;
  }

  /** A subscription an instance just opened takes a message buffered for it, in the same step. */
  private deliverBuffered(runtime: InstanceRuntime, consumed: Set<string>): void {
    for (let opened = runtime.takeOpenedSubscriptions(); opened.length > 0; opened = runtime.takeOpenedSubscriptions()) {
      for (const subscription of opened) {
        const candidates = this.store.bufferedFor(subscription.messageName, subscription.correlationKey, this.clock(), consumed.size + 1);
        const message = candidates.find((candidate) => !consumed.has(candidate.key));
        if (!message || !runtime.hasSubscription(subscription.executionId)) continue;
        consumed.add(message.key);
        runtime.act(() => runtime.deliverMessage(subscription.executionId, message.variables, message.key));
      }
      if (runtime.engineFailure) return;
    }
  }

  // ---- jobs

  private activatableJobs(taskType: string, limit: number, running: ReadonlySet<string>, defaultRetries: number): Job[] {
    const jobs: Job[] = [];
    for (const { instanceId, job } of this.store.activatableJobs(taskType, this.clock(), limit + running.size)) {
      const runtime = this.runtimes.get(instanceId);
      if (running.has(job.key) || !runtime || jobs.length === limit) continue;
      jobs.push({
        key: job.key,
        type: job.taskType,
        instanceId,
        bpmnProcessId: runtime.bpmnProcessId,
        version: runtime.version,
        elementId: job.elementId,
        variables: runtime.jobVariables(job),
        retriesLeft: job.retriesLeft ?? defaultRetries,
      });
    }
    return jobs;
  }

  private jobSucceeded(job: Job, output: unknown, policy: RetryPolicy): void {
    const runtime = this.runtimeOfActiveJob(job);
    if (!runtime) return;
    let result: JsonObject;
    try {
      result = jsonObject(output, `the result of job ${job.key}`);
    } catch (error) {
      return this.jobFailed(job, error, policy);
    }
    runtime.act(() => runtime.completeJob(job.key, result));
    this.commitSteps([runtime]);
  }

  private jobFailed(job: Job, error: unknown, policy: RetryPolicy): void {
    const runtime = this.runtimeOfActiveJob(job);
    if (!runtime) return;
    if (error instanceof BpmnError) runtime.act(() => runtime.throwBpmnError(job.key, error));
    else runtime.act(() => runtime.failJob(job.key, error instanceof Error ? error.message : String(error), policy));
    this.commitSteps([runtime]);
  }

  /** The runtime of a job still waiting for this attempt's outcome (not cancelled, ended or closed meanwhile). */
  private runtimeOfActiveJob(job: Job): InstanceRuntime | undefined {
    if (this.closed) return undefined;
    const runtime = this.runtimes.get(job.instanceId);
    return runtime?.jobByKey(job.key)?.state === 'activatable' ? runtime : undefined;
  }

  // ---- commits

  /**
   * Commits the steps `runtimes` took, in one transaction, then lets the dispatcher look for the jobs they
   * created. A runtime whose engine failed is not committed: it is set back to its last step, in incident.
   */
  private commitSteps(runtimes: readonly InstanceRuntime[], extra: Omit<EngineCommit, 'steps' | 'lastKey'> = {}, isStart = false): void {
    const consumed = new Set<string>();
    const steps = [];
    const failed: InstanceRuntime[] = [];
    for (const runtime of runtimes) {
      this.deliverBuffered(runtime, consumed);
      if (runtime.engineFailure) failed.push(runtime);
      else steps.push(runtime.step());
    }
    this.store.commit({ ...extra, steps, lastKey: this.lastKey });
    this.bufferedCount -= steps.reduce((sum, step) => sum + step.consumedMessageKeys.length, 0);
    for (const runtime of failed) this.setBack(runtime, isStart);
    for (const runtime of runtimes) {
      if (runtime.state === 'completed' || runtime.state === 'terminated' || runtime.waitsOnlyForInput) this.runtimes.delete(runtime.instanceId);
    }
    this.dispatcher.poke();
  }

  /**
   * The token could not go on (an exception, a gateway with no flow to take, a model that loops): the instance is dropped from
   * memory and its file rows stay as its last step left them, with an incident; retry() resumes from there.
   */
  private setBack(runtime: InstanceRuntime, isStart: boolean): void {
    const failure = runtime.engineFailure!;
    this.runtimes.delete(runtime.instanceId);
    const incident: IncidentRecord = {
      key: this.host.nextKey(),
      kind: 'engine-error',
      phase: 'engine',
      elementId: failure.elementId,
      executionId: 'engine',
      message: failure.message,
      variables: runtime.variables,
      createdAtMs: this.clock(),
    };
    this.log.warn(`process instance ${runtime.instanceId} (${runtime.bpmnProcessId} v${runtime.version}) stopped at ${failure.elementId}: ${failure.message}; set back to its last saved step until retry()`);
    if (!isStart) return this.store.setBackToLastStep(runtime.instanceId, incident, this.lastKey);
    // A start that failed has no step to go back to: it is saved unstarted, and retry() starts it again.
    const step = runtime.step();
    const instance = { ...step.instance, state: 'incident' as const, engineState: null };
    this.store.commit({ steps: [{ ...step, instance, jobs: [], subscriptions: [], timers: [], incidents: [incident], history: [] }], lastKey: this.lastKey });
  }

  // ---- plumbing

  private track<T>(work: Promise<T>): Promise<T> {
    this.inProgress.add(work);
    const done = () => this.inProgress.delete(work);
    work.then(done, done);
    return work;
  }

  private startTicker(intervalMs: number): void {
    if (!Number.isInteger(intervalMs) || intervalMs < 1) throw new InvalidEngineInputError('tickIntervalMs must be a whole number of milliseconds of at least 1');
    this.ticker = setInterval(() => {
      this.runDueTimers().catch((error: Error) => this.log.warn(`due timers were not run: ${error.message}`));
    }, intervalMs);
    this.ticker.unref();
  }

  private assertOpen(): void {
    if (this.closed) throw new EngineClosedError();
  }
}



function summaryOf(record: InstanceRecord) {
  return {
    instanceId: record.instanceId,
    bpmnProcessId: record.bpmnProcessId,
    version: record.version,
    ...(record.businessKey !== undefined && { businessKey: record.businessKey }),
    state: record.state,
    startedAt: new Date(record.startedAtMs),
    ...(record.endedAtMs !== undefined && { endedAt: new Date(record.endedAtMs) }),
  };
}

function toIncident(record: IncidentRecord): Incident {
  return {
    key: record.key,
    kind: record.kind,
    elementId: record.elementId,
    message: record.message,
    ...(record.expression !== undefined && { expression: record.expression }),
    variables: record.variables,
    ...(record.jobKey !== undefined && { jobKey: record.jobKey }),
    createdAt: new Date(record.createdAtMs),
    ...(record.resolvedAtMs !== undefined && { resolvedAt: new Date(record.resolvedAtMs) }),
  };
}
