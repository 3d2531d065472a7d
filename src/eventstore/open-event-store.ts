import type { EventStore, EventUpcaster } from './event-store';
import { LogChainUnavailableError, UnsupportedEventStoreUrlError } from './errors';
import { openEsdbEventStore } from './esdb/esdb-event-store';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

export interface OpenEventStoreOptions {
  /** Milliseconds since the epoch for each event's recordedAt; injected for deterministic tests. */
  clock?: () => number;
  /** The key of the log's keyed checkpoints (embedded store only). */
  auditKey?: string;
  /** To verify: the store must exist, and nothing is created or written. */
  readOnly?: boolean;
  /** Told of a snapshot the loader refused (embedded store; a warning on stderr by default). */
  onSnapshotRefused?: (stream: string, reason: string) => void;
  /** Applied to every event read; without it events are handed out as stored. */
  upcast?: EventUpcaster;
}

/**
 * `sqlite:PATH` and `sqlite::memory:` open the embedded store; `esdb://…` (or `esdb+discover://…`) EventStoreDB.
 * `sqlite:PATH?multiStreamAppend=false` gives the embedded store EventStoreDB's limit: appendMany is refused,
 * so a suite run on it proves that every write the product makes is a single-stream append.
 */
export function openEventStore(url: string, options: OpenEventStoreOptions = {}): EventStore {
  if (typeof url !== 'string') throw new UnsupportedEventStoreUrlError(String(url));
  if (url.startsWith('sqlite:')) {
    const [path, query] = splitQuery(url.slice('sqlite:'.length));
    if (path.length === 0) throw new UnsupportedEventStoreUrlError(url);
    return SqliteEventStore.open(path, { ...options, multiStreamAppend: multiStreamAppendOption(url, query) });
  }
  if (url.startsWith('esdb://') || url.startsWith('esdb+discover://')) {
    if (options.auditKey !== undefined) throw new LogChainUnavailableError('IFW_AUDIT_KEY (keyed checkpoints)');
    return openEsdbEventStore(url, { ...(options.clock && { clock: options.clock }), ...(options.upcast && { upcast: options.upcast }) });
  }
  throw new UnsupportedEventStoreUrlError(url);
}

function splitQuery(rest: string): [string, string | undefined] {
  const at = rest.indexOf('?');
  return at < 0 ? [rest, undefined] : [rest.slice(0, at), rest.slice(at + 1)];
}

/** The one option an embedded store URL takes; anything else in its query is refused rather than ignored. */
function multiStreamAppendOption(url: string, query: string | undefined): boolean {
  if (query === undefined) return true;
  const params = new URLSearchParams(query);
  const names = [...params.keys()];
  const value = params.get('multiStreamAppend');
  if (names.length !== 1 || names[0] !== 'multiStreamAppend' || (value !== 'true' && value !== 'false')) {
    throw new UnsupportedEventStoreUrlError(url, 'the only option of a sqlite: URL is multiStreamAppend=true|false');
  }
  return value === 'true';
}
