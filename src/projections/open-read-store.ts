import { MongoReadStore } from './mongo/mongo-read-store';
import { type ReadStore, UnsupportedReadStoreUrlError } from './read-store';
import { SqliteReadStore } from './sqlite/sqlite-read-store';

/**
 * `sqlite:PATH` and `sqlite::memory:` open the embedded read store; `mongodb://HOST:PORT/DATABASE` (or
 * `mongodb+srv://…`) MongoDB, database `ifw` when the URL names none.
 */
export async function openReadStore(url: string): Promise<ReadStore> {
  if (typeof url !== 'string') throw new UnsupportedReadStoreUrlError(String(url));
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path.length === 0) throw new UnsupportedReadStoreUrlError(url);
    return SqliteReadStore.open(path);
  }
  if (url.startsWith('mongodb://') || url.startsWith('mongodb+srv://')) return MongoReadStore.open(url);
  throw new UnsupportedReadStoreUrlError(url);
}
