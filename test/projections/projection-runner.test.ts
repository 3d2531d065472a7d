import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventStore, openEventStore } from '../../src/eventstore';
import { LogFeed } from '../../src/projections/log-feed';
import { type ProjectionDefinition, checkpointKey, versionedCollection } from '../../src/projections/projection';
import { ProjectionCatalog } from '../../src/projections/projection-catalog';
import { MAX_REBUILD_FAILED_TURNS, ProjectionRunner, type RunnerOptions } from '../../src/projections/projection-runner';
import { digestVersion, rebuildProjections } from '../../src/projections/rebuild';
import { SqliteReadStore } from '../../src/projections/sqlite/sqlite-read-store';
import type { ReadStore } from '../../src/projections/read-store';

/** Counts events per stream and sums their `n`: small enough to check by hand, with a running total per document. */
function counter(name: string, options: { failOn?: number } = {}): ProjectionDefinition {
  return {
    name,
    description: 'events and their sum per stream',
    collections: [{ name: `${name}_streams`, indexes: [] }],
    eventTypes: ['Counted'],
    async apply(event, view) {
      const n = Number(event.data.n);
      if (n === options.failOn) throw new Error(`cannot apply n=${n}`);
      const doc = (await view.get(`${name}_streams`, event.stream)) ?? { events: 0, sum: 0 };
      view.put(`${name}_streams`, event.stream, { events: Number(doc.events) + 1, sum: Number(doc.sum) + n });
    },
  };
}

const options = (owner: string, clock: () => number = () => 1_000, mode: RunnerOptions['mode'] = { kind: 'live' }): RunnerOptions => ({
  owner,
  leaseTtlMs: 10_000,
  clock,
  consumer: { batchSize: 7, idleWaitMs: 50, retryDelayMs: { first: 10, max: 50 } },
  mode,
});

async function appendCounted(store: EventStore, values: number[], stream = (i: number) => `s-${i % 3}`): Promise<bigint> {
  let position = -1n;
  for (const [i, n] of values.entries()) position = (await store.append(stream(i), [{ type: i % 4 === 3 ? 'Ignored' : 'Counted', data: { n } }])).position;
  return position;
}

async function docs(readStore: ReadStore, definition: ProjectionDefinition, version = 1) {
  const all = await readStore.find(versionedCollection(definition.collections[0]!.name, version), { orderBy: ['id'], limit: 100 });
  return Object.fromEntries(all.map((d) => [d.id, d.body]));
}

