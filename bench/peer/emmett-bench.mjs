#!/usr/bin/env node
// Peer benchmark: @event-driven-io/emmett-sqlite 0.38.5 (sqlite3 5.1.7 driver).
//
// Usage:
//   node emmett-bench.mjs --dir DIR --sequential N --batches B --batch-size 100 \
//        --read-events R|all [--streams 1000] [--concurrency 64] [--concurrent-events N]
//        [--read-all-batch 1000] [--no-consumer] [--no-per-worker-stores]
//        [--phase-timeout-s 300] [--keep]
//
// Workload (same shape as our own store's benchmark):
//   every event is { type: 'Deposited', data: { walletId, amountFen: string, n } };
//   streams are 'wallet-<k>' and appends cycle over --streams (default 1000) streams,
//   each append passing the expected stream version it tracked itself.
//
// stdout: exactly one JSON object. Everything else (progress, emmett's own
// console.log of errors) goes to stderr.

import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  getSQLiteEventStore,
  sqliteConnection,
  readMessagesBatch,
} from '@event-driven-io/emmett-sqlite';

// emmett-sqlite calls console.log(err) inside withTransaction; keep stdout for the JSON
// (console.log is redirected to stderr further down).
const realStdoutWrite = process.stdout.write.bind(process.stdout);

const PEER = 'emmett-sqlite@0.38.5';

