/**
 * A small seeded pseudo-random number generator whose output is identical on every machine and every
 * JavaScript engine: xoshiro128** (Blackman & Vigna) on 32-bit words, seeded by hashing a stream's name.
 *
 * Only 32-bit integer operations (`Math.imul`, shifts, xor) and IEEE-754 double +, −, ×, ÷ and `Math.sqrt`
 * are used; all of those are exactly specified by ECMAScript. `Math.log`, `Math.exp`, `Math.sin` are not
 * (the spec allows any "implementation-approximated" result), so this module brings its own `detLog` and
 * `detExp` built from basic arithmetic only.
 *
 * Streams: `SeededRandom.fromSeed(seed)` is the root; `child(name)` derives an independent stream from the
 * root's seed and the name path only, never from how many numbers the parent has drawn. So the draws of
 * `root.child('fund:3')` do not change when another fund is added or another stream draws more.
 */

// Module-level aliases: a global `Math.x` lookup in a hot loop is slow in some hosts (jest's vm context).
const { floor, imul, min, round, sqrt } = Math;

// ---------------------------------------------------------------------------------------------------------
// Deterministic elementary functions (basic IEEE arithmetic only)
// ---------------------------------------------------------------------------------------------------------

const LN2_HI = 6.93147180369123816490e-1; // the high bits of ln 2, exact in a double with room to spare
const LN2_LO = 1.90821492927058770002e-10; // ln 2 − LN2_HI
const SQRT2 = 1.4142135623730951;
const TWO_POW_64 = 18446744073709551616;

/** Natural logarithm from +, −, ×, ÷ only; within about 1 ulp of the true value for normal doubles. */
export function detLog(x: number): number {
  if (!(x > 0) || x === Infinity) return x === 0 ? -Infinity : x === Infinity ? Infinity : NaN;
  let m = x;
  let k = 0;
  // Exact scaling by powers of two into [1, 2); big steps first so extreme inputs stay cheap.
  while (m >= TWO_POW_64) {
    m /= TWO_POW_64;
    k += 64;
  }
  while (m < 1 / TWO_POW_64) {
    m *= TWO_POW_64;
    k -= 64;
  }
  while (m >= 2) {
    m *= 0.5;
    k += 1;
  }
  while (m < 1) {
    m *= 2;
    k -= 1;
  }
  if (m > SQRT2) {
    m *= 0.5;
    k += 1;
  }
  // m ∈ [√½, √2]: log m = 2 atanh(s) = 2 (s + s³/3 + s⁵/5 + …) with |s| ≤ 0.1716, s² ≤ 0.0295.
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let series = 1 / 29;
  for (let odd = 27; odd >= 1; odd -= 2) series = 1 / odd + s2 * series;
  return k * LN2_HI + (2 * s * series + k * LN2_LO);
}

/** e^x from +, −, ×, ÷ only; within a few ulp of the true value. */
export function detExp(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x > 709.782712893384) return Infinity;
  if (x < -745.1332191019412) return 0;
  const k = round(x / (LN2_HI + LN2_LO));
  const r = x - k * LN2_HI - k * LN2_LO; // |r| ≤ ~0.347
  let term = 1;
  let sum = 1;
  for (let n = 1; n <= 20; n += 1) {
    term = (term * r) / n;
    sum += term;
  }
  return scaleByPowerOfTwo(sum, k);
}

/** x · 2^k by exact multiplications (powers of two are exact doubles). */
function scaleByPowerOfTwo(x: number, k: number): number {
  let result = x;
  let remaining = k;
  while (remaining > 0) {
    const step = min(remaining, 1000);
    result *= powerOfTwo(step);
    remaining -= step;
  }
  while (remaining < 0) {
    const step = min(-remaining, 1000);
    result /= powerOfTwo(step);
    remaining += step;
  }
  return result;
}

