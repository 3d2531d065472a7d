/**
 * npm run bench:soak [-- --minutes 10] [-- --connections 16] [-- --customers 500] [-- --seed 1] [-- --json]
 *
 * Mixed traffic against `ifw serve` (the compiled CLI on a fresh data dir) for --minutes, as fast as the
 * machine answers: --connections clients in a closed loop, each request drawn (seeded) from a mix of reads
 * and writes of every common kind. Reports throughput and p50/p99/p99.9 latency per route, every status
 * seen (a 5xx fails the run), and the server's resident memory and JavaScript heap sampled every 10 s from
 * GET /metrics, so a leak shows as a slope of the heap (the resident figure also holds SQLite's page caches). Latencies go into log-scale buckets (5 % wide): bounded memory however long the run.
 * Writes bench/results/soak-<time>.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MAIN_JS, ROOT, ensureBuilt, startChild, stopChild } from './child-server';

const { values } = parseArgs({
  options: { minutes: { type: 'string', default: '10' }, connections: { type: 'string', default: '16' }, customers: { type: 'string', default: '500' }, seed: { type: 'string', default: '1' }, json: { type: 'boolean' } },
});
const MINUTES = Number(values.minutes);
const CONNECTIONS = Number(values.connections);
const CUSTOMERS = Number(values.customers);
const OPERATOR_KEY = 'operator-key-for-the-soak-01';
const AUDITOR_KEY = 'auditor-key-for-the-soak-001';
const FUND = 'SOAK';
const MEMORY_EVERY_MS = 10_000;
const say = (message: string) => values.json || process.stderr.write(`… ${message}\n`);

/** A small seeded generator (mulberry32): the same mix of requests for the same seed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Latencies in buckets 5 % wide from 10 µs: p-quantiles within 5 %, in a few hundred counters. */
class LatencyBuckets {
  private readonly counts = new Map<number, number>();
  total = 0;
  record(us: number): void {
    const bucket = Math.max(0, Math.ceil(Math.log(us / 10) / Math.log(1.05)));
    this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + 1);
    this.total++;
  }
  quantileMs(q: number): number {
    let seen = 0;
    for (const bucket of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(bucket)!;
      if (seen >= q * this.total) return Math.round((10 * 1.05 ** bucket) / 10) / 100;
    }
    return 0;
  }
}

type Party = { id: string; walletId: string; key: string };

