/**
 * The speed goal: IIMMF for 10,000 wallets in at most 20 s on this kind of machine (2 cores),
 * HiGHS loaded once and one native model reused for every wallet.
 */
import fc from 'fast-check';
import { optimiseAllocation, optimiseMany, type AllocationInput } from '../../../src/ml/portfolio/iimmf';
import { inputArb } from './fixtures';

describe('IIMMF batch', () => {
  it('optimises 10,000 wallets in at most 20 s', async () => {
    const wallets: AllocationInput[] = fc.sample(inputArb, { seed: 7, numRuns: 10_000 });
    await optimiseAllocation(wallets[0]!); // load the wasm once, outside the timing, as a service would at start
    const started = performance.now();
    const results = await optimiseMany(wallets);
    const seconds = (performance.now() - started) / 1000;
    console.log(`IIMMF: ${wallets.length} wallets (1–8 funds each) in ${seconds.toFixed(2)} s, ${((seconds * 1e6) / wallets.length).toFixed(0)} µs per wallet`);
    expect(results).toHaveLength(10_000);
    expect(seconds).toBeLessThanOrEqual(20);
  });

  it('a wallet gets the same answer alone, in a batch, or in a batch in another order', async () => {
    const wallets: AllocationInput[] = fc.sample(inputArb, { seed: 11, numRuns: 200 });
    const forwards = await optimiseMany(wallets);
    const backwards = (await optimiseMany([...wallets].reverse())).reverse();
    const alone = await Promise.all(wallets.map((w) => optimiseAllocation(w)));
    expect(backwards).toEqual(forwards);
    expect(alone).toEqual(forwards);
  });
});
