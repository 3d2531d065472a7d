import { decodeData, encodeData } from '../../domain/event-codec';
import type { JsonObject } from '../../eventstore';
import type { ProjectionView } from '../../projections/projection';

/**
 * One document in the JSON form, the decoded form or both: each made from the other only when asked for. Filling
 * in the missing form of an entry a checkpoint shares changes nothing either of them reads.
 */
interface Entry {
  body: JsonObject | undefined;
  value: object | undefined;
}

/** Documents by collection and id, as a projection's `apply` left them; shared by checkpoints, never changed in place. */
export type MemoryDocs = ReadonlyMap<string, Entry>;

const key = (collection: string, id: string) => `${collection}\u0000${id}`;

/**
 * A ProjectionView over documents in memory, so a projection's own `apply` can build its documents as of a
 * moment without a read store. Every write replaces an entry, and `apply` treats what it reads as immutable
 * (the ProjectionView contract), so a copy of the map is a snapshot that later writes leave alone.
 */
export class MemoryProjectionView implements ProjectionView {
  private readonly entries: Map<string, Entry>;
  /** Writes to any other collection are dropped: a fold keeps only what its reader renders. */
  private readonly kept: ReadonlySet<string> | undefined;

  constructor(from?: MemoryDocs, collections?: readonly string[]) {
    this.entries = new Map(from);
    this.kept = collections && new Set(collections);
  }

  async get(collection: string, id: string): Promise<JsonObject | undefined> {
    return this.body(collection, id);
  }

  async read<T extends object>(collection: string, id: string): Promise<T | undefined> {
    return this.value<T>(collection, id);
  }

  put(collection: string, id: string, body: JsonObject): void {
    if (this.kept && !this.kept.has(collection)) return;
    this.entries.set(key(collection, id), { body, value: undefined });
  }

  write(collection: string, id: string, value: object): void {
    if (this.kept && !this.kept.has(collection)) return;
    this.entries.set(key(collection, id), { body: undefined, value });
  }

  /** The decoded document, for the reader that renders the answer. */
  value<T extends object>(collection: string, id: string): T | undefined {
    const entry = this.entries.get(key(collection, id));
    if (entry && entry.value === undefined && entry.body !== undefined) entry.value = decodeData<object>(entry.body);
    return entry?.value as T | undefined;
  }

  body(collection: string, id: string): JsonObject | undefined {
    const entry = this.entries.get(key(collection, id));
    if (entry && entry.body === undefined && entry.value !== undefined) entry.body = encodeData(entry.value);
    return entry?.body;
  }

  /** Every document of a collection, decoded, in no particular order. */
  *values<T extends object>(collection: string): Iterable<T> {
    const prefix = key(collection, '');
    for (const [entryKey, entry] of this.entries) {
      if (!entryKey.startsWith(prefix)) continue;
      if (entry.value === undefined && entry.body !== undefined) entry.value = decodeData<object>(entry.body);
      yield entry.value as T;
    }
  }

  snapshot(): MemoryDocs {
    return new Map(this.entries);
  }

  get size(): number {
    return this.entries.size;
  }
}
