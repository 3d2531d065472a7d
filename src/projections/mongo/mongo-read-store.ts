import {
  type AnyBulkWriteOperation,
  type Collection,
  type Db,
  type Document,
  type Filter,
  Long,
  MongoBulkWriteError,
  MongoClient,
  type MongoClientOptions,
  MongoServerError,
} from 'mongodb';
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
  type LeaseClaim,
  LeaseLostError,
  READ_STORE_LIMITS,
  type ReadStore,
  type StoredDoc,
  UnsupportedReadStoreUrlError,
  sortFields,
} from '../read-store';

const DEFAULT_DATABASE = 'ifw';
/** Read-model collections are `rm_<name>`; the store's own collections start with an underscore. */
const PREFIX = 'rm_';
const CHECKPOINTS = '_checkpoints';
const RECORDS = '_records';
const LEASES = '_leases';
/** The fields a stored document reserves for the store; a body must not use them. */
const ID = '_id';
const POSITION = '_position';

/** Operations one bulkWrite sends at most. */
const MAX_OPS_PER_BULK = 1_000;
/**
 * FerretDB 1.x keeps a SQLite connection open for every statement of an update command that matched a document
 * until the whole command is done, from a pool of 100 per database: a command of 100 such statements waits for
 * itself forever. Its bulks are cut far below that so several writers at once stay below it too.
 */
const FERRETDB_MAX_OPS_PER_BULK = 25;
/** Concurrent claims that keep taking the lease from under each other give up after this many rounds. */
const MAX_CLAIM_ATTEMPTS = 5;

const DUPLICATE_KEY = 11000;
const NAMESPACE_EXISTS = 48;
const NAMESPACE_NOT_FOUND = 26;

/** Every wait is bounded: an unreachable or stuck server surfaces as an error, never as a hang. */
const CLIENT_OPTIONS: MongoClientOptions = {
  appName: 'ifw',
  serverSelectionTimeoutMS: 5_000,
  connectTimeoutMS: 5_000,
  waitQueueTimeoutMS: 5_000,
  socketTimeoutMS: 60_000,
  // Positions are int64: read them back as bigint. Bodies are JSON, which the driver writes as int32 or double.
  useBigInt64: true,
};

/** A document write reduced to what the position guard needs; `fields` are the body (none for a checkpoint). */
interface GuardedWrite {
  id: string;
  position: bigint;
  fields: JsonObject;
}

/**
 * The MongoDB read store, for a standalone server without multi-document transactions (FerretDB 1.x has none):
 * a collection per read-model collection, each document `{ _id, _position, ...body }`. Every write is guarded by
 * its position, `replaceOne({ _id, _position: { $lt: position } }, doc, { upsert: true })`, so it applies only
 * when its event is newer than the stored document's; the checkpoints move, with the same guard, only after all
 * of a batch's documents are written. A crash part-way leaves the checkpoint behind and the batch is applied
 * again, which changes nothing that was already written. See docs/readstore-mongodb.md.
 */
