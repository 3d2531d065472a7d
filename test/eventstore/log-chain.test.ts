import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type ChainReport, type EventStore, StoreNotFoundError, openEventStore } from '../../src/eventstore';
import { GENESIS_HASH, chainHash, logChainHash, snapshotSeal } from '../../src/eventstore/hash-chain';
import { LOG_CHECKPOINT_EVERY_EVENTS } from '../../src/eventstore/sqlite/sqlite-event-store';
import { steppingClock } from './backends';

/**
 * The log's own chain over positions, its anchor and its keyed checkpoints, and snapshots bound to the chain:
 * each kind of damage a per-stream chain cannot see is found and named.
 */
const AUDIT_KEY = 'an-audit-key-of-16+chars';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ifw-log-chain-'));
  path = join(dir, 'events.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const open = (auditKey?: string) => openEventStore(`sqlite:${path}`, { clock: steppingClock(), ...(auditKey && { auditKey }) });

/** wallet-a: positions 1–3 and 6; wallet-b: positions 4–5. */
async function writeSample(store: EventStore): Promise<void> {
  await store.append('wallet-a', [0, 1, 2].map((n) => ({ type: 'Deposited', data: { amountFen: String(n + 1) } })));
  await store.append('wallet-b', [0, 1].map((n) => ({ type: 'Deposited', data: { amountFen: String(n + 1) } })));
  await store.append('wallet-a', [{ type: 'Withdrawn', data: { amountFen: '1' } }]);
}

function tamper(sql: string): void {
  const db = new Database(path);
  db.exec(sql);
  db.close();
}

/** What an insider with the public hash functions does after editing: every stream chain and the log chain recomputed. */
function rechain(): void {
  const db = new Database(path);
  const rows = db.prepare('SELECT e.position, e.stream_id, s.name, e.revision, e.id, e.type, e.recorded_at, e.data, e.metadata FROM events e JOIN streams s USING (stream_id) ORDER BY e.position').all() as {
    position: number; stream_id: number; name: string; revision: number; id: string; type: string; recorded_at: number; data: string; metadata: string;
  }[];
  const streamHashes = new Map<number, string>();
  let logHash = GENESIS_HASH;
  db.transaction(() => {
    for (const row of rows) {
      const hash = chainHash(streamHashes.get(row.stream_id) ?? GENESIS_HASH, { stream: row.name, revision: BigInt(row.revision), id: row.id, type: row.type, recordedAtMs: row.recorded_at, dataJson: row.data, metadataJson: row.metadata });
      streamHashes.set(row.stream_id, hash);
      logHash = logChainHash(logHash, BigInt(row.position), hash);
      db.prepare('UPDATE events SET hash = ?, log_hash = ? WHERE position = ?').run(hash, logHash, row.position);
    }
    const lastRevision = db.prepare('SELECT max(revision) AS revision FROM events WHERE stream_id = ?');
    for (const [streamId, hash] of streamHashes) {
      db.prepare('UPDATE streams SET last_hash = ?, revision = ? WHERE stream_id = ?').run(hash, (lastRevision.get(streamId) as { revision: number }).revision, streamId);
    }
  })();
  db.close();
}

async function verify(options: Parameters<EventStore['verifyAll']>[0] = {}, auditKey?: string): Promise<ChainReport> {
  const store = openEventStore(`sqlite:${path}`, { readOnly: true, ...(auditKey && { auditKey }) });
  try {
    return await store.verifyAll(options);
  } finally {
    await store.close();
  }
}

const kinds = (report: ChainReport) => (report.breaks ?? []).map((b) => [b.kind, b.position]);

describe('the log chain', () => {
  it('finds a whole stream deleted, with its head, as events removed from the log', async () => {
    const store = open();
    await writeSample(store);
    await store.close();
    tamper("DELETE FROM events WHERE stream_id = (SELECT stream_id FROM streams WHERE name = 'wallet-b'); DELETE FROM streams WHERE name = 'wallet-b'");
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.firstBreak).toMatchObject({ kind: 'removed', position: 4n, reason: expect.stringMatching(/positions 4 to 5 are missing/) });
  });


  it("finds a stream's head row deleted with its events left, which the log's chain alone does not see", async () => {
    const store = open();
    await writeSample(store);
    await store.close();
    tamper("DELETE FROM streams WHERE name = 'wallet-b'");
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(kinds(report)).toEqual([['removed', 4n]]);
    expect(report.firstBreak?.reason).toMatch(/has events but no head record/);
  });
  it('finds two events of different streams swapped in the log', async () => {
    const store = open();
    await writeSample(store);
    await store.close();
    tamper('UPDATE events SET position = -2 WHERE position = 2; UPDATE events SET position = 2 WHERE position = 4; UPDATE events SET position = 4 WHERE position = -2');
    const report = await verify();
    expect(kinds(report)).toContainEqual(['reordered', 2n]);
    expect(report.firstBreak?.kind).toBe('reordered');
  });

  it('finds an event moved to the end of the log', async () => {
    const store = open();
    await writeSample(store);
    await store.close();
    tamper('UPDATE events SET position = 7 WHERE position = 3');
    const report = await verify();
    // The gap it left, its stream's revisions out of order, and its link where the log's chain does not put it.
    expect(kinds(report)).toEqual([
      ['removed', 3n],
      ['reordered', 6n],
      ['reordered', 7n],
    ]);
  });

  it('finds an edited and re-chained log by an anchor kept from before', async () => {
    const store = open();
    await writeSample(store);
    const anchor = await store.logHead();
    await store.close();
    expect(anchor.position).toBe(6n);
    tamper(`UPDATE events SET data = '{"amountFen":"100000000"}' WHERE position = 2`);
    rechain();
    expect((await verify()).ok).toBe(true);
    const report = await verify({ anchor });
    expect(report.firstBreak).toMatchObject({ kind: 're-chained', position: 6n });
    // A log cut below the anchor is events removed.
    tamper('DELETE FROM events WHERE position = 6');
    rechain();
    expect((await verify({ anchor })).firstBreak).toMatchObject({ kind: 'removed', position: 6n });
  });

  it('finds an edited and re-chained log by its keyed checkpoints, which only the key makes', async () => {
    const store = open(AUDIT_KEY);
    const perAppend = 500;
    for (let at = 0; at <= LOG_CHECKPOINT_EVERY_EVENTS; at += perAppend) {
      await store.append(`wallet-${at}`, Array.from({ length: perAppend }, (_, n) => ({ type: 'Deposited', data: { amountFen: String(n + 1) } })));
    }
    await store.close();
    const intact = await verify({}, AUDIT_KEY);
    expect(intact).toMatchObject({ ok: true, checkpoints: { checked: 1, lastPosition: BigInt(LOG_CHECKPOINT_EVERY_EVENTS) } });
    tamper(`UPDATE events SET data = '{"amountFen":"100000000"}' WHERE position = 2`);
    rechain();
    expect((await verify()).ok).toBe(true);
    const report = await verify({}, AUDIT_KEY);
    expect(report.firstBreak).toMatchObject({ kind: 're-chained', position: BigInt(LOG_CHECKPOINT_EVERY_EVENTS) });
    expect((await verify({}, 'another-key-of-16-chars')).firstBreak?.reason).toMatch(/does not verify with this key/);
  });

  it('is verified read-only: a missing store is an error and nothing is created', async () => {
    const missing = join(dir, 'nowhere', 'events.db');
    expect(() => openEventStore(`sqlite:${missing}`, { readOnly: true })).toThrow(StoreNotFoundError);
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
  });

  it('is written for the events of a store made before it, when the store is opened', async () => {
    const store = open();
    await writeSample(store);
    const head = await store.logHead();
    await store.close();
    // As an older file: no log chain yet.
    tamper('ALTER TABLE events DROP COLUMN log_hash; DROP TABLE log_checkpoints; ALTER TABLE snapshots DROP COLUMN stream_hash; ALTER TABLE snapshots DROP COLUMN seal; PRAGMA user_version = 2');
    const migrated = open();
    expect(await migrated.logHead()).toEqual(head);
    await migrated.close();
    expect((await verify()).ok).toBe(true);
  });
});

