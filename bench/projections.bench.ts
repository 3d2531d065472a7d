/**
 * npm run bench:projections [-- --events 1000000] [-- --json] [-- --skip-http] [-- --profile] [-- --mongo-events 2000] [-- --mongo-seconds 600]
 *
 * Measures the read side on a temp data folder, over a realistic history written by the product's deciders
 * (bench/realistic-history.ts):
 *  a. a rebuild of every read model (READ_MODELS) into the embedded SQLite read store, in events/s, beside its
 *     ceiling measured in the same run: the documents the rebuild made, read back and written bare into the
 *     same tables through the same SqliteReadStore.commit, in commits of the sizes the rebuild's commits had,
 *     in the order of their positions — no log reading, no projection logic;
 *  b. GET /wallets/{id} against `node dist/cli/main.js serve` on the rebuilt stores (building first when
 *     dist/ is missing or older than src/), spread over every wallet, at several connection counts; beside a
 *     bare Fastify route in a child process reading the same row from the same read store file;
 *  c. the lag from a write's response to its visibility: deposits at about 1,000/s for about 20 s against the
 *     same server, each timed from its 2xx to the moment the wallets read model's checkpoint, read from the
 *     read store file every millisecond, reaches the write's position;
 *  d. with IFW_BENCH_MONGO_URL set (scripts/ferretdb.sh start prints one), the rebuild of every read model
 *     into MongoDB (FerretDB) over a smaller history (--mongo-events; FerretDB on its SQLite backend takes
 *     milliseconds per document write, so a few thousand events take minutes), beside the same rebuild into
 *     SQLite; stopped after --mongo-seconds and reported as partial if it has not finished by then.
 * Prints a table (or JSON with --json) and writes the figures to bench/results/projections-<time>.json. With
 * --profile a further rebuild runs under the V8 profiler, with the time of each read model's handler, and the
 * summary is printed and kept in the JSON. autocannon and the load of (c) run in this process, so the client
 * and the server share the machine's cores.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { Session } from 'node:inspector';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { type JsonObject, SqliteEventStore } from '../src/eventstore';
import { DEFAULT_LEASE_TTL_MS, DEFAULT_LOG_CONSUMER_OPTIONS, LogFeed, ProjectionCatalog, ProjectionRunner, type ProjectionStatus } from '../src/projections';
import { type ProjectionDefinition, checkpointKey, versionedCollection } from '../src/projections/projection';
import { physicalSpecs } from '../src/projections/projection-catalog';
import { READ_MODELS } from '../src/projections/read-models/index';
import { WALLETS_COLLECTION } from '../src/projections/read-models/wallets.projection';
import { type Batch, type DocWrite, READ_STORE_LIMITS, type ReadStore } from '../src/projections/read-store';
import { SqliteReadStore } from '../src/projections/sqlite/sqlite-read-store';
import { Progress } from '../src/cli/progress';
import { rebuildUnderRules } from '../src/api/compliance/rule-change-rebuild';
import type { DataKey } from '../src/personal-data/key-store';
import { lendToReadModels } from '../src/personal-data/read-model-keys';
import { SqliteKeyStore } from '../src/personal-data/sqlite-key-store';
import { upcastToCurrent } from '../src/domain/event-schemas';
import { RULE_SETS, ruleSetOn } from '../src/domain/rules/rule-set';
import { rebuildProjections } from '../src/projections/rebuild';
import { MAIN_JS, ensureBuilt, startChild, stopChild } from './child-server';
import { type ProfileSummary, printSummary, summarise } from './cpuprofile-summary';
import { type RealisticHistory, writeRealisticHistory } from './realistic-history';

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const skipHttp = args.includes('--skip-http');
const withProfile = args.includes('--profile');
const numberOption = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const eventCount = numberOption('--events', 1_000_000);
const mongoEventCount = numberOption('--mongo-events', 2_000);
const mongoBudgetSeconds = numberOption('--mongo-seconds', 600);

const SEED = 20_260_105;
const START_DATE = '2026-01-05';
/** Events per batch of the rebuild, as `ifw projections rebuild` reads them. */
const REBUILD_BATCH = 5_000;
/**
 * FerretDB takes milliseconds per guarded document write, so its rebuild reads the live runner's batches: a
 * batch of 5,000 events would take minutes to commit. The SQLite rebuild it is compared with reads the same.
 */
const MONGO_BATCH = DEFAULT_LOG_CONSUMER_OPTIONS.batchSize;
const CONNECTION_COUNTS = [8, 16, 32, 64] as const;
const GET_SECONDS = 5;
const LAG_RATE_PER_SEC = 1_000;
const LAG_SECONDS = 20;
const LAG_WARMUP_SECONDS = 2;
const LAG_WALLETS = 2_000;
const MAX_LAG_IN_FLIGHT = 256;
/** Every this many measured deposits, a plain GET checks that the visible wallet holds at least the cash the deposit answered. */
const VERIFY_EVERY = 50;
const GOALS = { rebuildEventsPerSec: 100_000, getsPerSec: 5_000, getP99Ms: 10, lagP99Ms: 50 } as const;

const resultsDir = join(__dirname, 'results');
const started = new Date();
const stamp = started.toISOString().replace(/[:.]/g, '-');

function progress(message: string): void {
  if (!asJson) process.stderr.write(`… ${message}\n`);
}

const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;
const perSec = (count: number, seconds: number) => (seconds > 0 ? Math.round(count / seconds) : 0);

/** The population scales with the history: about 50 events per customer, a merchant per 100 customers. */
function population(events: number): { customers: number; merchants: number; funds: number } {
  const customers = Math.max(50, Math.round(events / 50));
  return { customers, merchants: Math.max(5, Math.round(customers / 100)), funds: 4 };
}

// ---------------------------------------------------------------------------------------------- history

interface HistoryFigures {
  events: number;
  customers: number;
  merchants: number;
  funds: number;
  seed: number;
  startDate: string;
  businessDays: number;
  seconds: number;
  eventsPerSec: number;
  types: Record<string, number>;
}

async function writeHistory(path: string, events: number, label: string, personalDataKey: DataKey): Promise<{ history: RealisticHistory; figures: HistoryFigures }> {
  const shape = population(events);
  progress(`${label}: writing ${events.toLocaleString('en')} events (${shape.customers.toLocaleString('en')} customers, ${shape.merchants} merchants, ${shape.funds} funds)`);
  const store = SqliteEventStore.open(path);
  const bar = new Progress(`  ${label} events written`, asJson);
  const start = performance.now();
  let history: RealisticHistory;
  try {
    history = await writeRealisticHistory(store, { events, ...shape, seed: SEED, startDate: START_DATE, personalDataKey, onProgress: (written) => bar.update(written, events) });
  } finally {
    await store.close();
  }
  const seconds = (performance.now() - start) / 1000;
  bar.finish();
  const types = countTypes(path);
  progress(`${label}: ${history.events.toLocaleString('en')} events in ${round(seconds, 1)} s (${perSec(history.events, seconds).toLocaleString('en')}/s)`);
  const figures = { events: history.events, ...shape, seed: SEED, startDate: START_DATE, businessDays: types.DayClosed ?? 0, seconds: round(seconds, 2), eventsPerSec: perSec(history.events, seconds), types };
  return { history, figures };
}

