/**
 * `ifw simulate`'s driver on a small run: the same seed gives the same report (timings and the log's head
 * aside, whose hashes cover recorded times), the books balance, the log verifies, funds are switched, and
 * the store it wrote serves a populated system.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { startServer } from '../../src/api/server';
import { runSimulation } from '../../src/simulation/simulation-driver';
import type { SimulationReport } from '../../src/simulation/simulation-report';

const OPERATOR_KEY = 'simulation-test-operator-key';
const SMALL = { days: 5, customers: 30, merchants: 4, funds: 3, seed: 7 } as const;

const folders: string[] = [];
const newFolder = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ifw-simulation-test-'));
  folders.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

/** The report less what may differ between runs of one seed: timings, the folder, the log's head hash. */
function seedBound(report: SimulationReport) {
  const { speed: _speed, dataDir: _dataDir, audit, ...rest } = report;
  const { head: _head, ...auditRest } = audit;
  return { ...rest, audit: auditRest };
}

describe('the simulation driver', () => {
  let first: SimulationReport;
  let firstDir: string;

  beforeAll(async () => {
    firstDir = newFolder();
    first = await runSimulation({ ...SMALL, dataDir: firstDir });
  }, 240_000);

  it('balances, verifies, and switches funds within a few days', () => {
    expect(first.trialBalance.total).toBe('0.00');
    expect(first.audit.ok).toBe(true);
    expect(first.audit.eventsChecked).toBe(first.events.written);
    expect(first.switches.started).toBeGreaterThan(0);
    expect(first.switches.switched).toBeGreaterThan(0);
    expect(first.commands.byKind.payment?.sent).toBeGreaterThan(0);
    expect(first.yield.realisedPct).toBeGreaterThan(0);
  });

  it('gives the same report for the same seed, timings aside', async () => {
    const again = await runSimulation({ ...SMALL, dataDir: newFolder() });
    expect(seedBound(again)).toEqual(seedBound(first));
  }, 240_000);

  it('leaves a store that ifw serve serves: a wallet and its transactions', async () => {
    const config = loadConfig({ dataDir: firstDir, port: '0' }, { IFW_API_KEYS: `${OPERATOR_KEY}=operator` });
    const app = await startServer(config, { logger: false });
    try {
      const url = await app.getUrl();
      const get = async (path: string) => {
        const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${OPERATOR_KEY}` } });
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
        return { status: response.status, body: (await response.json()) as any };
      };
      const customers = await get('/customers?limit=5');
      expect(customers.status).toBe(200);
      const walletId = customers.body.items[0].walletId;
      const wallet = await get(`/wallets/${walletId}`);
      expect(wallet.status).toBe(200);
      expect(wallet.body.ownerKind).toBe('customer');
      const transactions = await get(`/wallets/${walletId}/transactions`);
      expect(transactions.status).toBe(200);
      expect(transactions.body.items.length).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  }, 60_000);
});
