/**
 * npm run bench:audit [-- --events 1000000] [-- --json]
 *
 * `verifyAll` over a log of N events (default 1,000,000; 1,000 streams, appended 1,000 at a time), beside the
 * raw read ceiling of the same rows in the same run (every column a verification reads, in the same two orders,
 * with no hashing), with the process's peak heap during the verification: the goal is 200,000 events/s with
 * flat memory. Prints a table (or JSON) and writes bench/results/audit-<time>.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { type EventInput, openEventStore } from '../src/eventstore';

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

/** Reads what a verification reads, in its two orders, and does nothing with it: the ceiling of any verifier. */
function rawReadSeconds(path: string): number {
  const db = new Database(path, { readonly: true });
  const started = performance.now();
  const byStream = db.prepare('SELECT e.stream_id, s.name, e.revision, e.id, e.type, e.data, e.metadata, e.recorded_at, e.hash, e.position FROM events e JOIN streams s ON s.stream_id = e.stream_id WHERE (e.stream_id, e.revision) > (?, ?) ORDER BY e.stream_id, e.revision LIMIT ?');
  for (let afterStream = -1, afterRevision = -1; ; ) {
    const rows = byStream.all(afterStream, afterRevision, PAGE) as { stream_id: number; revision: number }[];
    if (rows.length < PAGE) break;
    afterStream = rows.at(-1)!.stream_id;
    afterRevision = rows.at(-1)!.revision;
  }
  const byPosition = db.prepare('SELECT position, hash, log_hash FROM events WHERE position > ? ORDER BY position LIMIT ?');
  for (let after = 0; ; ) {
    const rows = byPosition.all(after, PAGE) as { position: number }[];
    if (rows.length < PAGE) break;
    after = rows.at(-1)!.position;
  }
  db.close();
  return (performance.now() - started) / 1000;
}

async function verifySeconds(path: string): Promise<{ seconds: number; ok: boolean; peakHeapMb: number; heapBeforeMb: number }> {
  const store = openEventStore(`sqlite:${path}`, { readOnly: true });
  global.gc?.();
  const heapBeforeMb = process.memoryUsage().heapUsed / 1e6;
  let peak = heapBeforeMb;
  const started = performance.now();
  const report = await store.verifyAll({ onProgress: () => (peak = Math.max(peak, process.memoryUsage().heapUsed / 1e6)) });
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return { seconds, ok: report.ok, peakHeapMb: Math.round(peak), heapBeforeMb: Math.round(heapBeforeMb) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ifw-bench-audit-'));
  try {
    const path = join(dir, 'ifw.db');
    say(`writing ${events.toLocaleString('en')} events in ${STREAMS} streams`);
    await writeLog(path);
    say('the raw read ceiling');
    const rawSeconds = rawReadSeconds(path);
    say('verifyAll');
    const verify = await verifySeconds(path);
    const figures = {
      events,
      rawReadEventsPerSec: Math.round(events / rawSeconds),
      verifyEventsPerSec: Math.round(events / verify.seconds),
      verifySeconds: Math.round(verify.seconds * 100) / 100,
      intact: verify.ok,
      heapBeforeMb: verify.heapBeforeMb,
      peakHeapMb: verify.peakHeapMb,
      goal: { verifyEventsPerSec: GOAL_EVENTS_PER_SEC, met: verify.ok && events / verify.seconds >= GOAL_EVENTS_PER_SEC },
    };
    mkdirSync(join('bench', 'results'), { recursive: true });
    const file = join('bench', 'results', `audit-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
    if (asJson) console.log(JSON.stringify(figures));
    else console.table({ 'raw read (both orders)': `${figures.rawReadEventsPerSec.toLocaleString('en')} events/s`, verifyAll: `${figures.verifyEventsPerSec.toLocaleString('en')} events/s (${figures.verifySeconds} s)`, heap: `${figures.heapBeforeMb} MB before, ${figures.peakHeapMb} MB at most`, goal: `${GOAL_EVENTS_PER_SEC.toLocaleString('en')} events/s: ${figures.goal.met ? 'met' : 'MISSED'}` });
    say(`written to ${file}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