function powerOfTwo(k: number): number {
  // 0 ≤ k ≤ 1000: square-and-multiply, every intermediate an exact power of two.
  let result = 1;
  let base = 2;
  let e = k;
  while (e > 0) {
    if (e & 1) result *= base;
    base *= base;
    e >>>= 1;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// Hashing stream names to 128-bit keys
// ---------------------------------------------------------------------------------------------------------

function fmix32(h: number): number {
  let x = h ^ (h >>> 16);
  x = imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** MurmurHash3 (x86, 32-bit) over the UTF-16 code units of `text`, with a seed. */
function murmur32(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i += 1) {
    let k = text.charCodeAt(i);
    k = imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= text.length;
  return fmix32(h);
}

const LANE_SEEDS = [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344] as const;

export type Seed = number | string;

function seedText(seed: Seed): string {
  if (typeof seed === 'string') return `s:${seed}`;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative safe integer or a string, got ${seed}`);
  return `n:${seed}`;
}

// ---------------------------------------------------------------------------------------------------------
// xoshiro128**
// ---------------------------------------------------------------------------------------------------------

const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;

export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | undefined;

  private constructor(readonly path: string) {
    // Four independent 32-bit lanes of the path hash, each stirred by a splitmix32 step; never all zero.
    const words = LANE_SEEDS.map((laneSeed, lane) => fmix32((murmur32(path, laneSeed) + imul(lane + 1, 0x9e3779b9)) | 0));
    if ((words[0]! | words[1]! | words[2]! | words[3]!) === 0) words[0] = 0x9e3779b9;
    this.s0 = words[0]! | 0;
    this.s1 = words[1]! | 0;
    this.s2 = words[2]! | 0;
    this.s3 = words[3]! | 0;
  }

  /** A generator started from an explicit xoshiro128** state (for checks against the reference C code). */
  static fromState(state: readonly [number, number, number, number]): SeededRandom {
    if ((state[0] | state[1] | state[2] | state[3]) === 0) throw new RangeError('xoshiro128** state must not be all zero');
    const random = new SeededRandom('state');
    [random.s0, random.s1, random.s2, random.s3] = state.map((word) => word | 0) as [number, number, number, number];
    return random;
  }

  /** The root stream of a seed (a non-negative safe integer or any string). */
  static fromSeed(seed: Seed): SeededRandom {
    return new SeededRandom(seedText(seed));
  }

  /** An independent stream named `name` under this one; depends only on the seed and the name path. */
  child(name: string): SeededRandom {
    return new SeededRandom(`${this.path}/${name.replace(/[\\/]/g, (c) => `\\${c}`)}`);
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = imul(rotl(imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const high = this.nextUint32() >>> 6; // 26 bits
    const low = this.nextUint32() >>> 5; // 27 bits
    return (high * 134217728 + low) / TWO_POW_53;
  }

  /** A uniform double in [min, max). */
  uniformIn(min: number, max: number): number {
    return min + (max - min) * this.uniform();
  }

  /** A uniform integer in [min, max] (inclusive), without modulo bias for ranges below 2^26. */
  integer(min: number, max: number): number {
    const span = max - min + 1;
    if (!Number.isInteger(min) || !Number.isInteger(max) || span <= 0 || span > TWO_POW_26) throw new RangeError(`bad integer range [${min}, ${max}]`);
    return min + floor(this.uniform() * span);
  }

  /** true with probability p. */
  bernoulli(p: number): boolean {
    return this.uniform() < p;
  }

  /** A standard normal draw (Marsaglia's polar method with the deterministic logarithm). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s >= 1 || s === 0) continue;
      const factor = sqrt((-2 * detLog(s)) / s);
      this.spareNormal = v * factor;
      return u * factor;
    }
  }

  /** A normal draw with the given mean and standard deviation. */
  gaussian(mean: number, sd: number): number {
    return mean + sd * this.normal();
  }

  /** A lognormal draw: exp(N(mu, sigma²)). */
  lognormal(mu: number, sigma: number): number {
    return detExp(mu + sigma * this.normal());
  }

  /** An index drawn with probabilities proportional to `weights`. */
  pick(weights: readonly number[]): number {
    const total = weights.reduce((sum, w) => sum + w, 0);
    let target = this.uniform() * total;
    for (let i = 0; i < weights.length; i += 1) {
      target -= weights[i]!;
      if (target < 0) return i;
    }
    return weights.length - 1;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