/** The mix as written, counted by SQL on the store's file (reading a million events back would take longer). */
function countTypes(path: string): Record<string, number> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare('SELECT type, count(*) AS n FROM events GROUP BY type ORDER BY n DESC').all() as { type: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.type, r.n]));
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------- rebuild

/** What the measuring read store counted: every commit's size, and the time spent in commits and in reads. */
interface ReadStoreCounts {
  commitSizes: number[];
  commitDurationsMs: number[];
  writesByCollection: Record<string, number>;
  commitMs: number;
  gets: number;
  getMs: number;
}

/**
 * The read store with its commits and document reads timed and counted. A proxy, so every other method of
 * the port is the store's own, whatever the port holds.
 */
class MeasuredReadStore {
  readonly counts: ReadStoreCounts = { commitSizes: [], commitDurationsMs: [], writesByCollection: {}, commitMs: 0, gets: 0, getMs: 0 };
  readonly store: ReadStore;

  constructor(readonly inner: ReadStore) {
    const counts = this.counts;
    const timed = async <T>(call: () => Promise<T>, count: (ms: number) => void): Promise<T> => {
      const start = performance.now();
      const result = await call();
      count(performance.now() - start);
      return result;
    };
    const overrides: Partial<ReadStore> = {
      commit: (batch: Batch) =>
        timed(
          () => inner.commit(batch),
          (ms) => {
            counts.commitMs += ms;
            counts.commitSizes.push(batch.writes.length);
            counts.commitDurationsMs.push(ms);
            for (const write of batch.writes) counts.writesByCollection[write.collection] = (counts.writesByCollection[write.collection] ?? 0) + 1;
          },
        ),
      get: (collection: string, id: string) => timed(() => inner.get(collection, id), (ms) => ((counts.getMs += ms), counts.gets++)),
      getMany: (collection: string, ids: readonly string[]) => timed(() => inner.getMany(collection, ids), (ms) => ((counts.getMs += ms), (counts.gets += ids.length))),
    };
    this.store = new Proxy(inner, {
      get(target, property, receiver) {
        if (property in overrides) return overrides[property as keyof ReadStore];
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

interface RebuildFigures {
  store: string;
  /** False when the time allowed ran out first: the figures then cover the events committed until then. */
  complete: boolean;
  events: number;
  batchSize: number;
  seconds: number;
  eventsPerSec: number;
  projections: { name: string; state: string; eventsApplied: number; position: string | null; error: string | null }[];
  halted: string[];
  commits: number;
  writes: number;
  largestCommit: number;
  slowestCommitSeconds: number;
  /** Every commit's duration, for rebuilds of a few dozen commits, to show how it grows with the collections. */
  commitSeconds: number[] | null;
  writesByCollection: Record<string, number>;
  /** Inside ReadStore.commit (serialising, upserts, the transaction), inside its gets (BatchView's first reads), and the rest. */
  secondsIn: { commits: number; gets: number; everythingElse: number };
  gets: number;
}

/**
 * Rebuilds every read model from position 0 into version 1 of a fresh read store: the runner in rebuild
 * mode, as `ifw projections rebuild` drives it, reading the log once for all of them. Version 1 is the
 * version a fresh catalog serves, so `ifw serve` on the same folder serves what was rebuilt.
 */
interface RebuildOptions {
  definitions?: readonly ProjectionDefinition[];
  batchSize?: number;
  /** Stop after this long, once the batch in flight is committed, and report what was rebuilt by then. */
  budgetSeconds?: number;
}

async function rebuildAll(eventStorePath: string, readStore: MeasuredReadStore, label: string, options: RebuildOptions = {}): Promise<RebuildFigures> {
  const { definitions = READ_MODELS, batchSize = REBUILD_BATCH, budgetSeconds = 3_600 } = options;
  const store = SqliteEventStore.open(eventStorePath);
  const feed = new LogFeed(store);
  try {
    const catalog = new ProjectionCatalog(readStore.store, definitions);
    await catalog.init();
    feed.start();
    const head = Number(await store.lastPosition());
    const versions = new Map(definitions.map((d) => [d.name, catalog.activeVersion(d.name)]));
    // As `ifw projections rebuild` does: load without secondary indexes, and build them once caught up (timed).
    for (const definition of definitions) {
      const specs = physicalSpecs(definition, versions.get(definition.name)!);
      await readStore.store.dropCollections(specs.map((spec) => spec.name));
      await readStore.store.ensureCollections(specs, { indexes: false });
    }
    const runner = new ProjectionRunner(store, catalog, feed, definitions, {
      owner: `bench:${process.pid}:${randomBytes(4).toString('hex')}`,
      leaseTtlMs: DEFAULT_LEASE_TTL_MS,
      clock: Date.now,
      consumer: { ...DEFAULT_LOG_CONSUMER_OPTIONS, batchSize },
      mode: { kind: 'rebuild', versions },
    });
    progress(`${label}: rebuilding ${definitions.length} read models from position 0 (${batchSize.toLocaleString('en')} events a batch)`);
    const bar = new Progress(`  ${label} events rebuilt`, asJson);
    const ticker = setInterval(() => bar.update(runner.eventsRead, head), 200);
    let budget: NodeJS.Timeout | undefined;
    const start = performance.now();
    runner.start();
    const complete = await Promise.race([runner.whenCaughtUp().then(() => true), new Promise<false>((resolve) => (budget = setTimeout(() => resolve(false), budgetSeconds * 1000)))]);
    clearTimeout(budget);
    if (!complete) await runner.stop();
    for (const definition of definitions) await readStore.store.ensureCollections(physicalSpecs(definition, versions.get(definition.name)!));
    const seconds = (performance.now() - start) / 1000;
    clearInterval(ticker);
    bar.finish();
    const statuses = runner.statuses();
    const eventsRead = runner.eventsRead;
    if (complete) await runner.stop();
    return rebuildFigures(label, readStore, { statuses, events: eventsRead, seconds, complete, batchSize });
  } finally {
    await feed.stop();
    await store.close();
  }
}

interface RebuildOutcome {
  statuses: ProjectionStatus[];
  events: number;
  seconds: number;
  complete: boolean;
  batchSize: number;
}

function rebuildFigures(label: string, { counts }: MeasuredReadStore, { statuses, events, seconds, complete, batchSize }: RebuildOutcome): RebuildFigures {
  const commitSeconds = counts.commitMs / 1000;
  const getSeconds = counts.getMs / 1000;
  const figures: RebuildFigures = {
    store: label,
    complete,
    events,
    batchSize,
    seconds: round(seconds, 2),
    eventsPerSec: perSec(events, seconds),
    projections: statuses.map((s) => ({ name: s.name, state: s.state, eventsApplied: s.eventsApplied, position: s.position, error: s.lastError?.message ?? null })),
    halted: statuses.filter((s) => s.state === 'halted').map((s) => `${s.name}: ${s.lastError?.message} (position ${s.lastError?.position})`),
    commits: counts.commitSizes.length,
    writes: counts.commitSizes.reduce((a, b) => a + b, 0),
    largestCommit: counts.commitSizes.reduce((a, b) => Math.max(a, b), 0),
    slowestCommitSeconds: round(counts.commitDurationsMs.reduce((a, b) => Math.max(a, b), 0) / 1000, 2),
    commitSeconds: counts.commitDurationsMs.length <= 60 ? counts.commitDurationsMs.map((ms) => round(ms / 1000, 2)) : null,
    writesByCollection: counts.writesByCollection,
    secondsIn: { commits: round(commitSeconds, 2), gets: round(getSeconds, 2), everythingElse: round(seconds - commitSeconds - getSeconds, 2) },
    gets: counts.gets,
  };
  const partial = complete ? '' : ` (STOPPED after the time allowed: ${events.toLocaleString('en')} events rebuilt)`;
  progress(`${label}: ${events.toLocaleString('en')} events in ${figures.seconds} s = ${figures.eventsPerSec.toLocaleString('en')} events/s${partial}${figures.halted.length ? `; HALTED ${figures.halted.join('; ')}` : ''}`);
  return figures;
}

// ---------------------------------------------------------------------------------------------- ceiling

interface CeilingFigures {
  method: string;
  documents: number;
  commits: number;
  seconds: number;
  documentsPerSec: number;
  eventsPerSec: number;
  /** What the secondary indexes cost: the same load with them dropped, then built again at the end. */
  indexesAfterLoad: { loadSeconds: number; indexSeconds: number; seconds: number; eventsPerSec: number };
}

/** A document to write bare, its body kept as JSON text until its commit: a million parsed bodies would crowd the heap. */
interface BareDoc {
  collection: string;
  id: string;
  position: bigint;
  json: string;
}

/** Every document of every read model's served version, in the order of the positions they were last written at. */
async function readDocuments(readStore: ReadStore, catalog: ProjectionCatalog): Promise<BareDoc[]> {
  const docs: BareDoc[] = [];
  for (const definition of READ_MODELS) {
    for (const spec of definition.collections) {
      const collection = versionedCollection(spec.name, catalog.activeVersion(definition.name));
      let after: string | undefined;
      // Bounded by the collection: each page moves `after` past its last id.
      for (;;) {
        const page = await readStore.find(collection, { orderBy: ['id'], limit: READ_STORE_LIMITS.maxPageSize, ...(after === undefined ? {} : { after: [after] }) });
        for (const doc of page) docs.push({ collection, id: doc.id, position: doc.position, json: JSON.stringify(doc.body) });
        if (page.length < READ_STORE_LIMITS.maxPageSize) break;
        after = page[page.length - 1]!.id;
      }
    }
  }
  return docs.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
}

/**
 * The same documents written bare: the same tables and indexes (physicalSpecs), the same commit path with
 * the same checkpoints and leases per commit, and commits of the sizes the rebuild made, in turn. Then the
 * same again into tables without their secondary indexes, which are built once at the end: what a rebuild
 * that deferred its indexes could reach.
 */
async function measureCeiling(docs: readonly BareDoc[], commitSizes: readonly number[], work: string, events: number): Promise<CeilingFigures> {
  progress(`ceiling: writing ${docs.length.toLocaleString('en')} documents bare in commits of the rebuild's sizes`);
  const served = await writeBare(docs, commitSizes, join(work, 'ceiling.db'), 'as served');
  progress(`ceiling: ${docs.length.toLocaleString('en')} documents in ${round(served.loadSeconds, 2)} s = ${perSec(events, served.loadSeconds).toLocaleString('en')} events/s of history`);
  progress('ceiling: the same with the secondary indexes dropped, built again at the end');
  const deferred = await writeBare(docs, commitSizes, join(work, 'ceiling-deferred.db'), 'indexes after');
  const deferredSeconds = deferred.loadSeconds + deferred.indexSeconds;
  progress(`ceiling: ${round(deferred.loadSeconds, 2)} s loading + ${round(deferred.indexSeconds, 2)} s indexing = ${perSec(events, deferredSeconds).toLocaleString('en')} events/s of history`);
  return {
    method:
      "the rebuilt documents read back, sorted by position, and committed bare through SqliteReadStore.commit into a fresh file with the same tables and indexes, in commits of the rebuild's sizes (with its checkpoints and leases); only the commits are timed (the bodies are parsed from text before each, outside the timing)",
    documents: docs.length,
    commits: served.commits,
    seconds: round(served.loadSeconds, 2),
    documentsPerSec: perSec(docs.length, served.loadSeconds),
    eventsPerSec: perSec(events, served.loadSeconds),
    indexesAfterLoad: { loadSeconds: round(deferred.loadSeconds, 2), indexSeconds: round(deferred.indexSeconds, 2), seconds: round(deferredSeconds, 2), eventsPerSec: perSec(events, deferredSeconds) },
  };
}

/**
 * Writes the documents through SqliteReadStore.commit. With 'indexes after', the secondary indexes the store
 * made are dropped before the load (found in sqlite_master, so this holds whatever the store names them) and
 * made again from their own CREATE statements afterwards.
 */
async function writeBare(docs: readonly BareDoc[], commitSizes: readonly number[], path: string, indexes: 'as served' | 'indexes after') {
  const store = SqliteReadStore.open(path);
  try {
    for (const definition of READ_MODELS) await store.ensureCollections(physicalSpecs(definition, 1));
    const deferred = indexes === 'indexes after' ? dropSecondaryIndexes(path) : [];
    const owner = 'bench-ceiling';
    const leases = READ_MODELS.map((d) => ({ name: `${d.name}@rebuild`, owner }));
    for (const lease of leases) await store.claimLease(lease.name, owner, Date.now(), 3_600_000);
    const sizes = commitSizes.filter((n) => n > 0);
    let loadMs = 0;
    let commits = 0;
    for (let offset = 0; offset < docs.length; commits++) {
      const size = sizes.length > 0 ? sizes[commits % sizes.length]! : READ_STORE_LIMITS.maxWritesPerBatch;
      const writes: DocWrite[] = docs.slice(offset, offset + size).map((d) => ({ collection: d.collection, id: d.id, position: d.position, body: JSON.parse(d.json) as JsonObject }));
      offset += size;
      const position = writes[writes.length - 1]!.position;
      // Only the commit is timed: the rebuild hands the store bodies it already holds as objects.
      const start = performance.now();
      await store.commit({ writes, checkpoints: READ_MODELS.map((d) => ({ key: checkpointKey(d.name, 1), position })), leases });
      loadMs += performance.now() - start;
    }
    const loadSeconds = loadMs / 1000;
    const indexStart = performance.now();
    if (deferred.length > 0) createIndexes(path, deferred);
    return { commits, loadSeconds, indexSeconds: (performance.now() - indexStart) / 1000 };
  } finally {
    await store.close();
  }
}

/** Drops every index of the collections' tables that was made by a CREATE INDEX, and returns those statements. */
function dropSecondaryIndexes(path: string): string[] {
  const db = new Database(path);
  try {
    const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name LIKE 'c\\_%' ESCAPE '\\'").all() as { name: string; sql: string }[];
    for (const { name } of indexes) db.exec(`DROP INDEX "${name.replace(/"/g, '""')}"`);
    return indexes.map((i) => i.sql);
  } finally {
    db.close();
  }
}

function createIndexes(path: string, statements: readonly string[]): void {
  const db = new Database(path);
  try {
    db.transaction(() => statements.forEach((sql) => db.exec(sql)))();
  } finally {
    db.close();
  }
}

// ----------------------------------------------------------------------------------------------- profile

interface ProfileFigures {
  note: string;
  rebuild: RebuildFigures;
  /** Time inside each read model's apply, awaits of its reads included. */
  applySeconds: Record<string, number>;
  summary: ProfileSummary;
  file: string;
  /** Each read model rebuilt on its own over the whole log, unprofiled: what it costs, its commits included. */
  alone: { name: string; seconds: number; eventsPerSec: number; writes: number; secondsInCommits: number }[];
}

/** A further rebuild into a scratch read store under the V8 profiler, with each handler timed. */
async function profileRebuild(eventStorePath: string, work: string): Promise<ProfileFigures> {
  const applyMs = new Map<string, number>();
  const timed = READ_MODELS.map((definition) => ({
    ...definition,
    apply: async (...call: Parameters<ProjectionDefinition['apply']>) => {
      const start = performance.now();
      await definition.apply(...call);
      applyMs.set(definition.name, (applyMs.get(definition.name) ?? 0) + performance.now() - start);
    },
  }));
  const session = new Session();
  session.connect();
  const post = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.start');
  const readStore = new MeasuredReadStore(SqliteReadStore.open(join(work, 'profile-read.db')));
  let rebuild: RebuildFigures;
  try {
    rebuild = await rebuildAll(eventStorePath, readStore, 'profiled rebuild', { definitions: timed });
  } finally {
    await readStore.close();
  }
  const { profile } = (await post('Profiler.stop')) as { profile: object };
  session.disconnect();
  const dir = join(resultsDir, `projections-profile-${stamp}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'rebuild.cpuprofile');
  writeFileSync(file, JSON.stringify(profile));
  return {
    note: 'a second rebuild under the V8 sampling profiler with every handler wrapped in a timer, so its rate is below the measured one',
    rebuild,
    applySeconds: Object.fromEntries([...applyMs].map(([name, ms]) => [name, round(ms / 1000, 2)])),
    summary: summarise(file, { top: 30 }),
    file,
    alone: await rebuildEachAlone(eventStorePath, work),
  };
}

async function rebuildEachAlone(eventStorePath: string, work: string): Promise<ProfileFigures['alone']> {
  const alone: ProfileFigures['alone'] = [];
  for (const definition of READ_MODELS) {
    const readStore = new MeasuredReadStore(SqliteReadStore.open(join(work, `alone-${definition.name}.db`)));
    try {
      const figures = await rebuildAll(eventStorePath, readStore, `${definition.name} alone`, { definitions: [definition] });
      alone.push({ name: definition.name, seconds: figures.seconds, eventsPerSec: figures.eventsPerSec, writes: figures.writes, secondsInCommits: figures.secondsIn.commits });
    } finally {
      await readStore.close();
    }
  }
  return alone;
}

// -------------------------------------------------------------------------------------------------- servers

/** The bare route: Fastify, the same read store file, one get of the wallet's document, no auth, no Nest. */
async function runBareServer(readDbPath: string, collection: string): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const store = SqliteReadStore.open(readDbPath);
  const app = Fastify({ logger: false });
  app.get<{ Params: { walletId: string } }>('/wallets/:walletId', async (req, reply) => {
    const doc = await store.get(collection, req.params.walletId);
    if (!doc) return reply.code(404).send({ title: 'no such wallet' });
    return doc.body;
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  console.log(JSON.stringify({ listening: address }));
  process.once('SIGTERM', () => void app.close().then(() => store.close()).then(() => process.exit(0)));
}

// ---------------------------------------------------------------------------------------------- the GETs

interface GetRun {
  connections: number;
  seconds: number;
  ok2xx: number;
  perSec: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

function getRun(url: string, key: string, walletIds: readonly string[], connections: number, seconds: number): Promise<GetRun> {
  let next = 0;
  const requests: autocannon.Request[] = [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/wallets/${walletIds[next++ % walletIds.length]}` }) }];
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration: seconds, timeout: 10, headers: { authorization: `Bearer ${key}` }, requests }, (error, result) => {
      if (error) return reject(error);
      const ok2xx = result['2xx'];
      resolve({
        connections,
        seconds: result.duration,
        ok2xx,
        perSec: perSec(ok2xx, result.duration),
        latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: round(result.latency.mean, 2) },
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
      });
    });
  });
}

