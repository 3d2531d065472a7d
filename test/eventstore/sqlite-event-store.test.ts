import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import {
  CorruptDatabaseError,
  DatabaseTooNewError,
  type EventStore,
  SqliteEventStore,
  UnsupportedEventStoreUrlError,
  WrongExpectedRevisionError,
  openEventStore,
} from '../../src/eventstore';
import { SCHEMA_VERSION, migrate } from '../../src/eventstore/sqlite/schema';
import { collect, steppingClock } from './backends';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ifw-sqlite-'));
  path = join(dir, 'events.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const open = () => openEventStore(`sqlite:${path}`, { clock: steppingClock() });

async function writeSample(store: EventStore): Promise<void> {
  await store.append('wallet-a', [0, 1, 2].map((n) => ({ type: 'Deposited', data: { amountFen: String(n), n } })));
  await store.append('wallet-b', [0, 1].map((n) => ({ type: 'Deposited', data: { amountFen: String(n), n } })));
  await store.append('wallet-a', [{ type: 'Withdrawn', data: { amountFen: '1' } }]);
}

describe('opening', () => {
  it('refuses an unknown URL scheme with a message that lists the supported ones', () => {
    expect(() => openEventStore('postgres://x')).toThrow(UnsupportedEventStoreUrlError);
    expect(() => openEventStore('postgres://x')).toThrow(/sqlite:PATH/);
    expect(() => openEventStore('sqlite:')).toThrow(UnsupportedEventStoreUrlError);
  });

  it('takes multiStreamAppend=true|false as its one option, keeps it out of the file name, and refuses any other', async () => {
    const refusing = openEventStore(`sqlite:${path}?multiStreamAppend=false`, { clock: steppingClock() });
    await refusing.append('wallet-a', [{ type: 'Deposited', data: { amountFen: '1' } }]);
    await expect(refusing.appendMany([{ stream: 'wallet-a', events: [{ type: 'Deposited', data: { amountFen: '2' } }] }])).rejects.toThrow(/multiStreamAppend=false/);
    await refusing.close();
    const atomic = openEventStore(`sqlite:${path}?multiStreamAppend=true`, { clock: steppingClock() });
    expect(await atomic.streamRevision('wallet-a')).toBe(0n);
    await atomic.close();
    for (const url of [`sqlite:${path}?multiStreamAppend=no`, `sqlite:${path}?multiStreamAppend=false&cache=big`, `sqlite:${path}?cache=big`]) {
      expect(() => openEventStore(url)).toThrow(/the only option of a sqlite: URL is multiStreamAppend/);
    }
  });

  it('refuses a file that is not a database, and leaves it as it was', () => {
    writeFileSync(path, 'this is not an sqlite file, it is a shopping list'.repeat(100));
    expect(() => open()).toThrow(CorruptDatabaseError);
    expect(() => open()).toThrow(/restore it from a backup/);
  });

  it("refuses another application's SQLite file", () => {
    const other = new Database(path);
    other.exec('CREATE TABLE recipes (name TEXT)');
    other.close();
    expect(() => open()).toThrow(/another application/);
  });

  it('refuses a file written by a newer IFW', async () => {
    await (await open()).close();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => open()).toThrow(DatabaseTooNewError);
    expect(() => open()).toThrow(/upgrade IFW/);
  });

  it('migrates a file of schema version 1 and keeps its events', async () => {
    const db = new Database(path);
    migrate(db, path, 1);
    db.close();
    const v1 = new Database(path);
    expect(v1.pragma('user_version', { simple: true })).toBe(1);
    v1.close();
    // A version-1 file has no snapshot table; the store adds it on open.
    const store = open();
    await writeSample(store);
    await store.saveSnapshot('wallet-a', { revision: 1n, schema: 's', state: { n: 1 } });
    expect((await store.loadSnapshot('wallet-a'))?.revision).toBe(1n);
    await store.close();
    const check = new Database(path);
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    check.close();
  });
});

describe('group commit', () => {
  it('commits appends that arrive together in one transaction', async () => {
    const store = SqliteEventStore.open(path);
    const writer = (store as unknown as { writer: { commitCount: number } }).writer;
    const before = writer.commitCount;
    await Promise.all(Array.from({ length: 64 }, (_, i) => store.append(`w-${i}`, [{ type: 'T', data: { i } }])));
    expect(writer.commitCount - before).toBe(1);
    await store.close();
  });

  it('writes the appends still queued when it is closed', async () => {
    const store = open();
    const pending = Array.from({ length: 10 }, (_, i) => store.append(`w-${i}`, [{ type: 'T', data: { i } }]));
    await store.close();
    await Promise.all(pending);
    const reopened = open();
    expect(await collect(reopened.readAll())).toHaveLength(10);
    await reopened.close();
  });
});

