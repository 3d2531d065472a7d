import { decodeData, encodeData } from '../domain/event-codec';
import type { JsonObject } from '../eventstore';
import { invariant } from '../invariant';
import { type ProjectionView, versionedCollection } from './projection';
import type { DocWrite, ReadStore } from './read-store';

/** A document held as JSON, as a decoded value, or both: each form is made from the other only when asked for. */
interface Entry {
  collection: string;
  id: string;
  position: bigint;
  body: JsonObject | undefined;
  value: object | undefined;
  dirty: boolean;
}

/**
 * The documents one projection touches in one batch: read once from the store, changed in memory event by
 * event, written together at the end. A document whose stored position is already at or past the event being
 * applied ignores that event's write, so a batch replayed after a crash (MongoDB) applies each event once.
 */
export class BatchView implements ProjectionView {
  private readonly entries = new Map<string, Entry>();
  private position = -1n;

  constructor(
    private readonly store: ReadStore,
    private readonly version: number,
  ) {}

  /** The position of the event about to be applied; positions only increase within a batch. */
  at(position: bigint): void {
    invariant(position > this.position, () => `batch positions must increase: ${position} after ${this.position}`);
    this.position = position;
  }

  async get(collection: string, id: string): Promise<JsonObject | undefined> {
    const entry = await this.entry(collection, id);
    if (entry.body === undefined && entry.value !== undefined) entry.body = encodeData(entry.value);
    return entry.body;
  }

  async read<T extends object>(collection: string, id: string): Promise<T | undefined> {
    const entry = await this.entry(collection, id);
    if (entry.value === undefined && entry.body !== undefined) entry.value = decodeData<object>(entry.body);
    return entry.value as T | undefined;
  }

  put(collection: string, id: string, body: JsonObject): void {
    this.set(collection, id, body, undefined);
  }

  write(collection: string, id: string, value: object): void {
    this.set(collection, id, undefined, value);
  }

  private set(collection: string, id: string, body: JsonObject | undefined, value: object | undefined): void {
    invariant(this.position >= 0n, 'a write before any event was applied');
    const key = `${collection}\u0000${id}`;
    const entry = this.entries.get(key);
    // A stored document already at or past this event was written by an earlier attempt at this batch that the
    // checkpoint missed; a document this batch wrote is simply written again.
    if (entry && !entry.dirty && entry.position >= this.position) return;
    this.entries.set(key, { collection, id, position: this.position, body, value, dirty: true });
  }

  private async entry(collection: string, id: string): Promise<Entry> {
    const key = `${collection}\u0000${id}`;
    let entry = this.entries.get(key);
    if (!entry) {
      const stored = await this.store.get(versionedCollection(collection, this.version), id);
      entry = { collection, id, position: stored?.position ?? -1n, body: stored?.body, value: undefined, dirty: false };
      this.entries.set(key, entry);
    }
    return entry;
  }

  get size(): number {
    return this.entries.size;
  }

  writes(): DocWrite[] {
    const writes: DocWrite[] = [];
    for (const entry of this.entries.values()) {
      if (entry.dirty) writes.push({ collection: versionedCollection(entry.collection, this.version), id: entry.id, position: entry.position, body: entry.body ?? encodeData(entry.value!) });
    }
    return writes;
  }
}