describe('the projection runner', () => {
  let store: EventStore;
  let readStore: ReadStore;
  let feed: LogFeed;
  const runners: ProjectionRunner[] = [];

  beforeEach(() => {
    store = openEventStore('sqlite::memory:');
    readStore = SqliteReadStore.open(':memory:');
    feed = new LogFeed(store);
    feed.start();
  });
  afterEach(async () => {
    for (const runner of runners.splice(0)) await runner.stop();
    await feed.stop();
    await readStore.close();
    await store.close();
  });

  async function start(definitions: ProjectionDefinition[], runnerOptions = options('a')) {
    const catalog = new ProjectionCatalog(readStore, definitions);
    await catalog.init();
    const runner = new ProjectionRunner(store, catalog, feed, definitions, runnerOptions);
    runners.push(runner);
    runner.start();
    return { catalog, runner };
  }

  it('catches up in batches, then follows the log live, each event applied once', async () => {
    const definition = counter('count');
    await appendCounted(store, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    const { runner } = await start([definition]);
    await runner.whenCaughtUp();
    expect(await docs(readStore, definition)).toEqual({ 's-0': { events: 5, sum: 50 }, 's-1': { events: 5, sum: 49 }, 's-2': { events: 5, sum: 51 } });
    const last = await appendCounted(store, [100], () => 's-9');
    await runner.reach('count', last, 5_000);
    expect((await docs(readStore, definition))['s-9']).toEqual({ events: 1, sum: 100 });
    expect(await readStore.checkpoint(checkpointKey('count', 1))).toBe(last);
    expect(runner.statuses()[0]).toMatchObject({ name: 'count', state: 'live', lagEvents: 0, position: last.toString(), lastError: null });
  });

  it('goes on when a turn fails outside a batch (its live feed gone), reporting why meanwhile, and applies what comes once', async () => {
    const definition = counter('count');
    await appendCounted(store, [1, 2]);
    const { runner } = await start([definition]);
    await runner.whenCaughtUp();
    // With its live feed gone, the consumer's wait for the next commit fails outside its own retries.
    await feed.stop();
    for (let turn = 0; turn < 10_000 && runner.statuses()[0]!.lastError === null; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(runner.statuses()[0]!.lastError).toMatchObject({ message: expect.any(String), position: null });
    const { position } = await store.append('s-7', [{ type: 'Counted', data: { n: 7 } }]);
    await runner.reach('count', position, 10_000);
    expect((await docs(readStore, definition))['s-7']).toEqual({ events: 1, sum: 7 });
    expect(runner.statuses()[0]!.lastError).toBeNull();
  });

  it('moves the checkpoint past events no projection reads, so a wait for any write position ends', async () => {
    await appendCounted(store, [1]);
    const { runner } = await start([counter('count')]);
    await runner.whenCaughtUp();
    const { position } = await store.append('other', [{ type: 'Unrelated', data: {} }]);
    await runner.reach('count', position, 5_000);
  });

  it('halts a projection whose handler throws, at that event, and never skips it; the others go on', async () => {
    const broken = counter('broken', { failOn: 5 });
    const healthy = counter('healthy');
    const failing = await appendCounted(store, [1, 2, 3, 4, 5, 6]).then(async () => {
      for await (const event of store.readAll()) if (event.data.n === 5) return event.position;
      throw new Error('no event 5');
    });
    const { runner, catalog } = await start([broken, healthy]);
    await runner.whenCaughtUp();
    const [brokenStatus, healthyStatus] = runner.statuses();
    expect(brokenStatus).toMatchObject({ state: 'halted', lastError: { message: 'cannot apply n=5', position: failing.toString() } });
    expect(healthyStatus!.state).toBe('live');
    expect(await readStore.checkpoint(checkpointKey('broken', 1))).toBeUndefined(); // its only batch held the bad event
    expect(await catalog.halt('broken', 1)).toMatchObject({ position: failing.toString(), eventType: 'Counted' });
    await expect(runner.reach('broken', failing, 1_000)).rejects.toThrow(/halted/);
    // Restarted with the handler fixed, it applies the event it halted on and everything after.
    await runner.stop();
    runners.pop();
    const fixed = counter('broken');
    const again = await start([fixed, healthy], options('b', () => 100_000));
    await again.runner.whenCaughtUp();
    expect(await docs(readStore, fixed)).toEqual({ 's-0': { events: 1, sum: 1 }, 's-1': { events: 2, sum: 7 }, 's-2': { events: 2, sum: 9 } });
    expect(await again.catalog.halt('broken', 1)).toBeUndefined();
  });

  it('lets one writer hold a projection; a standby takes over from the checkpoint once the lease expires', async () => {
    const definition = counter('count');
    let nowMs = 1_000;
    const clock = () => nowMs;
    await appendCounted(store, [1, 2, 3]);
    const first = await start([definition], options('first', clock));
    await first.runner.whenCaughtUp();
    const second = await start([definition], options('second', clock));
    const position = await appendCounted(store, [4], () => 's-0');
    await first.runner.reach('count', position, 5_000);
    expect(second.runner.statuses()[0]).toMatchObject({ state: 'standby', leaseOwner: 'first' });
    await first.runner.stop(); // releases its lease; a holder that dies instead lets it expire
    nowMs += 30_000;
    const later = await appendCounted(store, [10], () => 's-0');
    await second.runner.whenCaughtUp();
    await second.runner.reach('count', later, 5_000);
    expect((await docs(readStore, definition))['s-0']).toEqual({ events: 3, sum: 15 });
  });

  it('gives a rebuild up, failed, once its batches keep failing, where a live runner would go on retrying', async () => {
    const definition = counter('count');
    await appendCounted(store, [1, 2, 3]);
    const { catalog } = await start([definition]);
    const real = readStore;
    const failing = Object.assign(Object.create(real) as ReadStore, { commit: () => Promise.reject(new Error('disk full')) });
    const failingCatalog = new ProjectionCatalog(failing, [definition]);
    await failingCatalog.init();
    const rebuild = rebuildProjections(store, failingCatalog, feed, [definition], {
      owner: 'rebuilder',
      clock: () => 1_000,
      consumer: { batchSize: 4, idleWaitMs: 50, retryDelayMs: { first: 1, max: 2 } },
      liveWaitMs: 1_000,
    });
    await expect(rebuild).rejects.toThrow(`the rebuild gave up after ${MAX_REBUILD_FAILED_TURNS} failed attempts in a row; the last: disk full`);
    expect((await catalog.load('count'))!.activeVersion).toBe(1);
  });

  it('rebuilds a projection beside the served one with equal digests, and the live runner follows the switch', async () => {
    const definition = counter('count');
    await appendCounted(store, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const { runner, catalog } = await start([definition]);
    await runner.whenCaughtUp();
    const [report] = await rebuildProjections(store, catalog, feed, [definition], {
      owner: 'rebuilder',
      clock: () => 1_000,
      consumer: { batchSize: 4, idleWaitMs: 50, retryDelayMs: { first: 10, max: 50 } },
      liveWaitMs: 5_000,
    });
    expect(report).toMatchObject({ name: 'count', version: 2, previousVersion: 1, switched: true, events: 10, eventsApplied: 8 });
    expect(report!.rebuiltDigest).toBe(report!.liveDigest);
    expect((await catalog.load('count'))!.activeVersion).toBe(2);
    const after = await appendCounted(store, [50], () => 's-0');
    await runner.reach('count', after, 5_000);
    expect(runner.statuses()[0]!.version).toBe(2);
    expect((await docs(readStore, definition, 2))['s-0']!.sum).toBe(1 + 7 + 10 + 50); // 4 was an ignored type
  });
});

describe('the projection runner on files', () => {
  it('resumes from the checkpoint of its last batch: stopped mid-catch-up, it loses nothing and applies nothing twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ifw-runner-'));
    try {
      const store = openEventStore(`sqlite:${join(dir, 'ifw.db')}`);
      await appendCounted(store, Array.from({ length: 40 }, (_, i) => i));
      const definition = counter('count');
      // Two runs over one read store file: the first stops after its first batch.
      for (const stopAfterFirstBatch of [true, false]) {
        const readStore = SqliteReadStore.open(join(dir, 'read.db'));
        const feed = new LogFeed(store);
        feed.start();
        const catalog = new ProjectionCatalog(readStore, [definition]);
        await catalog.init();
        const runner = new ProjectionRunner(store, catalog, feed, [definition], options(stopAfterFirstBatch ? 'crashing' : 'restarted', () => (stopAfterFirstBatch ? 1_000 : 60_000)));
        runner.start();
        if (stopAfterFirstBatch) await runner.reach('count', 1n, 5_000);
        else await runner.whenCaughtUp();
        await runner.stop();
        await feed.stop();
        if (!stopAfterFirstBatch) {
          const sums = await docs(readStore, definition);
          const expected = { events: 0, sum: 0 };
          for (let i = 0; i < 40; i++) {
            if (i % 4 === 3 || i % 3 !== 0) continue;
            expected.events++;
            expected.sum += i;
          }
          expect(sums['s-0']).toEqual(expected);
          expect(await digestVersion(readStore, definition, 1)).toMatch(/^[0-9a-f]{64}$/);
        }
        await readStore.close();
      }
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
