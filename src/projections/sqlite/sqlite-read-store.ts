import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database, { type Database as Db, type Statement } from 'better-sqlite3';
import type { JsonObject, JsonValue } from '../../eventstore';
import { invariant } from '../../invariant';
import {
  type Batch,
  COLLECTION_NAME,
  type CollectionSpec,
  FIELD_PATH,
  type FindQuery,
  InvalidQueryError,
  type Lease,
  LeaseLostError,
  READ_STORE_LIMITS,
  type ReadStore,
  type StoredDoc,
  sortFields,
} from '../read-store';

type DocRow = { id: string; position: bigint; body: string };

/** Prepared find statements kept per store; queries are built from a few shapes, so this bound is never reached in practice. */
const MAX_CACHED_QUERIES = 256;

/**
 * The embedded read store: one SQLite file, a table per collection (`id`, `position`, JSON `body`), indexes
 * on JSON expressions of the declared fields. A batch's documents and checkpoints commit in one transaction,
 * so a crash leaves either all of a batch or none of it. Read models are derived from the log and can be
 * rebuilt, so commits use synchronous=NORMAL: a power cut may lose the last batches, never split one.
 */
export class SqliteReadStore implements ReadStore {
  private readonly upserts = new Map<string, { statement: Statement<unknown[]>; fields: readonly string[] }>();
  /** Per collection, the body fields kept in columns of their own (`k_<field>`), read from the table itself. */
  private readonly keyFields = new Map<string, readonly string[]>();
  private readonly gets = new Map<string, Statement<[string], DocRow>>();
  private readonly finds = new Map<string, Statement<unknown[], DocRow>>();
  private readonly known = new Set<string>();
  private readonly upsertCheckpoint: Statement<[string, bigint]>;
  private readonly selectCheckpoint: Statement<[string], { position: bigint }>;
  private readonly upsertRecord: Statement<[string, string]>;
  private readonly selectRecord: Statement<[string], { value: string }>;
  private readonly selectLease: Statement<[string], { owner: string; expires_at: bigint }>;
  private readonly upsertLease: Statement<[string, string, number]>;
  private readonly deleteLease: Statement<[string, string]>;

