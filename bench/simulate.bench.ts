/**
 * npm run bench:simulate [-- --sizes 30x1000x100x8,365x10000x1000x8] [-- --timeout-s 1200] [-- --json]
 *
 * `ifw simulate` (the compiled CLI, built first when dist/ is older than src/) at growing sizes, each
 * DAYSxCUSTOMERSxMERCHANTSxFUNDS, one after another, each bounded by the timeout: its wall time, the
 * report's own throughput, and what it says of the books, the log and the switches. A run past the timeout
 * is recorded as such with the days it had simulated. Writes bench/results/simulate-<time>.json.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MAIN_JS, ROOT, ensureBuilt } from './child-server';

const DEFAULT_SIZES = '30x1000x100x8,90x3000x300x8,365x10000x1000x8';
const DEFAULT_TIMEOUT_S = 1_200;

interface Size {
  days: number;
  customers: number;
  merchants: number;
  funds: number;
}

function parseSizes(text: string): Size[] {
  return text.split(',').map((item) => {
    const parts = item.split('x').map(Number);
    if (parts.length !== 4 || !parts.every((n) => Number.isInteger(n) && n > 0)) throw new Error(`a size is DAYSxCUSTOMERSxMERCHANTSxFUNDS, such as 30x1000x100x8; got "${item}"`);
    const [days, customers, merchants, funds] = parts as [number, number, number, number];
    return { days, customers, merchants, funds };
  });
}

/** Runs one size; resolves with its wall time and report, or with the days done when the timeout ended it. */
function runSize(size: Size, timeoutS: number): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'ifw-bench-simulate-'));
  const args = [MAIN_JS, 'simulate', '--days', String(size.days), '--customers', String(size.customers), '--merchants', String(size.merchants), '--funds', String(size.funds), '--data', join(dir, 'data'), '--json'];
  const startedMs = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutS * 1_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      const wallSeconds = Math.round((Date.now() - startedMs) / 100) / 10;
      if (code !== 0 || stdout === '') return resolve({ ...size, wallSeconds, finished: false, exitCode: code, timeoutSeconds: timeoutS });
      const report = JSON.parse(stdout) as Record<string, unknown>;
      const { events, commands, speed, yield: yields, instant, switches, trialBalance, audit, period } = report as Record<string, Record<string, unknown>>;
      resolve({ ...size, wallSeconds, finished: true, period, events, commands: { sent: commands!.sent, refusals: commands!.refusals }, speed, yield: yields, instant, switches, trialBalance: trialBalance!.total, auditOk: audit!.ok });
    });
  });
}

(async () => {
  const { values } = parseArgs({ options: { sizes: { type: 'string' }, 'timeout-s': { type: 'string' }, json: { type: 'boolean' } } });
  const sizes = parseSizes(values.sizes ?? DEFAULT_SIZES);
  const timeoutS = Number(values['timeout-s'] ?? DEFAULT_TIMEOUT_S);
  const say = (line: string) => (values.json ? undefined : console.error(line));
  ensureBuilt(say, values.json === true);
  const runs: Record<string, unknown>[] = [];
  for (const size of sizes) {
    say(`ifw simulate ${size.days} days, ${size.customers} customers, ${size.merchants} merchants, ${size.funds} funds (at most ${timeoutS} s)`);
    const run = await runSize(size, timeoutS);
    runs.push(run);
    say(`  ${run.finished ? 'done' : 'NOT FINISHED'} in ${String(run.wallSeconds)} s`);
  }
  const recordedAt = new Date().toISOString();
  const result = { benchmark: 'simulate', recordedAt, machine: { cpus: cpus().length, node: process.version }, goal: '365 days × 10,000 customers × 1,000 merchants × 8 funds in under 600 s', runs };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const file = join(ROOT, 'bench', 'results', `simulate-${recordedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(values.json ? JSON.stringify(result) : `written: ${file}`);
})().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
