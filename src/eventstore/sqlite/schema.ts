import type { Database } from 'better-sqlite3';
import { CorruptDatabaseError, DatabaseTooNewError } from '../errors';
import { GENESIS_HASH, logChainHash } from '../hash-chain';

/** Marks the file as an IFW event store ("IFW1"), so another application's SQLite file is refused, not altered. */
const APPLICATION_ID = 0x49465731;

/**
 * Each step takes a file from schema version i to i + 1 inside one transaction. Streams have integer ids
 * so the unique (stream, revision) index stays narrow: index width decides the append ceiling.
 * Event ids carry no index: idempotency is checked by (stream, revision), as EventStoreDB does.
 */
const MIGRATIONS: readonly (string | ((db: Database) => void))[] = [
  `CREATE TABLE streams (
     stream_id INTEGER PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     revision INTEGER NOT NULL,
     last_hash TEXT NOT NULL
   );
   CREATE TABLE events (
     position INTEGER PRIMARY KEY,
     stream_id INTEGER NOT NULL,
     revision INTEGER NOT NULL,
     id TEXT NOT NULL,
     type TEXT NOT NULL,
     data TEXT NOT NULL,
     metadata TEXT NOT NULL,
     recorded_at INTEGER NOT NULL,
     hash TEXT NOT NULL
   );
   CREATE UNIQUE INDEX events_by_stream ON events (stream_id, revision);`,
  `CREATE TABLE snapshots (
     stream_id INTEGER PRIMARY KEY,
     revision INTEGER NOT NULL,
     schema TEXT NOT NULL,
     state TEXT NOT NULL
   );`,
  addLogChain,
  // A snapshot names its stream's hash at its revision and is sealed (hash-chain.ts `snapshotSeal`). Older
  // snapshots, which have neither, are dropped: they are derived data, made again as streams are loaded.
  `DELETE FROM snapshots;
   ALTER TABLE snapshots ADD COLUMN stream_hash TEXT NOT NULL DEFAULT '';
   ALTER TABLE snapshots ADD COLUMN seal TEXT NOT NULL DEFAULT '';`,
];

/** Rows whose log links one statement of the migration computes at a time. */
const LOG_CHAIN_MIGRATION_PAGE = 10_000;

/**
 * The log's chain over positions (hash-chain.ts `logChainHash`), computed for the events already stored, and
 * the table of the keyed checkpoints of its head.
 */
function addLogChain(db: Database): void {
  db.exec(`ALTER TABLE events ADD COLUMN log_hash TEXT NOT NULL DEFAULT '';
    CREATE TABLE log_checkpoints (position INTEGER PRIMARY KEY, log_hash TEXT NOT NULL, mac TEXT NOT NULL);`);
  const page = db.prepare('SELECT position, hash FROM events WHERE position > ? ORDER BY position LIMIT ?');
  const setLink = db.prepare('UPDATE events SET log_hash = ? WHERE position = ?');
  let previous = GENESIS_HASH;
  for (let after = 0; ; ) {
    const rows = page.all(after, LOG_CHAIN_MIGRATION_PAGE) as { position: number; hash: string }[];
    for (const row of rows) {
      previous = logChainHash(previous, BigInt(row.position), row.hash);
      setLink.run(previous, row.position);
    }
    if (rows.length < LOG_CHAIN_MIGRATION_PAGE) return;
    after = rows[rows.length - 1]!.position;
  }
}

export const SCHEMA_VERSION = MIGRATIONS.length;

/** A file opened read-only cannot be migrated: it must be an IFW store at this version already. */
export function requireCurrentSchema(db: Database, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  if (applicationId !== APPLICATION_ID) throw new CorruptDatabaseError(path, 'it is not an IFW event store');
  if (version > SCHEMA_VERSION) throw new DatabaseTooNewError(path, version, SCHEMA_VERSION);
  if (version < SCHEMA_VERSION) throw new CorruptDatabaseError(path, `it is at schema version ${version}, before ${SCHEMA_VERSION}: open it once with ifw serve (which migrates it), then verify`);
}

/** Brings a freshly opened file to SCHEMA_VERSION, or refuses it with an error that says why. */
export function migrate(db: Database, path: string, targetVersion = SCHEMA_VERSION): void {
  let version: number;
  let applicationId: number;
  try {
    version = db.pragma('user_version', { simple: true }) as number;
    applicationId = db.pragma('application_id', { simple: true }) as number;
  } catch (error) {
    throw new CorruptDatabaseError(path, (error as Error).message);
  }
  if (version > SCHEMA_VERSION) throw new DatabaseTooNewError(path, version, SCHEMA_VERSION);
  if (applicationId !== APPLICATION_ID) {
    const tables = db.prepare(`SELECT count(*) AS n FROM sqlite_master`).get() as { n: number };
    if (tables.n > 0) throw new CorruptDatabaseError(path, 'it is an SQLite file of another application');
  }
  for (let step = version; step < targetVersion; step++) {
    db.transaction(() => {
      const migration = MIGRATIONS[step]!;
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
      db.pragma(`user_version = ${step + 1}`);
      db.pragma(`application_id = ${APPLICATION_ID}`);
    }).immediate();
  }
}