/** A warm-up, then one run per connection count: the throughput a latency bound allows is read off the curve. */
async function getSweep(name: string, url: string, key: string, walletIds: readonly string[]): Promise<GetRun[]> {
  progress(`${name}: warm-up, 2 s at 16 connections (not measured)`);
  await getRun(url, key, walletIds, 16, 2);
  const runs: GetRun[] = [];
  for (const connections of CONNECTION_COUNTS) {
    const run = await getRun(url, key, walletIds, connections, GET_SECONDS);
    progress(`${name}: ${connections} connections: ${run.perSec.toLocaleString('en')} 2xx/s, p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms, non-2xx ${run.non2xx}`);
    runs.push(run);
  }
  return runs;
}

/** The fastest run whose p99 is within the bound, or the fastest when none is. */
function bestRun(runs: readonly GetRun[]): GetRun | undefined {
  const within = runs.filter((r) => r.latencyMs.p99 < GOALS.getP99Ms && r.non2xx === 0 && r.errors === 0);
  const pool = within.length > 0 ? within : runs;
  return [...pool].sort((a, b) => b.perSec - a.perSec)[0];
}

// ----------------------------------------------------------------------------------------------- the lag

interface LagFigures {
  method: string;
  targetRatePerSec: number;
  seconds: number;
  wallets: number;
  sent: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  skippedAtInFlightLimit: number;
  achievedPerSec: number;
  measured: number;
  writeLatencyMs: { p50: number; p99: number; max: number };
  lagMs: { p50: number; p95: number; p99: number; max: number; mean: number; visibleAtResponse: number };
  neverVisible: number;
  verified: { checked: number; failed: number; failures: string[] };
}

