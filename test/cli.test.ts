import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openEventStore } from '../src/eventstore';
import { READ_MODELS } from '../src/projections';

const bin = join(process.cwd(), 'dist', 'cli', 'main.js');
const ifw = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, IFW_EVENTSTORE_URL: '', IFW_READSTORE_URL: '' } });

let dir: string;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ifw-cli-'));
  const store = openEventStore(`sqlite:${join(dir, 'ifw.db')}`, { clock: () => Date.UTC(2026, 0, 1) });
  await store.append('wallet-1', [
    { type: 'Deposited', data: { amount: '10.00' } },
    { type: 'Withdrawn', data: { amount: '3.50' } },
  ]);
  await store.append('fund-YEB', [{ type: 'FundRegistered', data: { code: 'YEB' } }]);
  await store.close();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('ifw', () => {
  it('lists its commands, gives help for each, and refuses unknown ones with status 2', () => {
    const usage = ifw('--help');
    expect(usage.status).toBe(0);
    for (const words of [['serve'], ['projector'], ['projections', 'rebuild'], ['audit', 'verify'], ['audit', 'replay']]) {
      expect(usage.stdout).toContain(words.join(' '));
      const help = ifw(...words, '--help');
      expect(help.status).toBe(0);
      expect(help.stdout).toContain('--data DIR');
      expect(help.stdout).toContain('--json');
    }
    expect(ifw('fly').status).toBe(2);
    const badOption = ifw('audit', 'verify', '--colour');
    expect(badOption.status).toBe(2);
    expect(badOption.stderr).toContain("Unknown option '--colour'");
  });

  it('audit verify exits 0 on an intact log and 3 on a tampered one, naming the first bad position', () => {
    const intact = ifw('audit', 'verify', '--data', dir, '--json');
    expect(intact.status).toBe(0);
    expect(JSON.parse(intact.stdout)).toEqual({ ok: true, eventsChecked: 3, streamsChecked: 2 });
    const db = new Database(join(dir, 'ifw.db'));
    db.exec(`UPDATE events SET data = '{"amount":"1.00"}' WHERE position = 2`);
    db.close();
    const tampered = ifw('audit', 'verify', '--data', dir);
    expect(tampered.status).toBe(3);
    expect(tampered.stdout).toContain('first bad position 2 (stream "wallet-1", revision 1)');
    expect(JSON.parse(ifw('audit', 'verify', '--data', dir, '--json').stdout).firstBreak).toMatchObject({ position: '2', stream: 'wallet-1' });
  });

  it('audit replay prints the log in order, one stream as of a revision, or filtered', () => {
    const all = ifw('audit', 'replay', '--data', dir, '--json');
    expect(all.status).toBe(0);
    const lines = all.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((e) => [e.position, e.stream, e.type])).toEqual([
      ['1', 'wallet-1', 'Deposited'],
      ['2', 'wallet-1', 'Withdrawn'],
      ['3', 'fund-YEB', 'FundRegistered'],
    ]);
    const asOf = ifw('audit', 'replay', '--data', dir, '--stream', 'wallet-1', '--to-revision', '0', '--json');
    expect(asOf.stdout.trim().split('\n').map((l) => JSON.parse(l).type)).toEqual(['Deposited']);
    const funds = ifw('audit', 'replay', '--data', dir, '--prefix', 'fund-');
    expect(funds.stdout).toContain('fund-YEB@0');
    expect(funds.stdout).not.toContain('wallet-1');
    const bad = ifw('audit', 'replay', '--data', dir, '--to-revision', 'ten');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--to-revision must be a non-negative integer');
  });

  it('projections rebuild builds every read model beside the served one, with equal digests, or refuses an unknown name with the list', () => {
    const rebuilt = ifw('projections', 'rebuild', '--data', dir, '--json');
    expect(rebuilt.status).toBe(0);
    const { projections } = JSON.parse(rebuilt.stdout) as { projections: { name: string; events: number; liveDigest: string; rebuiltDigest: string; version: number }[] };
    expect(projections.map((p) => p.name)).toEqual(READ_MODELS.map((d) => d.name));
    for (const projection of projections) {
      expect(projection).toMatchObject({ events: 3, version: 2 });
      expect(projection.rebuiltDigest).toBe(projection.liveDigest);
    }
    const again = JSON.parse(ifw('projections', 'rebuild', '--data', dir, '--name', 'wallets', '--json').stdout) as { projections: { version: number }[] };
    expect(again.projections[0]!.version).toBe(3);
    const unknown = ifw('projections', 'rebuild', '--data', dir, '--name', 'walets');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('no read model "walets"; the read models are calendar, wallets');
  });

  it('reports a corrupt store as an error with what to do, status 1', () => {
    rmSync(join(dir, 'ifw.db'));
    writeFileSync(join(dir, 'ifw.db'), 'garbage'.repeat(1000));
    const result = ifw('audit', 'verify', '--data', dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('restore it from a backup');
  });

  it('serve answers over HTTP on the embedded store and stops cleanly on SIGTERM', async () => {
    const server = spawn(process.execPath, [bin, 'serve', '--data', dir, '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const firstLine = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      server.on('exit', (code) => reject(new Error(`serve exited early with ${code}`)));
    });
    const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
    try {
      const { listening } = JSON.parse(firstLine) as { listening: string };
      const health = await fetch(`${listening}/health`);
      expect(health.status).toBe(200);
      // The three events written above, and the business calendar the server starts on a new ledger.
      expect(await health.json()).toEqual({ status: 'ok', lastPosition: '4' });
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
