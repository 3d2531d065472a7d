import type { Database, Statement } from 'better-sqlite3';
import type { JsonValue, Snapshot } from '../event-store';
import { snapshotSeal } from '../hash-chain';

interface SnapshotRow {
  stream_id: number;
  name: string;
  revision: number;
  schema: string;
  state: string;
  stream_hash: string;
  seal: string;
  /** The hash the stream's event at the snapshot's revision has now; null when there is no such event. */
  event_hash: string | null;
}

/** The fault of a keyed seal read without the key: the loader folds instead, a verification cannot judge it. */
const UNCHECKED = 'the snapshot is sealed with the audit key, which this reader does not have';

/** Snapshots read per query when a verification walks them all. */
const SNAPSHOT_PAGE = 500;

/**
 * The snapshots of the embedded store, each bound to its stream's chain: it records the stream's hash at its
 * revision and a seal over both. A snapshot whose seal or stream hash does not match is refused (the loader
 * folds the stream instead) and is named by a verification as forged.
 */
export class SnapshotTable {
  private readonly upsert: Statement<[number, number, string, string, string, string]>;
  private readonly byName: Statement<[string], SnapshotRow>;
  private readonly page: Statement<[number, number], SnapshotRow>;
  private readonly eventHash: Statement<[number, number], { hash: string }>;

  constructor(
    db: Database,
    private readonly auditKey: string | undefined,
  ) {
    this.upsert = db.prepare(
      `INSERT INTO snapshots (stream_id, revision, schema, state, stream_hash, seal) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision, schema = excluded.schema, state = excluded.state,
         stream_hash = excluded.stream_hash, seal = excluded.seal`,
    );
    const columns = `SELECT p.stream_id, s.name, p.revision, p.schema, p.state, p.stream_hash, p.seal,
        (SELECT e.hash FROM events e WHERE e.stream_id = p.stream_id AND e.revision = p.revision) AS event_hash
      FROM snapshots p JOIN streams s ON s.stream_id = p.stream_id`;
    this.byName = db.prepare(`${columns} WHERE s.name = ?`);
    this.page = db.prepare(`${columns} WHERE p.stream_id > ? ORDER BY p.stream_id LIMIT ?`);
    this.eventHash = db.prepare('SELECT hash FROM events WHERE stream_id = ? AND revision = ?');
  }

  save(streamId: number, stream: string, snapshot: Snapshot, stateJson: string): void {
    const revision = Number(snapshot.revision);
    const streamHash = this.eventHash.get(streamId, revision)!.hash;
    const seal = snapshotSeal(this.auditKey, { stream, revision: snapshot.revision, schema: snapshot.schema, stateJson, streamHash });
    this.upsert.run(streamId, revision, snapshot.schema, stateJson, streamHash, seal);
  }

  /** The stream's snapshot, or undefined with the reason it was refused (the caller folds the stream then). */
  load(stream: string): { snapshot?: Snapshot; refused?: string } {
    const row = this.byName.get(stream);
    if (!row) return {};
    const refused = this.fault(row);
    if (refused) return { refused };
    return { snapshot: { revision: BigInt(row.revision), schema: row.schema, state: JSON.parse(row.state) as JsonValue } };
  }

  /**
   * Every snapshot, a page at a time, with what is wrong with it when its seal or its stream's hash does not
   * match (`fault`); one whose keyed seal this reader cannot check comes without a fault.
   */
  *walk(): Generator<{ stream: string; snapshot: Snapshot; fault?: string }> {
    for (let after = -1; ; ) {
      const rows = this.page.all(after, SNAPSHOT_PAGE);
      for (const row of rows) {
        const snapshot = { revision: BigInt(row.revision), schema: row.schema, state: JSON.parse(row.state) as JsonValue };
        const fault = this.fault(row);
        yield { stream: row.name, snapshot, ...(fault && fault !== UNCHECKED && { fault }) };
      }
      if (rows.length < SNAPSHOT_PAGE) return;
      after = rows[rows.length - 1]!.stream_id;
    }
  }

  /** Why the snapshot cannot be trusted; `unchecked` when only the audit key could tell (a keyed seal, read without the key). */
  private fault(row: SnapshotRow): string | undefined {
    if (row.seal === '') return 'the snapshot is unsealed: no store writes such a row';
    if (this.auditKey === undefined && row.seal.startsWith('k:')) return UNCHECKED;
    if (this.auditKey !== undefined && !row.seal.startsWith('k:')) return 'the snapshot is not sealed with the audit key: it was written without it, or forged';
    if (row.event_hash === null) return `the snapshot is at revision ${row.revision}, which the stream does not have`;
    if (row.event_hash !== row.stream_hash) return `the snapshot names the stream's hash ${row.stream_hash.slice(0, 12)}… at revision ${row.revision}, but the stream has ${row.event_hash.slice(0, 12)}…`;
    const expected = snapshotSeal(this.auditKey, { stream: row.name, revision: BigInt(row.revision), schema: row.schema, stateJson: row.state, streamHash: row.stream_hash });
    if (expected !== row.seal) return `the snapshot's seal does not match its state: the state was edited${this.auditKey === undefined ? '' : ', or sealed with another key'}`;
    return undefined;
  }
}