interface HttpReply {
  status: number;
  body: string;
}

function httpCall(agent: Agent, base: URL, method: 'GET' | 'POST', path: string, key: string, body?: string): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
    const req = request({ agent, host: base.hostname, port: base.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const fenOf = (text: string) => BigInt(text.replace('.', ''));

interface PendingWrite {
  position: bigint;
  respondedMs: number;
  walletId: string;
  cash: string;
  verify: boolean;
}

type Owner = { walletId: string; apiKey: string };

/**
 * Deposits at a fixed rate (an open loop: a slow answer does not slow the sending), each timed from its 2xx
 * to the first reading of the wallets projection's checkpoint at or past its position. The checkpoint is read
 * from the read store file every millisecond; it commits in the same transaction as the documents, so once it
 * is there the wallet's document is there for every reader.
 */
class LagProbe {
  private readonly base: URL;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly readStore: SqliteReadStore;
  private readonly key = checkpointKey('wallets', 1);
  private readonly body = JSON.stringify({ amount: '1.00' });
  private readonly counts = { sent: 0, ok2xx: 0, non2xx: 0, errors: 0, skipped: 0, inFlight: 0 };
  private readonly lags: number[] = [];
  private readonly writeLatencies: number[] = [];
  private visibleAtResponse = 0;
  private readonly pending: PendingWrite[] = [];
  private readonly verifications: Promise<string | undefined>[] = [];
  private measureFromMs = 0;

  constructor(
    url: string,
    readDbPath: string,
    private readonly owners: readonly Owner[],
    private readonly operatorKey: string,
  ) {
    this.base = new URL(url);
    this.readStore = SqliteReadStore.open(readDbPath);
  }

  async run(): Promise<LagFigures> {
    progress(`lag: deposits at ${LAG_RATE_PER_SEC.toLocaleString('en')}/s over ${this.owners.length.toLocaleString('en')} wallets, ${LAG_WARMUP_SECONDS} s warm-up then ${LAG_SECONDS} s measured`);
    const poller = setInterval(() => void this.poll(), 1);
    try {
      await this.pace();
      // Let the last answers and their visibility arrive, within a bound.
      for (let waited = 0; (this.counts.inFlight > 0 || this.pending.length > 0) && waited < 5_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    } finally {
      clearInterval(poller);
    }
    const failures = (await Promise.all(this.verifications)).filter((f): f is string => f !== undefined);
    this.agent.destroy();
    await this.readStore.close();
    const { lags, writeLatencies, visibleAtResponse, pending, verifications } = this;
    return lagFigures(this.counts, { lags, writeLatencies, visibleAtResponse, neverVisible: pending.length, checked: verifications.length, failures, wallets: this.owners.length });
  }

  /** Sends what is due every millisecond, so the rate holds whatever the answers do. */
  private pace(): Promise<void> {
    const startMs = performance.now();
    this.measureFromMs = startMs + LAG_WARMUP_SECONDS * 1000;
    const endMs = this.measureFromMs + LAG_SECONDS * 1000;
    let next = 0;
    return new Promise<void>((resolve) => {
      const pacer = setInterval(() => {
        const now = performance.now();
        if (now >= endMs) {
          clearInterval(pacer);
          return resolve();
        }
        const due = Math.floor(((now - startMs) / 1000) * LAG_RATE_PER_SEC);
        for (; next < due; next++) {
          if (this.counts.inFlight >= MAX_LAG_IN_FLIGHT) this.counts.skipped++;
          else this.send(this.owners[next % this.owners.length]!);
        }
      }, 1);
    });
  }

  private send(owner: Owner): void {
    const sentMs = performance.now();
    this.counts.sent++;
    this.counts.inFlight++;
    httpCall(this.agent, this.base, 'POST', `/wallets/${owner.walletId}/deposits`, owner.apiKey, this.body)
      .then((reply) => this.answered(reply, sentMs, owner))
      .catch(() => void this.counts.errors++)
      .finally(() => void this.counts.inFlight--);
  }

  private async answered(reply: HttpReply, sentMs: number, owner: Owner): Promise<void> {
    const respondedMs = performance.now();
    if (reply.status < 200 || reply.status > 299) {
      this.counts.non2xx++;
      return;
    }
    this.counts.ok2xx++;
    if (sentMs < this.measureFromMs) return;
    this.writeLatencies.push(respondedMs - sentMs);
    const answer = JSON.parse(reply.body) as { position: string; cash: string };
    const write = { position: BigInt(answer.position), respondedMs, walletId: owner.walletId, cash: answer.cash, verify: this.writeLatencies.length % VERIFY_EVERY === 0 };
    const at = await this.readStore.checkpoint(this.key);
    if (at === undefined || at < write.position) {
      this.pending.push(write);
      return;
    }
    this.lags.push(0);
    this.visibleAtResponse++;
    if (write.verify) this.verifications.push(this.verify(write));
  }

  private async poll(): Promise<void> {
    if (this.pending.length === 0) return;
    const at = await this.readStore.checkpoint(this.key);
    const now = performance.now();
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const write = this.pending[i]!;
      if (at === undefined || at < write.position) continue;
      this.lags.push(now - write.respondedMs);
      if (write.verify) this.verifications.push(this.verify(write));
      this.pending.splice(i, 1);
    }
  }

  /** A plain GET (no minPosition) once the checkpoint is there: it must show at least the cash the deposit answered. */
  private async verify(write: PendingWrite): Promise<string | undefined> {
    const reply = await httpCall(this.agent, this.base, 'GET', `/wallets/${write.walletId}`, this.operatorKey);
    if (reply.status !== 200) return `GET /wallets/${write.walletId} answered ${reply.status}`;
    const cash = (JSON.parse(reply.body) as { cash: string }).cash;
    return fenOf(cash) >= fenOf(write.cash) ? undefined : `wallet ${write.walletId} showed ${cash} after its checkpoint passed a deposit that answered ${write.cash}`;
  }
}

interface LagSamples {
  lags: number[];
  writeLatencies: number[];
  visibleAtResponse: number;
  neverVisible: number;
  checked: number;
  failures: string[];
  wallets: number;
}

function lagFigures(counts: { sent: number; ok2xx: number; non2xx: number; errors: number; skipped: number }, samples: LagSamples): LagFigures {
  const { lags, writeLatencies, visibleAtResponse, neverVisible, checked, failures, wallets } = samples;
  const sortedLags = [...lags].sort((a, b) => a - b);
  const sortedWrites = [...writeLatencies].sort((a, b) => a - b);
  const r2 = (n: number) => round(n, 2);
  return {
    method:
      "open-loop deposits at a fixed rate; each measured write is timed from its 2xx (body received) to the first reading of the wallets projection's checkpoint (_checkpoints 'wallets@v1' in the read store file, read through SqliteReadStore.checkpoint every 1 ms, and once right at the response) at or past the write's position; 0 when it was already there at the response. Resolution about 1 ms (the poll period). Every 50th write is then read with a plain GET /wallets/{id}, which must show at least the cash the deposit answered",
    targetRatePerSec: LAG_RATE_PER_SEC,
    seconds: LAG_SECONDS,
    wallets,
    sent: counts.sent,
    ok2xx: counts.ok2xx,
    non2xx: counts.non2xx,
    errors: counts.errors,
    skippedAtInFlightLimit: counts.skipped,
    achievedPerSec: perSec(writeLatencies.length, LAG_SECONDS),
    measured: lags.length,
    writeLatencyMs: { p50: r2(quantile(sortedWrites, 0.5)), p99: r2(quantile(sortedWrites, 0.99)), max: r2(sortedWrites[sortedWrites.length - 1] ?? 0) },
    lagMs: {
      p50: r2(quantile(sortedLags, 0.5)),
      p95: r2(quantile(sortedLags, 0.95)),
      p99: r2(quantile(sortedLags, 0.99)),
      max: r2(sortedLags[sortedLags.length - 1] ?? 0),
      mean: r2(lags.reduce((a, b) => a + b, 0) / Math.max(1, lags.length)),
      visibleAtResponse,
    },
    neverVisible,
    verified: { checked, failed: failures.length, failures: failures.slice(0, 5) },
  };
}

// ------------------------------------------------------------------------------------------------- the HTTP part

interface HttpFigures {
  serverExitCode: number | null;
  walletGets: { ifw: GetRun[]; bare: GetRun[]; ifwBest: GetRun | null; bareBest: GetRun | null; wallets: number; note: string };
  lag: LagFigures;
}

async function measureHttp(dataDir: string, history: RealisticHistory): Promise<HttpFigures> {
  ensureBuilt(progress, asJson);
  const operatorKey = `bench-op-${randomBytes(24).toString('base64url')}`;
  const readDb = join(dataDir, 'read.db');
  const collection = versionedCollection(WALLETS_COLLECTION, 1);
  progress('bare: starting a Fastify route on the read store file (child process)');
  const bare = await startChild(['--import', 'tsx', __filename, '--bare-server', readDb, collection], {}, 'the bare server');
  let bareRuns: GetRun[];
  try {
    bareRuns = await getSweep('bare GET /wallets/{id}', bare.url, operatorKey, history.walletIds);
  } finally {
    await stopChild(bare);
  }
  progress(`ifw: starting node dist/cli/main.js serve on ${dataDir}`);
  const env = { IFW_API_KEYS: `${operatorKey}=operator`, IFW_START_DATE: START_DATE, IFW_HOST: '127.0.0.1' };
  const server = await startChild([MAIN_JS, 'serve', '--data', dataDir, '--port', '0', '--json'], env, 'ifw serve');
  let ifwRuns: GetRun[];
  let lag: LagFigures;
  try {
    ifwRuns = await getSweep('ifw GET /wallets/{id}', server.url, operatorKey, history.walletIds);
    const customers = history.walletIds.filter((id) => !history.merchantWalletIds.includes(id)).slice(0, LAG_WALLETS);
    lag = await new LagProbe(server.url, readDb, customers.map((walletId) => ({ walletId, apiKey: history.apiKeys.get(walletId)! })), operatorKey).run();
  } catch (error) {
    process.stderr.write(`ifw serve stderr (last lines):\n${server.stderrTail.join('\n')}\n`);
    throw error;
  } finally {
    await stopChild(server);
  }
  const note = `autocannon runs in this process, so it and the server share this ${cpus().length}-core machine; each run lasts ${GET_SECONDS} s with requests spread round-robin over ${history.walletIds.length.toLocaleString('en')} wallets, the operator's key on each`;
  return {
    serverExitCode: await server.exited,
    walletGets: { ifw: ifwRuns, bare: bareRuns, ifwBest: bestRun(ifwRuns) ?? null, bareBest: bestRun(bareRuns) ?? null, wallets: history.walletIds.length, note },
    lag,
  };
}

// ------------------------------------------------------------------------------------------------- MongoDB

type MongoFigures = { skipped: string } | { history: HistoryFigures; sqlite: RebuildFigures; mongo: RebuildFigures; database: string; ratioToSqlite: number };

/** The same URL on a database of its own, so the run neither meets nor leaves anything of another. */
function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function measureMongo(work: string, personalDataKey: DataKey): Promise<MongoFigures> {
  const url = process.env.IFW_BENCH_MONGO_URL;
  if (!url) return { skipped: 'IFW_BENCH_MONGO_URL is not set (start FerretDB with scripts/ferretdb.sh start and pass the URL it prints)' };
  const dir = join(work, 'mongo-history');
  mkdirSync(dir, { recursive: true });
  const { figures } = await writeHistory(join(dir, 'ifw.db'), mongoEventCount, 'mongo history', personalDataKey);
  const sqliteStore = new MeasuredReadStore(SqliteReadStore.open(join(dir, 'read.db')));
  let sqlite: RebuildFigures;
  try {
    sqlite = await rebuildAll(join(dir, 'ifw.db'), sqliteStore, 'sqlite (small history)', { batchSize: MONGO_BATCH });
  } finally {
    await sqliteStore.close();
  }
  const database = `ifw_bench_${stamp.replace(/-/g, '_').toLowerCase()}`;
  const { openReadStore } = await import('../src/projections/open-read-store');
  const mongoStore = new MeasuredReadStore(await openReadStore(withDatabase(url, database)));
  let mongo: RebuildFigures;
  try {
    mongo = await rebuildAll(join(dir, 'ifw.db'), mongoStore, 'mongodb', { batchSize: MONGO_BATCH, budgetSeconds: mongoBudgetSeconds });
  } finally {
    await mongoStore.close();
    await dropDatabase(url, database);
  }
  return { history: figures, sqlite, mongo, database, ratioToSqlite: round(mongo.eventsPerSec / Math.max(1, sqlite.eventsPerSec), 3) };
}

async function dropDatabase(url: string, database: string): Promise<void> {
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000 });
  try {
    await client.connect();
    await client.db(database).dropDatabase();
  } catch (error) {
    progress(`could not drop the bench database ${database}: ${(error as Error).message}`);
  } finally {
    await client.close();
  }
}

