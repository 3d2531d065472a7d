/**
 * npm run bench:api [-- --json] [-- --connections 64] [-- --seconds 12] [-- --customers 1000] [-- --profile]
 *
 * Load-tests the HTTP API end to end: starts `node dist/cli/main.js serve` on a fresh temp data dir (building
 * first when dist/ is missing or older than src/), opens 1,000 customers and one merchant through the API (not measured), then
 * drives it with autocannon in two phases: deposits spread over every customer wallet, and payments from
 * every customer into the one merchant (a hot account). Each phase starts with an unmeasured warm-up of a
 * fixed number of requests, whose rate sizes the measured run to about --seconds. Both runs are counted by
 * `amount`, not cut off by a timer, so every request sent has its response counted and the merchant's cash
 * can be checked to the fen: after the run the merchant's cash must equal the 2xx payments × 1.00 and the
 * trial balance must total 0.00. Prints a table (or JSON with --json) and writes the figures to
 * bench/results/api-<time>.json. With --profile the server runs under `node --cpu-prof` and the summary of
 * each measured phase (bench/cpuprofile-summary.ts) is printed and kept in the JSON.
 *
 * autocannon runs in this process, so it and the server share the machine's cores.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { MAIN_JS, ROOT, UNTHROTTLED, ensureBuilt } from './child-server';
import { type ProfileSummary, printSummary, summarise } from './cpuprofile-summary';

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const withProfile = args.includes('--profile');
const numberOption = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const connections = numberOption('--connections', 64);
const targetSeconds = numberOption('--seconds', 12);
const customerCount = numberOption('--customers', 1_000);
const setupConcurrency = 32;
const initialDepositFen = 1_000_00n; // 1,000.00 CNY each: enough for any number of 1.00 payments a phase can make
const PAYMENT = '1.00';
const PAYMENT_FEN = 100n;
const DEPOSIT = '1.00';
const START_DATE = '2026-01-05';

const started = new Date();
const stamp = started.toISOString().replace(/[:.]/g, '-');
const resultsDir = join(__dirname, 'results');
const profileDir = join(resultsDir, `api-profile-${stamp}`);

function progress(message: string): void {
  if (!asJson) process.stderr.write(`… ${message}\n`);
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

// ---------------------------------------------------------------------------------------------- the server

interface Server {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  /** The last lines of its stderr, for the report when it fails. */
  stderrTail: string[];
}

/** Set when the server exits before the benchmark stops it; a load run in progress is stopped at once. */
let serverFailure: Error | undefined;
let stopCurrentLoad: (() => void) | undefined;
let stoppingServer = false;

function checkServer(): void {
  if (serverFailure) throw serverFailure;
}

