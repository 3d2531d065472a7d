import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { writeRealisticHistory } from '../../bench/realistic-history';
import { SqliteKeyStore } from '../../src/personal-data/sqlite-key-store';
import { openEventStore } from '../../src/eventstore';

/**
 * `ifw projector` as real processes on one data folder: killed with SIGKILL during a catch-up and restarted,
 * and two of them sharing the read models through their leases. Synchronised on what the projectors print
 * (one JSON line per change of state), never on sleeps.
 */
const bin = join(process.cwd(), 'dist', 'cli', 'main.js');
const BOUND_MS = 60_000;

interface StatusLine {
  projections: { name: string; state: string; position: string | null }[];
}

class Projector {
  readonly child: ChildProcess;
  private readonly lines: StatusLine[] = [];
  private readonly waiters: { test: (line: StatusLine) => boolean; resolve: (line: StatusLine) => void }[] = [];
  readonly exited: Promise<number | null>;

  constructor(dir: string, ...args: string[]) {
    this.child = spawn(process.execPath, [bin, 'projector', '--data', dir, '--json', ...args], { env: { ...process.env, IFW_EVENTSTORE_URL: '', IFW_READSTORE_URL: '' }, stdio: ['ignore', 'pipe', 'inherit'] });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    createInterface({ input: this.child.stdout! }).on('line', (text) => {
      const line = JSON.parse(text) as StatusLine;
      if (!line.projections) return;
      this.lines.push(line);
      for (const waiter of [...this.waiters]) {
        if (waiter.test(line)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    });
  }

  /** The first status line, already printed or still to come, for which `test` holds. */
  when(test: (line: StatusLine) => boolean): Promise<StatusLine> {
    const seen = this.lines.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no such state within ${BOUND_MS} ms; last: ${JSON.stringify(this.lines.at(-1))}`)), BOUND_MS);
      this.waiters.push({ test, resolve: (line) => (clearTimeout(timer), resolve(line)) });
    });
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    this.child.kill(signal);
    await this.exited;
  }
}

const allAt = (head: bigint) => (line: StatusLine) => line.projections.every((p) => p.state === 'live' && p.position === head.toString());

async function history(dir: string, events: number, seed: number): Promise<bigint> {
  const store = openEventStore(`sqlite:${join(dir, 'ifw.db')}`);
  // The projectors open the parties' details with the key store of the data folder.
  const keys = SqliteKeyStore.open(join(dir, 'keys.db'));
  const personalDataKey = await keys.createKey();
  await keys.close();
  const { lastPosition } = await writeRealisticHistory(store, { events, customers: 200, merchants: 20, funds: 4, seed, startDate: '2026-01-05', personalDataKey });
  await store.close();
  return lastPosition;
}

function rebuildDigests(dir: string): { name: string; liveDigest: string; rebuiltDigest: string; switched: boolean }[] {
  const result = spawnSync(process.execPath, [bin, 'projections', 'rebuild', '--data', dir, '--json'], { encoding: 'utf8', env: { ...process.env, IFW_EVENTSTORE_URL: '', IFW_READSTORE_URL: '' } });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout).projections;
}

describe('ifw projector processes', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ifw-projector-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('killed with SIGKILL during a catch-up and restarted, ends equal to a rebuild from zero', async () => {
    const head = await history(dir, 40_000, 7);
    const first = new Projector(dir, '--batch-size', '100');
    await first.when((line) => line.projections.some((p) => p.state === 'catching-up' && p.position !== null));
    await first.kill('SIGKILL');
    const second = new Projector(dir);
    await second.when(allAt(head));
    await second.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    for (const projection of rebuildDigests(dir)) {
      expect(projection.switched).toBe(true);
      expect({ name: projection.name, digest: projection.rebuiltDigest }).toEqual({ name: projection.name, digest: projection.liveDigest });
    }
  });

  it('lets one of two projectors write; the other takes over when the holder dies', async () => {
    await history(dir, 5_000, 11);
    const holder = new Projector(dir, '--lease-ttl-ms', '900');
    await holder.when((line) => line.projections.every((p) => p.state === 'live'));
    const standby = new Projector(dir, '--lease-ttl-ms', '900');
    await standby.when((line) => line.projections.every((p) => p.state === 'standby'));
    await holder.kill('SIGKILL');
    const store = openEventStore(`sqlite:${join(dir, 'ifw.db')}`);
    const { position } = await store.append('calendar-note', [{ type: 'Noted', data: {} }]);
    await store.close();
    await standby.when(allAt(position));
    await standby.kill('SIGTERM');
    for (const projection of rebuildDigests(dir)) expect(projection.rebuiltDigest).toBe(projection.liveDigest);
  });
});