// --------------------------------------------------------------------------------------------------- the run

async function measureRebuildAndCeiling(dataDir: string, work: string, events: number) {
  const readStore = new MeasuredReadStore(SqliteReadStore.open(join(dataDir, 'read.db')));
  try {
    const rebuild = await rebuildAll(join(dataDir, 'ifw.db'), readStore, 'sqlite');
    const catalog = new ProjectionCatalog(readStore.inner, READ_MODELS);
    await catalog.init();
    progress('ceiling: reading every rebuilt document back');
    const docs = await readDocuments(readStore.inner, catalog);
    const perCollection: Record<string, number> = {};
    for (const doc of docs) perCollection[doc.collection] = (perCollection[doc.collection] ?? 0) + 1;
    const ceiling = await measureCeiling(docs, readStore.counts.commitSizes, work, events);
    return { rebuild, ceiling, documents: perCollection };
  } finally {
    await readStore.close();
  }
}

/**
 * A rebuild under a changed rule: the compliance read model built as a shadow with every tier's limit halved
 * from the first day, beside the same model rebuilt as it is. The issue's goal: the shadow at the rate of a
 * rebuild of every read model.
 */
async function measureShadow(dataDir: string, startDate: string): Promise<ShadowFigures> {
  const store = SqliteEventStore.open(join(dataDir, 'ifw.db'), { upcast: upcastToCurrent });
  const readStore = SqliteReadStore.open(join(dataDir, 'read.db'));
  const catalog = new ProjectionCatalog(readStore, READ_MODELS);
  await catalog.init();
  const feed = new LogFeed(store);
  feed.start();
  const options = { owner: 'bench', clock: Date.now, consumer: { ...DEFAULT_LOG_CONSUMER_OPTIONS, batchSize: 5_000 }, liveWaitMs: 10_000 };
  try {
    progress('shadow: the compliance read model rebuilt as it is');
    let began = performance.now();
    const [plain] = await rebuildProjections(store, catalog, feed, [catalog.definition('compliance')!], options);
    const plainSeconds = (performance.now() - began) / 1000;
    const inForce = ruleSetOn(startDate);
    const halved = Object.fromEntries(Object.entries(inForce.accountTiers!).map(([tier, rule]) => [tier, { ...rule, paymentLimitFen: rule.paymentLimitFen / 2n }]));
    const ruleSet = { ...inForce, version: 'bench-halved', effectiveFrom: '2099-01-01', accountTiers: halved as typeof inForce.accountTiers };
    progress('shadow: the compliance read model under halved tier limits, with its report');
    began = performance.now();
    const report = await rebuildUnderRules(store, catalog, feed, { ruleSet, projections: ['compliance'], appliesFrom: startDate, businessDate: startDate, liveTimeline: RULE_SETS }, options);
    const shadowSeconds = (performance.now() - began) / 1000;
    const perSec = (seconds: number) => Math.round(plain!.events / seconds);
    return {
      events: plain!.events,
      plain: { seconds: round(plainSeconds, 2), eventsPerSec: perSec(plainSeconds) },
      shadowWithReport: { seconds: round(shadowSeconds, 2), eventsPerSec: perSec(shadowSeconds) },
      walletsCompared: report.diff.walletsCompared,
      walletsChanged: report.diff.walletsChanged,
      breaches: report.breaches.total,
    };
  } finally {
    await feed.stop();
    await readStore.close();
    await store.close();
  }
}

