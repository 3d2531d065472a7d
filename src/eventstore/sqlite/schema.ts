import type { Database } from 'better-sqlite3';
import { CorruptDatabaseError, DatabaseTooNewError } from '../errors';

/** Marks the file as an IFW event store ("IFW1"), so another application's SQLite file is refused, not altered. */
const APPLICATION_ID = 0x49465731;

/**
 * Each step takes a file from schema version i to i + 1 inside one transaction. Streams have integer ids
 * so the unique (stream, revision) index stays narrow: index width decides the append ceiling.
 * Event ids carry no index: idempotency is checked by (stream, revision), as EventStoreDB does.
 */
const MIGRATIONS: readonly string[] = [
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
];

export const SCHEMA_VERSION = MIGRATIONS.length;

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
      db.exec(MIGRATIONS[step]!);
      db.pragma(`user_version = ${step + 1}`);
      db.pragma(`application_id = ${APPLICATION_ID}`);
    }).immediate();
  }
}