describe('snapshots bound to the chain', () => {
  const state = { cashFen: '3' };
  const forge = (json: string, seal?: string) => tamper(`UPDATE snapshots SET state = '${json}'${seal ? `, seal = '${seal}'` : ''}`);

  async function writeSnapshot(auditKey?: string): Promise<void> {
    const store = open(auditKey);
    await writeSample(store);
    await store.saveSnapshot('wallet-a', { revision: 2n, schema: 'wallet-v2', state });
    expect(await store.loadSnapshot('wallet-a')).toEqual({ revision: 2n, schema: 'wallet-v2', state });
    await store.close();
  }

  it('refuses an edited snapshot to the loader, which folds instead, and names it in a verification', async () => {
    await writeSnapshot();
    forge('{"cashFen":"100000000"}');
    const refused: string[] = [];
    const store = openEventStore(`sqlite:${path}`, { onSnapshotRefused: (stream, reason) => refused.push(`${stream}: ${reason}`) });
    expect(await store.loadSnapshot('wallet-a')).toBeUndefined();
    expect(refused).toEqual([expect.stringMatching(/^wallet-a: the snapshot's seal does not match its state/)]);
    await store.close();
    const report = await verify();
    expect(report.firstBreak).toMatchObject({ kind: 'snapshot-forged', stream: 'wallet-a', revision: 2n });
    expect(report.snapshotsChecked).toBe(1);
  });

  it('refuses a snapshot left behind by an edit of its stream', async () => {
    await writeSnapshot();
    tamper(`UPDATE events SET hash = 'x' || substr(hash, 2) WHERE position = 3`);
    const store = openEventStore(`sqlite:${path}`, { onSnapshotRefused: () => undefined });
    expect(await store.loadSnapshot('wallet-a')).toBeUndefined();
    await store.close();
  });

  it('names a forged snapshot whose unkeyed seal was recomputed by folding its stream, and refuses it outright under the key', async () => {
    await writeSnapshot();
    const forgedState = '{"cashFen":"100000000"}';
    const db = new Database(path);
    const row = db.prepare('SELECT stream_hash FROM snapshots').get() as { stream_hash: string };
    db.close();
    forge(forgedState, snapshotSeal(undefined, { stream: 'wallet-a', revision: 2n, schema: 'wallet-v2', stateJson: forgedState, streamHash: row.stream_hash }));
    expect((await verify()).ok).toBe(true);
    const folded = await verify({ checkSnapshot: async (_stream, snapshot) => (JSON.stringify(snapshot.state) === JSON.stringify(state) ? undefined : 'not the fold of its stream') });
    expect(folded.firstBreak).toMatchObject({ kind: 'snapshot-forged', stream: 'wallet-a', reason: 'not the fold of its stream' });
    // A store run with the audit key seals with an HMAC: an unkeyed seal is refused.
    expect((await verify({}, AUDIT_KEY)).firstBreak).toMatchObject({ kind: 'snapshot-forged', reason: expect.stringMatching(/not sealed with the audit key/) });
  });
});