export class MongoReadStore implements ReadStore {
  private readonly known = new Set<string>();
  private readonly checkpoints: Collection<Document>;
  private readonly records: Collection<Document>;
  private readonly leases: Collection<Document>;

  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    private readonly maxOpsPerBulk: number,
  ) {
    this.checkpoints = db.collection(CHECKPOINTS);
    this.records = db.collection(RECORDS);
    this.leases = db.collection(LEASES);
  }

  /** `url` is `mongodb://HOST:PORT/DATABASE` (or `mongodb+srv://…`); the database defaults to `ifw`. */
  static async open(url: string): Promise<MongoReadStore> {
    const database = databaseOf(url);
    const client = new MongoClient(url, CLIENT_OPTIONS);
    try {
      await client.connect();
      const db = client.db(database);
      const info = await db.command({ buildInfo: 1 });
      const ferretDb = typeof info.ferretdbVersion === 'string';
      return new MongoReadStore(client, db, ferretDb ? FERRETDB_MAX_OPS_PER_BULK : MAX_OPS_PER_BULK);
    } catch (error) {
      await client.close().catch(() => {});
      throw error;
    }
  }

  async ensureCollections(specs: readonly CollectionSpec[], options: { indexes: boolean } = { indexes: true }): Promise<void> {
    for (const spec of specs) {
      const name = collectionOf(spec.name);
      const keys = spec.indexes.map(indexKeys);
      try {
        await this.db.createCollection(name);
      } catch (error) {
        if (!hasCode(error, NAMESPACE_EXISTS)) throw error;
      }
      const collection = this.db.collection(name);
      // An index is named after its keys, so a changed spec adds an index instead of colliding with the old one.
      if (options.indexes) for (const key of keys) if (Object.keys(key).some((field) => field !== ID)) await collection.createIndex(key);
      this.known.add(spec.name);
    }
  }

  async dropCollections(names: readonly string[]): Promise<void> {
    for (const name of names) {
      const collection = collectionOf(name);
      try {
        await this.db.dropCollection(collection);
      } catch (error) {
        if (!hasCode(error, NAMESPACE_NOT_FOUND)) throw error;
      }
      this.known.delete(name);
    }
  }

  async get(collection: string, id: string): Promise<StoredDoc | undefined> {
    const doc = await this.db.collection(collectionOf(collection)).findOne({ _id: id as never });
    return doc ? toDoc(doc) : undefined;
  }

  async getMany(collection: string, ids: readonly string[]): Promise<Map<string, StoredDoc>> {
    invariant(ids.length <= READ_STORE_LIMITS.maxIdsPerGet, () => `getMany of ${ids.length} ids; at most ${READ_STORE_LIMITS.maxIdsPerGet}`);
    const name = collectionOf(collection);
    const found = new Map<string, StoredDoc>();
    if (ids.length === 0) return found;
    const docs = await this.db
      .collection(name)
      .find({ _id: { $in: [...new Set(ids)] as never[] } })
      .toArray();
    const byId = new Map(docs.map((doc) => [doc._id as unknown as string, doc]));
    // In the order asked, as the SQLite adapter answers.
    for (const id of ids) {
      const doc = byId.get(id);
      if (doc) found.set(id, toDoc(doc));
    }
    return found;
  }

  async find(collection: string, query: FindQuery): Promise<StoredDoc[]> {
    const name = collectionOf(collection);
    const { filter, sort } = buildFind(query);
    const docs = await this.db.collection(name).find(filter, { sort, limit: query.limit }).toArray();
    return docs.map(toDoc);
  }

  async commit(batch: Batch): Promise<void> {
    invariant(batch.writes.length <= READ_STORE_LIMITS.maxWritesPerBatch, () => `a batch of ${batch.writes.length} writes; at most ${READ_STORE_LIMITS.maxWritesPerBatch}`);
    // Everything is checked before anything is sent, so a refused batch writes nothing.
    const byCollection = new Map<string, Map<string, GuardedWrite>>();
    for (const write of batch.writes) {
      collectionOf(write.collection);
      invariant(
        !Object.hasOwn(write.body, ID) && !Object.hasOwn(write.body, POSITION),
        () => `a write to ${write.collection}/${write.id} whose body has ${ID} or ${POSITION}, which the MongoDB read store reserves`,
      );
      let writes = byCollection.get(write.collection);
      if (!writes) byCollection.set(write.collection, (writes = new Map()));
      keepNewest(writes, { id: write.id, position: write.position, fields: write.body });
    }
    for (const collection of byCollection.keys()) {
      invariant(await this.exists(collection), () => `a write to collection ${collection}, which was never created`);
    }
    const checkpoints = new Map<string, GuardedWrite>();
    for (const { key, position } of batch.checkpoints) keepNewest(checkpoints, { id: key, position, fields: {} });

    await this.checkLeases(batch.leases ?? []);
    for (const [collection, writes] of byCollection) await this.writeGuarded(this.db.collection(PREFIX + collection), [...writes.values()]);
    // Only once every document is written: a crash before this line leaves the checkpoint behind, never ahead.
    await this.writeGuarded(this.checkpoints, [...checkpoints.values()]);
  }

  async checkpoint(key: string): Promise<bigint | undefined> {
    const doc = await this.checkpoints.findOne({ _id: key as never });
    return doc ? positionOf(doc[POSITION]) : undefined;
  }

  async setRecord(key: string, value: JsonObject): Promise<void> {
    // The value is kept as JSON text: any key survives, dotted or dollar-prefixed ones included.
    const doc = { _id: key, value: JSON.stringify(value) };
    try {
      await this.records.replaceOne({ _id: key as never }, doc, { upsert: true });
    } catch (error) {
      // Two first writes of one key at once: the other inserted it, so this one replaces it.
      if (!hasCode(error, DUPLICATE_KEY)) throw error;
      await this.records.replaceOne({ _id: key as never }, doc);
    }
  }

  async getRecord(key: string): Promise<JsonObject | undefined> {
    const doc = await this.records.findOne({ _id: key as never });
    return doc ? (JSON.parse(doc.value as string) as JsonObject) : undefined;
  }

  async claimLease(name: string, owner: string, nowMs: number, ttlMs: number): Promise<Lease> {
    const expiresAtMs = nowMs + ttlMs;
    for (let attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
      try {
        // Matches when the lease is ours or expired; when it matches nothing the upsert inserts a new lease,
        // which fails with a duplicate key exactly when someone else holds it.
        const doc = await this.leases.findOneAndUpdate(
          { _id: name as never, $or: [{ owner }, { expiresAtMs: { $lte: nowMs } }] },
          { $set: { owner, expiresAtMs } },
          { upsert: true, returnDocument: 'after' },
        );
        if (doc) return toLease(name, doc);
      } catch (error) {
        if (!hasCode(error, DUPLICATE_KEY)) throw error;
      }
      const current = await this.leases.findOne({ _id: name as never });
      if (current) return toLease(name, current);
      // Released between the two calls: claim again.
    }
    throw new Error(`the lease "${name}" changed hands ${MAX_CLAIM_ATTEMPTS} times while ${owner} claimed it; try again`);
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await this.leases.deleteOne({ _id: name as never, owner });
  }

  async lease(name: string): Promise<Lease | undefined> {
    const current = await this.leases.findOne({ _id: name as never });
    return current ? toLease(name, current) : undefined;
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async exists(collection: string): Promise<boolean> {
    if (this.known.has(collection)) return true;
    const found = await this.db.listCollections({ name: PREFIX + collection }, { nameOnly: true }).toArray();
    if (found.length > 0) this.known.add(collection);
    return found.length > 0;
  }

  private async checkLeases(claims: readonly LeaseClaim[]): Promise<void> {
    if (claims.length === 0) return;
    const names = [...new Set(claims.map((claim) => claim.name))];
    const held = await this.leases.find({ _id: { $in: names as never[] } }).toArray();
    const owners = new Map(held.map((doc) => [doc._id as unknown as string, doc.owner as unknown]));
    for (const claim of claims) if (owners.get(claim.name) !== claim.owner) throw new LeaseLostError(claim);
  }

  /**
   * Writes each document unless the stored one is at its position or newer, in bulks of at most maxOpsPerBulk.
   * An upsert whose guard fails collides with the stored `_id`: that duplicate key is the expected refusal.
   * MongoDB goes on with the other operations of an unordered bulk; FerretDB 1.x ignores `ordered`, stops at the
   * first error and reports it at index 0. So after duplicate keys the stored positions are read back and the
   * operations not yet applied are sent again; every round drops at least the one that collided.
   */
  private async writeGuarded(collection: Collection<Document>, writes: readonly GuardedWrite[]): Promise<void> {
    for (let start = 0; start < writes.length; start += this.maxOpsPerBulk) {
      let pending = writes.slice(start, start + this.maxOpsPerBulk);
      while (pending.length > 0) {
        const refused = await bulkGuarded(collection, pending);
        if (refused === undefined) break;
        const stored = await storedPositions(collection, pending.map((write) => write.id));
        const rest = pending.filter((write) => {
          const position = stored.get(write.id);
          return position === undefined || position < write.position;
        });
        // A duplicate key that no stored position explains (a unique index of someone else's): not ours to ignore.
        if (rest.length === pending.length) throw refused;
        pending = rest;
      }
    }
  }
}