describe('tamper evidence', () => {
  const tamper = (sql: string) => {
    const db = new Database(path);
    db.exec(sql);
    db.close();
  };

  it('finds an edited event by stream, revision and position', async () => {
    const store = open();
    await writeSample(store);
    await store.close();
    tamper(`UPDATE events SET data = replace(data, '"amountFen":"1"', '"amountFen":"100000"') WHERE position = 2`);
    const reopened = open();
    const report = await reopened.verifyAll();
    expect(report.ok).toBe(false);
    expect(report.firstBreak).toMatchObject({ kind: 'edited', stream: 'wallet-a', revision: 1n, position: 2n });
    expect(await reopened.verifyStream('wallet-b')).toMatchObject({ ok: true });
    await reopened.close();
  });

  it('finds a removed event in the middle and a removed tail', async () => {
    const store = open();
    await writeSample(store);
    await store.close();
    tamper('DELETE FROM events WHERE position = 5');
    let reopened = open();
    expect((await reopened.verifyAll()).firstBreak).toMatchObject({ stream: 'wallet-b', revision: 1n, position: 4n });
    await reopened.close();
    tamper('DELETE FROM events WHERE position = 2');
    reopened = open();
    // The log's chain names the missing position; the stream's chain the revision after the hole.
    const report = await reopened.verifyAll();
    expect(report.firstBreak).toMatchObject({ kind: 'removed', position: 2n });
    expect(report.breaks).toContainEqual(expect.objectContaining({ kind: 'removed', stream: 'wallet-a', revision: 2n, position: 3n }));
    await reopened.close();
  });

  it('reports an intact log with its counts and progress', async () => {
    const store = open();
    await writeSample(store);
    const progress: number[] = [];
    expect(await store.verifyAll({ onProgress: (n) => progress.push(n) })).toEqual({ ok: true, eventsChecked: 6, streamsChecked: 2, head: { position: 6n, hash: (await store.logHead()).hash }, snapshotsChecked: 0 });
    expect(progress.at(-1)).toBe(6);
    await store.close();
  });
});

describe('durability', () => {
  it('loses no resolved append when the writing process is killed, and the file reopens intact', async () => {
    const child = join(process.cwd(), 'test', 'eventstore', 'fixtures', 'append-until-killed.cjs');
    if (!existsSync(join(process.cwd(), 'dist', 'eventstore', 'index.js'))) throw new Error('run `npm run build` first: the child process runs dist/');
    const proc = spawn(process.execPath, [child, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acknowledged = new Map<string, bigint>();
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      proc.on('error', reject);
      proc.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited by itself: ${code}`))));
      proc.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          const [stream, revision] = line.split(' ');
          acknowledged.set(stream!, BigInt(revision!));
        }
        const total = [...acknowledged.values()].reduce((n, r) => n + r + 1n, 0n);
        if (total >= 2_000n && !proc.killed) proc.kill('SIGKILL');
      });
    });
    const store = open();
    for (const [stream, revision] of acknowledged) {
      const events = await collect(store.readStream(stream));
      expect(BigInt(events.length)).toBeGreaterThanOrEqual(revision + 1n);
    }
    expect(await store.verifyAll()).toMatchObject({ ok: true });
    await store.close();
  });
});

describe('recorded times', () => {
  it('never go back along the log, even when the clock does, in this process or in another on the same file', async () => {
    const times = [5_000, 3_000, 9_000, 1_000];
    let next = 0;
    const store = openEventStore(`sqlite:${path}`, { clock: () => times[next++ % times.length]! });
    await store.append('a', [{ type: 'T', data: {} }, { type: 'T', data: {} }]);
    await store.append('b', [{ type: 'T', data: {} }]);
    await store.append('a', [{ type: 'T', data: {} }]);
    // A second writer whose clock is far behind the log's last event.
    const behind = openEventStore(`sqlite:${path}`, { clock: () => 2_000 });
    await behind.append('c', [{ type: 'T', data: {} }]);
    const recorded = (await collect(store.readAll())).map((e) => e.recordedAt.getTime());
    expect(recorded).toEqual([5_000, 5_000, 9_000, 9_000, 9_000]);
    expect(await store.verifyAll()).toMatchObject({ ok: true, eventsChecked: 5 });
    await behind.close();
    await store.close();
  });
});

describe('random histories', () => {
  it('keep revisions gapless, positions increasing and every chain intact', async () => {
    const command = fc.record({
      stream: fc.constantFrom('a', 'b', 'c', 'd'),
      count: fc.integer({ min: 1, max: 4 }),
      expected: fc.oneof(fc.constant('any' as const), fc.constant('no_stream' as const), fc.constant('stream_exists' as const), fc.bigInt({ min: 0n, max: 8n }), fc.constant('current' as const)),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(command, { maxLength: 40 }), async (commands) => {
        const store = openEventStore('sqlite::memory:', { clock: steppingClock() });
        const model = new Map<string, number>();
        for (const c of commands) {
          const current = model.get(c.stream) ?? -1;
          const expectedRevision = c.expected === 'current' ? (current === -1 ? 'no_stream' : BigInt(current)) : c.expected;
          const accepts =
            expectedRevision === 'any' ||
            (expectedRevision === 'no_stream' && current === -1) ||
            (expectedRevision === 'stream_exists' && current >= 0) ||
            (typeof expectedRevision === 'bigint' && Number(expectedRevision) === current);
          const events = Array.from({ length: c.count }, (_, i) => ({ type: 'T', data: { i } }));
          const outcome = await store.append(c.stream, events, { expectedRevision }).catch((e: unknown) => e);
          if (accepts) {
            expect(outcome).toMatchObject({ nextRevision: BigInt(current + c.count) });
            model.set(c.stream, current + c.count);
          } else {
            expect(outcome).toBeInstanceOf(WrongExpectedRevisionError);
          }
        }
        const log = await collect(store.readAll());
        for (let i = 1; i < log.length; i++) expect(log[i]!.position > log[i - 1]!.position).toBe(true);
        for (const [stream, last] of model) {
          expect((await collect(store.readStream(stream))).map((e) => Number(e.revision))).toEqual(Array.from({ length: last + 1 }, (_, i) => i));
        }
        expect(await store.verifyAll()).toMatchObject({ ok: true, eventsChecked: log.length });
        await store.close();
      }),
      { seed: 20261125, numRuns: 100 },
    );
  });
});
