import fc from 'fast-check';
import { TokenBuckets } from '../../../src/api/http/token-buckets';
import { RateLimits } from '../../../src/api/auth/rate-limits';
import { HttpProblem } from '../../../src/api/http/problem';

/** The buckets on a clock the test moves. */
function buckets(perSecond: number, burst: number, maxKeys = 10) {
  const clock = { nowMs: 0 };
  return { clock, buckets: new TokenBuckets({ perSecond, burst }, maxKeys, () => clock.nowMs) };
}

describe('TokenBuckets', () => {
  it('lets a burst through, then one request per 1/rate seconds, and says how long to wait', () => {
    const { clock, buckets: b } = buckets(2, 4);
    expect([1, 2, 3, 4].map(() => b.take('a'))).toEqual([0, 0, 0, 0]);
    expect(b.take('a')).toBe(1);
    clock.nowMs = 499;
    expect(b.take('a')).toBe(1);
    clock.nowMs = 500;
    expect(b.take('a')).toBe(0);
    expect(b.take('b')).toBe(0); // another key has its own bucket
  });

  it('peek never spends a token', () => {
    const { buckets: b } = buckets(1, 1);
    expect([b.peek('a'), b.peek('a'), b.take('a'), b.peek('a')]).toEqual([0, 0, 0, 1]);
  });

  it('forgets the least recently used key past its bound', () => {
    const { buckets: b } = buckets(1, 1, 2);
    b.take('a');
    b.take('b');
    b.take('a'); // a is used again, so b is the oldest
    b.take('c');
    expect(b.size).toBe(2);
    expect(b.take('a')).toBe(1); // a was kept, still empty
    expect(b.take('b')).toBe(0); // b was forgotten and came back full
  });

  it('over any history of many keys, never tracks more keys than its bound', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 9 })), { maxLength: 300 }), (steps) => {
        const { clock, buckets: b } = buckets(5, 10, 3);
        for (const [advanceMs, key] of steps) {
          clock.nowMs += advanceMs;
          b.take(String(key));
          expect(b.size).toBeLessThanOrEqual(3);
        }
      }),
    );
  });

  it('with one key only, the bound is exact: burst + rate × elapsed', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 300 }), (advances) => {
        const { clock, buckets: b } = buckets(3, 6);
        let admitted = 0;
        for (const advanceMs of advances) {
          clock.nowMs += advanceMs;
          if (b.take('k') === 0) admitted++;
        }
        expect(admitted).toBeLessThanOrEqual(6 + Math.floor((3 * clock.nowMs) / 1000));
      }),
    );
  });
});

describe('RateLimits', () => {
  const settings = { perAddress: { perSecond: 10, burst: 20 }, perKey: { perSecond: 1, burst: 2 }, wrongKeysPerAddress: { perSecond: 1, burst: 20 } };

  it('refuses with 429 RATE_LIMITED and a Retry-After in whole seconds, and reports each refusal', () => {
    const clock = { nowMs: 0 };
    const hits: string[] = [];
    const limits = new RateLimits(settings, () => clock.nowMs, (limit) => hits.push(limit));
    limits.admitPrincipal('p');
    limits.admitPrincipal('p');
    let refusal: unknown;
    try {
      limits.admitPrincipal('p');
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(HttpProblem);
    expect(refusal).toMatchObject({ status: 429, code: 'RATE_LIMITED', headers: { 'retry-after': '1' } });
    expect(hits).toEqual(['key']);
  });

  it('an address is refused key attempts after 20 wrong keys, and admitted again a second later', () => {
    const clock = { nowMs: 0 };
    const limits = new RateLimits(settings, () => clock.nowMs);
    for (let i = 0; i < 20; i++) {
      limits.admitKeyAttempt('10.0.0.1');
      limits.keyRefused('10.0.0.1');
    }
    expect(() => limits.admitKeyAttempt('10.0.0.1')).toThrow(/20 wrong API keys/);
    expect(() => limits.admitKeyAttempt('10.0.0.2')).not.toThrow();
    clock.nowMs = 1_000;
    expect(() => limits.admitKeyAttempt('10.0.0.1')).not.toThrow();
  });
});