/** Sends one unordered bulk; returns the error when every failure is a duplicate key, throws any other. */
async function bulkGuarded(collection: Collection<Document>, writes: readonly GuardedWrite[]): Promise<Error | undefined> {
  const operations: AnyBulkWriteOperation<Document>[] = writes.map((write) => ({
    replaceOne: {
      filter: { _id: write.id as never, [POSITION]: { $lt: Long.fromBigInt(write.position) } },
      replacement: { _id: write.id, [POSITION]: Long.fromBigInt(write.position), ...write.fields },
      upsert: true,
    },
  }));
  try {
    await collection.bulkWrite(operations, { ordered: false });
    return undefined;
  } catch (error) {
    if (onlyDuplicateKeys(error)) return error;
    throw error;
  }
}

async function storedPositions(collection: Collection<Document>, ids: readonly string[]): Promise<Map<string, bigint>> {
  const docs = await collection
    .find({ _id: { $in: ids as never[] } }, { projection: { [POSITION]: 1 } })
    .toArray();
  return new Map(docs.map((doc) => [doc._id as unknown as string, positionOf(doc[POSITION])]));
}

function onlyDuplicateKeys(error: unknown): error is MongoServerError {
  if (error instanceof MongoBulkWriteError) {
    if (error.err !== undefined) return false;
    const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    return writeErrors.length > 0 && writeErrors.every((writeError) => writeError.code === DUPLICATE_KEY);
  }
  return hasCode(error, DUPLICATE_KEY);
}

function hasCode(error: unknown, code: number): boolean {
  return error instanceof MongoServerError && error.code === code;
}

