import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { type ChainReport, type LogHead, openEventStore } from '../../src/eventstore';
import { ChainVerifier } from '../../src/eventstore/sqlite/chain-verifier';
import { LOG_CHECKPOINT_EVERY_EVENTS } from '../../src/eventstore/sqlite/sqlite-event-store';
import { SnapshotTable } from '../../src/eventstore/sqlite/snapshot-table';
import { planVerification } from '../../src/eventstore/sqlite/verify-jobs';
import { steppingClock } from './backends';

/**
 * A verification cut into ranges (of streams, of positions), run in any number of jobs, reports what one walk
 * over the whole store reports, however the store was damaged.
 */
const AUDIT_KEY = 'an-audit-key-of-16+chars';
const WHOLE = Number.MAX_SAFE_INTEGER;

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ifw-verify-ranges-'));
  path = join(dir, 'events.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function verifyIn(rangeEvents: number, options: { anchor?: LogHead } = {}, auditKey?: string): Promise<ChainReport> {
  const db = new Database(path, { readonly: true });
  try {
    return await new ChainVerifier(db, auditKey, new SnapshotTable(db, auditKey)).verifyAll(options, rangeEvents);
  } finally {
    db.close();
  }
}

const damage = fc.oneof(
  fc.record({ kind: fc.constant('edit' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant('move-to-end' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('drop-stream' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('drop-head' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('bump-head' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('edit-link' as const), at: fc.nat() }),
);
type Damage = typeof damage extends fc.Arbitrary<infer T> ? T : never;

/** SQL for one damage, aimed at the `at`-th position or stream of the store as it is. */
function damageSql(db: Database.Database, d: Damage): string {
  const positions = (db.prepare('SELECT position FROM events ORDER BY position').all() as { position: number }[]).map((r) => r.position);
  const streams = (db.prepare('SELECT stream_id FROM streams ORDER BY stream_id').all() as { stream_id: number }[]).map((r) => r.stream_id);
  if (positions.length === 0 || streams.length === 0) return '';
  const p = positions[d.at % positions.length]!;
  const s = streams[d.at % streams.length]!;
  switch (d.kind) {
    case 'edit':
      return `UPDATE events SET data = '{"amountFen":"100000000"}' WHERE position = ${p}`;
    case 'delete':
      return `DELETE FROM events WHERE position = ${p}`;
    case 'swap': {
      const q = positions[d.with % positions.length]!;
      return q === p ? '' : `UPDATE events SET position = -1 WHERE position = ${p}; UPDATE events SET position = ${p} WHERE position = ${q}; UPDATE events SET position = ${q} WHERE position = -1`;
    }
    case 'move-to-end':
      return `UPDATE events SET position = ${positions.at(-1)! + 1} WHERE position = ${p}`;
    case 'drop-stream':
      return `DELETE FROM events WHERE stream_id = ${s}; DELETE FROM streams WHERE stream_id = ${s}`;
    case 'drop-head':
      return `DELETE FROM streams WHERE stream_id = ${s}`;
    case 'bump-head':
      return `UPDATE streams SET revision = revision + 1 WHERE stream_id = ${s}`;
    case 'edit-link':
      return `UPDATE events SET log_hash = '${'1'.repeat(64)}' WHERE position = ${p}`;
  }
}

describe('a verification in ranges', () => {
  it('reports what one walk over the whole store reports, for random histories and random damage', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ stream: fc.nat({ max: 4 }), events: fc.integer({ min: 1, max: 3 }) }), { minLength: 1, maxLength: 12 }),
        fc.array(damage, { maxLength: 3 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 5 }),
        async (appends, damages, anchored, rangeEvents) => {
          rmSync(path, { force: true });
          rmSync(`${path}-wal`, { force: true });
          rmSync(`${path}-shm`, { force: true });
          const store = openEventStore(`sqlite:${path}`, { clock: steppingClock() });
          for (const [i, append] of appends.entries()) {
            await store.append(`wallet-${append.stream}`, Array.from({ length: append.events }, (_, n) => ({ type: 'Deposited', data: { amountFen: String(i * 10 + n + 1) } })));
          }
          const anchor = anchored ? await store.logHead() : undefined;
          await store.close();
          const db = new Database(path);
          for (const d of damages) db.exec(damageSql(db, d));
          db.close();
          const options = anchor ? { anchor } : {};
          expect(await verifyIn(rangeEvents, options)).toEqual(await verifyIn(WHOLE, options));
        },
      ),
      { seed: 20_261_203, numRuns: 60 },
    );
  });

  it('checks the keyed checkpoints of every range, and one that names a removed position in any of them', async () => {
    const store = openEventStore(`sqlite:${path}`, { clock: steppingClock(), auditKey: AUDIT_KEY });
    for (let at = 0; at < 3 * LOG_CHECKPOINT_EVERY_EVENTS + 10; at += 500) {
      await store.append(`wallet-${at % 3}`, Array.from({ length: 500 }, (_, n) => ({ type: 'Deposited', data: { amountFen: String(n + 1) } })));
    }
    await store.close();
    const intact = await verifyIn(700, {}, AUDIT_KEY);
    expect(intact).toEqual(await verifyIn(WHOLE, {}, AUDIT_KEY));
    expect(intact).toMatchObject({ ok: true, checkpoints: { checked: 3, lastPosition: BigInt(3 * LOG_CHECKPOINT_EVERY_EVENTS) } });
    const db = new Database(path);
    db.exec(`DELETE FROM events WHERE position IN (${2 * LOG_CHECKPOINT_EVERY_EVENTS}, ${2 * LOG_CHECKPOINT_EVERY_EVENTS + 1})`);
    db.close();
    for (const rangeEvents of [700, 1_000, 1_999, 2_000]) {
      const report = await verifyIn(rangeEvents, {}, AUDIT_KEY);
      expect(report).toEqual(await verifyIn(WHOLE, {}, AUDIT_KEY));
      expect(report.firstBreak).toMatchObject({ kind: 'removed', position: BigInt(2 * LOG_CHECKPOINT_EVERY_EVENTS) });
    }
  });

  it('is planned in jobs of about the range, whose stream ranges and position ranges each cover everything once', async () => {
    const store = openEventStore(`sqlite:${path}`, { clock: steppingClock() });
    for (let s = 0; s < 7; s += 1) await store.append(`wallet-${s}`, Array.from({ length: s + 1 }, () => ({ type: 'Deposited', data: { amountFen: '1' } })));
    await store.close();
    const db = new Database(path, { readonly: true });
    const jobs = planVerification(db, 5);
    db.close();
    const streams = jobs.filter((j) => j.kind === 'streams');
    const log = jobs.filter((j) => j.kind === 'log');
    expect(streams.map((j) => [j.afterStreamId, j.lastStreamId])).toEqual([[-1, 3], [3, 5], [5, 6], [6, 7], [7, WHOLE]]);
    expect(log.map((j) => [j.afterPosition, j.lastPosition])).toEqual([[0, 5], [5, 10], [10, 15], [15, 20], [20, 25], [25, WHOLE]]);
    expect(streams.reduce((sum, j) => sum + j.plannedEvents, 0)).toBe(28);
    expect(log.reduce((sum, j) => sum + j.plannedEvents, 0)).toBe(28);
  });
});
