import { HttpProblem } from '../http/problem';
import { type Rate, TokenBuckets } from '../http/token-buckets';

export interface RateLimitSettings {
  /** Requests of one client address, authenticated or not. */
  perAddress: Rate;
  /** Requests of one key (one principal), from any address. */
  perKey: Rate;
  /**
   * Wrong keys one address may try: a few typing mistakes, never a search of the key space. An attempt refused
   * for it costs no store read, so guessing keys cannot load the store either.
   */
  wrongKeysPerAddress: Rate;
}

/** Addresses and keys whose buckets are kept; a forgotten one comes back full. */
export const MAX_TRACKED = 100_000;

/** The three limits the edge enforces, each a 429 with Retry-After. */
export class RateLimits {
  private readonly addresses: TokenBuckets;
  private readonly keys: TokenBuckets;
  private readonly failedKeys: TokenBuckets;

  constructor(private readonly settings: RateLimitSettings, clockMs: () => number, private readonly onLimited: (limit: 'address' | 'key' | 'failed-keys') => void = () => {}) {
    this.addresses = new TokenBuckets(settings.perAddress, MAX_TRACKED, clockMs);
    this.keys = new TokenBuckets(settings.perKey, MAX_TRACKED, clockMs);
    this.failedKeys = new TokenBuckets(settings.wrongKeysPerAddress, MAX_TRACKED, clockMs);
  }

  /** Every request, before anything else is done for it. */
  admitAddress(address: string): void {
    const waitS = this.addresses.take(address);
    if (waitS > 0) throw this.limited('address', waitS, `this address sent more than ${describeRate(this.settings.perAddress)}`);
  }

  /** Before a key is looked up: an address that has sent too many wrong keys is refused without a look. */
  admitKeyAttempt(address: string): void {
    const waitS = this.failedKeys.peek(address);
    if (waitS > 0) throw this.limited('failed-keys', waitS, `this address sent more than ${this.settings.wrongKeysPerAddress.burst} wrong API keys`);
  }

  keyRefused(address: string): void {
    this.failedKeys.take(address);
  }

  /** Every authenticated request, by the principal its key names. */
  admitPrincipal(principalId: string): void {
    const waitS = this.keys.take(principalId);
    if (waitS > 0) throw this.limited('key', waitS, `this API key sent more than ${describeRate(this.settings.perKey)}`);
  }

  private limited(limit: 'address' | 'key' | 'failed-keys', waitS: number, reason: string): HttpProblem {
    this.onLimited(limit);
    return new HttpProblem(429, `${reason}; retry after ${waitS} s`, { code: 'RATE_LIMITED', headers: { 'retry-after': String(waitS) } });
  }
}

const describeRate = (rate: Rate) => `${rate.perSecond} requests a second (${rate.burst} at once)`;