/** Within one batch the newest write of a document wins, the first of equal ones, as on SQLite. */
function keepNewest(writes: Map<string, GuardedWrite>, write: GuardedWrite): void {
  const kept = writes.get(write.id);
  if (!kept || write.position > kept.position) writes.set(write.id, write);
}

function databaseOf(url: string): string {
  const match = /^mongodb(?:\+srv)?:\/\/[^/?#]+(?:\/([^?#]*))?/.exec(url);
  if (!match) throw new UnsupportedReadStoreUrlError(url);
  const name = decodeURIComponent(match[1] ?? '');
  return name === '' ? DEFAULT_DATABASE : name;
}

function collectionOf(collection: string): string {
  if (!COLLECTION_NAME.test(collection)) throw new InvalidQueryError(`"${collection}" is not a collection name (lower-case letters, digits, underscores)`);
  return PREFIX + collection;
}

/** A body field path as a MongoDB path; `id` is the document's `_id`. */
function pathOf(field: string): string {
  if (field === 'id') return ID;
  if (!FIELD_PATH.test(field)) throw new InvalidQueryError(`"${field}" is not a field path`);
  const head = field.split('.', 1)[0];
  if (head === ID || head === POSITION) throw new InvalidQueryError(`"${field}" is reserved by the read store`);
  return field;
}

function indexKeys(fields: readonly string[]): Record<string, 1> {
  const keys: Record<string, 1> = {};
  for (const field of [...fields.map(pathOf), ID]) keys[field] = 1;
  return keys;
}

/** Conditions compare with scalars only, as on SQLite. */
function scalar(value: JsonValue): string | number | boolean | null {
  if (value !== null && typeof value === 'object') throw new InvalidQueryError('a condition compares with a string, number, boolean or null');
  return value;
}

function bound(value: unknown): string | number {
  if (typeof value !== 'string' && typeof value !== 'number') throw new InvalidQueryError('a range bound is a string or a number');
  return value;
}

/** Equality as SQLite's `IS NULL` and `=` mean it: null matches a null or missing field. */
function equals(path: string, value: string | number | boolean | null): Filter<Document> {
  return { [path]: value === null ? null : { $eq: value } };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function buildFind(query: FindQuery): { filter: Filter<Document>; sort: [string, 1 | -1][] } {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > READ_STORE_LIMITS.maxPageSize) {
    throw new InvalidQueryError(`limit must be an integer from 1 to ${READ_STORE_LIMITS.maxPageSize}`);
  }
  // Single-field clauses under $and: a field may appear in both the conditions and the keyset.
  const clauses: Filter<Document>[] = [];
  for (const [field, condition] of Object.entries(query.where ?? {})) {
    const path = pathOf(field);
    if ('eq' in condition) clauses.push(equals(path, scalar(condition.eq)));
    else if ('contains' in condition) {
      if (typeof condition.contains !== 'string') throw new InvalidQueryError('contains takes a string');
      clauses.push({ [path]: { $regex: escapeRegex(condition.contains), $options: 'i' } });
    } else {
      if (condition.gte !== undefined) clauses.push({ [path]: { $gte: bound(condition.gte) } });
      if (condition.lte !== undefined) clauses.push({ [path]: { $lte: bound(condition.lte) } });
    }
  }
  const order = sortFields(query.orderBy).map(pathOf);
  const direction = query.direction === 'desc' ? -1 : 1;
  if (query.after) {
    if (query.after.length !== order.length) throw new InvalidQueryError(`after needs ${order.length} values, one per sort field`);
    const values = query.after.map(scalar);
    const beyond = direction === 1 ? '$gt' : '$lt';
    // (a, b, id) > (x, y, z) as a > x, or a = x and b > y, or a = x and b = y and id > z.
    const alternatives = order.map((path, k) => ({
      $and: [...order.slice(0, k).map((earlier, j) => equals(earlier, values[j]!)), { [path]: { [beyond]: values[k] } }],
    }));
    clauses.push({ $or: alternatives });
  }
  const filter: Filter<Document> = clauses.length === 0 ? {} : { $and: clauses };
  const seen = new Set<string>();
  const sort: [string, 1 | -1][] = [];
  for (const path of order) {
    if (seen.has(path)) continue;
    seen.add(path);
    sort.push([path, direction]);
  }
  return { filter, sort };
}

function positionOf(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (value instanceof Long) return value.toBigInt();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  invariant(false, () => `a stored ${POSITION} of ${String(value)}, not an int64`);
}

function toDoc(doc: Document): StoredDoc {
  const { [ID]: id, [POSITION]: position, ...body } = doc;
  return { id: id as string, position: positionOf(position), body: body as JsonObject };
}

function toLease(name: string, doc: Document): Lease {
  return { name, owner: doc.owner as string, expiresAtMs: Number(doc.expiresAtMs) };
}
