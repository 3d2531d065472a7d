/**
 * npm run bench:audit [-- --events 1000000] [-- --json]
 *
 * `verifyAll` over a log of N events (default 1,000,000; 1,000 streams, appended 1,000 at a time), beside the
 * raw read ceiling of the same rows in the same run (every column a verification reads, in the same two orders,
 * with no hashing), with the process's peak heap and resident size during the verification: the goal is
 * 200,000 events/s with flat memory. The verification runs as the product runs it, from the compiled build on
 * the worker pool (npm run build first), then again in this thread for comparison. Then an as-of read of a wallet with 100,000 events, cold and warm (goal: 50 ms cold). Prints a
 * table (or JSON) and writes bench/results/audit-<time>.json.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { type EventInput, type EventStore, openEventStore } from '../src/eventstore';
import { AsOfFolds } from '../src/api/as-of/as-of-folds';
import { WalletAsOf } from '../src/api/wallets/wallet-as-of';
import { encodeData } from '../src/domain/event-codec';
import { DEFAULT_LOG_CONSUMER_OPTIONS, LogFeed, ProjectionCatalog, ReadModels } from '../src/projections';
import { rebuildProjections } from '../src/projections/rebuild';
import { SqliteReadStore } from '../src/projections/sqlite/sqlite-read-store';
import { toEventInputs } from '../src/api/commands/stored-aggregate';
import { fold } from '../src/domain/decider';
import { upcastToCurrent } from '../src/domain/event-schemas';
import { walletDecider, walletStream } from '../src/domain/wallet/wallet.decider';
import { WALLETS_COLLECTION, walletsProjection } from '../src/projections/read-models/wallets.projection';

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const events = Number(args[args.indexOf('--events') + 1] ?? 0) || 1_000_000;
const STREAMS = 1_000;
const PER_APPEND = 1_000;
const GOAL_EVENTS_PER_SEC = 200_000;
const PAGE = 1_000;

function say(message: string): void {
  if (!asJson) process.stderr.write(`… ${message}\n`);
}

function deposit(n: number): EventInput {
  return { type: 'Deposited', data: { amountFen: String(100 + (n % 997)), n }, metadata: { correlationId: `c-${n}`, principal: 'bench' } };
}

async function writeLog(path: string): Promise<void> {
  const store = openEventStore(`sqlite:${path}`);
  for (let at = 0; at < events; at += PER_APPEND) {
    await store.append(`wallet-${(at / PER_APPEND) % STREAMS}`, Array.from({ length: Math.min(PER_APPEND, events - at) }, (_, i) => deposit(at + i)));
    if (at % 100_000 === 0) say(`${at.toLocaleString('en')} events written`);
  }
  await store.close();
}

/**
 * Reads what a verification reads, in its two orders, as it reads it (rows as arrays; the stream's name once
 * per stream, with its head), and does nothing with it: the ceiling of any verifier in one thread.
 */
function rawReadSeconds(path: string): number {
  const db = new Database(path, { readonly: true });
  const started = performance.now();
  const byStream = db
    .prepare('SELECT stream_id, position, revision, id, type, data, metadata, recorded_at, hash FROM events WHERE (stream_id, revision) > (?, ?) ORDER BY stream_id, revision LIMIT ?')
    .raw(true);
  const head = db.prepare('SELECT stream_id, name, revision, last_hash FROM streams WHERE stream_id = ?');
  let walking = -1;
  for (let afterStream = -1, afterRevision = -1; ; ) {
    const rows = byStream.all(afterStream, afterRevision, PAGE) as [number, number, number][];
    for (const row of rows) if (row[0] !== walking) head.get((walking = row[0]));
    if (rows.length < PAGE) break;
    afterStream = rows.at(-1)![0];
    afterRevision = rows.at(-1)![2];
  }
  const byPosition = db.prepare('SELECT position, hash, log_hash FROM events WHERE position > ? ORDER BY position LIMIT ?').raw(true);
  for (let after = 0; ; ) {
    const rows = byPosition.all(after, PAGE) as [number][];
    if (rows.length < PAGE) break;
    after = rows.at(-1)![0];
  }
  db.close();
  return (performance.now() - started) / 1000;
}

type OpenEventStore = typeof openEventStore;

/**
 * The compiled store when the build has the verification's worker entry: its worker threads need compiled
 * JavaScript, as `ifw audit verify` and the server run it. Without a build, verification runs in this thread.
 */
function compiledOpenEventStore(): OpenEventStore | undefined {
  const dist = join(__dirname, '..', 'dist', 'eventstore');
  if (!existsSync(join(dist, 'index.js')) || !existsSync(join(dist, 'sqlite', 'verify-worker.js'))) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(join(dist, 'index.js')) as { openEventStore: OpenEventStore }).openEventStore;
}

