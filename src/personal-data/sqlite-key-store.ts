import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database, { type Database as Db, type Statement } from 'better-sqlite3';
import { ConfigError } from '../config';
import { DATA_KEY_BYTES } from './cipher';
import type { DataKey, KeyStore, PendingErasure } from './key-store';

/** "IFWK": tells a key store from the event store and from any other SQLite file. */
const APPLICATION_ID = 0x4946574b;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS data_keys (key_id TEXT PRIMARY KEY, key BLOB NOT NULL) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS pending_erasures (key_id TEXT PRIMARY KEY, party_id TEXT NOT NULL) WITHOUT ROWID;
`;

/**
 * The embedded key store: its own SQLite file (by default keys.db beside the event store), so the log can be
 * copied or replicated without the keys. A key is on disk (WAL, synchronous=FULL) before createKey resolves.
 * secure_delete zeroes a deleted key's bytes in its page, and a checkpoint after each deletion empties the
 * write-ahead log that held the page as it was, so the key does not linger in free pages or in the WAL.
 */
export class SqliteKeyStore implements KeyStore {
  private readonly insertKey: Statement<[string, Buffer]>;
  private readonly selectKey: Statement<[string], { key: Buffer }>;
  private readonly deleteKeyRow: Statement<[string]>;
  private readonly insertErasure: Statement<[string, string]>;
  private readonly deleteErasure: Statement<[string]>;
  private readonly selectErasures: Statement<[number], { key_id: string; party_id: string }>;

  private constructor(private readonly db: Db) {
    this.insertKey = db.prepare('INSERT INTO data_keys (key_id, key) VALUES (?, ?)');
    this.selectKey = db.prepare('SELECT key FROM data_keys WHERE key_id = ?');
    this.deleteKeyRow = db.prepare('DELETE FROM data_keys WHERE key_id = ?');
    this.insertErasure = db.prepare('INSERT OR REPLACE INTO pending_erasures (key_id, party_id) VALUES (?, ?)');
    this.deleteErasure = db.prepare('DELETE FROM pending_erasures WHERE key_id = ?');
    this.selectErasures = db.prepare('SELECT key_id, party_id FROM pending_erasures ORDER BY key_id LIMIT ?');
  }

  /** `path` is a file, created on first use with its folder, or ':memory:'. */
  static open(path: string): SqliteKeyStore {
    const inMemory = path === ':memory:';
    if (!inMemory) mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    try {
      db.pragma('busy_timeout = 5000');
      db.pragma('secure_delete = ON');
      if (!inMemory) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = FULL');
      }
      claimFile(db, path);
      return new SqliteKeyStore(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  async createKey(): Promise<DataKey> {
    const created = { keyId: randomUUID(), key: randomBytes(DATA_KEY_BYTES) };
    this.insertKey.run(created.keyId, created.key);
    return created;
  }

  async findKey(keyId: string): Promise<Buffer | undefined> {
    return this.selectKey.get(keyId)?.key;
  }

  async beginErasure({ keyId, partyId }: PendingErasure): Promise<void> {
    this.insertErasure.run(keyId, partyId);
  }

  async deleteKey(keyId: string): Promise<void> {
    this.db.transaction(() => {
      this.deleteKeyRow.run(keyId);
      this.deleteErasure.run(keyId);
    })();
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  async abandonErasure(keyId: string): Promise<void> {
    this.deleteErasure.run(keyId);
  }

  async pendingErasures(limit: number): Promise<PendingErasure[]> {
    return this.selectErasures.all(limit).map((row) => ({ keyId: row.key_id, partyId: row.party_id }));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** Creates the tables in a new file, or checks that an existing file is a key store. */
function claimFile(db: Db, path: string): void {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  if (applicationId !== APPLICATION_ID) {
    const { tables } = db.prepare('SELECT count(*) AS tables FROM sqlite_master').get() as { tables: number };
    if (tables > 0) throw new ConfigError(`the key store ${path} is an SQLite file of something else (the event store?): give the keys a file of their own`);
  }
  db.transaction(() => {
    db.exec(SCHEMA);
    db.pragma(`application_id = ${APPLICATION_ID}`);
  }).immediate();
}
