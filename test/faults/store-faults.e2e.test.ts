import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, StoreUnavailableError } from '../../src/eventstore';

/**
 * What a server does when its disk stops taking writes, and when it takes them again. The "full disk" is a
 * limit on the size of the files the server process may write (RLIMIT_FSIZE, set with ulimit for the child
 * and raised with prlimit while it runs): no mount, no privileges, and the same refused write a quota or a
 * full device gives. Writes are then 503 with Retry-After and write nothing, /ready says why, reads go on;
 * once the limit is raised the same server takes writes again, and the log verifies.
 */
const bin = join(process.cwd(), 'dist', 'cli', 'main.js');
const OPERATOR_KEY = 'operator-key-for-faults-001';
const AUDITOR_KEY = 'auditor-key-for-faults-0001';
const childEnv = {
  ...process.env,
  IFW_EVENTSTORE_URL: '',
  IFW_READSTORE_URL: '',
  IFW_PROCESS_ENGINE_URL: '',
  IFW_API_KEYS: `${OPERATOR_KEY}=operator,${AUDITOR_KEY}=auditor`,
  IFW_START_DATE: '2026-01-05',
  IFW_RATE_LIMIT_PER_ADDRESS: '100000',
  IFW_RATE_LIMIT_PER_KEY: '100000',
};
const prlimitFound = spawnSync('prlimit', ['--version']).status === 0;
/** Files of the server may grow to this many KiB: a few thousand deposits. */
const FILE_LIMIT_KIB = 1_536;
const MAX_DEPOSITS = 20_000;
/** The server probes a refusing disk at most once a second; this bounds how long the test looks. */
const MAX_READY_CHECKS = 100;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ifw-faults-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** `ifw serve` with its files limited to `limitKib`, resolved with its address once it listens. */
async function serveLimited(limitKib: number): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const child = spawn('bash', ['-c', `ulimit -S -f ${limitKib} && exec "$0" "$@"`, process.execPath, bin, 'serve', '--data', dir, '--port', '0', '--json'], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]!) as { listening: string }).listening);
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code} before listening`)));
  });
  return { child, url, exited };
}

async function call(url: string, method: string, path: string, key?: string, body?: unknown): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { ...(key && { authorization: `Bearer ${key}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

/** Deposits of 1.00 until the first refusal; returns how many landed and the refusal. */
async function depositUntilRefused(url: string, wallet: { walletId: string; key: string }) {
  let landed = 0;
  for (let i = 0; i < MAX_DEPOSITS; i++) {
    const answer = await call(url, 'POST', `/wallets/${wallet.walletId}/deposits`, wallet.key, { amount: '1.00' });
    if (answer.status !== 201) return { landed, refusal: answer };
    landed++;
  }
  throw new Error(`${MAX_DEPOSITS} deposits all landed under a ${FILE_LIMIT_KIB} KiB file limit`);
}

async function readyAgain(url: string): Promise<boolean> {
  for (let check = 0; check < MAX_READY_CHECKS; check++) {
    if ((await call(url, 'GET', '/ready')).status === 200) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

const describeWithPrlimit = prlimitFound ? describe : describe.skip;

describeWithPrlimit('a full disk under a running server', () => {
  it('refuses writes with 503 and Retry-After, says so in /ready, keeps reads, and takes writes again once space returns', async () => {
    const { child, url, exited } = await serveLimited(FILE_LIMIT_KIB);
    try {
      const opened = await call(url, 'POST', '/customers', OPERATOR_KEY, { name: 'Full Disk' });
      const wallet = { walletId: String(opened.body.walletId), key: String(opened.body.apiKey) };
      const { landed, refusal } = await depositUntilRefused(url, wallet);
      expect(landed).toBeGreaterThan(0);
      expect(refusal.status).toBe(503);
      expect(refusal.headers.get('retry-after')).toBe('5');
      expect(refusal.body).toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503 });
      expect(String(refusal.body.detail)).not.toContain(dir);

      const notReady = await call(url, 'GET', '/ready');
      expect(notReady.status).toBe(503);
      expect((notReady.body.reasons as string[]).some((reason) => reason.startsWith('the event store refuses writes'))).toBe(true);
      expect((await call(url, 'GET', '/health')).status).toBe(200);

      expect(spawnSync('prlimit', ['--pid', String(child.pid), '--fsize=unlimited']).status).toBe(0);
      expect(await readyAgain(url)).toBe(true);
      const after = await call(url, 'POST', `/wallets/${wallet.walletId}/deposits`, wallet.key, { amount: '1.00' });
      expect(after.status).toBe(201);
      // Every deposit answered 201 is in the cash, and the refused one is not.
      expect(after.body.cash).toBe(`${landed + 1}.00`);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const verify = spawnSync(process.execPath, [bin, 'audit', 'verify', '--data', dir], { encoding: 'utf8', env: childEnv });
    expect(verify.status).toBe(0);
  });
});

describe('a start on a full disk', () => {
  it('exits 1 with one line saying the store cannot write, and no stack', () => {
    const result = spawnSync('bash', ['-c', 'ulimit -S -f 1 && exec "$0" "$@"', process.execPath, bin, 'serve', '--data', dir, '--port', '0', '--json'], { encoding: 'utf8', env: childEnv });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^ifw serve: the event store cannot write \(/)]);
  });
});

describe('a store whose files are read-only', () => {
  it('refuses an append as unavailable, read-only, and writes nothing', async () => {
    const path = join(dir, 'ifw.db');
    const writable = SqliteEventStore.open(path);
    await writable.append('wallet-a', [{ type: 'CashDeposited', data: { amountFen: '100' } }]);
    await writable.close();
    const readOnly = SqliteEventStore.open(path, { readOnly: true });
    try {
      const refused = await readOnly.append('wallet-a', [{ type: 'CashDeposited', data: { amountFen: '100' } }]).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(StoreUnavailableError);
      expect(refused).toMatchObject({ reason: 'read-only' });
      expect(await readOnly.writeFailure()).toMatchObject({ reason: 'read-only' });
      expect(await readOnly.lastPosition()).toBe(1n);
    } finally {
      await readOnly.close();
    }
  });
});

describe('a port already in use', () => {
  it('is one line naming the address and what to do, and exit 1', async () => {
    const first = await serveLimited(1_000_000);
    try {
      const port = new URL(first.url).port;
      const result = spawnSync(process.execPath, [bin, 'serve', '--data', join(dir, 'second'), '--port', port], { encoding: 'utf8', env: childEnv, timeout: 60_000 });
      expect(result.status).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([`ifw serve: 127.0.0.1:${port} is in use by another process: stop it, or choose another port with --port or PORT`]);
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
  });
});