interface VerifyFigures {
  seconds: number;
  ok: boolean;
  heapBeforeMb: number;
  peakHeapMb: number;
  /** The process's resident size, worker threads' heaps included. */
  rssBeforeMb: number;
  peakRssMb: number;
}

async function verifySeconds(path: string, open: OpenEventStore): Promise<VerifyFigures> {
  const store = open(`sqlite:${path}`, { readOnly: true });
  global.gc?.();
  const before = process.memoryUsage();
  let peakHeap = before.heapUsed;
  let peakRss = before.rss;
  const sample = () => {
    const now = process.memoryUsage();
    peakHeap = Math.max(peakHeap, now.heapUsed);
    peakRss = Math.max(peakRss, now.rss);
  };
  const started = performance.now();
  const report = await store.verifyAll({ onProgress: sample });
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  const mb = (bytes: number) => Math.round(bytes / 1e6);
  return { seconds, ok: report.ok, heapBeforeMb: mb(before.heapUsed), peakHeapMb: mb(peakHeap), rssBeforeMb: mb(before.rss), peakRssMb: mb(peakRss) };
}

const AS_OF_WALLET_EVENTS = 100_000;
const AS_OF_GOAL_MS = 50;
const AS_OF_ROUNDS = 5;

interface AsOfFigures {
  events: number;
  /** GET /wallets/{id}?asOf= as the product answers it, by a fresh WalletAsOf: a server's first as-of read of the wallet. */
  coldMs: number[];
  /** The same moment again, from the checkpoints the first read left in memory. */
  warmMs: number[];
  /** A fold of the wallet's stream from its first event, as every cold read was before the stored checkpoints. */
  fromStartMs: number[];
}

/** A wallet of AS_OF_WALLET_EVENTS events written straight into a store, one event per millisecond of its clock. */
async function writeBusyWallet(dir: string): Promise<{ store: EventStore; walletId: string; middleMs: number }> {
  let nowMs = Date.UTC(2026, 0, 5, 8);
  const store = openEventStore(`sqlite:${join(dir, 'as-of.db')}`, { clock: () => nowMs++, upcast: upcastToCurrent });
  const walletId = 'a0000000-0000-4000-8000-000000000001';
  const metadata = { correlationId: 'bench', causationId: 'bench', principal: 'bench', ruleSetVersion: 'csrc-pboc-2018-06', businessDate: '2026-01-05' };
  const opened = walletDecider.decide({ type: 'OpenWallet', walletId, ownerKind: 'customer', ownerId: walletId, accountTier: 'III' }, walletDecider.initialState);
  await store.append(walletStream(walletId), toEventInputs(opened, metadata), { expectedRevision: 'no_stream' });
  const deposit = walletDecider.decide({ type: 'Deposit', amountFen: 100n }, fold(walletDecider, opened));
  for (let at = 1; at < AS_OF_WALLET_EVENTS; at += PER_APPEND) {
    const count = Math.min(PER_APPEND, AS_OF_WALLET_EVENTS - at);
    await store.append(walletStream(walletId), toEventInputs(Array.from({ length: count }, () => deposit[0]!), metadata));
  }
  return { store, walletId, middleMs: Date.UTC(2026, 0, 5, 8) + AS_OF_WALLET_EVENTS / 2 };
}

/** The wallets read model built over the log as a server's projector builds it, checkpoints of each wallet included. */
async function projectWallets(dir: string, store: EventStore): Promise<{ readModels: ReadModels; close(): Promise<void> }> {
  const readStore = SqliteReadStore.open(join(dir, 'as-of-read.db'));
  const catalog = new ProjectionCatalog(readStore, [walletsProjection]);
  await catalog.init();
  const feed = new LogFeed(store);
  feed.start();
  const options = { owner: 'bench', clock: Date.now, consumer: { ...DEFAULT_LOG_CONSUMER_OPTIONS, batchSize: 5_000 }, liveWaitMs: 10_000 };
  await rebuildProjections(store, catalog, feed, [walletsProjection], options);
  const readModels = await ReadModels.open(catalog, undefined, store, 2_000);
  return { readModels, close: async () => { await feed.stop(); await readStore.close(); } };
}

