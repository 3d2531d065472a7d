/**
 * npm run bench:eventstore [-- --json] [-- --events 1000000]
 *
 * Measures the embedded event store against the ceilings of the same disk in the same run (the fsync rate
 * and a bare table) and against the peer, @event-driven-io/emmett-sqlite, doing the same work. Prints a
 * table (or JSON with --json) and writes the figures to bench/results/eventstore-<time>.json.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { type EventInput, type EventStore, SqliteEventStore } from '../src/eventstore';

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const bigLogEvents = Number(args[args.indexOf('--events') + 1] ?? 0) || 1_000_000;
const peerSequential = 2_000;
const work = mkdtempSync(join(tmpdir(), 'ifw-bench-'));

function progress(message: string): void {
  if (!asJson) process.stderr.write(`… ${message}\n`);
}

function event(n: number): EventInput {
  return {
    type: 'Deposited',
    data: { walletId: `w-${n % 1000}`, amountFen: String(100 + (n % 997)), n },
    metadata: { correlationId: randomUUID(), principal: 'bench' },
  };
}

function rate(count: number, startMs: number): number {
  return Math.round(count / ((performance.now() - startMs) / 1000));
}

function durableDb(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  return db;
}

/** One-row commits with synchronous=FULL: how many fsyncs the disk gives, the ceiling of any durable writer. */
function fsyncCeiling(): number {
  const db = durableDb(join(work, 'fsync.db'));
  db.exec('CREATE TABLE t (x INTEGER)');
  const insert = db.prepare('INSERT INTO t VALUES (?)');
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < 2_000) insert.run(n++);
  db.close();
  return rate(n, start);
}