// ---------------------------------------------------------------- args
function parseArgs(argv) {
  const opts = {
    dir: null,
    sequential: 2000,
    batches: 200,
    batchSize: 100,
    readEvents: 'all',
    streams: 1000,
    concurrency: 64,
    concurrentEvents: null, // defaults to --sequential
    readAllBatch: 1000,
    consumer: true,
    phaseTimeoutS: 300,
    keep: false,
    perWorkerStores: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`missing value for ${a}`);
      return v;
    };
    const int = (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${a} expects a non-negative integer, got ${v}`);
      return n;
    };
    switch (a) {
      case '--dir': opts.dir = next(); break;
      case '--sequential': opts.sequential = int(next()); break;
      case '--batches': opts.batches = int(next()); break;
      case '--batch-size': opts.batchSize = int(next()); break;
      case '--read-events': { const v = next(); opts.readEvents = v === 'all' ? 'all' : int(v); break; }
      case '--streams': opts.streams = int(next()); break;
      case '--concurrency': opts.concurrency = int(next()); break;
      case '--concurrent-events': opts.concurrentEvents = int(next()); break;
      case '--read-all-batch': opts.readAllBatch = int(next()); break;
      case '--no-consumer': opts.consumer = false; break;
      case '--phase-timeout-s': opts.phaseTimeoutS = int(next()); break;
      case '--keep': opts.keep = true; break;
      case '--no-per-worker-stores': opts.perWorkerStores = false; break;
      case '-h': case '--help':
        console.error('usage: node emmett-bench.mjs --dir DIR --sequential N --batches B --batch-size 100 --read-events R|all');
        process.exit(0);
        break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  if (!opts.dir) throw new Error('--dir DIR is required');
  if (opts.streams < 1) throw new Error('--streams must be >= 1');
  if (opts.concurrency < 1) throw new Error('--concurrency must be >= 1');
  if (opts.readAllBatch < 1) throw new Error('--read-all-batch must be >= 1');
  if (opts.concurrentEvents === null) opts.concurrentEvents = opts.sequential;
  return opts;
}

// ---------------------------------------------------------------- helpers
const log = (msg) => process.stderr.write(`[emmett-bench] ${msg}\n`);
const rate = (events, ms) => (ms > 0 ? Math.round((events / ms) * 1000 * 10) / 10 : null);
const round = (x) => Math.round(x * 10) / 10;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const streamName = (k) => `wallet-${k}`;
const deposited = (k, n) => ({
  type: 'Deposited',
  data: { walletId: `wallet-${k}`, amountFen: String(100 + (n % 9900)), n },
});

function errorInfo(err) {
  if (err == null) return { message: String(err) };
  return {
    name: err.name,
    message: String(err.message ?? err),
    code: err.code,
    errno: err.errno,
  };
}

function kindOf(err) {
  const info = errorInfo(err);
  return `${info.code ?? info.name}: ${info.message}`;
}

// emmett-sqlite 0.38.5 + sqlite3 5.1.7 intermittently fails a plain sequential append with
// "SQLITE_BUSY: cannot commit transaction - SQL statements in progress": some statement on
// the connection is still active at COMMIT (emmett-sqlite runs INSERT ... RETURNING via
// node-sqlite3's db.get() and fires PRAGMA journal_mode = WAL un-awaited on every new
// connection; exact root cause not investigated). emmett then rolls back and rethrows.
// The benchmark counts such errors and retries, timing included, like an application would.
const MAX_ATTEMPTS = 5;
const retryLog = {}; // phase -> { kind -> count }
function noteRetry(phase, err) {
  const k = kindOf(err);
  retryLog[phase] ??= {};
  retryLog[phase][k] = (retryLog[phase][k] ?? 0) + 1;
  log(`   ${phase}: retrying after ${k}`);
}

async function appendWithRetry(phase, store, name, events, expected) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.appendToStream(name, events, { expectedStreamVersion: expected });
    } catch (err) {
      noteRetry(phase, err);
      if (attempt >= MAX_ATTEMPTS) throw err;
      // did the failed attempt commit after all?
      const now = (await readWithRetry(phase, store, name)).currentStreamVersion;
      if (now === expected + BigInt(events.length)) {
        return { nextExpectedStreamVersion: now, recoveredAfterError: true };
      }
      if (now !== expected) throw err;
    }
  }
}

async function readWithRetry(phase, store, name) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.readStream(name);
    } catch (err) {
      noteRetry(phase, err);
      if (attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}

function freshDbPath(dir, tag) {
  const p = join(dir, `emmett-${tag}-${process.pid}-${Date.now()}.db`);
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(p + suffix, { force: true });
  return p;
}
function removeDb(p) {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(p + suffix, { force: true });
}

// Errors emitted by sqlite3 handles that emmett opens/closes without callbacks
// (e.g. db.run('PRAGMA journal_mode = WAL;'), db.close()) surface as uncaught
// exceptions. Record them instead of dying.
const stray = [];
let strayListener = null;
process.on('uncaughtException', (err) => {
  stray.push(errorInfo(err));
  log(`uncaught exception: ${err?.message ?? err}`);
  if (strayListener) strayListener(err);
});
process.on('unhandledRejection', (err) => {
  stray.push(errorInfo(err));
  log(`unhandled rejection: ${err?.message ?? err}`);
  if (strayListener) strayListener(err);
});

function withTimeout(promise, ms, what) {
  let t;
  const timeout = new Promise((_, reject) => {
    t = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000}s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(t));
}

// ---------------------------------------------------------------- concurrent phase
// Errors that emmett-sqlite's withTransaction console.log()s before it tries ROLLBACK
// (the ROLLBACK error, if any, is what the caller then sees).
let loggedErrorSink = null;
console.log = (...args) => {
  if (loggedErrorSink && args[0] instanceof Error) loggedErrorSink(args[0]);
  console.error(...args);
};

async function runConcurrent({ opts, dir, phaseTimeoutMs, mode }) {
  const C = opts.concurrency;
  const total = opts.concurrentEvents;
  const cPath = freshDbPath(dir, `concurrent-${mode}`);
  log(`e) [${mode}] ${C} concurrent single-event appenders, ${total} events total, fresh database ${cPath}`);
  const makeStore = () => getSQLiteEventStore({ fileName: cPath });
  const sharedStore = makeStore();
  await sharedStore.readStream(streamName('warmup-none')); // schema
  const stores = Array.from({ length: C }, () => (mode === 'shared-store' ? sharedStore : makeStore()));
  const cVersions = new Map();
  let done = 0;
  let failures = 0;
  let firstError = null;
  let stop = false;
  const errorKinds = {};
  const loggedInsideEmmett = {};
  let t0 = performance.now();
  const fail = (err) => {
    failures++;
    const k = kindOf(err);
    errorKinds[k] = (errorKinds[k] ?? 0) + 1;
    if (!firstError) {
      firstError = { ...errorInfo(err), atMs: round(performance.now() - t0), successfulAppendsBeforeIt: done };
    }
    stop = true;
  };
  strayListener = fail;
  loggedErrorSink = (err) => {
    const k = kindOf(err);
    loggedInsideEmmett[k] = (loggedInsideEmmett[k] ?? 0) + 1;
  };
  // worker w owns streams k with k mod C == w, so workers never race on a stream version
  const worker = async (w) => {
    const store = stores[w];
    const owned = [];
    for (let k = w; k < opts.streams; k += C) owned.push(k);
    if (owned.length === 0) owned.push(opts.streams + w); // more workers than streams
    const mine = Math.floor(total / C) + (w < total % C ? 1 : 0);
    for (let i = 0; i < mine && !stop; i++) {
      const k = owned[i % owned.length];
      try {
        const res = await store.appendToStream(streamName(k), [deposited(k, i)], {
          expectedStreamVersion: cVersions.get(k) ?? 0n,
        });
        cVersions.set(k, res.nextExpectedStreamVersion);
        done++;
        if (done % 1000 === 0) log(`   ${done}/${total}`);
      } catch (err) {
        fail(err);
        return;
      }
    }
  };
  t0 = performance.now();
  try {
    await withTimeout(
      Promise.all(Array.from({ length: C }, (_, w) => worker(w))),
      phaseTimeoutMs,
      `${C} concurrent appenders`,
    );
  } catch (err) {
    fail(err);
  }
  const ms = performance.now() - t0;
  strayListener = null;
  await sleep(200); // let emmett's un-awaited db.close() calls settle
  loggedErrorSink = null;
  if (!opts.keep) removeDb(cPath);
  if (firstError) {
    log(`   FAILED: first error after ${firstError.atMs} ms / ${firstError.successfulAppendsBeforeIt} appends: ${firstError.message}; ${done} ok, ${failures} failed`);
    return {
      appendsPerSec: null,
      elapsedMs: round(ms),
      error: {
        ...firstError,
        failedAppends: failures,
        successfulAppendsTotal: done,
        elapsedMs: round(ms),
        errorKinds,
        errorsLoggedInsideEmmett: loggedInsideEmmett,
      },
    };
  }
  const r = rate(done, ms);
  log(`   ${r} appends/s (${round(ms)} ms)`);
  return { appendsPerSec: r, elapsedMs: round(ms), error: null };
}

// ---------------------------------------------------------------- main
async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const dir = resolve(opts.dir);
  mkdirSync(dir, { recursive: true });
  const notes = [];
  const durationsMs = {};
  const tStart = performance.now();
  const phaseTimeoutMs = opts.phaseTimeoutS * 1000;

  notes.push(
    `streams: all appends cycle over ${opts.streams} streams 'wallet-<k>' (sequential append i -> stream i mod ${opts.streams}; batch j -> stream j mod ${opts.streams}); expectedStreamVersion passed on every append`,
    'store: getSQLiteEventStore({ fileName }) on a fresh file; for a file DB emmett-sqlite opens a NEW sqlite3 connection (and runs PRAGMA journal_mode=WAL) for every appendToStream/readStream call and closes it afterwards, so per-call connection open/close is part of what is measured',
    'durability: emmett-sqlite sets only journal_mode=WAL; synchronous is left at the SQLite default FULL (2) in WAL mode, busy_timeout is node-sqlite3\'s default 1000 ms; each append is one BEGIN IMMEDIATE ... COMMIT transaction',
    'schema creation (first store call) is done before timing starts',
  );

  // ------------------------------------------------------------ a) + b) + c) + d) on one DB
  const dbPath = freshDbPath(dir, 'main');
  log(`database ${dbPath}`);
  const store = getSQLiteEventStore({ fileName: dbPath });
  await store.readStream(streamName('warmup-none')); // creates schema outside timings

  const versions = new Array(opts.streams).fill(0n);
  const perStreamCount = new Array(opts.streams).fill(0);
  let n = 0;

  // a) sequential single-event appends
  let sequentialAppendsPerSec = null;
  {
    log(`a) ${opts.sequential} sequential single-event appends`);
    const t0 = performance.now();
    for (let i = 0; i < opts.sequential; i++) {
      const k = i % opts.streams;
      const res = await appendWithRetry('sequential', store, streamName(k), [deposited(k, n++)], versions[k]);
      versions[k] = res.nextExpectedStreamVersion;
      perStreamCount[k] += 1;
      if ((i + 1) % 500 === 0) log(`   ${i + 1}/${opts.sequential}`);
    }
    const ms = performance.now() - t0;
    durationsMs.sequential = round(ms);
    sequentialAppendsPerSec = rate(opts.sequential, ms);
    log(`   ${sequentialAppendsPerSec} appends/s (${round(ms)} ms)`);
  }

  // b) batched appends
  let batch100EventsPerSec = null;
  {
    const total = opts.batches * opts.batchSize;
    log(`b) ${opts.batches} appends of ${opts.batchSize}-event batches (${total} events)`);
    const t0 = performance.now();
    for (let j = 0; j < opts.batches; j++) {
      const k = j % opts.streams;
      const events = [];
      for (let e = 0; e < opts.batchSize; e++) events.push(deposited(k, n++));
      const res = await appendWithRetry('batch', store, streamName(k), events, versions[k]);
      versions[k] = res.nextExpectedStreamVersion;
      perStreamCount[k] += opts.batchSize;
      if ((j + 1) % 50 === 0) log(`   ${j + 1}/${opts.batches} batches`);
    }
    const ms = performance.now() - t0;
    durationsMs.batch = round(ms);
    batch100EventsPerSec = rate(total, ms);
    log(`   ${batch100EventsPerSec} events/s (${round(ms)} ms)`);
    if (opts.batchSize !== 100) notes.push(`batch size was ${opts.batchSize}, not 100`);
  }

  const totalWritten = n;
  const target = opts.readEvents === 'all' ? totalWritten : Math.min(opts.readEvents, totalWritten);

  // c) readStream
  let readStreamEventsPerSec = null;
  {
    const nonEmpty = [];
    for (let k = 0; k < opts.streams; k++) if (perStreamCount[k] > 0) nonEmpty.push(k);
    log(`c) readStream over ${nonEmpty.length} streams until ${target} events read`);
    let read = 0;
    let streamsRead = 0;
    let mismatches = 0;
    const t0 = performance.now();
    while (read < target && nonEmpty.length > 0) {
      const k = nonEmpty[streamsRead % nonEmpty.length];
      const res = await readWithRetry('readStream', store, streamName(k));
      if (res.events.length !== perStreamCount[k] || res.currentStreamVersion !== versions[k]) mismatches++;
      read += res.events.length;
      streamsRead++;
    }
    const ms = performance.now() - t0;
    durationsMs.readStream = round(ms);
    readStreamEventsPerSec = rate(read, ms);
    log(`   ${read} events from ${streamsRead} readStream calls: ${readStreamEventsPerSec} events/s (${round(ms)} ms)`);
    notes.push(`readStream: ${streamsRead} calls (whole stream each, ~${Math.round(read / Math.max(streamsRead, 1))} events/stream) read ${read} events`);
    if (mismatches > 0) notes.push(`readStream: ${mismatches} streams returned an unexpected event count/version`);
  }

  // d) global read: emmett-sqlite's EventStore has no readAll; it exports
  // readMessagesBatch(connection, { after, batchSize }) (what its consumer uses).
  let readAllEventsPerSec = null;
  {
    log(`d) global read via exported readMessagesBatch (batchSize ${opts.readAllBatch}) until ${target} events`);
    const conn = sqliteConnection({ fileName: dbPath });
    try {
      let read = 0;
      let after = 0n;
      let lastPos = 0n;
      let ordered = true;
      const t0 = performance.now();
      while (read < target) {
        const batchSize = Math.min(opts.readAllBatch, target - read);
        const res = await readMessagesBatch(conn, { after, batchSize });
        for (const m of res.messages) {
          if (m.metadata.globalPosition <= lastPos) ordered = false;
          lastPos = m.metadata.globalPosition;
        }
        read += res.messages.length;
        after = res.currentGlobalPosition;
        if (res.messages.length === 0) break;
      }
      const ms = performance.now() - t0;
      durationsMs.readAll = round(ms);
      readAllEventsPerSec = rate(read, ms);
      log(`   ${read} events: ${readAllEventsPerSec} events/s (${round(ms)} ms)`);
      notes.push(
        `readAll: emmett-sqlite's event store has no readAll method; measured with its exported low-level readMessagesBatch(sqliteConnection, { after, batchSize: ${opts.readAllBatch} }) on one connection, ordered by global_position (${read} events${ordered ? '' : ', ORDER VIOLATION SEEN'})`,
      );
    } catch (err) {
      notes.push(`readAll failed: ${errorInfo(err).message}`);
      log(`   failed: ${err?.message}`);
    } finally {
      conn.close();
    }
  }

  // d') the supported global path: store.consumer() with a processor from BEGINNING.
  let consumerEventsPerSec = null;
  if (opts.consumer && target > 0) {
    const pulling = { batchSize: opts.readAllBatch, pullingFrequencyInMs: 1 };
    log(`d') store.consumer() processor from BEGINNING, pulling ${JSON.stringify(pulling)}, until ${target} events`);
    let seen = 0;
    const consumer = store.consumer({ pulling });
    consumer.processor({
      processorId: 'bench-reader',
      startFrom: 'BEGINNING',
      eachMessage: () => { seen++; },
      stopAfter: () => seen >= target,
    });
    try {
      const t0 = performance.now();
      await withTimeout(consumer.start(), phaseTimeoutMs, 'consumer');
      const ms = performance.now() - t0;
      durationsMs.consumer = round(ms);
      consumerEventsPerSec = rate(seen, ms);
      log(`   ${seen} events: ${consumerEventsPerSec} events/s (${round(ms)} ms)`);
      notes.push(
        `consumerEventsPerSec: store.consumer() + processor (startFrom BEGINNING, pulling ${JSON.stringify(pulling)}); it writes a checkpoint row per message inside one transaction per batch and sleeps >=100 ms before the first batch re-poll (defaults: batchSize 100, pullingFrequencyInMs 50, which caps it near 2,000 events/s)`,
      );
    } catch (err) {
      notes.push(`consumer failed: ${errorInfo(err).message}`);
      log(`   consumer failed: ${err?.message}`);
    } finally {
      try { await consumer.close(); } catch (err) { log(`   consumer close: ${err?.message}`); }
    }
  }

  if (!opts.keep) removeDb(dbPath);

  // ------------------------------------------------------------ e) concurrent appenders, fresh DB
  let concurrent64AppendsPerSec = null;
  let concurrent64Error = null;
  let concurrent64StorePerWorker = null;
  if (opts.concurrentEvents > 0) {
    const C = opts.concurrency;
    // primary: one store instance shared by all loops (how an application would use it)
    const shared = await runConcurrent({ opts, dir, phaseTimeoutMs, mode: 'shared-store' });
    durationsMs.concurrent = shared.elapsedMs;
    concurrent64AppendsPerSec = shared.appendsPerSec;
    concurrent64Error = shared.error;
    notes.push(
      `concurrent${C}: Promise.all of ${C} loops, each awaiting its own single-event appends (${opts.concurrentEvents} events total), all on ONE getSQLiteEventStore instance, on a separate fresh database; worker w appends only to streams k with k mod ${C} == w (no version races); on the first failed append all loops stop starting new appends (in-flight ones finish or fail)`,
    );
    if (shared.error) {
      notes.push(
        `concurrent${C} (shared store): first failure after ${shared.error.atMs} ms with ${shared.error.successfulAppendsBeforeIt} appends done; ${shared.error.successfulAppendsTotal} succeeded, ${shared.error.failedAppends} failed. Cause in emmett-sqlite 0.38.5 (read from its dist/index.js): for a file DB the store keeps one module-level connection that concurrent calls share (its withTransaction nesting counter folds them into one transaction) and that the first finishing call closes and nulls under the others (SQLITE_MISUSE); later calls open further connections whose BEGIN IMMEDIATE gives up with SQLITE_BUSY after node-sqlite3's 1000 ms busy_timeout, and the ROLLBACK that emmett then issues fails with 'no transaction is active', which is the error the caller sees. The time to first failure is inflated because node-sqlite3 runs every statement on libuv's threadpool (4 threads by default): blocked BEGIN IMMEDIATEs occupy the threads while the lock holder waits for one (with UV_THREADPOOL_SIZE=128 the first failure came after ~2 s instead of ~15 s, same errors)`,
      );
    }
    // secondary: one store instance per loop (one connection per appender)
    if (opts.perWorkerStores) {
      const per = await runConcurrent({ opts, dir, phaseTimeoutMs, mode: 'store-per-worker' });
      durationsMs.concurrentStorePerWorker = per.elapsedMs;
      concurrent64StorePerWorker = { appendsPerSec: per.appendsPerSec, error: per.error };
      notes.push(
        `concurrent64StorePerWorker: same as concurrent${C} but each loop has its own getSQLiteEventStore instance (so no shared connection is closed under another call; ${C} connections contend for the write lock)`,
      );
    }
    if (C !== 64) notes.push(`concurrency was ${C}, not 64 (field names still say 64)`);
  }

  const retries = Object.keys(retryLog).length > 0 ? retryLog : null;
  if (retries) {
    notes.push(
      `transient errors in single-threaded phases (each retried, retry time included in the rate): ${JSON.stringify(retryLog)}. "cannot commit transaction - SQL statements in progress" means a statement on the same connection was still active at COMMIT; emmett-sqlite rolls back and rethrows, the append is then retried (exact root cause inside emmett-sqlite/node-sqlite3 not investigated)`,
    );
  }
  if (stray.length > 0) {
    notes.push(`stray errors raised outside awaited calls: ${stray.length} (first: ${stray[0].message})`);
  }

  const result = {
    peer: PEER,
    sequentialAppendsPerSec,
    concurrent64AppendsPerSec,
    concurrent64Error,
    concurrent64StorePerWorker,
    batch100EventsPerSec,
    readStreamEventsPerSec,
    readAllEventsPerSec,
    consumerEventsPerSec,
    retriedErrors: retries,
    params: {
      sequential: opts.sequential,
      batches: opts.batches,
      batchSize: opts.batchSize,
      readEvents: opts.readEvents,
      eventsRead: target,
      totalEventsWritten: totalWritten,
      streams: opts.streams,
      concurrency: opts.concurrency,
      concurrentEvents: opts.concurrentEvents,
      readAllBatch: opts.readAllBatch,
    },
    durationsMs: { ...durationsMs, total: round(performance.now() - tStart) },
    env: { node: process.version, platform: `${process.platform}-${process.arch}` },
    notes,
  };
  realStdoutWrite(JSON.stringify(result, null, 2) + '\n');
}

main().then(
  () => process.exit(0),
  (err) => {
    log(`fatal: ${err?.stack ?? err}`);
    realStdoutWrite(JSON.stringify({ peer: PEER, fatalError: errorInfo(err), retriedErrors: retryLog }) + '\n');
    process.exit(1);
  },
);