interface ShadowFigures {
  events: number;
  plain: { seconds: number; eventsPerSec: number };
  shadowWithReport: { seconds: number; eventsPerSec: number };
  walletsCompared: number;
  walletsChanged: number;
  breaches: number;
}

async function run(work: string) {
  const dataDir = join(work, 'data');
  mkdirSync(dataDir, { recursive: true });
  // One key store for the whole run, in the data folder the HTTP part serves; the read models open details with it.
  const keys = SqliteKeyStore.open(join(dataDir, 'keys.db'));
  const giveBack = lendToReadModels(keys);
  try {
    const personalDataKey = await keys.createKey();
    const { history, figures: historyFigures } = await writeHistory(join(dataDir, 'ifw.db'), eventCount, 'history', personalDataKey);
    const { rebuild, ceiling, documents } = await measureRebuildAndCeiling(dataDir, work, history.events);
    const shadow = await measureShadow(dataDir, historyFigures.startDate);
    const profile = withProfile ? await profileRebuild(join(dataDir, 'ifw.db'), work) : null;
    // A part that fails (a build that does not compile, a server that will not start) is reported, not fatal.
    const http: HttpFigures | { skipped: string } | { failed: string } = skipHttp ? { skipped: '--skip-http' } : await measureHttp(dataDir, history).catch(failure);
    const mongo: MongoFigures | { failed: string } = await measureMongo(work, personalDataKey).catch(failure);
    return { historyFigures, rebuild, ceiling, documents, shadow, profile, http, mongo };
  } finally {
    giveBack();
    await keys.close();
  }
}

