import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database, { type Database as Db, type Statement } from 'better-sqlite3';
import { type InstanceQuery, type InstanceState, type JsonObject, ProcessEngineError } from '../process-engine';
import type {
  BufferedMessage,
  HistoryRecord,
  IncidentRecord,
  InstanceRecord,
  JobRecord,
  ModelRow,
  StepRecord,
  StoredInstance,
  SubscriptionRecord,
} from './instance-records';

const SCHEMA_VERSION = 1;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS models (
    bpmn_process_id TEXT NOT NULL, version INTEGER NOT NULL, resource_name TEXT NOT NULL, checksum TEXT NOT NULL,
    xml TEXT NOT NULL, deployed_at_ms INTEGER NOT NULL, PRIMARY KEY (bpmn_process_id, version)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS instances (
    seq INTEGER PRIMARY KEY, instance_id TEXT NOT NULL UNIQUE, bpmn_process_id TEXT NOT NULL, version INTEGER NOT NULL,
    business_key TEXT, state TEXT NOT NULL, variables TEXT NOT NULL, engine_state TEXT,
    started_at_ms INTEGER NOT NULL, ended_at_ms INTEGER);
  CREATE UNIQUE INDEX IF NOT EXISTS instances_by_business_key ON instances (bpmn_process_id, business_key) WHERE business_key IS NOT NULL;
  CREATE INDEX IF NOT EXISTS instances_by_state ON instances (state, seq);
  CREATE INDEX IF NOT EXISTS instances_by_process ON instances (bpmn_process_id, seq);
  CREATE TABLE IF NOT EXISTS jobs (
    job_key INTEGER PRIMARY KEY, instance_id TEXT NOT NULL, task_type TEXT NOT NULL, state TEXT NOT NULL,
    retry_at_ms INTEGER NOT NULL, body TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS jobs_to_dispatch ON jobs (task_type, state, retry_at_ms);
  CREATE INDEX IF NOT EXISTS jobs_by_instance ON jobs (instance_id);
  CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state);
  CREATE TABLE IF NOT EXISTS subscriptions (
    subscription_key INTEGER PRIMARY KEY, instance_id TEXT NOT NULL, execution_id TEXT NOT NULL, bpmn_process_id TEXT NOT NULL,
    element_id TEXT NOT NULL, message_name TEXT NOT NULL, correlation_key TEXT NOT NULL, opened_at_ms INTEGER NOT NULL,
    UNIQUE (instance_id, execution_id));
  CREATE INDEX IF NOT EXISTS subscriptions_by_message ON subscriptions (message_name, correlation_key, subscription_key);
  CREATE TABLE IF NOT EXISTS timers (
    instance_id TEXT NOT NULL, execution_id TEXT NOT NULL, element_id TEXT NOT NULL, due_at_ms INTEGER,
    PRIMARY KEY (instance_id, execution_id)) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS timers_by_due ON timers (due_at_ms) WHERE due_at_ms IS NOT NULL;
  CREATE TABLE IF NOT EXISTS incidents (incident_key INTEGER PRIMARY KEY, instance_id TEXT NOT NULL, body TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS incidents_by_instance ON incidents (instance_id);
  CREATE TABLE IF NOT EXISTS history (
    instance_id TEXT NOT NULL, execution_id TEXT NOT NULL, element_id TEXT NOT NULL, element_type TEXT NOT NULL,
    entered_at_ms INTEGER NOT NULL, left_at_ms INTEGER, UNIQUE (instance_id, execution_id));
  CREATE INDEX IF NOT EXISTS history_open ON history (instance_id) WHERE left_at_ms IS NULL;
  CREATE TABLE IF NOT EXISTS buffered_messages (
    message_key INTEGER PRIMARY KEY, name TEXT NOT NULL, correlation_key TEXT NOT NULL, message_id TEXT,
    variables TEXT NOT NULL, published_at_ms INTEGER NOT NULL, expires_at_ms INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS buffered_by_message ON buffered_messages (name, correlation_key, message_key);
  CREATE INDEX IF NOT EXISTS buffered_by_expiry ON buffered_messages (expires_at_ms);
  CREATE TABLE IF NOT EXISTS message_ids (
    name TEXT NOT NULL, message_id TEXT NOT NULL, forget_at_ms INTEGER NOT NULL, PRIMARY KEY (name, message_id)) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS message_ids_by_forget ON message_ids (forget_at_ms);
`;

type InstanceRow = {
  seq: number;
  instance_id: string;
  bpmn_process_id: string;
  version: number;
  business_key: string | null;
  state: InstanceState;
  variables: string;
  engine_state: string | null;
  started_at_ms: number;
  ended_at_ms: number | null;
};

type BufferedRow = {
  message_key: number;
  name: string;
  correlation_key: string;
  message_id: string | null;
  variables: string;
  published_at_ms: number;
  expires_at_ms: number;
};

export class EngineFileTooNewError extends ProcessEngineError {
  readonly code = 'ENGINE_FILE_TOO_NEW';
  constructor(path: string, fileSchema: number, supportedSchema: number) {
    super(`"${path}" has process engine schema ${fileSchema} but this IFW reads up to ${supportedSchema}: upgrade IFW to open it (nothing was changed in the file)`);
  }
}

/** One commit: the steps of the instances one input moved, plus what that input did to the message tables. */
export interface EngineCommit {
  steps: StepRecord[];
  bufferMessage?: BufferedMessage;
  rememberMessageId?: { name: string; messageId: string; forgetAtMs: number };
  lastKey: number;
}

export interface InstanceListing {
  seq: number;
  record: InstanceRecord;
}

/**
 * The embedded engine's file: SQLite in WAL mode with synchronous=FULL, because a step the engine has
 * acknowledged (a job handed to a worker, a message accepted) must survive a power cut, not only a crash.
 * Every step commits in one transaction; the rows of an instance are rewritten whole, which keeps them exactly
 * as its runtime holds them (an instance has a handful of jobs, subscriptions and timers at a time).
 */
export class SqliteEngineStore {
  private readonly statements: ReturnType<typeof prepareStatements>;

  private constructor(private readonly db: Db) {
    this.statements = prepareStatements(db);
  }

  static open(path: string): SqliteEngineStore {
    const inMemory = path === ':memory:';
    if (!inMemory) mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    try {
      db.pragma('busy_timeout = 5000');
      if (!inMemory) db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      const fileVersion = db.pragma('user_version', { simple: true }) as number;
      if (fileVersion > SCHEMA_VERSION) throw new EngineFileTooNewError(path, fileVersion, SCHEMA_VERSION);
      db.exec(SCHEMA);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
      return new SqliteEngineStore(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  lastKey(): number {
    return this.statements.selectLastKey.get()?.value ?? 0;
  }

  /** One transaction: a deploy of several files adds all their versions or none. */
  insertModels(rows: readonly ModelRow[]): void {
    this.db.transaction(() => {
      for (const row of rows) this.statements.insertModel.run(row.bpmnProcessId, row.version, row.resourceName, row.checksum, row.xml, row.deployedAtMs);
    }).immediate();
  }

  models(): ModelRow[] {
    return this.statements.selectModels.all().map(toModelRow);
  }

  commit(commit: EngineCommit): void {
    const s = this.statements;
    this.db.transaction(() => {
      for (const step of commit.steps) this.writeStep(step);
      if (commit.bufferMessage) {
        const m = commit.bufferMessage;
        s.insertBuffered.run(Number(m.key), m.name, m.correlationKey, m.messageId ?? null, JSON.stringify(m.variables), m.publishedAtMs, m.expiresAtMs);
      }
      const remembered = commit.rememberMessageId;
      if (remembered) s.insertMessageId.run(remembered.name, remembered.messageId, remembered.forgetAtMs);
      s.upsertLastKey.run(commit.lastKey);
    }).immediate();
  }

  private writeStep(step: StepRecord): void {
    const s = this.statements;
    const r = step.instance;
    s.upsertInstance.run(r.instanceId, r.bpmnProcessId, r.version, r.businessKey ?? null, r.state, JSON.stringify(r.variables), r.engineState, r.startedAtMs, r.endedAtMs ?? null);
    s.deleteJobs.run(r.instanceId);
    for (const job of step.jobs) s.insertJob.run(Number(job.key), r.instanceId, job.taskType, job.state, job.retryAtMs, JSON.stringify(job));
    s.deleteSubscriptions.run(r.instanceId);
    for (const sub of step.subscriptions) {
      s.insertSubscription.run(Number(sub.key), r.instanceId, sub.executionId, r.bpmnProcessId, sub.elementId, sub.messageName, sub.correlationKey, sub.openedAtMs);
    }
    s.deleteTimers.run(r.instanceId);
    for (const timer of step.timers) s.insertTimer.run(r.instanceId, timer.executionId, timer.elementId, timer.dueAtMs);
    s.deleteIncidents.run(r.instanceId);
    for (const incident of step.incidents) s.insertIncident.run(Number(incident.key), r.instanceId, JSON.stringify(incident));
    for (const entry of step.history) {
      s.upsertHistory.run(r.instanceId, entry.executionId, entry.elementId, entry.elementType, entry.enteredAtMs, entry.leftAtMs ?? null);
    }
    for (const key of step.consumedMessageKeys) s.deleteBuffered.run(Number(key));
  }

  /** Marks an instance in incident without touching its other rows: they stay as its last good step left them. */
  setBackToLastStep(instanceId: string, incident: IncidentRecord, lastKey: number): void {
    this.db.transaction(() => {
      this.statements.insertIncident.run(Number(incident.key), instanceId, JSON.stringify(incident));
      this.statements.updateState.run('incident', instanceId);
      this.statements.upsertLastKey.run(lastKey);
    }).immediate();
  }

  load(instanceId: string): StoredInstance | undefined {
    const s = this.statements;
    const row = s.selectInstance.get(instanceId);
    if (!row) return undefined;
    return {
      record: toInstanceRecord(row),
      jobs: s.selectJobs.all(instanceId).map((j) => JSON.parse(j.body) as JobRecord),
      subscriptions: s.selectSubscriptions.all(instanceId).map(toSubscription),
      timers: s.selectTimers.all(instanceId).map((t) => ({ executionId: t.execution_id, elementId: t.element_id, dueAtMs: t.due_at_ms })),
      incidents: s.selectIncidents.all(instanceId).map((i) => JSON.parse(i.body) as IncidentRecord),
      openHistory: s.selectOpenHistory.all(instanceId).map(toHistory),
    };
  }

  instanceRecord(instanceId: string): InstanceRecord | undefined {
    const row = this.statements.selectInstance.get(instanceId);
    return row && toInstanceRecord(row);
  }

  byBusinessKey(bpmnProcessId: string, businessKey: string): InstanceRecord | undefined {
    const row = this.statements.selectByBusinessKey.get(bpmnProcessId, businessKey);
    return row && toInstanceRecord(row);
  }

  /** Running instances (active or in incident) after `afterSeq`, in start order. */
  runningInstances(afterSeq: number, limit: number): InstanceListing[] {
    return this.statements.selectRunning.all(afterSeq, limit).map((row) => ({ seq: row.seq, record: toInstanceRecord(row) }));
  }

  countRunning(): number {
    return this.statements.countRunning.get()?.count ?? 0;
  }

  history(instanceId: string, limit: number): HistoryRecord[] {
    return this.statements.selectHistory.all(instanceId, limit).map(toHistory).reverse();
  }

  incidents(instanceId: string): IncidentRecord[] {
    return this.statements.selectIncidents.all(instanceId).map((i) => JSON.parse(i.body) as IncidentRecord);
  }

  listInstances(query: InstanceQuery, afterSeq: number): InstanceListing[] {
    const where: string[] = ['seq > ?'];
    const params: unknown[] = [afterSeq];
    if (query.bpmnProcessId !== undefined) {
      where.push('bpmn_process_id = ?');
      params.push(query.bpmnProcessId);
    }
    if (query.state !== undefined) {
      where.push('state = ?');
      params.push(query.state);
    }
    if (query.businessKeyPrefix !== undefined) {
      where.push("business_key LIKE ? ESCAPE '\\'");
      params.push(`${query.businessKeyPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    const sql = `SELECT * FROM instances WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`;
    const rows = this.db.prepare<unknown[], InstanceRow>(sql).all(...params, query.limit + 1);
    return rows.map((row) => ({ seq: row.seq, record: toInstanceRecord(row) }));
  }

  /** Jobs waiting for a worker, whatever their type. */
  countQueuedJobs(): number {
    return this.statements.countQueuedJobs.get()?.count ?? 0;
  }

  /** Jobs of `taskType` a worker may take now, oldest first. */
  activatableJobs(taskType: string, nowMs: number, limit: number): { instanceId: string; job: JobRecord }[] {
    return this.statements.selectActivatable.all(taskType, nowMs, limit).map((row) => ({ instanceId: row.instance_id, job: JSON.parse(row.body) as JobRecord }));
  }

  /** Timers due at `nowMs`, soonest first. */
  dueTimers(nowMs: number, limit: number): { instanceId: string; executionId: string }[] {
    return this.statements.selectDueTimers.all(nowMs, limit).map((row) => ({ instanceId: row.instance_id, executionId: row.execution_id }));
  }

  /** Open subscriptions for a message, oldest first. */
  subscriptionsFor(name: string, correlationKey: string, limit: number): { instanceId: string; bpmnProcessId: string; executionId: string }[] {
    return this.statements.selectSubscriptionsFor
      .all(name, correlationKey, limit)
      .map((row) => ({ instanceId: row.instance_id, bpmnProcessId: row.bpmn_process_id, executionId: row.execution_id }));
  }

  /** The oldest unexpired buffered messages for a subscription. */
  bufferedFor(name: string, correlationKey: string, nowMs: number, limit: number): BufferedMessage[] {
    return this.statements.selectBufferedFor.all(name, correlationKey, nowMs, limit).map(toBuffered);
  }

  /** Entered and not left: where the instance is now. */
  openHistory(instanceId: string): HistoryRecord[] {
    return this.statements.selectOpenHistory.all(instanceId).map(toHistory);
  }

  countBuffered(): number {
    return this.statements.countBuffered.get()?.count ?? 0;
  }

  /** Deletes up to `limit` buffered messages whose time to live has passed and returns them. */
  expireBuffered(nowMs: number, limit: number): BufferedMessage[] {
    return this.db
      .transaction(() => {
        const rows = this.statements.selectExpired.all(nowMs, limit);
        for (const row of rows) this.statements.deleteBuffered.run(row.message_key);
        return rows.map(toBuffered);
      })
      .immediate();
  }

  isKnownMessageId(name: string, messageId: string, nowMs: number): boolean {
    return this.statements.selectMessageId.get(name, messageId, nowMs) !== undefined;
  }

  forgetMessageIds(nowMs: number, limit: number): number {
    return this.statements.deleteForgottenIds.run(nowMs, limit).changes;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function prepareStatements(db: Db) {
  const all = <P extends unknown[], R>(sql: string): Statement<P, R> => db.prepare<P, R>(sql);
  return {
    selectLastKey: all<[], { value: number }>("SELECT value FROM meta WHERE name = 'last_key'"),
    upsertLastKey: all<[number], unknown>(
      "INSERT INTO meta (name, value) VALUES ('last_key', ?) ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)",
    ),
    insertModel: all<[string, number, string, string, string, number], unknown>(
      'INSERT INTO models (bpmn_process_id, version, resource_name, checksum, xml, deployed_at_ms) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    selectModels: all<[], Record<string, string | number>>('SELECT * FROM models ORDER BY bpmn_process_id, version'),
    upsertInstance: all<[string, string, number, string | null, string, string, string | null, number, number | null], unknown>(
      `INSERT INTO instances (instance_id, bpmn_process_id, version, business_key, state, variables, engine_state, started_at_ms, ended_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (instance_id) DO UPDATE SET state = excluded.state,
       variables = excluded.variables, engine_state = excluded.engine_state, ended_at_ms = excluded.ended_at_ms`,
    ),
    updateState: all<[string, string], unknown>('UPDATE instances SET state = ? WHERE instance_id = ?'),
    selectInstance: all<[string], InstanceRow>('SELECT * FROM instances WHERE instance_id = ?'),
    selectByBusinessKey: all<[string, string], InstanceRow>('SELECT * FROM instances WHERE bpmn_process_id = ? AND business_key = ?'),
    selectRunning: all<[number, number], InstanceRow>("SELECT * FROM instances WHERE state IN ('active', 'incident') AND seq > ? ORDER BY seq LIMIT ?"),
    countRunning: all<[], { count: number }>("SELECT count(*) AS count FROM instances WHERE state IN ('active', 'incident')"),
    deleteJobs: all<[string], unknown>('DELETE FROM jobs WHERE instance_id = ?'),
    insertJob: all<[number, string, string, string, number, string], unknown>(
      'INSERT INTO jobs (job_key, instance_id, task_type, state, retry_at_ms, body) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    countQueuedJobs: all<[], { count: number }>("SELECT count(*) AS count FROM jobs WHERE state = 'activatable'"),
    selectJobs: all<[string], { body: string }>('SELECT body FROM jobs WHERE instance_id = ? ORDER BY job_key'),
    selectActivatable: all<[string, number, number], { instance_id: string; body: string }>(
      "SELECT instance_id, body FROM jobs WHERE task_type = ? AND state = 'activatable' AND retry_at_ms <= ? ORDER BY job_key LIMIT ?",
    ),
    deleteSubscriptions: all<[string], unknown>('DELETE FROM subscriptions WHERE instance_id = ?'),
    insertSubscription: all<[number, string, string, string, string, string, string, number], unknown>(
      `INSERT INTO subscriptions (subscription_key, instance_id, execution_id, bpmn_process_id, element_id, message_name, correlation_key, opened_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    selectSubscriptions: all<[string], Record<string, string | number>>('SELECT * FROM subscriptions WHERE instance_id = ? ORDER BY subscription_key'),
    selectSubscriptionsFor: all<[string, string, number], { instance_id: string; bpmn_process_id: string; execution_id: string }>(
      'SELECT instance_id, bpmn_process_id, execution_id FROM subscriptions WHERE message_name = ? AND correlation_key = ? ORDER BY subscription_key LIMIT ?',
    ),
    deleteTimers: all<[string], unknown>('DELETE FROM timers WHERE instance_id = ?'),
    insertTimer: all<[string, string, string, number | null], unknown>('INSERT INTO timers (instance_id, execution_id, element_id, due_at_ms) VALUES (?, ?, ?, ?)'),
    selectTimers: all<[string], { execution_id: string; element_id: string; due_at_ms: number | null }>('SELECT * FROM timers WHERE instance_id = ?'),
    selectDueTimers: all<[number, number], { instance_id: string; execution_id: string }>(
      'SELECT instance_id, execution_id FROM timers WHERE due_at_ms IS NOT NULL AND due_at_ms <= ? ORDER BY due_at_ms LIMIT ?',
    ),
    deleteIncidents: all<[string], unknown>('DELETE FROM incidents WHERE instance_id = ?'),
    insertIncident: all<[number, string, string], unknown>('INSERT INTO incidents (incident_key, instance_id, body) VALUES (?, ?, ?)'),
    selectIncidents: all<[string], { body: string }>('SELECT body FROM incidents WHERE instance_id = ? ORDER BY incident_key'),
    upsertHistory: all<[string, string, string, string, number, number | null], unknown>(
      `INSERT INTO history (instance_id, execution_id, element_id, element_type, entered_at_ms, left_at_ms) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (instance_id, execution_id) DO UPDATE SET left_at_ms = excluded.left_at_ms`,
    ),
    selectOpenHistory: all<[string], Record<string, string | number | null>>(
      'SELECT * FROM history WHERE instance_id = ? AND left_at_ms IS NULL ORDER BY rowid',
    ),
    selectHistory: all<[string, number], Record<string, string | number | null>>('SELECT * FROM history WHERE instance_id = ? ORDER BY rowid DESC LIMIT ?'),
    insertBuffered: all<[number, string, string, string | null, string, number, number], unknown>(
      `INSERT INTO buffered_messages (message_key, name, correlation_key, message_id, variables, published_at_ms, expires_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    selectBufferedFor: all<[string, string, number, number], BufferedRow>(
      'SELECT * FROM buffered_messages WHERE name = ? AND correlation_key = ? AND expires_at_ms > ? ORDER BY message_key LIMIT ?',
    ),
    selectExpired: all<[number, number], BufferedRow>('SELECT * FROM buffered_messages WHERE expires_at_ms <= ? ORDER BY expires_at_ms LIMIT ?'),
    deleteBuffered: all<[number], unknown>('DELETE FROM buffered_messages WHERE message_key = ?'),
    countBuffered: all<[], { count: number }>('SELECT count(*) AS count FROM buffered_messages'),
    insertMessageId: all<[string, string, number], unknown>(
      'INSERT INTO message_ids (name, message_id, forget_at_ms) VALUES (?, ?, ?) ON CONFLICT (name, message_id) DO UPDATE SET forget_at_ms = excluded.forget_at_ms',
    ),
    selectMessageId: all<[string, string, number], { found: number }>('SELECT 1 AS found FROM message_ids WHERE name = ? AND message_id = ? AND forget_at_ms > ?'),
    deleteForgottenIds: all<[number, number], unknown>(
      'DELETE FROM message_ids WHERE (name, message_id) IN (SELECT name, message_id FROM message_ids WHERE forget_at_ms <= ? LIMIT ?)',
    ),
  };
}

function toInstanceRecord(row: InstanceRow): InstanceRecord {
  return {
    instanceId: row.instance_id,
    bpmnProcessId: row.bpmn_process_id,
    version: row.version,
    ...(row.business_key !== null && { businessKey: row.business_key }),
    state: row.state,
    variables: JSON.parse(row.variables) as JsonObject,
    engineState: row.engine_state,
    startedAtMs: row.started_at_ms,
    ...(row.ended_at_ms !== null && { endedAtMs: row.ended_at_ms }),
  };
}

function toModelRow(row: Record<string, string | number>): ModelRow {
  return {
    bpmnProcessId: row.bpmn_process_id as string,
    version: row.version as number,
    resourceName: row.resource_name as string,
    checksum: row.checksum as string,
    xml: row.xml as string,
    deployedAtMs: row.deployed_at_ms as number,
  };
}

function toSubscription(row: Record<string, string | number>): SubscriptionRecord {
  return {
    key: String(row.subscription_key),
    executionId: row.execution_id as string,
    elementId: row.element_id as string,
    messageName: row.message_name as string,
    correlationKey: row.correlation_key as string,
    openedAtMs: row.opened_at_ms as number,
  };
}

function toHistory(row: Record<string, string | number | null>): HistoryRecord {
  return {
    executionId: row.execution_id as string,
    elementId: row.element_id as string,
    elementType: row.element_type as string,
    enteredAtMs: row.entered_at_ms as number,
    ...(row.left_at_ms !== null && { leftAtMs: row.left_at_ms as number }),
  };
}

function toBuffered(row: BufferedRow): BufferedMessage {
  return {
    key: String(row.message_key),
    name: row.name,
    correlationKey: row.correlation_key,
    ...(row.message_id !== null && { messageId: row.message_id }),
    variables: JSON.parse(row.variables) as JsonObject,
    publishedAtMs: row.published_at_ms,
    expiresAtMs: row.expires_at_ms,
  };
}
