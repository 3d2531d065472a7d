export * from './event-store';
export * from './errors';
export { openEventStore, type OpenEventStoreOptions } from './open-event-store';
export { SqliteEventStore } from './sqlite/sqlite-event-store';
export { LIMITS } from './limits';
export { GENESIS_HASH, chainHash } from './hash-chain';
export { canonicalJson } from './canonical-json';
export { loadAggregate, type AggregateFold, type SnapshotPolicy, type LoadedAggregate } from './aggregate-loader';
export { retryOnConflict, DEFAULT_CONFLICT_RETRY, type ConflictRetryOptions } from './conflict-retry';