function failure(error: unknown): { failed: string } {
  progress(`FAILED: ${(error as Error).stack ?? String(error)}`);
  return { failed: (error as Error).message ?? String(error) };
}

function measuredHttp(http: Awaited<ReturnType<typeof run>>['http']): HttpFigures | undefined {
  return 'lag' in http ? http : undefined;
}

function goalsOf(outcome: Awaited<ReturnType<typeof run>>) {
  const { rebuild } = outcome;
  const http = measuredHttp(outcome.http);
  const best = http?.walletGets.ifwBest;
  return [
    { goal: `rebuild of every read model >= ${GOALS.rebuildEventsPerSec.toLocaleString('en')} events/s`, met: rebuild.eventsPerSec >= GOALS.rebuildEventsPerSec, actual: `${rebuild.eventsPerSec.toLocaleString('en')} events/s` },
    { goal: 'no read model halted during the rebuild', met: rebuild.halted.length === 0, actual: rebuild.halted.join('; ') || 'none halted' },
    {
      goal: 'a shadow rebuild under a changed rule, with its report, at the rate of the rebuild of every read model',
      met: outcome.shadow.shadowWithReport.eventsPerSec >= rebuild.eventsPerSec,
      actual: `${outcome.shadow.shadowWithReport.eventsPerSec.toLocaleString('en')} events/s against ${rebuild.eventsPerSec.toLocaleString('en')}`,
    },
    {
      goal: `GET /wallets/{id} >= ${GOALS.getsPerSec.toLocaleString('en')}/s with p99 < ${GOALS.getP99Ms} ms`,
      met: best ? best.perSec >= GOALS.getsPerSec && best.latencyMs.p99 < GOALS.getP99Ms && best.non2xx === 0 : null,
      actual: best ? `${best.perSec.toLocaleString('en')}/s, p99 ${best.latencyMs.p99} ms at ${best.connections} connections` : 'skipped',
    },
    { goal: `write-to-visible lag p99 < ${GOALS.lagP99Ms} ms`, met: http ? http.lag.lagMs.p99 < GOALS.lagP99Ms && http.lag.neverVisible === 0 : null, actual: http ? `p99 ${http.lag.lagMs.p99} ms` : 'skipped' },
    { goal: 'every lag write answered 2xx and read back as written', met: http ? http.lag.non2xx + http.lag.errors === 0 && http.lag.verified.failed === 0 : null, actual: http ? `${http.lag.non2xx} non-2xx, ${http.lag.errors} errors, ${http.lag.verified.failed} of ${http.lag.verified.checked} read-backs failed` : 'skipped' },
  ];
}