  private constructor(private readonly db: Db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS _checkpoints (key TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS _records (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS _leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
    `);
    this.upsertCheckpoint = db.prepare(
      'INSERT INTO _checkpoints (key, position) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET position = excluded.position WHERE excluded.position > _checkpoints.position',
    );
    this.selectCheckpoint = db.prepare<[string], { position: bigint }>('SELECT position FROM _checkpoints WHERE key = ?').safeIntegers(true);
    this.upsertRecord = db.prepare('INSERT INTO _records (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.selectRecord = db.prepare('SELECT value FROM _records WHERE key = ?');
    this.selectLease = db.prepare<[string], { owner: string; expires_at: bigint }>('SELECT owner, expires_at FROM _leases WHERE name = ?').safeIntegers(true);
    this.upsertLease = db.prepare(
      'INSERT INTO _leases (name, owner, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at',
    );
    this.deleteLease = db.prepare('DELETE FROM _leases WHERE name = ? AND owner = ?');
  }

  /** `path` is a file path or ':memory:'. */
  static open(path: string): SqliteReadStore {
    const inMemory = path === ':memory:';
    if (!inMemory) mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    try {
      db.pragma('busy_timeout = 5000');
      // The parties read model holds personal details in the clear: a document overwritten by an erasure must
      // not leave them in the page it freed. FAST zeroes them where that costs no extra write.
      db.pragma('secure_delete = FAST');
      if (!inMemory) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        // Read models are rewritten document by document all over the file: a page cache of 256 MiB keeps a
        // rebuild from re-reading the same pages through the operating system at every batch.
        db.pragma('cache_size = -262144');
      }
      return new SqliteReadStore(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  async ensureCollections(specs: readonly CollectionSpec[], options: { indexes: boolean } = { indexes: true }): Promise<void> {
    this.db.transaction(() => {
      for (const spec of specs) {
        const table = tableOf(spec.name);
        const fields = [...new Set(spec.indexes.flat().filter((f) => f !== 'id'))];
        const keyColumns = fields.map((f) => `, ${columnOf(f)}`).join('');
        this.db.exec(`CREATE TABLE IF NOT EXISTS ${table} (id TEXT PRIMARY KEY, position INTEGER NOT NULL, body TEXT NOT NULL${keyColumns})`);
        this.keyFields.delete(spec.name);
        // A collection that gains an index gains its columns, filled from the documents already there.
        const existing = new Set(this.fieldsOf(spec.name));
        for (const field of fields.filter((f) => !existing.has(f))) {
          this.db.exec(`ALTER TABLE ${table} ADD COLUMN ${columnOf(field)}`);
          this.db.exec(`UPDATE ${table} SET ${columnOf(field)} = json_extract(body, '$.${field}')`);
        }
        if (options.indexes) spec.indexes.forEach((index, i) => {
          const columns = [...index.filter((f) => f !== 'id').map(columnOf), 'id'].join(', ');
          this.db.exec(`CREATE INDEX IF NOT EXISTS "i_${spec.name}_${i}" ON ${table} (${columns})`);
        });
        this.known.add(spec.name);
        this.keyFields.delete(spec.name);
        this.upserts.delete(spec.name);
      }
      this.finds.clear();
    }).immediate();
  }

  async dropCollections(names: readonly string[]): Promise<void> {
    this.db.transaction(() => {
      for (const name of names) {
        this.db.exec(`DROP TABLE IF EXISTS ${tableOf(name)}`);
        this.known.delete(name);
        this.upserts.delete(name);
        this.gets.delete(name);
        this.keyFields.delete(name);
      }
      this.finds.clear();
    }).immediate();
  }

  async get(collection: string, id: string): Promise<StoredDoc | undefined> {
    const row = this.getStatement(collection)?.get(id);
    return row && toDoc(row);
  }

  async getMany(collection: string, ids: readonly string[]): Promise<Map<string, StoredDoc>> {
    invariant(ids.length <= READ_STORE_LIMITS.maxIdsPerGet, () => `getMany of ${ids.length} ids; at most ${READ_STORE_LIMITS.maxIdsPerGet}`);
    const found = new Map<string, StoredDoc>();
    const statement = this.getStatement(collection);
    if (!statement) return found;
    for (const id of ids) {
      const row = statement.get(id);
      if (row) found.set(id, toDoc(row));
    }
    return found;
  }

  async find(collection: string, query: FindQuery): Promise<StoredDoc[]> {
    if (!this.exists(collection)) return [];
    const { sql, params } = buildFind(tableOf(collection), query, new Set(this.fieldsOf(collection)));
    let statement = this.finds.get(sql);
    if (!statement) {
      if (this.finds.size >= MAX_CACHED_QUERIES) this.finds.delete(this.finds.keys().next().value!);
      statement = this.db.prepare<unknown[], DocRow>(sql).safeIntegers(true);
      this.finds.set(sql, statement);
    }
    return statement.all(...params).map(toDoc);
  }

  async commit(batch: Batch): Promise<void> {
    invariant(batch.writes.length <= READ_STORE_LIMITS.maxWritesPerBatch, () => `a batch of ${batch.writes.length} writes; at most ${READ_STORE_LIMITS.maxWritesPerBatch}`);
    this.db.transaction(() => {
      for (const claim of batch.leases ?? []) {
        if (this.selectLease.get(claim.name)?.owner !== claim.owner) throw new LeaseLostError(claim);
      }
      for (const write of batch.writes) {
        const { statement, fields } = this.upsertStatement(write.collection);
        statement.run(write.id, write.position, JSON.stringify(write.body), ...fields.map((f) => columnValue(write.body, f)));
      }
      for (const { key, position } of batch.checkpoints) this.upsertCheckpoint.run(key, position);
    }).immediate();
  }

  async checkpoint(key: string): Promise<bigint | undefined> {
    return this.selectCheckpoint.get(key)?.position;
  }

  async setRecord(key: string, value: JsonObject): Promise<void> {
    this.upsertRecord.run(key, JSON.stringify(value));
  }

  async getRecord(key: string): Promise<JsonObject | undefined> {
    const row = this.selectRecord.get(key);
    return row && (JSON.parse(row.value) as JsonObject);
  }

  async claimLease(name: string, owner: string, nowMs: number, ttlMs: number): Promise<Lease> {
    return this.db.transaction((): Lease => {
      const current = this.selectLease.get(name);
      if (current && current.owner !== owner && Number(current.expires_at) > nowMs) {
        return { name, owner: current.owner, expiresAtMs: Number(current.expires_at) };
      }
      this.upsertLease.run(name, owner, nowMs + ttlMs);
      return { name, owner, expiresAtMs: nowMs + ttlMs };
    }).immediate();
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    this.deleteLease.run(name, owner);
  }

  async lease(name: string): Promise<Lease | undefined> {
    const row = this.selectLease.get(name);
    return row && { name, owner: row.owner, expiresAtMs: Number(row.expires_at) };
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private exists(collection: string): boolean {
    if (this.known.has(collection)) return true;
    const row = this.db.prepare("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ?").get(`c_${collection}`);
    if (row) this.known.add(collection);
    return row !== undefined;
  }

  private getStatement(collection: string): Statement<[string], DocRow> | undefined {
    let statement = this.gets.get(collection);
    if (!statement && this.exists(collection)) {
      statement = this.db.prepare<[string], DocRow>(`SELECT id, position, body FROM ${tableOf(collection)} WHERE id = ?`).safeIntegers(true);
      this.gets.set(collection, statement);
    }
    return statement;
  }

  private upsertStatement(collection: string): { statement: Statement<unknown[]>; fields: readonly string[] } {
    let upsert = this.upserts.get(collection);
    if (!upsert) {
      invariant(this.exists(collection), () => `a write to collection ${collection}, which was never created`);
      const table = tableOf(collection);
      const fields = this.fieldsOf(collection);
      const columns = ['id', 'position', 'body', ...fields.map(columnOf)];
      const updates = columns.slice(1).map((c) => `${c} = excluded.${c}`).join(', ');
      const statement = this.db.prepare<unknown[]>(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
         ON CONFLICT (id) DO UPDATE SET ${updates} WHERE excluded.position > ${table}.position`,
      );
      upsert = { statement, fields };
      this.upserts.set(collection, upsert);
    }
    return upsert;
  }

