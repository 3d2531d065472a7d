import { createHash } from 'node:crypto';
import { canonicalJson, type EventStore } from '../eventstore';
import type { LogFeed } from './log-feed';
import { type LogConsumerOptions } from './log-consumer';
import { type ProjectionDefinition, checkpointKey, versionedCollection } from './projection';
import { type ProjectionCatalog, physicalSpecs } from './projection-catalog';
import { DEFAULT_LEASE_TTL_MS, ProjectionRunner, type ProjectionStatus, type RunnerOptions } from './projection-runner';
import { type ReadStore, everyDocument } from './read-store';

export interface RebuildReport {
  name: string;
  /** The version built and, when `switched`, now served. */
  version: number;
  previousVersion: number;
  /** Events of the log the rebuild read, and how many of them the projection applied. */
  events: number;
  eventsApplied: number;
  livePosition: string | null;
  rebuiltPosition: string | null;
  liveDigest: string;
  rebuiltDigest: string;
  switched: boolean;
  /** Why it did not switch: a handler halted the new version. */
  halted: string | null;
}

export interface RebuildOptions {
  owner: string;
  clock: () => number;
  consumer: LogConsumerOptions;
  /** Longest wait for another process's live writer to reach the rebuilt position, before comparing digests. */
  liveWaitMs: number;
  /** False to leave the new version built beside the served one, unserved: a shadow, compared and maybe switched to later. */
  switchWhenBuilt?: boolean;
  onProgress?: (statuses: ProjectionStatus[], eventsRead: number) => void;
}

/** Another process is rebuilding this projection; two rebuilds of one projection never run at once. */
export class RebuildInProgressError extends Error {
  readonly code = 'REBUILD_IN_PROGRESS';
  constructor(
    readonly projection: string,
    readonly owner: string,
  ) {
    super(`a rebuild of ${projection} is already running (${owner}); wait for it to finish`);
  }
}

/** Rounds of "catch the new version up, then the served one" before the digests are compared as they stand. */
const MAX_ALIGN_ROUNDS = 5;
const PROGRESS_EVERY_MS = 200;

/**
 * Builds a new version of each projection from position 0 beside the served one, catches it up to the head,
 * compares digests of both at the same position where it can, and switches readers to it by writing one
 * record. The served version keeps serving (and its writer keeps writing it) until that switch, so this runs
 * while `ifw serve` runs on the same stores.
 */
export async function rebuildProjections(store: EventStore, catalog: ProjectionCatalog, feed: LogFeed, definitions: readonly ProjectionDefinition[], options: RebuildOptions): Promise<RebuildReport[]> {
  const versions = new Map<string, { previous: number; next: number }>();
  for (const definition of definitions) versions.set(definition.name, await prepareVersion(catalog, definition, options));
  const rebuildMode: RunnerOptions['mode'] = { kind: 'rebuild', versions: new Map([...versions].map(([name, v]) => [name, v.next])) };
  const rebuilt = await runUntilCaughtUp(store, catalog, feed, definitions, rebuildMode, options);
  await catchUpUnwrittenServedVersions(store, catalog, feed, definitions, options);
  const reports: RebuildReport[] = [];
  for (const definition of definitions) {
    const { previous, next } = versions.get(definition.name)!;
    const status = rebuilt.statuses.find((s) => s.name === definition.name)!;
    const counts = { events: rebuilt.eventsRead, eventsApplied: status.eventsApplied };
    if (status.state === 'halted') {
      reports.push(await report(catalog, definition, previous, next, counts, `${status.lastError?.message} (at position ${status.lastError?.position})`));
      continue;
    }
    if (options.switchWhenBuilt === false) {
      await alignPositions(store, catalog, feed, definition, previous, next, options);
      reports.push(await report(catalog, definition, previous, next, counts, null));
      continue;
    }
    reports.push(await switchToVersion(store, catalog, feed, definition, next, counts, options));
  }
  return reports;
}

/**
 * Catches a built version up to the served one with `definition` and makes it the served one. A shadow built
 * under other rules is switched to this way once those rules are in the log.
 */
export async function switchToVersion(
  store: EventStore,
  catalog: ProjectionCatalog,
  feed: LogFeed,
  definition: ProjectionDefinition,
  next: number,
  counts: RebuildCounts,
  options: RebuildOptions,
): Promise<RebuildReport> {
  const record = await catalog.load(definition.name);
  const previous = record?.activeVersion ?? 1;
  // No reader uses the new version yet: its indexes are built once, now, instead of maintained while it loaded.
  await catalog.readStore.ensureCollections(physicalSpecs(definition, next));
  await alignPositions(store, catalog, feed, definition, previous, next, options);
  const finished = await report(catalog, definition, previous, next, counts, null);
  await catalog.save(definition.name, { activeVersion: next, buildingVersion: null });
  return { ...finished, switched: true };
}

/** Drops what earlier versions left behind (keeping the served one) and creates the collections of the next. */
async function prepareVersion(catalog: ProjectionCatalog, definition: ProjectionDefinition, options: RebuildOptions): Promise<{ previous: number; next: number }> {
  // The lease comes first: the version another rebuild is building must not be dropped under it.
  const lease = await catalog.readStore.claimLease(`${definition.name}@rebuild`, options.owner, options.clock(), DEFAULT_LEASE_TTL_MS);
  if (lease.owner !== options.owner) throw new RebuildInProgressError(definition.name, lease.owner);
  const record = (await catalog.load(definition.name)) ?? { activeVersion: 1, buildingVersion: null };
  const next = Math.max(record.activeVersion, record.buildingVersion ?? 0) + 1;
  const stale: string[] = [];
  for (let version = 1; version < next; version++) {
    if (version !== record.activeVersion) stale.push(...definition.collections.map((c) => versionedCollection(c.name, version)));
  }
  await catalog.readStore.dropCollections(stale);
  await catalog.readStore.ensureCollections(physicalSpecs(definition, next), { indexes: false });
  await catalog.save(definition.name, { activeVersion: record.activeVersion, buildingVersion: next });
  return { previous: record.activeVersion, next };
}