/** GET /wallets/{id}?asOf= at the middle of the wallet's history, cold, warm and folded from the start. */
async function asOfMilliseconds(dir: string): Promise<AsOfFigures> {
  const { store, walletId, middleMs } = await writeBusyWallet(dir);
  const projected = await projectWallets(dir, store);
  try {
    const asOf = { atMs: middleMs, parameter: { name: 'asOf' as const, value: new Date(middleMs).toISOString() } };
    const fromStart = await new AsOfFolds(store).fold(walletsProjection, [walletStream(walletId)], middleMs);
    const expected = fromStart.view.body(WALLETS_COLLECTION, walletId);
    const elapsedMs = (started: number) => Math.round((performance.now() - started) * 10) / 10;
    const coldMs: number[] = [];
    const warmMs: number[] = [];
    const fromStartMs: number[] = [];
    for (let round = 0; round < AS_OF_ROUNDS; round++) {
      const wallets = new WalletAsOf(store, projected.readModels, new AsOfFolds(store));
      for (const times of [coldMs, warmMs]) {
        const started = performance.now();
        const { wallet } = await wallets.wallet(walletId, asOf);
        times.push(elapsedMs(started));
        if (JSON.stringify(encodeData(wallet)) !== JSON.stringify(expected)) throw new Error('the as-of read differs from the fold from the start');
      }
      const started = performance.now();
      await new AsOfFolds(store).fold(walletsProjection, [walletStream(walletId)], middleMs);
      fromStartMs.push(elapsedMs(started));
    }
    return { events: AS_OF_WALLET_EVENTS, coldMs, warmMs, fromStartMs };
  } finally {
    await projected.close();
    await store.close();
  }
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ifw-bench-audit-'));
  try {
    const path = join(dir, 'ifw.db');
    say(`writing ${events.toLocaleString('en')} events in ${STREAMS} streams`);
    await writeLog(path);
    say('the raw read ceiling');
    const rawSeconds = rawReadSeconds(path);
    const compiled = compiledOpenEventStore();
    say(compiled ? 'verifyAll on worker threads (the compiled build)' : 'verifyAll: no compiled build (npm run build), so in this thread only');
    const verify = await verifySeconds(path, compiled ?? openEventStore);
    say('verifyAll in this thread');
    const inThread = await verifySeconds(path, openEventStore);
    say(`as-of reads of a wallet with ${AS_OF_WALLET_EVENTS.toLocaleString('en')} events`);
    const asOf = await asOfMilliseconds(dir);
    const figures = {
      events,
      rawReadEventsPerSec: Math.round(events / rawSeconds),
      verifyEventsPerSec: Math.round(events / verify.seconds),
      verifySeconds: Math.round(verify.seconds * 100) / 100,
      verifyMode: compiled ? `worker threads (${availableParallelism()})` : 'this thread (no build)',
      intact: verify.ok && inThread.ok,
      heapBeforeMb: verify.heapBeforeMb,
      peakHeapMb: verify.peakHeapMb,
      rssBeforeMb: verify.rssBeforeMb,
      peakRssMb: verify.peakRssMb,
      inThread: { eventsPerSec: Math.round(events / inThread.seconds), seconds: Math.round(inThread.seconds * 100) / 100, peakHeapMb: inThread.peakHeapMb, peakRssMb: inThread.peakRssMb },
      goal: { verifyEventsPerSec: GOAL_EVENTS_PER_SEC, met: verify.ok && events / verify.seconds >= GOAL_EVENTS_PER_SEC },
      asOf: { ...asOf, goalMs: AS_OF_GOAL_MS, coldMedianMs: median(asOf.coldMs), warmMedianMs: median(asOf.warmMs), fromStartMedianMs: median(asOf.fromStartMs), met: median(asOf.coldMs) < AS_OF_GOAL_MS },
    };
    mkdirSync(join('bench', 'results'), { recursive: true });
    const file = join('bench', 'results', `audit-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
    if (asJson) console.log(JSON.stringify(figures));
    else console.table({ 'raw read (both orders)': `${figures.rawReadEventsPerSec.toLocaleString('en')} events/s`, verifyAll: `${figures.verifyEventsPerSec.toLocaleString('en')} events/s (${figures.verifySeconds} s, ${figures.verifyMode})`, 'verifyAll in this thread': `${figures.inThread.eventsPerSec.toLocaleString('en')} events/s (${figures.inThread.seconds} s)`, memory: `heap ${figures.heapBeforeMb} MB before, ${figures.peakHeapMb} MB at most; resident ${figures.rssBeforeMb} MB before, ${figures.peakRssMb} MB at most`, goal: `${GOAL_EVENTS_PER_SEC.toLocaleString('en')} events/s: ${figures.goal.met ? 'met' : 'MISSED'}`, 'as-of wallet read': `cold ${figures.asOf.coldMedianMs} ms, warm ${figures.asOf.warmMedianMs} ms, folded from the start ${figures.asOf.fromStartMedianMs} ms (medians of ${AS_OF_ROUNDS}), goal ${AS_OF_GOAL_MS} ms cold: ${figures.asOf.met ? 'met' : 'MISSED'}` });
    say(`written to ${file}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
