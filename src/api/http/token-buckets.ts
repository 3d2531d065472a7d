import { invariant } from '../../invariant';

/** A rate: `perSecond` on average, up to `burst` at once after a quiet spell. */
export interface Rate {
  perSecond: number;
  burst: number;
}

type Bucket = { tokens: number; atMs: number };

/**
 * One token bucket per key (an address, a principal), in bounded memory: past `maxKeys` the bucket used least
 * recently is forgotten. A forgotten bucket comes back full, which only errs towards letting a request through.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly rate: Rate,
    private readonly maxKeys: number,
    private readonly clockMs: () => number,
  ) {
    invariant(rate.perSecond > 0 && rate.burst >= 1 && maxKeys >= 1, () => `a rate of ${rate.perSecond}/s, burst ${rate.burst}, over ${maxKeys} keys`);
  }

  /** Takes a token of `key`: 0 when there was one, else the whole seconds until there will be one. */
  take(key: string): number {
    const bucket = this.refilled(key);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return this.secondsUntilToken(bucket);
  }

  /** As take, but leaves the token: for a limit on failures, spent only once the failure happens. */
  peek(key: string): number {
    const bucket = this.refilled(key);
    return bucket.tokens >= 1 ? 0 : this.secondsUntilToken(bucket);
  }

  get size(): number {
    return this.buckets.size;
  }

  private refilled(key: string): Bucket {
    const nowMs = this.clockMs();
    const bucket = this.buckets.get(key) ?? { tokens: this.rate.burst, atMs: nowMs };
    bucket.tokens = Math.min(this.rate.burst, bucket.tokens + (Math.max(0, nowMs - bucket.atMs) * this.rate.perSecond) / 1000);
    bucket.atMs = nowMs;
    // Re-inserted so the map's order is the order of last use, oldest first.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    return bucket;
  }

  private secondsUntilToken(bucket: Bucket): number {
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate.perSecond));
  }
}