async function runUntilCaughtUp(
  store: EventStore,
  catalog: ProjectionCatalog,
  feed: LogFeed,
  definitions: readonly ProjectionDefinition[],
  mode: RunnerOptions['mode'],
  options: RebuildOptions,
): Promise<{ statuses: ProjectionStatus[]; eventsRead: number }> {
  const runner = new ProjectionRunner(store, catalog, feed, definitions, { owner: options.owner, leaseTtlMs: DEFAULT_LEASE_TTL_MS, clock: options.clock, consumer: options.consumer, mode });
  const progress = options.onProgress && setInterval(() => options.onProgress!(runner.statuses(), runner.eventsRead), PROGRESS_EVERY_MS);
  runner.start();
  try {
    await runner.whenCaughtUp();
  } finally {
    clearInterval(progress);
    await runner.stop();
  }
  options.onProgress?.(runner.statuses(), runner.eventsRead);
  return { statuses: runner.statuses(), eventsRead: runner.eventsRead };
}

/**
 * Served versions that no process writes (no server or projector runs) are caught up here, all in one read of
 * the log, so that each is compared with its rebuild at the same position.
 */
async function catchUpUnwrittenServedVersions(store: EventStore, catalog: ProjectionCatalog, feed: LogFeed, definitions: readonly ProjectionDefinition[], options: RebuildOptions): Promise<void> {
  const unwritten: ProjectionDefinition[] = [];
  for (const definition of definitions) {
    const lease = await catalog.readStore.claimLease(definition.name, options.owner, options.clock(), DEFAULT_LEASE_TTL_MS);
    if (lease.owner === options.owner) unwritten.push(servedDefinition(catalog, definition));
  }
  if (unwritten.length > 0) await runUntilCaughtUp(store, catalog, feed, unwritten, { kind: 'live' }, options);
}

/** The served version is written by the catalog's own definition, never by one built under other rules for a shadow. */
function servedDefinition(catalog: ProjectionCatalog, definition: ProjectionDefinition): ProjectionDefinition {
  return catalog.definition(definition.name) ?? definition;
}

/**
 * Brings the served and the rebuilt version to the same position, so their digests compare like with like:
 * the served one is caught up here when no other process writes it, or awaited when one does.
 */
async function alignPositions(store: EventStore, catalog: ProjectionCatalog, feed: LogFeed, definition: ProjectionDefinition, previous: number, next: number, options: RebuildOptions): Promise<void> {
  const readStore = catalog.readStore;
  for (let round = 0; round < MAX_ALIGN_ROUNDS; round++) {
    const live = await readStore.checkpoint(checkpointKey(definition.name, previous));
    const rebuilt = await readStore.checkpoint(checkpointKey(definition.name, next));
    if (live === rebuilt) return;
    if (rebuilt === undefined || (live !== undefined && live > rebuilt)) {
      await runUntilCaughtUp(store, catalog, feed, [definition], { kind: 'rebuild', versions: new Map([[definition.name, next]]) }, options);
      continue;
    }
    const lease = await readStore.claimLease(definition.name, options.owner, options.clock(), DEFAULT_LEASE_TTL_MS);
    if (lease.owner === options.owner) {
      await runUntilCaughtUp(store, catalog, feed, [servedDefinition(catalog, definition)], { kind: 'live' }, options);
      continue;
    }
    await waitForCheckpoint(readStore, checkpointKey(definition.name, previous), rebuilt, options.liveWaitMs);
  }
}

async function waitForCheckpoint(readStore: ReadStore, key: string, position: bigint, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const at = await readStore.checkpoint(key);
    if (at !== undefined && at >= position) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Events of the log a rebuild read, and how many of them its projection applied. */
export interface RebuildCounts {
  events: number;
  eventsApplied: number;
}

async function report(catalog: ProjectionCatalog, definition: ProjectionDefinition, previous: number, next: number, counts: RebuildCounts, halted: string | null): Promise<RebuildReport> {
  const live = await catalog.readStore.checkpoint(checkpointKey(definition.name, previous));
  const rebuilt = await catalog.readStore.checkpoint(checkpointKey(definition.name, next));
  return {
    name: definition.name,
    version: next,
    previousVersion: previous,
    ...counts,
    livePosition: live === undefined ? null : live.toString(),
    rebuiltPosition: rebuilt === undefined ? null : rebuilt.toString(),
    liveDigest: await digestVersion(catalog.readStore, definition, previous),
    rebuiltDigest: await digestVersion(catalog.readStore, definition, next),
    switched: false,
    halted,
  };
}

/** sha256 over every document of one version (collection, id, position, canonical body), in id order, page by page. */
export async function digestVersion(readStore: ReadStore, definition: ProjectionDefinition, version: number): Promise<string> {
  const hash = createHash('sha256');
  for (const collection of definition.collections) {
    for await (const doc of everyDocument(readStore, versionedCollection(collection.name, version))) {
      hash.update(`${collection.name}\u0000${doc.id}\u0000${doc.position}\u0000${canonicalJson(doc.body)}\n`);
    }
  }
  return hash.digest('hex');
}
