import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { openEventStore } from '../../src/eventstore';

/**
 * `ifw serve` as a real process, killed with SIGKILL while a fund switch's first worker runs and while a
 * switch waits for its standard redemption's cash, then started again on the same data folder: both switches
 * complete, each redeems its source once and buys its target once, and the trial balance is zero; on both
 * store modes.
 */
const bin = join(process.cwd(), 'dist', 'cli', 'main.js');
const OPERATOR_KEY = 'crash-test-operator-key-0001';
/**
 * A restarted server resumes the transfer steps once the killed one's lease expires (10 s), so waits for a
 * process to move on read its state every POLL_MS for up to MAX_POLLS reads.
 */
const POLL_MS = 50;
const MAX_POLLS = 1_200;

interface Server {
  url: string;
  child: ChildProcess;
  exited: Promise<unknown>;
}

async function serve(dir: string, storeOptions: string): Promise<Server> {
  const env = { ...process.env, IFW_EVENTSTORE_URL: `sqlite:${join(dir, 'ifw.db')}${storeOptions}`, IFW_READSTORE_URL: '', IFW_PROCESS_ENGINE_URL: '', IFW_API_KEYS: `${OPERATOR_KEY}=operator`, IFW_START_DATE: '2026-01-05' };
  const child = spawn(process.execPath, [bin, 'serve', '--data', dir, '--port', '0', '--json'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    void exited.then((code) => reject(new Error(`ifw serve exited with ${String(code)} before listening`)));
  });
  return { url: (JSON.parse(line) as { listening: string }).listening.replace('://localhost', '://127.0.0.1'), child, exited };
}

async function kill(server: Server): Promise<void> {
  server.child.kill('SIGKILL');
  await server.exited;
}

async function call(server: Server, method: 'GET' | 'POST', path: string, body?: unknown, key = OPERATOR_KEY): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function ok(server: Server, path: string, body: unknown, status = 201, key = OPERATOR_KEY): Promise<Record<string, unknown>> {
  const response = await call(server, 'POST', path, body, key);
  if (response.status !== status) throw new Error(`POST ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}

/** Publishes the day's incomes and closes it; 202 when the transfers it waits for are still behind a restart. */
async function closeDay(server: Server, date: string): Promise<void> {
  for (const code of ['CRA', 'CRB']) await ok(server, `/funds/${code}/incomes`, { date, perTenK: '0.5000' });
  const closed = await call(server, 'POST', '/operations/day-close', { date });
  if (closed.status !== 200 && closed.status !== 202) throw new Error(`the close of ${date} answered ${closed.status}: ${JSON.stringify(closed.body)}`);
}

/** Reads the instance until `reached` says so. */
async function until(server: Server, processId: string, reached: (view: { state: string; currentElements: string[] }) => boolean): Promise<void> {
  let view: { status: number; body: Record<string, unknown> } | undefined;
  for (let poll = 0; poll < MAX_POLLS; poll++) {
    view = await call(server, 'GET', `/processes/${processId}`);
    if (view.status === 200 && reached(view.body as { state: string; currentElements: string[] })) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`process ${processId} did not get there within ${MAX_POLLS} reads: ${JSON.stringify(view)}`);
}

/** On the store as EventStoreDB constrains it (single-stream appends only) as well as on the default. */
describe.each([
  ['the default store', ''],
  ['a store that refuses multi-stream appends', '?multiStreamAppend=false'],
])('fund switches across SIGKILL of ifw serve, on %s', (_name, storeOptions) => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'ifw-switch-crash-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let server: Server | undefined;
  afterEach(() => server?.child.kill('SIGKILL'));

  it('complete once each: one redemption and one purchase per switch, and the books balance', async () => {
    server = await serve(dir, storeOptions);
    for (const code of ['CRA', 'CRB']) await ok(server, '/funds', { code, name: `Crash fund ${code}` });
    const ann = (await ok(server, '/customers', { name: 'Ann', accountTier: 'III' })) as { walletId: string; apiKey: string };
    await ok(server, `/wallets/${ann.walletId}/deposits`, { amount: '30000.00' }, 201, ann.apiKey);
    await ok(server, `/wallets/${ann.walletId}/purchases`, { fundCode: 'CRA', amount: '30000.00' }, 201, ann.apiKey);
    await closeDay(server, '2026-01-05');
    await closeDay(server, '2026-01-06');

    // Killed as soon as the switch is accepted: its redemption job is running or about to.
    const instant = (await ok(server, `/wallets/${ann.walletId}/rebalances`, { switches: [{ fromFund: 'CRA', toFund: 'CRB', amount: '5000.00' }] }, 202)).processId as string;
    await kill(server);
    server = await serve(dir, storeOptions);
    await until(server, instant, (view) => view.currentElements.includes('AwaitConfirmation'));

    // Over what is left of today's cap: a standard redemption, whose cash the next close pays. Killed while it waits.
    const standard = (await ok(server, `/wallets/${ann.walletId}/rebalances`, { switches: [{ fromFund: 'CRA', toFund: 'CRB', amount: '15000.00' }] }, 202)).processId as string;
    await until(server, standard, (view) => view.currentElements.includes('AwaitRedemptionCash'));
    await kill(server);
    server = await serve(dir, storeOptions);
    await closeDay(server, '2026-01-07');
    await until(server, standard, (view) => view.currentElements.includes('AwaitConfirmation'));
    await closeDay(server, '2026-01-08');
    for (const processId of [instant, standard]) await until(server, processId, (view) => view.state === 'completed');
    const trial = await call(server, 'GET', `/ledger/trial-balance?minPosition=${(await call(server, 'GET', '/health')).body.lastPosition as string}`);
    expect(trial.body.total).toBe('0.00');
    server.child.kill('SIGTERM');
    await server.exited;
    server = undefined;

    const store = openEventStore(`sqlite:${join(dir, 'ifw.db')}`);
    const types = async (stream: string) => {
      const found: string[] = [];
      for await (const event of store.readStream(stream)) found.push(event.type);
      return found;
    };
    const source = await types(`position-${ann.walletId}-CRA`);
    expect(source.filter((t) => t === 'InstantRedemptionMade' || t === 'StandardRedemptionPlaced')).toEqual(['InstantRedemptionMade', 'StandardRedemptionPlaced']);
    expect((await types(`wallet-${ann.walletId}`)).filter((t) => t === 'PurchasePaid')).toHaveLength(3);
    expect((await types(`position-${ann.walletId}-CRB`)).filter((t) => t === 'PurchaseConfirmed')).toHaveLength(2);
    await store.close();
  }, 120_000);
});