async function main(): Promise<void> {
  if (args[0] === '--bare-server') return runBareServer(args[1]!, args[2]!);
  const work = mkdtempSync(join(tmpdir(), 'ifw-projections-bench-'));
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: removing ${work}\n`);
    rmSync(work, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const loadAtStart = loadavg().map((n) => round(n, 2));
  let outcome: Awaited<ReturnType<typeof run>>;
  try {
    outcome = await run(work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const goals = goalsOf(outcome);
  const report = {
    benchmark: 'projections',
    startedAt: started.toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null, node: process.version, loadAverageAtStart: loadAtStart, loadAverageAtEnd: loadavg().map((n) => round(n, 2)) },
    readModels: READ_MODELS.map((d) => d.name),
    history: outcome.historyFigures,
    rebuild: outcome.rebuild,
    ceiling: { ...outcome.ceiling, rebuildToCeiling: round(outcome.rebuild.eventsPerSec / Math.max(1, outcome.ceiling.eventsPerSec), 3) },
    documents: outcome.documents,
    shadow: outcome.shadow,
    http: outcome.http,
    mongo: outcome.mongo,
    profile: outcome.profile,
    goals,
  };
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `projections-${stamp}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2));
  if (asJson) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return;
  }
  printReport(report, outcome);
  console.log(`\nwritten to ${file}`);
}

function printReport(report: { ceiling: CeilingFigures & { rebuildToCeiling: number }; goals: ReturnType<typeof goalsOf> }, outcome: Awaited<ReturnType<typeof run>>): void {
  const { historyFigures: h, rebuild, mongo, profile } = outcome;
  const http = measuredHttp(outcome.http);
  const fmt = (n: number) => n.toLocaleString('en');
  console.log(`\nhistory: ${fmt(h.events)} events over ${h.businessDays} business days (${fmt(h.customers)} customers, ${h.merchants} merchants, ${h.funds} funds), written in ${h.seconds} s (${fmt(h.eventsPerSec)}/s)\n`);
  const rows = [
    { measure: `rebuild of ${READ_MODELS.length} read models into SQLite`, 'events/s': fmt(rebuild.eventsPerSec), s: rebuild.seconds, note: `${fmt(rebuild.commits)} commits, ${fmt(rebuild.writes)} writes; s in commits ${rebuild.secondsIn.commits}, gets ${rebuild.secondsIn.gets}, rest ${rebuild.secondsIn.everythingElse}` },
    {
      measure: 'shadow of compliance under halved tier limits, with its report',
      'events/s': fmt(outcome.shadow.shadowWithReport.eventsPerSec),
      s: outcome.shadow.shadowWithReport.seconds,
      note: `compliance rebuilt as it is: ${fmt(outcome.shadow.plain.eventsPerSec)}/s; ${fmt(outcome.shadow.walletsChanged)} of ${fmt(outcome.shadow.walletsCompared)} wallets change, ${fmt(outcome.shadow.breaches)} breaches`,
    },
    { measure: 'ceiling: the same documents written bare', 'events/s': fmt(report.ceiling.eventsPerSec), s: report.ceiling.seconds, note: `${fmt(report.ceiling.documents)} documents; rebuild / ceiling = ${report.ceiling.rebuildToCeiling}` },
    {
      measure: 'the same, secondary indexes built after',
      'events/s': fmt(report.ceiling.indexesAfterLoad.eventsPerSec),
      s: report.ceiling.indexesAfterLoad.seconds,
      note: `${report.ceiling.indexesAfterLoad.loadSeconds} s loading + ${report.ceiling.indexesAfterLoad.indexSeconds} s indexing`,
    },
  ];
  if ('mongo' in mongo) {
    rows.push({ measure: `rebuild into SQLite, ${fmt(mongo.history.events)} events`, 'events/s': fmt(mongo.sqlite.eventsPerSec), s: mongo.sqlite.seconds, note: 'the history the MongoDB rebuild reads' });
    const partial = mongo.mongo.complete ? '' : `; stopped after ${mongoBudgetSeconds} s at ${fmt(mongo.mongo.events)} events`;
    rows.push({ measure: `rebuild into MongoDB, ${fmt(mongo.history.events)} events`, 'events/s': fmt(mongo.mongo.eventsPerSec), s: mongo.mongo.seconds, note: `${mongo.ratioToSqlite} of SQLite${partial}` });
  }
  console.table(rows);
  if ('skipped' in mongo) console.log(`MongoDB: skipped: ${mongo.skipped}`);
  if ('failed' in mongo) console.log(`MongoDB: FAILED: ${mongo.failed}`);
  if ('failed' in outcome.http) console.log(`HTTP: FAILED: ${outcome.http.failed}`);
  if (http) {
    const line = (name: string, r: GetRun) => ({ server: name, connections: r.connections, '2xx/s': fmt(r.perSec), 'p50 ms': r.latencyMs.p50, 'p90 ms': r.latencyMs.p90, 'p99 ms': r.latencyMs.p99, 'max ms': r.latencyMs.max, 'non-2xx': r.non2xx, errors: r.errors });
    console.log(`\nGET /wallets/{id}: ${http.walletGets.note}`);
    console.table([...http.walletGets.ifw.map((r) => line('ifw serve', r)), ...http.walletGets.bare.map((r) => line('bare fastify', r))]);
    const l = http.lag;
    console.log(`\nlag from a deposit's 2xx to its visibility: ${fmt(l.measured)} writes at ${fmt(l.achievedPerSec)}/s: p50 ${l.lagMs.p50} ms, p95 ${l.lagMs.p95} ms, p99 ${l.lagMs.p99} ms, max ${l.lagMs.max} ms (${fmt(l.lagMs.visibleAtResponse)} already visible at the response); write p50 ${l.writeLatencyMs.p50} ms, p99 ${l.writeLatencyMs.p99} ms`);
    console.log(`method: ${l.method}`);
  }
  if (profile) {
    console.log(`\nprofiled rebuild (${profile.note}): ${fmt(profile.rebuild.eventsPerSec)} events/s; seconds inside each handler: ${JSON.stringify(profile.applySeconds)}`);
    printSummary(profile.summary, 'rebuild CPU profile');
    console.log('\neach read model rebuilt alone over the whole log:');
    console.table(profile.alone.map((a) => ({ 'read model': a.name, 'events/s': fmt(a.eventsPerSec), s: a.seconds, writes: fmt(a.writes), 's in commits': a.secondsInCommits })));
  }
  console.log('\ngoals:');
  for (const g of report.goals) console.log(`${g.met === null ? 'n/a ' : g.met ? 'MET ' : 'MISS'}  ${g.goal}: ${g.actual}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
