/**
 * The speed goal: IIMMF for 10,000 wallets in at most 20 s on this kind of machine (2 cores),
 * HiGHS loaded once and one native model reused for every wallet.
 */
import fc from 'fast-check';
import { optimiseAllocation, optimiseMany, type AllocationInput } from '../../../src/ml/portfolio/iimmf';
import { inputArb } from './fixtures';

describe('IIMMF batch', () => {
  it('optimises 10,000 wallets in one batch, each placing exactly its balance', async () => {
    // How fast is measured by `npm run bench:ml`, not here.
    const wallets: AllocationInput[] = fc.sample(inputArb, { seed: 7, numRuns: 10_000 });
    const results = await optimiseMany(wallets);
    expect(results).toHaveLength(10_000);
    results.forEach((result, i) => {
      const placed = result.allocation.reduce((sum, a) => sum + a.amountFen, 0n) + result.unallocatedFen;
      expect(placed).toBe(BigInt(wallets[i]!.balanceFen));
    });
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

describe('HiGHS quirks', () => {
  it('solves an LP that the simplex without presolve wrongly ends as unbounded', async () => {
    // A merchant's day from the default backtest that made HiGHS (presolve off) report model status 10.
    const funds = [
      ['SIM002', 0.504472257842616, 0], ['SIM005', 0.5257951079161013, 108], ['SIM006', 0.49247890593495897, 2525746889],
      ['SIM007', 0.5572238169436706, 794531], ['SIM008', 0.5009055629181925, 0], ['SIM010', 0.5708961841759382, 120],
      ['SIM012', 0.5207732283930009, 110], ['SIM014', 0.5686409177025021, 118], ['SIM015', 0.4950823593112236, 80],
      ['SIM016', 0.570914280835936, 122], ['SIM018', 0.5202290122385429, 836313], ['SIM019', 0.5577730603586565, 1000171],
      ['SIM020', 0.507926078063906, 0],
    ] as const;
    const input = {
      balanceFen: 2_528_378_562,
      demandUpperFen: 8_838_980,
      horizonDays: 14,
      switchCostDays: 1,
      funds: funds.map(([code, forecastPerTenK, currentFen]) => ({ code, forecastPerTenK, currentFen, instantCapFen: 1_000_000 })),
    };
    const amounts = (await optimiseAllocation(input)).allocation.map((a) => Number(a.amountFen));
    expect(amounts.reduce((a, b) => a + b, 0)).toBe(input.balanceFen);
    expect(amounts.every((a) => a >= 0)).toBe(true);
    // The capacity it buys covers the bound once confirmed.
    expect(amounts.reduce((sum, a) => sum + Math.min(a, 1_000_000), 0)).toBeGreaterThanOrEqual(input.demandUpperFen);
  });
});
