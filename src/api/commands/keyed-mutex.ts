import { invariant } from '../../invariant';

/** Most keys locked at once; a command waiting beyond this would mean a leak, not load. */
const MAX_LOCKED_KEYS = 100_000;

/**
 * Runs tasks one at a time per key. Commands on the same aggregate in this process queue here instead of
 * racing on its expected revision and retrying, so a burst of payments from one wallet costs no retries;
 * optimistic concurrency still guards against other processes.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    // Sorted, so two tasks that share several keys always take them in the same order and cannot deadlock.
    const sorted = [...new Set(keys)].sort();
    const releases: (() => void)[] = [];
    try {
      for (const key of sorted) releases.push(await this.acquire(key));
      return await task();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }

  private async acquire(key: string): Promise<() => void> {
    invariant(this.tails.size < MAX_LOCKED_KEYS || this.tails.has(key), `more than ${MAX_LOCKED_KEYS} keys are locked at once`);
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    return () => {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}
