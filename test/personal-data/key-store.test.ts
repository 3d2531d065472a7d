import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import Database from 'better-sqlite3';
import { ConfigError, loadConfig } from '../../src/config';
import { CachedKeyStore } from '../../src/personal-data/cached-key-store';
import { openKeyStore } from '../../src/personal-data/open-key-store';
import { SqliteKeyStore } from '../../src/personal-data/sqlite-key-store';

const PARTY = '11111111-1111-4111-8111-111111111111';

/** Every byte SQLite keeps of the store: the file and its write-ahead log. */
function bytesOnDisk(path: string): Buffer {
  return Buffer.concat([path, `${path}-wal`, `${path}-journal`].filter(existsSync).map((file) => readFileSync(file)));
}

describe('the embedded key store', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ifw-keys-'));
    path = join(dir, 'data', 'keys.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates its file and folder on first use, and keeps its keys across a reopening', async () => {
    const first = SqliteKeyStore.open(path);
    const { keyId, key } = await first.createKey();
    expect(key).toHaveLength(32);
    await first.close();
    const again = SqliteKeyStore.open(path);
    expect(await again.findKey(keyId)).toEqual(key);
    await again.close();
  });

  it('deletes a key for good: it is gone from the file, with secure_delete on', async () => {
    const store = SqliteKeyStore.open(path);
    const kept = await store.createKey();
    const erased = await store.createKey();
    expect(bytesOnDisk(path).includes(erased.key)).toBe(true);
    await store.deleteKey(erased.keyId);
    expect(await store.findKey(erased.keyId)).toBeUndefined();
    expect(await store.findKey(kept.keyId)).toEqual(kept.key);
    expect(bytesOnDisk(path).includes(erased.key)).toBe(false);
    await store.deleteKey(erased.keyId);
    await store.close();
    expect(bytesOnDisk(path).includes(erased.key)).toBe(false);
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM data_keys').get()).toEqual({ n: 1 });
    db.close();
  });

  it('keeps pending erasures until their key is deleted or the erasure abandoned', async () => {
    const store = SqliteKeyStore.open(path);
    const [a, b] = [await store.createKey(), await store.createKey()];
    await store.beginErasure({ keyId: a.keyId, partyId: PARTY });
    await store.beginErasure({ keyId: b.keyId, partyId: PARTY });
    expect((await store.pendingErasures(10)).map((e) => e.keyId).sort()).toEqual([a.keyId, b.keyId].sort());
    expect(await store.pendingErasures(1)).toHaveLength(1);
    await store.deleteKey(a.keyId);
    await store.abandonErasure(b.keyId);
    expect(await store.pendingErasures(10)).toEqual([]);
    expect(await store.findKey(b.keyId)).toEqual(b.key);
    await store.close();
  });

  it('refuses a file of something else, such as the event store', async () => {
    const other = join(dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE events (position INTEGER PRIMARY KEY)');
    db.close();
    expect(() => SqliteKeyStore.open(other)).toThrow(ConfigError);
  });
});

describe('the key store of the configuration', () => {
  it('is keys.db beside an embedded event store, in memory beside one in memory, and must be named beside EventStoreDB', () => {
    expect(loadConfig({}, {}).keyStoreUrl).toBe('sqlite:data/keys.db');
    expect(loadConfig({ dataDir: '/tmp/d' }, { IFW_KEYSTORE_URL: 'sqlite:/elsewhere/keys.db' }).keyStoreUrl).toBe('sqlite:/tmp/d/keys.db');
    expect(loadConfig({}, { IFW_EVENTSTORE_URL: 'sqlite:/srv/ifw/log.db?multiStreamAppend=false' }).keyStoreUrl).toBe('sqlite:/srv/ifw/keys.db');
    expect(loadConfig({}, { IFW_EVENTSTORE_URL: 'sqlite::memory:' }).keyStoreUrl).toBe('sqlite::memory:');
    expect(loadConfig({}, { IFW_EVENTSTORE_URL: 'esdb://eventstore:2113?tls=false', IFW_KEYSTORE_URL: 'sqlite:/keys/keys.db' }).keyStoreUrl).toBe('sqlite:/keys/keys.db');
    const esdb = loadConfig({}, { IFW_EVENTSTORE_URL: 'esdb://eventstore:2113?tls=false' });
    expect(esdb.keyStoreUrl).toBeUndefined();
    expect(() => openKeyStore(esdb)).toThrow('IFW_KEYSTORE_URL is not set');
    expect(() => loadConfig({}, { IFW_KEYSTORE_URL: 'vault://keys' })).toThrow(ConfigError);
  });
});

describe('the cache of keys', () => {
  it('holds at most maxKeys, for at most maxAgeMs, and forgets a key it deletes at once', async () => {
    const inner = SqliteKeyStore.open(':memory:');
    const lookups = jest.spyOn(inner, 'findKey');
    let now = 0;
    const cache = new CachedKeyStore(inner, { maxKeys: 2, maxAgeMs: 1_000, clock: () => now });
    const [a, b, c] = [await inner.createKey(), await inner.createKey(), await inner.createKey()];
    await cache.findKey(a.keyId);
    expect(await cache.findKey(a.keyId)).toEqual(a.key);
    expect(lookups.mock.calls).toEqual([[a.keyId]]);
    await cache.findKey(b.keyId);
    await cache.findKey(c.keyId);
    // a was the least recently used: c pushed it out.
    await cache.findKey(a.keyId);
    expect(lookups.mock.calls).toEqual([[a.keyId], [b.keyId], [c.keyId], [a.keyId]]);
    now = 1_000;
    await cache.findKey(a.keyId);
    expect(lookups).toHaveBeenCalledTimes(5);
    await cache.deleteKey(a.keyId);
    expect(await cache.findKey(a.keyId)).toBeUndefined();
    await cache.close();
  });
});