/** The same rows as the events table, 1,000 a transaction, with no index beyond the rowid: the write ceiling. */
function bareTableCeiling(rows: number): number {
  const db = durableDb(join(work, 'bare.db'));
  db.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY, stream_id INTEGER, revision INTEGER, id TEXT, type TEXT,
           data TEXT, metadata TEXT, recorded_at INTEGER, hash TEXT)`);
  const insert = db.prepare('INSERT INTO events (stream_id, revision, id, type, data, metadata, recorded_at, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const batch = db.transaction((from: number) => {
    for (let i = from; i < from + 1_000; i++) {
      const e = event(i);
      insert.run(i % 1000, i, randomUUID(), e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), Date.now(), 'f'.repeat(64));
    }
  });
  const start = performance.now();
  for (let i = 0; i < rows; i += 1_000) batch(i);
  db.close();
  return rate(rows, start);
}

async function sequentialAppends(store: EventStore, count: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await store.append(`seq-${i % 1000}`, [event(i)]);
  return rate(count, start);
}

async function concurrentAppends(store: EventStore, writers: number, total: number): Promise<number> {
  const perWriter = Math.ceil(total / writers);
  const start = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; i < perWriter; i++) await store.append(`conc-${w}-${i % 16}`, [event(i)]);
    }),
  );
  return rate(perWriter * writers, start);
}

async function batchAppends(store: EventStore, batches: number, size: number, prefix: string, streams: number): Promise<number> {
  const start = performance.now();
  // Eight batches in flight, so group commit can share fsyncs between them as it would under load.
  const inFlight = 8;
  await Promise.all(
    Array.from({ length: inFlight }, async (_, lane) => {
      for (let b = lane; b < batches; b += inFlight) {
        await store.append(`${prefix}-${b % streams}`, Array.from({ length: size }, (_, i) => event(b * size + i)));
        if (b % 10_000 === lane && b > 0) progress(`  ${b * size} events written`);
      }
    }),
  );
  return rate(batches * size, start);
}

async function readStreams(store: EventStore, prefix: string, streams: number): Promise<{ rate: number; events: number }> {
  const start = performance.now();
  let events = 0;
  for (let s = 0; s < streams; s++) for await (const _ of store.readStream(`${prefix}-${s}`)) events++;
  return { rate: rate(events, start), events };
}

async function readAll(store: EventStore): Promise<{ rate: number; events: number }> {
  const start = performance.now();
  let events = 0;
  for await (const _ of store.readAll()) events++;
  return { rate: rate(events, start), events };
}

async function subscriptionCatchUp(store: EventStore, total: number): Promise<number> {
  const start = performance.now();
  const subscription = store.subscribeToAll();
  let events = 0;
  for await (const _ of subscription) if (++events === total) break;
  await subscription.close();
  return rate(events, start);
}

interface PeerFigures {
  peer: string;
  sequentialAppendsPerSec: number | null;
  concurrent64AppendsPerSec: number | null;
  concurrent64Error: string | null;
  batch100EventsPerSec: number | null;
  readStreamEventsPerSec: number | null;
  readAllEventsPerSec: number | null;
  notes: string[];
}

/** The peer runs in its own process from bench/peer, installed there on first use, so the product never depends on it. */
function runPeer(): PeerFigures | { error: string } {
  const peerDir = join(__dirname, 'peer');
  if (!existsSync(join(peerDir, 'node_modules'))) {
    progress('installing the peer (bench/peer, npm ci)');
    const install = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: peerDir, stdio: asJson ? 'ignore' : 'inherit' });
    if (install.status !== 0) return { error: `npm ci in bench/peer failed with status ${install.status}` };
  }
  const dir = join(work, 'peer');
  mkdirSync(dir);
  const run = spawnSync(
    process.execPath,
    [join(peerDir, 'emmett-bench.mjs'), '--dir', dir, '--sequential', String(peerSequential), '--batches', '200', '--batch-size', '100', '--read-events', 'all'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', asJson ? 'ignore' : 'inherit'], timeout: 600_000 },
  );
  if (run.status !== 0) return { error: `the peer exited with status ${run.status}` };
  return JSON.parse(run.stdout) as PeerFigures;
}

async function main(): Promise<void> {
  const started = new Date();
  progress('ceiling: one-row durable commits (fsync rate)');
  const fsyncPerSec = fsyncCeiling();
  progress('ceiling: bare table, 1,000 rows per transaction');
  const bareRowsPerSec = bareTableCeiling(200_000);

  const small = SqliteEventStore.open(join(work, 'small.db'));
  progress('ours: one writer awaiting each single-event append');
  const sequentialPerSec = await sequentialAppends(small, 3_000);
  progress('ours: 64 concurrent writers of single-event appends');
  const concurrent64PerSec = await concurrentAppends(small, 64, 100_000);
  progress('ours: 100-event batch appends');
  const batch100PerSec = await batchAppends(small, 2_000, 100, 'batch', 1_000);
  await small.close();

  progress(`ours: writing a ${bigLogEvents.toLocaleString('en')}-event log`);
  const bigPath = join(work, 'big.db');
  let big = SqliteEventStore.open(bigPath);
  const bigStreams = 1_000;
  await batchAppends(big, bigLogEvents / 1_000, 1_000, 'big', bigStreams);
  await big.close();
  const openStart = performance.now();
  big = SqliteEventStore.open(bigPath);
  const openMs = Math.round(performance.now() - openStart);
  progress('ours: readStream over every stream of the big log');
  const streamRead = await readStreams(big, 'big', bigStreams);
  progress('ours: readAll over the big log');
  const allRead = await readAll(big);
  progress('ours: subscription catching up over the big log');
  const catchUpPerSec = await subscriptionCatchUp(big, bigLogEvents);
  await big.close();

  progress('peer: emmett-sqlite');
  const peer = runPeer();
  const peerFigures = 'error' in peer ? undefined : peer;

  const ratio = (value: number | null | undefined, to: number | null | undefined) =>
    value && to ? Math.round((value / to) * 100) / 100 : null;
  const rows = [
    { measure: 'single-event appends, 1 writer (events/s)', ours: sequentialPerSec, peer: peerFigures?.sequentialAppendsPerSec ?? null, ceiling: fsyncPerSec, ceilingName: 'fsync' },
    { measure: 'single-event appends, 64 writers (events/s)', ours: concurrent64PerSec, peer: peerFigures?.concurrent64AppendsPerSec ?? null, ceiling: bareRowsPerSec, ceilingName: 'bare table' },
    { measure: '100-event batch appends (events/s)', ours: batch100PerSec, peer: peerFigures?.batch100EventsPerSec ?? null, ceiling: bareRowsPerSec, ceilingName: 'bare table' },
    { measure: `readStream over ${streamRead.events} events (events/s)`, ours: streamRead.rate, peer: peerFigures?.readStreamEventsPerSec ?? null, ceiling: null, ceilingName: '' },
    { measure: `readAll over ${allRead.events} events (events/s)`, ours: allRead.rate, peer: peerFigures?.readAllEventsPerSec ?? null, ceiling: null, ceilingName: '' },
    { measure: 'subscription catch-up (events/s)', ours: catchUpPerSec, peer: null, ceiling: null, ceilingName: '' },
    { measure: `open a ${allRead.events}-event store (ms)`, ours: openMs, peer: null, ceiling: null, ceilingName: '' },
  ].map((r) => ({ ...r, ratioToCeiling: ratio(r.ours, r.ceiling), ratioToPeer: r.measure.endsWith('(ms)') ? null : ratio(r.ours, r.peer) }));

  const peerSequential = peerFigures?.sequentialAppendsPerSec ?? null;
  const goals = [
    { goal: '64 concurrent durable single-event writers >= 10,000 events/s', met: concurrent64PerSec >= 10_000 },
    { goal: '64 concurrent writers >= 30x the peer sequential single-event appends', met: peerSequential === null ? null : concurrent64PerSec >= 30 * peerSequential },
    { goal: 'readAll >= 300,000 events/s', met: allRead.rate >= 300_000 },
    { goal: 'a 1,000,000-event store opens in under 1 s', met: allRead.events >= 1_000_000 ? openMs < 1_000 : null },
  ];
  const report = {
    benchmark: 'eventstore',
    startedAt: started.toISOString(),
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    ceilings: { fsyncCommitsPerSec: fsyncPerSec, bareTableRowsPerSec: bareRowsPerSec },
    rows,
    goals,
    beyondGoal: { concurrent64ToBareTable: ratio(concurrent64PerSec, bareRowsPerSec), target: 0.5 },
    peer: peerFigures ?? peer,
  };
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  const file = join(__dirname, 'results', `eventstore-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2));
  rmSync(work, { recursive: true, force: true });

  if (asJson) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return;
  }
  const fmt = (n: number | null) => (n === null ? '—' : n.toLocaleString('en'));
  console.log(`\nceilings on this machine: fsync ${fmt(fsyncPerSec)} commits/s; bare table ${fmt(bareRowsPerSec)} rows/s\n`);
  console.table(
    rows.map((r) => ({
      measure: r.measure,
      ours: fmt(r.ours),
      'emmett-sqlite': fmt(r.peer),
      'ours / peer': r.ratioToPeer ?? '—',
      'ours / ceiling': r.ratioToCeiling === null ? '—' : `${r.ratioToCeiling} of ${r.ceilingName}`,
    })),
  );
  for (const g of goals) console.log(`${g.met === null ? 'n/a ' : g.met ? 'MET ' : 'MISS'}  ${g.goal}`);
  if ('error' in peer) console.log(`peer not measured: ${peer.error}`);
  console.log(`\nwritten to ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
