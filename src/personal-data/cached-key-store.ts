import type { DataKey, KeyStore, PendingErasure } from './key-store';

export interface KeyCacheBounds {
  /** Keys kept in memory; the least recently used goes first beyond this. */
  maxKeys: number;
  /**
   * How long a key is used from memory before it is looked up again. Another process on the same key store
   * (an `ifw projector` beside `ifw serve`) stops using a key deleted by this one within this time.
   */
  maxAgeMs: number;
  clock: () => number;
}

/** A rebuild of the parties read model opens every registration: 10,000 keys spare most of the look-ups. */
export const DEFAULT_KEY_CACHE_BOUNDS: KeyCacheBounds = { maxKeys: 10_000, maxAgeMs: 60_000, clock: Date.now };

/**
 * A key store with the keys found recently kept in memory, bounded in number and in age. A key deleted here
 * is dropped from memory first. Missing keys are not remembered: they are rare (erased persons), and a
 * lookup of one is a single indexed read.
 */
export class CachedKeyStore implements KeyStore {
  private readonly keys = new Map<string, { key: Buffer; foundAtMs: number }>();

  constructor(
    private readonly store: KeyStore,
    private readonly bounds: KeyCacheBounds,
  ) {}

  async createKey(): Promise<DataKey> {
    const created = await this.store.createKey();
    this.remember(created.keyId, created.key);
    return created;
  }

  async findKey(keyId: string): Promise<Buffer | undefined> {
    const cached = this.keys.get(keyId);
    if (cached && this.bounds.clock() - cached.foundAtMs < this.bounds.maxAgeMs) {
      // Moved to the end: the Map's order is the order of use.
      this.keys.delete(keyId);
      this.keys.set(keyId, cached);
      return cached.key;
    }
    this.keys.delete(keyId);
    const key = await this.store.findKey(keyId);
    if (key) this.remember(keyId, key);
    return key;
  }

  beginErasure(erasure: PendingErasure): Promise<void> {
    return this.store.beginErasure(erasure);
  }

  async deleteKey(keyId: string): Promise<void> {
    this.keys.delete(keyId);
    await this.store.deleteKey(keyId);
  }

  abandonErasure(keyId: string): Promise<void> {
    return this.store.abandonErasure(keyId);
  }

  pendingErasures(limit: number): Promise<PendingErasure[]> {
    return this.store.pendingErasures(limit);
  }

  async close(): Promise<void> {
    this.keys.clear();
    await this.store.close();
  }

  private remember(keyId: string, key: Buffer): void {
    if (this.keys.size >= this.bounds.maxKeys) this.keys.delete(this.keys.keys().next().value!);
    this.keys.set(keyId, { key, foundAtMs: this.bounds.clock() });
  }
}