async function startServer(dataDir: string, operatorKey: string): Promise<Server> {
  const nodeArgs = withProfile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  // --port 0: the kernel picks a free port, and the {listening} line says which.
  const child = spawn(process.execPath, [...nodeArgs, MAIN_JS, 'serve', '--data', dataDir, '--port', '0', '--json'], {
    cwd: ROOT,
    env: { ...process.env, ...UNTHROTTLED, IFW_API_KEYS: `${operatorKey}=operator`, IFW_START_DATE: START_DATE, IFW_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderrTail: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 40) stderrTail.shift();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      if (!stoppingServer) {
        serverFailure = new Error(`the server exited (status ${code}, signal ${signal}) while the benchmark ran:\n${stderrTail.join('\n')}`);
        stopCurrentLoad?.();
      }
      resolve(code);
    }),
  );
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not print its {listening} line within 60 s')), 60_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve((JSON.parse(line) as { listening: string }).listening);
      } catch {
        reject(new Error(`the server's first line is not {listening}: ${line}`));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with status ${code} before listening:\n${stderrTail.join('\n')}`));
    });
  });
  lines.on('line', () => undefined); // keep draining stdout
  return { child, url: url.replace('://localhost', '://127.0.0.1'), exited, stderrTail };
}

async function stopServer(server: Server): Promise<number | null> {
  stoppingServer = true;
  if (server.child.exitCode !== null || server.child.signalCode !== null) return server.exited;
  server.child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 15_000).unref());
  const outcome = await Promise.race([server.exited, timeout]);
  if (outcome !== 'timeout') return outcome;
  progress('the server did not stop within 15 s of SIGTERM: SIGKILL');
  server.child.kill('SIGKILL');
  return server.exited;
}

// ----------------------------------------------------------------------------------------------- API calls

async function api<T>(base: string, method: 'GET' | 'POST', path: string, key: string, body?: unknown): Promise<{ status: number; json: T; text: string }> {
  const response = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    // left undefined; the caller reports the text
  }
  return { status: response.status, json: json as T, text };
}

async function expectStatus<T>(status: number, call: Promise<{ status: number; json: T; text: string }>, what: string): Promise<T> {
  const result = await call;
  if (result.status !== status) throw new Error(`${what}: expected ${status}, got ${result.status}: ${result.text.slice(0, 500)}`);
  return result.json;
}

/** Runs `task` over `items` with at most `limit` in flight. */
async function pool<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await task(items[i]!, i);
      }
    }),
  );
  return results;
}

interface Party {
  walletId: string;
  apiKey: string;
}

// ------------------------------------------------------------------------------------------------- phases

interface Target {
  path: string;
  key: string;
  body: string;
}

interface RunFigures {
  requests: number;
  durationSec: number;
  ok2xx: number;
  successfulPerSec: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  non2xxByStatus: Record<string, number>;
  errors: number;
  timeouts: number;
  /** A few bodies of non-2xx responses, to say what went wrong. */
  sampleErrorBodies: { status: number; body: string }[];
  window: { fromUs: number; toUs: number };
}

interface PhaseFigures {
  phase: string;
  connections: number;
  warmup: RunFigures;
  measured: RunFigures;
  profile?: ProfileSummary;
}

function runAutocannon(url: string, amount: number, target: (i: number) => Target): Promise<RunFigures> {
  let sent = 0;
  const sampleErrorBodies: { status: number; body: string }[] = [];
  const request: autocannon.Request = {
    method: 'POST',
    // Every request goes to the next wallet in turn, with that wallet's owner's key.
    setupRequest: (req) => {
      const t = target(sent++);
      return { ...req, method: 'POST', path: t.path, body: t.body, headers: { 'content-type': 'application/json', authorization: `Bearer ${t.key}` } };
    },
    onResponse: (status, body) => {
      lastResponseUs = monotonicUs();
      if ((status < 200 || status > 299) && sampleErrorBodies.length < 5) sampleErrorBodies.push({ status, body: String(body).slice(0, 500) });
    },
  };
  const fromUs = monotonicUs();
  let lastResponseUs = fromUs;
  return new Promise((resolve, reject) => {
    // autocannon hands its result over at the first sampling tick after the last response, so its own
    // `duration` is rounded up to a tick: the run's time is taken here, from the start to the last response.
    const instance = autocannon({ url, connections, amount, timeout: 10, sampleInt: 250, requests: [request] }, (error, result) => {
      if (error) return reject(error);
      const toUs = lastResponseUs;
      const durationSec = Math.round((toUs - fromUs) / 10_000) / 100;
      const non2xxByStatus: Record<string, number> = {};
      for (const [status, stats] of Object.entries(result.statusCodeStats ?? {})) {
        if (!status.startsWith('2')) non2xxByStatus[status] = stats.count ?? 0;
      }
      const ok2xx = result['2xx'];
      const round2 = (n: number) => Math.round(n * 100) / 100;
      resolve({
        requests: amount,
        durationSec,
        ok2xx,
        successfulPerSec: toUs > fromUs ? Math.round(ok2xx / ((toUs - fromUs) / 1e6)) : 0,
        latencyMs: { p50: round2(result.latency.p50), p90: round2(result.latency.p90), p99: round2(result.latency.p99), max: round2(result.latency.max), mean: round2(result.latency.mean) },
        non2xxByStatus,
        errors: result.errors,
        timeouts: result.timeouts,
        sampleErrorBodies,
        window: { fromUs, toUs },
      });
    });
    stopCurrentLoad = () => instance.stop();
    let ticks = 0;
    instance.on('tick', () => {
      const seconds = Math.round((monotonicUs() - fromUs) / 1e6);
      if (++ticks % 5 === 0 && seconds > 0) progress(`  ${seconds} s, ${sent.toLocaleString('en')} of ${amount.toLocaleString('en')} requests sent`);
    });
  });
}

async function phase(name: string, url: string, target: (i: number) => Target): Promise<PhaseFigures> {
  const warmupAmount = connections * 25;
  progress(`${name}: warm-up, ${warmupAmount.toLocaleString('en')} requests over ${connections} connections (not measured)`);
  let offset = 0;
  const warmup = await runAutocannon(url, warmupAmount, (i) => target(offset + i));
  checkServer();
  offset += warmupAmount;
  // The measured run is sized from the warm-up's rate to last about targetSeconds.
  const amount = Math.max(connections * 20, Math.round((warmup.ok2xx / Math.max(warmup.durationSec, 0.1)) * targetSeconds));
  progress(`${name}: measuring ${amount.toLocaleString('en')} requests (warm-up ran at ${warmup.successfulPerSec.toLocaleString('en')}/s, aiming at ~${targetSeconds} s)`);
  const measured = await runAutocannon(url, amount, (i) => target(offset + i));
  checkServer();
  progress(`${name}: ${measured.ok2xx.toLocaleString('en')} 2xx in ${measured.durationSec} s = ${measured.successfulPerSec.toLocaleString('en')}/s, p99 ${measured.latencyMs.p99} ms`);
  return { phase: name, connections, warmup, measured };
}

// ------------------------------------------------------------------------------------------------ the run

function fenOf(text: string): bigint {
  const match = /^(-?)(\d+)\.(\d{2})$/.exec(text);
  if (!match) throw new Error(`not an amount: ${text}`);
  const fen = BigInt(match[2]!) * 100n + BigInt(match[3]!);
  return match[1] ? -fen : fen;
}

const formatFen = (fen: bigint) => `${fen < 0n ? '-' : ''}${(fen < 0n ? -fen : fen) / 100n}.${((fen < 0n ? -fen : fen) % 100n).toString().padStart(2, '0')}`;

async function trialBalance(url: string, operatorKey: string): Promise<{ total: string; position: string; accounts: unknown[] }> {
  // The ledger projection may still be catching up right after the load: it answers 503 until it has.
  for (let attempt = 1; ; attempt++) {
    const result = await api<{ total: string; position: string; accounts: unknown[] }>(url, 'GET', '/ledger/trial-balance', operatorKey);
    if (result.status === 200) return result.json;
    if (result.status !== 503 || attempt >= 10) throw new Error(`GET /ledger/trial-balance answered ${result.status}: ${result.text.slice(0, 500)}`);
    progress(`  the ledger is catching up (503); retrying`);
  }
}

async function run(work: string, server: { current?: Server }) {
  ensureBuilt(progress, asJson);
  const operatorKey = `bench-op-${randomBytes(24).toString('base64url')}`;
  progress(`starting node dist/cli/main.js serve on ${work}${withProfile ? ' under --cpu-prof' : ''}`);
  const s = await startServer(join(work, 'data'), operatorKey);
  server.current = s;
  const url = s.url;
  progress(`server listening on ${url}`);

  progress(`setup: 1 merchant and ${customerCount.toLocaleString('en')} customers, ${setupConcurrency} requests in flight (not measured)`);
  const setupStart = Date.now();
  const merchant = await expectStatus<Party>(201, api(url, 'POST', '/merchants', operatorKey, { name: 'Bench Merchant' }), 'POST /merchants');
  const customers = await pool(Array.from({ length: customerCount }, (_, i) => i), setupConcurrency, (i) =>
    expectStatus<Party>(201, api(url, 'POST', '/customers', operatorKey, { name: `Bench Customer ${i + 1}` }), 'POST /customers'),
  );
  progress(`setup: depositing ${formatFen(initialDepositFen)} into each customer wallet`);
  await pool(customers, setupConcurrency, (c) =>
    expectStatus(201, api(url, 'POST', `/wallets/${c.walletId}/deposits`, c.apiKey, { amount: formatFen(initialDepositFen) }), 'POST /deposits'),
  );
  const setupSec = Math.round((Date.now() - setupStart) / 100) / 10;
  progress(`setup done in ${setupSec} s`);

  const depositBody = JSON.stringify({ amount: DEPOSIT });
  const deposits = await phase('spread deposits', url, (i) => {
    const c = customers[i % customers.length]!;
    return { path: `/wallets/${c.walletId}/deposits`, key: c.apiKey, body: depositBody };
  });
  const paymentBody = JSON.stringify({ toWalletId: merchant.walletId, amount: PAYMENT });
  const payments = await phase('hot-merchant payments', url, (i) => {
    const c = customers[i % customers.length]!;
    return { path: `/wallets/${c.walletId}/payments`, key: c.apiKey, body: paymentBody };
  });

  progress('verifying through the API');
  const merchantView = await expectStatus<{ cash: string }>(200, api(url, 'GET', `/wallets/${merchant.walletId}`, operatorKey), 'GET /wallets/{merchant}');
  const paymentsOk = payments.warmup.ok2xx + payments.measured.ok2xx;
  const expectedCashFen = BigInt(paymentsOk) * PAYMENT_FEN;
  const balance = await trialBalance(url, operatorKey);
  const checks = [
    {
      check: `merchant cash = successful payments (${paymentsOk.toLocaleString('en')}, warm-up included) × ${PAYMENT}`,
      expected: formatFen(expectedCashFen),
      actual: merchantView.cash,
      ok: fenOf(merchantView.cash) === expectedCashFen,
    },
    { check: 'trial balance total = 0.00', expected: '0.00', actual: balance.total, ok: balance.total === '0.00' },
  ];

  const exitCode = await stopServer(s);
  progress(`server stopped (exit status ${exitCode})`);
  let profiles: Record<string, ProfileSummary> | undefined;
  if (withProfile) {
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no .cpuprofile in ${profileDir}`);
    profiles = {};
    for (const p of [deposits, payments]) {
      p.profile = summarise(join(profileDir, file), { top: 25, ...p.measured.window });
      profiles[p.phase] = p.profile;
    }
    progress(`profile: ${join(profileDir, file)}`);
  }
  return { url, setupSec, merchantWalletId: merchant.walletId, deposits, payments, checks, trialBalancePosition: balance.position, serverExitCode: exitCode };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'ifw-api-bench-'));
  const server: { current?: Server } = {};
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    if (server.current) await stopServer(server.current).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: stopping the server and removing ${work}\n`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let outcome: Awaited<ReturnType<typeof run>>;
  try {
    outcome = await run(work, server);
  } catch (error) {
    if (server.current?.stderrTail.length) process.stderr.write(`server stderr (last lines):\n${server.current.stderrTail.join('\n')}\n`);
    throw error;
  } finally {
    await cleanup();
  }

  const { deposits, payments, checks } = outcome;
  const clean = (p: PhaseFigures) =>
    Object.keys(p.measured.non2xxByStatus).length === 0 && Object.keys(p.warmup.non2xxByStatus).length === 0 && p.measured.errors + p.warmup.errors === 0;
  const goals = [
    { goal: 'spread deposits >= 2,000 successful commands/s', met: deposits.measured.successfulPerSec >= 2_000 },
    { goal: 'hot-merchant payments >= 1,000 successful commands/s', met: payments.measured.successfulPerSec >= 1_000 },
    { goal: 'hot-merchant payments p99 < 50 ms', met: payments.measured.latencyMs.p99 < 50 },
    { goal: 'every response 2xx, no errors or timeouts (warm-ups included)', met: clean(deposits) && clean(payments) },
    ...checks.map((c) => ({ goal: c.check, met: c.ok })),
  ];
  const note = `autocannon (this process) and the server share this ${cpus().length}-core machine: the client's CPU is taken from the server's`;
  const report = {
    benchmark: 'api',
    startedAt: started.toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null, node: process.version },
    note,
    setup: { customers: customerCount, merchants: 1, setupConcurrency, initialDepositPerCustomer: formatFen(initialDepositFen), setupSec: outcome.setupSec },
    load: { tool: 'autocannon 9 (programmatic API), one process', connections, targetSecondsPerPhase: targetSeconds, depositAmount: DEPOSIT, paymentAmount: PAYMENT },
    phases: [deposits, payments],
    checks,
    goals,
    merchantWalletId: outcome.merchantWalletId,
    serverExitCode: outcome.serverExitCode,
    profileDir: withProfile ? profileDir : null,
  };
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `api-${stamp}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2));
  if (checks.some((c) => !c.ok)) process.exitCode = 1;

  if (asJson) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return;
  }
  const fmt = (n: number) => n.toLocaleString('en');
  const statuses = (r: RunFigures) => Object.entries(r.non2xxByStatus).map(([s, n]) => `${s}×${n}`).join(' ') || 'none';
  console.log(`\n${note}; ${connections} connections; measured runs sized to ~${targetSeconds} s after a warm-up of ${fmt(connections * 25)} requests\n`);
  console.table(
    [deposits, payments].map((p) => ({
      phase: p.phase,
      'successful/s': fmt(p.measured.successfulPerSec),
      '2xx': fmt(p.measured.ok2xx),
      's': p.measured.durationSec,
      'p50 ms': p.measured.latencyMs.p50,
      'p90 ms': p.measured.latencyMs.p90,
      'p99 ms': p.measured.latencyMs.p99,
      'max ms': p.measured.latencyMs.max,
      'non-2xx': statuses(p.measured),
      errors: p.measured.errors,
      timeouts: p.measured.timeouts,
    })),
  );
  for (const p of [deposits, payments]) {
    for (const [label, r] of [['warm-up', p.warmup], ['measured', p.measured]] as const) {
      if (r.sampleErrorBodies.length === 0 && r.errors === 0) continue;
      console.log(`${p.phase} (${label}): non-2xx ${statuses(r)}, errors ${r.errors}, timeouts ${r.timeouts}; some bodies:`);
      for (const b of r.sampleErrorBodies) console.log(`  ${b.status} ${b.body}`);
    }
  }
  console.log('\nchecks through the API after the run:');
  for (const c of checks) console.log(`${c.ok ? 'OK  ' : 'FAIL'}  ${c.check}: expected ${c.expected}, got ${c.actual}`);
  console.log('\ngoals:');
  for (const g of goals) console.log(`${g.met ? 'MET ' : 'MISS'}  ${g.goal}`);
  for (const p of [deposits, payments]) if (p.profile) printSummary(p.profile, `server CPU profile during the measured ${p.phase}`);
  console.log(`\nwritten to ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
