import type { EventStore } from './event-store';
import { UnsupportedEventStoreUrlError } from './errors';
import { openEsdbEventStore } from './esdb/esdb-event-store';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

export interface OpenEventStoreOptions {
  /** Milliseconds since the epoch for each event's recordedAt; injected for deterministic tests. */
  clock?: () => number;
}

/** `sqlite:PATH` and `sqlite::memory:` open the embedded store; `esdb://…` (or `esdb+discover://…`) EventStoreDB. */
export function openEventStore(url: string, options: OpenEventStoreOptions = {}): EventStore {
  if (typeof url !== 'string') throw new UnsupportedEventStoreUrlError(String(url));
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path.length === 0) throw new UnsupportedEventStoreUrlError(url);
    return SqliteEventStore.open(path, options);
  }
  if (url.startsWith('esdb://') || url.startsWith('esdb+discover://')) return openEsdbEventStore(url, options);
  throw new UnsupportedEventStoreUrlError(url);
}