  /** The fields kept in columns of their own, as the table was created (also by another process). */
  private fieldsOf(collection: string): readonly string[] {
    let fields = this.keyFields.get(collection);
    if (!fields) {
      const columns = this.db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('c_${collection}')`).all();
      fields = columns.filter((c) => c.name.startsWith('k_')).map((c) => c.name.slice(2).replaceAll('__', '.'));
      this.keyFields.set(collection, fields);
    }
    return fields;
  }
}

function tableOf(collection: string): string {
  if (!COLLECTION_NAME.test(collection)) throw new InvalidQueryError(`"${collection}" is not a collection name (lower-case letters, digits, underscores)`);
  return `"c_${collection}"`;
}

/**
 * Indexed fields live in columns of their own, copied from the body at each write, so neither a write nor an
 * indexed query parses the document; other fields are read from the JSON.
 */
function expressionOf(field: string, keyFields: ReadonlySet<string> = new Set()): string {
  if (field === 'id') return 'id';
  if (!FIELD_PATH.test(field)) throw new InvalidQueryError(`"${field}" is not a field path`);
  return keyFields.has(field) ? columnOf(field) : `json_extract(body, '$.${field}')`;
}

function columnOf(field: string): string {
  if (!FIELD_PATH.test(field)) throw new InvalidQueryError(`"${field}" is not a field path`);
  return `"k_${field.replaceAll('.', '__')}"`;
}

/** The value of a field path as SQLite stores what json_extract would return for it. */
function columnValue(body: JsonObject, field: string): unknown {
  let value: JsonValue | undefined = body;
  for (const part of field.split('.')) value = value !== null && typeof value === 'object' && !Array.isArray(value) ? value[part] : undefined;
  if (value === undefined || value === null) return null;
  if (typeof value === 'object') return JSON.stringify(value);
  return bindable(value);
}

/** better-sqlite3 binds no booleans; JSON booleans are stored by json_extract as 1 and 0. */
function bindable(value: JsonValue): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value !== null && typeof value === 'object') throw new InvalidQueryError('a condition compares with a string, number, boolean or null');
  return value;
}

function buildFind(table: string, query: FindQuery, keyFields: ReadonlySet<string>): { sql: string; params: unknown[] } {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > READ_STORE_LIMITS.maxPageSize) {
    throw new InvalidQueryError(`limit must be an integer from 1 to ${READ_STORE_LIMITS.maxPageSize}`);
  }
  const clauses: string[] = [];
  const params: unknown[] = [];
  for (const [field, condition] of Object.entries(query.where ?? {})) {
    const expression = expressionOf(field, keyFields);
    if ('eq' in condition) {
      if (condition.eq === null) clauses.push(`${expression} IS NULL`);
      else {
        clauses.push(`${expression} = ?`);
        params.push(bindable(condition.eq));
      }
    } else if ('contains' in condition) {
      clauses.push(`instr(lower(${expression}), lower(?)) > 0`);
      params.push(condition.contains);
    } else {
      for (const [operator, bound] of [['>=', condition.gte], ['<=', condition.lte]] as const) {
        if (bound === undefined) continue;
        clauses.push(`${expression} ${operator} ?`);
        params.push(bound);
      }
    }
  }
  const order = sortFields(query.orderBy).map((field) => expressionOf(field, keyFields));
  const direction = query.direction === 'desc' ? 'DESC' : 'ASC';
  if (query.after) {
    if (query.after.length !== order.length) throw new InvalidQueryError(`after needs ${order.length} values, one per sort field`);
    clauses.push(`(${order.join(', ')}) ${direction === 'ASC' ? '>' : '<'} (${order.map(() => '?').join(', ')})`);
    params.push(...query.after.map(bindable));
  }
  const where = clauses.length > 0 ? ` WHERE ${clauses.join(' AND ')}` : '';
  const sql = `SELECT id, position, body FROM ${table}${where} ORDER BY ${order.map((e) => `${e} ${direction}`).join(', ')} LIMIT ${query.limit}`;
  return { sql, params };
}

function toDoc(row: DocRow): StoredDoc {
  return { id: row.id, position: row.position, body: JSON.parse(row.body) as JsonObject };
}