async function call(url: string, method: string, path: string, key: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function setUp(url: string): Promise<{ customers: Party[]; merchant: Party }> {
  const open = async (kind: 'customer' | 'merchant', name: string): Promise<Party> => {
    const { status, body } = await call(url, 'POST', `/${kind}s`, OPERATOR_KEY, kind === 'customer' ? { name, accountTier: 'III' } : { name });
    if (status !== 201) throw new Error(`could not open ${name}: ${status}`);
    return { id: String(body.id), walletId: String(body.walletId), key: String(body.apiKey) };
  };
  await call(url, 'POST', '/funds', OPERATOR_KEY, { code: FUND, name: 'Soak Money Fund' });
  await call(url, 'POST', `/funds/${FUND}/incomes`, OPERATOR_KEY, { date: '2026-01-05', perTenK: '0.5000' });
  const merchant = await open('merchant', 'Soak Shop');
  const customers: Party[] = [];
  for (let i = 0; i < CUSTOMERS; i++) {
    const customer = await open('customer', `Soak Customer ${i}`);
    await call(url, 'POST', `/wallets/${customer.walletId}/deposits`, customer.key, { amount: '100000.00' });
    customers.push(customer);
  }
  return { customers, merchant };
}

type Request = { route: string; method: string; path: string; key: string; body?: unknown };

/** The mix: mostly reads of one's own wallet, then the writes a wallet sees most. */
function drawRequest(random: () => number, customers: Party[], merchant: Party): Request {
  const c = customers[Math.floor(random() * customers.length)]!;
  const r = random();
  const w = `/wallets/${c.walletId}`;
  if (r < 0.35) return { route: 'GET /wallets/{id}', method: 'GET', path: w, key: c.key };
  if (r < 0.5) return { route: 'GET /wallets/{id}/transactions', method: 'GET', path: `${w}/transactions?limit=20`, key: c.key };
  if (r < 0.65) return { route: 'POST /wallets/{id}/deposits', method: 'POST', path: `${w}/deposits`, key: c.key, body: { amount: '1.00' } };
  if (r < 0.77) return { route: 'POST /wallets/{id}/payments', method: 'POST', path: `${w}/payments`, key: c.key, body: { toWalletId: merchant.walletId, amount: '0.01' } };
  if (r < 0.83) return { route: 'POST /wallets/{id}/withdrawals', method: 'POST', path: `${w}/withdrawals`, key: c.key, body: { amount: '1.00' } };
  if (r < 0.88) return { route: 'POST /wallets/{id}/purchases', method: 'POST', path: `${w}/purchases`, key: c.key, body: { fundCode: FUND, amount: '1.00' } };
  if (r < 0.94) return { route: 'GET /funds', method: 'GET', path: '/funds', key: c.key };
  if (r < 0.97) return { route: 'GET /ledger/trial-balance', method: 'GET', path: '/ledger/trial-balance', key: AUDITOR_KEY };
  return { route: 'GET /metrics', method: 'GET', path: '/metrics', key: AUDITOR_KEY };
}

interface MemorySample {
  minute: number;
  residentMb: number;
  /** The JavaScript heap in use: a leak in the server's own objects grows it, SQLite's page caches do not. */
  heapUsedMb: number;
}

async function memorySample(url: string, startedMs: number): Promise<MemorySample> {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${AUDITOR_KEY}` } });
  const text = await response.text();
  const mb = (metric: string) => {
    const match = new RegExp(`^${metric} (\\d+)`, 'm').exec(text);
    return match ? Math.round(Number(match[1]) / 1_048_576) : NaN;
  };
  return { minute: Math.round((Date.now() - startedMs) / 600) / 100, residentMb: mb('ifw_process_resident_memory_bytes'), heapUsedMb: mb('ifw_nodejs_heap_size_used_bytes') };
}

async function main(): Promise<void> {
  ensureBuilt(say, values.json === true);
  const dir = mkdtempSync(join(tmpdir(), 'ifw-soak-'));
  const env = { IFW_API_KEYS: `${OPERATOR_KEY}=operator,${AUDITOR_KEY}=auditor`, IFW_START_DATE: '2026-01-05', IFW_HOST: '127.0.0.1' };
  const server = await startChild([MAIN_JS, 'serve', '--data', join(dir, 'data'), '--port', '0', '--json'], env, 'ifw serve');
  try {
    say(`opening ${CUSTOMERS} customers`);
    const { customers, merchant } = await setUp(server.url);
    const routes = new Map<string, LatencyBuckets>();
    const statuses = new Map<number, number>();
    const memory: MemorySample[] = [];
    const random = seeded(Number(values.seed));
    const startedMs = Date.now();
    const endMs = startedMs + MINUTES * 60_000;
    const sampler = setInterval(() => void memorySample(server.url, startedMs).then((sample) => memory.push(sample)), MEMORY_EVERY_MS);
    say(`mixed traffic for ${MINUTES} min on ${CONNECTIONS} connections`);
    const client = async () => {
      while (Date.now() < endMs) {
        const request = drawRequest(random, customers, merchant);
        const sentUs = performance.now() * 1000;
        const { status } = await call(server.url, request.method, request.path, request.key, request.body);
        const buckets = routes.get(request.route) ?? routes.set(request.route, new LatencyBuckets()).get(request.route)!;
        buckets.record(performance.now() * 1000 - sentUs);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, client));
    clearInterval(sampler);
    const seconds = (Date.now() - startedMs) / 1000;
    const perRoute = [...routes].map(([route, b]) => ({ route, requests: b.total, perSecond: Math.round(b.total / seconds), p50Ms: b.quantileMs(0.5), p99Ms: b.quantileMs(0.99), p999Ms: b.quantileMs(0.999) }));
    const total = perRoute.reduce((n, r) => n + r.requests, 0);
    const serverErrors = [...statuses].filter(([status]) => status >= 500).reduce((n, [, count]) => n + count, 0);
    const report = {
      benchmark: 'soak',
      recordedAt: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      settings: { minutes: MINUTES, connections: CONNECTIONS, customers: CUSTOMERS, seed: Number(values.seed) },
      seconds,
      requests: total,
      requestsPerSecond: Math.round(total / seconds),
      statuses: Object.fromEntries(statuses),
      serverErrors,
      routes: perRoute.sort((a, b) => b.requests - a.requests),
      memory,
    };
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    const file = join(ROOT, 'bench', 'results', `soak-${report.recordedAt.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    if (values.json) console.log(JSON.stringify(report));
    else printReport(report, file);
    if (serverErrors > 0) process.exitCode = 1;
  } finally {
    await stopChild(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

function printReport(report: { seconds: number; requests: number; requestsPerSecond: number; statuses: Record<string, number>; serverErrors: number; routes: { route: string; requests: number; perSecond: number; p50Ms: number; p99Ms: number; p999Ms: number }[]; memory: MemorySample[] }, file: string): void {
  console.log(`${report.requests} requests in ${report.seconds.toFixed(0)} s: ${report.requestsPerSecond}/s; statuses ${JSON.stringify(report.statuses)}; 5xx: ${report.serverErrors}`);
  console.log('route                               req/s     p50 ms   p99 ms   p99.9 ms');
  for (const r of report.routes) console.log(`${r.route.padEnd(34)} ${String(r.perSecond).padStart(6)} ${String(r.p50Ms).padStart(9)} ${String(r.p99Ms).padStart(8)} ${String(r.p999Ms).padStart(10)}`);
  console.log(`resident memory / heap used (MB) by minute: ${report.memory.map((m) => `${m.minute}:${m.residentMb}/${m.heapUsedMb}`).join(' ')}`);
  console.log(`written: ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
