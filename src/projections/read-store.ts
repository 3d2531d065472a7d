import type { JsonObject, JsonValue } from '../eventstore';

/**
 * The ReadStore port: documents of read models, grouped in collections, each document carrying the global
 * log position of the last event applied to it. Adapters: embedded SQLite (the default; a batch's documents
 * and its checkpoint commit in one transaction) and MongoDB (no multi-document transactions needed: a write
 * applies only when its position is newer than the stored one, so replaying a batch after a crash changes
 * nothing). One contract suite (test/projections/read-store.contract.test.ts) holds both to these rules.
 */

/** A stored document: `body` is the read model's JSON; `id` and `position` are the store's own. */
export interface StoredDoc {
  id: string;
  /** Position of the last event applied to this document. */
  position: bigint;
  body: JsonObject;
}

/** A collection and the body fields its queries filter and sort on; each index is a list of fields, `id` last implied. */
export interface CollectionSpec {
  name: string;
  indexes: readonly (readonly string[])[];
}

/** One document write of a batch: applied only when `position` is newer than the stored document's. */
export interface DocWrite {
  collection: string;
  id: string;
  position: bigint;
  body: JsonObject;
}

/** The lease a writer must still hold for a batch to commit (fencing: a writer that lost it writes nothing). */
export interface LeaseClaim {
  name: string;
  owner: string;
}

export interface Batch {
  writes: readonly DocWrite[];
  /** Checkpoints moved by this batch: key → position of the last event the batch covered. */
  checkpoints: readonly { key: string; position: bigint }[];
  /** Leases the writer must still hold; on SQLite checked inside the batch's transaction. */
  leases?: readonly LeaseClaim[];
}

/**
 * A filter on a body field: equality with a value, a range (inclusive bounds on strings or numbers), or a
 * case-insensitive substring of a string field.
 */
export type Condition = { eq: JsonValue } | { gte?: string | number; lte?: string | number } | { contains: string };

export interface FindQuery {
  /** Body fields (or `id`) and their conditions; all must hold. */
  where?: Readonly<Record<string, Condition>>;
  /** Sort fields, all in one direction; `id` is appended as the tie-breaker when missing. */
  orderBy?: readonly string[];
  direction?: 'asc' | 'desc';
  /** Keyset pagination: the sort values of the last document of the previous page (`id` last). */
  after?: readonly JsonValue[];
  /** At most READ_STORE_LIMITS.maxPageSize. */
  limit: number;
}

export interface Lease {
  name: string;
  owner: string;
  expiresAtMs: number;
}

export const READ_STORE_LIMITS = {
  /** Documents one find returns at most. */
  maxPageSize: 1_000,
  /** Documents one batch writes at most; the runner cuts batches below this. */
  maxWritesPerBatch: 50_000,
  /** Ids one getMany reads at most. */
  maxIdsPerGet: 1_000,
} as const;

export interface ReadStore {
  /**
   * Creates the collections and their indexes if missing; idempotent. With `indexes: false` the indexes are
   * left for a later call, so a rebuild that no reader uses yet loads its documents without maintaining them.
   */
  ensureCollections(specs: readonly CollectionSpec[], options?: { indexes: boolean }): Promise<void>;
  dropCollections(names: readonly string[]): Promise<void>;
  get(collection: string, id: string): Promise<StoredDoc | undefined>;
  getMany(collection: string, ids: readonly string[]): Promise<Map<string, StoredDoc>>;
  find(collection: string, query: FindQuery): Promise<StoredDoc[]>;
  /** Writes a batch: atomically with its checkpoints on SQLite; documents first, checkpoints after, on MongoDB. */
  commit(batch: Batch): Promise<void>;
  checkpoint(key: string): Promise<bigint | undefined>;
  /** Sets a small record outside any batch, such as which version of a projection is served; atomic per key. */
  setRecord(key: string, value: JsonObject): Promise<void>;
  getRecord(key: string): Promise<JsonObject | undefined>;
  /**
   * Takes or renews a lease: succeeds when it is free, expired, or already `owner`'s. Returns the lease as it
   * stands afterwards, whoever holds it.
   */
  claimLease(name: string, owner: string, nowMs: number, ttlMs: number): Promise<Lease>;
  releaseLease(name: string, owner: string): Promise<void>;
  /** The lease as it stands, without claiming it; undefined when no one ever held it or it was released. */
  lease(name: string): Promise<Lease | undefined>;
  close(): Promise<void>;
}

/** A batch tried to commit under a lease its writer no longer holds; nothing was written. */
export class LeaseLostError extends Error {
  readonly code = 'LEASE_LOST';
  override readonly name = 'LeaseLostError';
  constructor(readonly lease: LeaseClaim) {
    super(`the lease "${lease.name}" is no longer held by ${lease.owner}: another process took it over, so this batch was not written`);
  }
}

export class UnsupportedReadStoreUrlError extends Error {
  readonly code = 'UNSUPPORTED_READ_STORE_URL';
  override readonly name = 'UnsupportedReadStoreUrlError';
  constructor(url: string) {
    super(`cannot open read store "${url}": use sqlite:PATH, sqlite::memory: or mongodb://HOST:PORT/DATABASE`);
  }
}

export class InvalidQueryError extends Error {
  readonly code = 'INVALID_QUERY';
  override readonly name = 'InvalidQueryError';
}

/** Collection names are used as table names: letters, digits and underscores only. */
export const COLLECTION_NAME = /^[a-z][a-z0-9_]{0,62}$/;
/** Body field names a query may use: dotted paths of identifiers. */
export const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** The sort fields of a query with `id` as the final tie-breaker, so every order is total and keysets are exact. */
export function sortFields(orderBy: readonly string[] | undefined): string[] {
  const fields = [...(orderBy ?? [])];
  if (fields[fields.length - 1] !== 'id') fields.push('id');
  return fields;
}

/** Every document of a collection, page by page in id order: memory stays bounded by one page. */
export async function* everyDocument(readStore: ReadStore, collection: string): AsyncGenerator<StoredDoc> {
  let after: string | undefined;
  for (;;) {
    const page = await readStore.find(collection, { orderBy: ['id'], limit: READ_STORE_LIMITS.maxPageSize, ...(after === undefined ? {} : { after: [after] }) });
    yield* page;
    if (page.length < READ_STORE_LIMITS.maxPageSize) return;
    after = page[page.length - 1]!.id;
  }
}
