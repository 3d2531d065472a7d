/** The bounds of a KeyedMutex: how many keys may be locked at once, and how many tasks may wait on one key. */
export interface KeyedMutexLimits {
  maxKeys: number;
  maxWaitingPerKey: number;
}

export const DEFAULT_KEYED_MUTEX_LIMITS: KeyedMutexLimits = { maxKeys: 100_000, maxWaitingPerKey: 512 };

/** More work queued on a key (or on keys in all) than the mutex takes: load, answered 503 with Retry-After. */
export class KeyQueueFullError extends Error {
  readonly code = 'BUSY';
  override readonly name = 'KeyQueueFullError';
}

interface Queue {
  tail: Promise<void>;
  /** Tasks holding or waiting for the key. */
  holders: number;
}

/**
 * Runs tasks one at a time per key. Commands on the same aggregate in this process queue here instead of
 * racing on its expected revision and retrying, so a burst of payments from one wallet costs no retries;
 * optimistic concurrency still guards against other processes. Each queue is bounded: a task that would wait
 * behind `maxWaitingPerKey` others is refused at once with KeyQueueFullError, so load turns into refusals a
 * client can retry instead of a queue that grows until requests time out.
 */
export class KeyedMutex {
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly limits: KeyedMutexLimits = DEFAULT_KEYED_MUTEX_LIMITS) {}

  async run<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    const unique = [...new Set(keys)];
    this.admit(unique);
    // Queued on every key at once, before any wait: all queues then hold tasks in the same order, so two tasks
    // that share keys cannot each hold one the other waits for.
    const places = unique.map((key) => this.enqueue(key));
    try {
      await Promise.all(places.map((place) => place.turn));
      return await task();
    } finally {
      for (const place of places) place.release();
    }
  }

  /** Refuses the task before it queues anywhere, so a refused task holds nothing. */
  private admit(keys: readonly string[]): void {
    let newKeys = 0;
    for (const key of keys) {
      const queue = this.queues.get(key);
      if (!queue) newKeys++;
      else if (queue.holders > this.limits.maxWaitingPerKey) {
        throw new KeyQueueFullError(`${this.limits.maxWaitingPerKey} requests already wait for the same stream; try again in a moment`);
      }
    }
    if (this.queues.size + newKeys > this.limits.maxKeys) throw new KeyQueueFullError(`${this.limits.maxKeys} keys are locked at once; try again in a moment`);
  }

  private enqueue(key: string): { turn: Promise<void>; release: () => void } {
    let queue = this.queues.get(key);
    if (!queue) this.queues.set(key, (queue = { tail: Promise.resolve(), holders: 0 }));
    const turn = queue.tail;
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    queue.tail = turn.then(() => done);
    queue.holders++;
    const held = queue;
    return {
      turn,
      release: () => {
        release();
        if (--held.holders === 0 && this.queues.get(key) === held) this.queues.delete(key);
      },
    };
  }
}
