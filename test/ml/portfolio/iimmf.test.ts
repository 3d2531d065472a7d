import fc from 'fast-check';
import {
  IimmfInputError,
  apportionFen,
  createOptimiser,
  optimiseAllocation,
  optimiseMany,
  type AllocationInput,
  type AllocationResult,
  type IimmfOptimiser,
} from '../../../src/ml/portfolio/iimmf';
import { CAP_2018, PROPERTY_RUNS, cny, inputArb } from './fixtures';

const amounts = (result: AllocationResult): Record<string, bigint> => Object.fromEntries(result.allocation.map((a) => [a.code, a.amountFen]));

let optimiser: IimmfOptimiser;
beforeAll(async () => {
  optimiser = await createOptimiser();
});
afterAll(() => optimiser.dispose());

describe('IIMMF: hand-checkable cases', () => {
  // A pays 0.8 per 10k a day, B 0.5; both capped at 10,000 CNY a day; 100,000 CNY split 50/50 now.
  const twoFunds = (demand: bigint): AllocationInput => ({
    balanceFen: cny(100_000),
    horizonDays: 30,
    demandUpperFen: demand,
    funds: [
      { code: '000198', forecastPerTenK: 0.8, currentFen: cny(50_000), instantCapFen: CAP_2018 },
      { code: '000009', forecastPerTenK: 0.5, currentFen: cny(50_000), instantCapFen: CAP_2018 },
    ],
  });

  it('without a demand bound, everything goes to the higher-yield fund when the switch pays', () => {
    const result = optimiser.optimise(twoFunds(0n));
    expect(amounts(result)).toEqual({ '000198': cny(100_000), '000009': 0n });
    // 100,000 CNY × 0.8/10k × 30 = 240 CNY, less 50,000 × 0.8/10k × 1 day = 4 CNY while unconfirmed.
    expect(result.expectedIncomeFen).toBe(cny(236));
    // Keeping: 50,000 × (0.8 + 0.5)/10k × 30 = 195 CNY.
    expect(result.baselineIncomeFen).toBe(cny(195));
    expect(result.expectedGainFen).toBe(cny(41));
    expect(result.switchCostFen).toBe(cny(4));
    expect(result.status).toBe('optimal');
  });

  it('the higher-yield fund is held back by its instant cap: the rest of the demand bound stays in the other fund', () => {
    const result = optimiser.optimise(twoFunds(cny(15_000)));
    // 000198 can give at most 10,000 a day, so 5,000 must stay (confirmed) in 000009.
    expect(amounts(result)).toEqual({ '000198': cny(95_000), '000009': cny(5_000) });
    expect(result.instantCapacityFen).toBe(cny(15_000));
    expect(result.instantCapacityTomorrowFen).toBe(cny(15_000));
    expect(result.shortfallFen).toBe(0n);
    // 95,000 × 0.8/10k × 30 + 5,000 × 0.5/10k × 30 − 45,000 × 0.8/10k = 228 + 7.5 − 3.6 = 231.90 CNY.
    expect(result.expectedIncomeFen).toBe(cny(231.9));
    expect(result.expectedGainFen).toBe(cny(36.9));
    expect(result.binding).toContain('fund 000198 at its instant cap of 10000.00 CNY/day');
    expect(result.binding.some((b) => b.startsWith('demand cover'))).toBe(true);
    expect(result.explanation).toMatch(/^Buy 45000\.00 CNY of 000198, redeem 45000\.00 CNY of 000009\./);
  });

  it('a demand bound above one fund cap forces a spread across funds', () => {
    // Yields A > B > C; the demand bound of 25,000 needs A's 10,000 + 15,000 more from B and C, tomorrow too.
    const result = optimiser.optimise({
      balanceFen: cny(100_000),
      horizonDays: 30,
      demandUpperFen: cny(25_000),
      funds: [
        { code: 'A', forecastPerTenK: 0.8, currentFen: cny(70_000), instantCapFen: CAP_2018 },
        { code: 'B', forecastPerTenK: 0.6, currentFen: cny(15_000), instantCapFen: CAP_2018 },
        { code: 'C', forecastPerTenK: 0.5, currentFen: cny(15_000), instantCapFen: CAP_2018 },
      ],
    });
    expect(amounts(result)).toEqual({ A: cny(85_000), B: cny(10_000), C: cny(5_000) });
    expect(result.status).toBe('optimal');
    expect(result.instantCapacityFen).toBe(cny(25_000));
    expect(result.instantCapacityTomorrowFen).toBe(cny(25_000));
    expect(result.binding).toEqual(expect.arrayContaining(['fund A at its instant cap of 10000.00 CNY/day', 'fund B at its instant cap of 10000.00 CNY/day']));
  });

  it('a switch that does not pay for itself within the horizon is not made', () => {
    // B beats A by 0.05 per 10k a day: over 7 days +0.35 per 10k, but a purchase loses 0.55 per 10k (1 day of B).
    const result = optimiser.optimise({
      balanceFen: cny(100_000),
      horizonDays: 7,
      demandUpperFen: 0n,
      funds: [
        { code: 'A', forecastPerTenK: 0.5, currentFen: cny(100_000), instantCapFen: CAP_2018 },
        { code: 'B', forecastPerTenK: 0.55, currentFen: 0n, instantCapFen: CAP_2018 },
      ],
    });
    expect(amounts(result)).toEqual({ A: cny(100_000), B: 0n });
    expect(result.movedFen).toBe(0n);
    expect(result.expectedGainFen).toBe(0n);
    expect(result.explanation).toMatch(/^Keep the current allocation\./);
    expect(result.binding).toEqual([
      'switch cost: moving from fund A to fund B would earn 0.35 CNY more per 10,000 CNY over 7 days but lose 0.55 CNY while unconfirmed',
    ]);
  });

  it('the same switch is made when the horizon is long enough for it to pay', () => {
    // Over 30 days: +1.50 per 10k against 0.55 per 10k lost → 10 × (1.50 − 0.55) = 9.50 CNY on 100,000 CNY.
    const result = optimiser.optimise({
      balanceFen: cny(100_000),
      horizonDays: 30,
      demandUpperFen: 0n,
      funds: [
        { code: 'A', forecastPerTenK: 0.5, currentFen: cny(100_000), instantCapFen: CAP_2018 },
        { code: 'B', forecastPerTenK: 0.55, currentFen: 0n, instantCapFen: CAP_2018 },
      ],
    });
    expect(amounts(result)).toEqual({ A: 0n, B: cny(100_000) });
    expect(result.expectedGainFen).toBe(cny(9.5));
    expect(result.switchCostFen).toBe(cny(5.5));
  });

  it('a Friday purchase (3 days unconfirmed) needs a longer horizon to pay', () => {
    const input = (switchCostDays: number): AllocationInput => ({
      balanceFen: cny(100_000),
      horizonDays: 30,
      switchCostDays,
      demandUpperFen: 0n,
      funds: [
        { code: 'A', forecastPerTenK: 0.5, currentFen: cny(100_000), instantCapFen: CAP_2018 },
        { code: 'B', forecastPerTenK: 0.55, currentFen: 0n, instantCapFen: CAP_2018 },
      ],
    });
    // +1.50 per 10k over 30 days against 3 × 0.55 = 1.65 lost: not worth it.
    expect(amounts(optimiser.optimise(input(3)))).toEqual({ A: cny(100_000), B: 0n });
    expect(amounts(optimiser.optimise(input(2)))).toEqual({ A: 0n, B: cny(100_000) });
  });

  it('demand above any achievable instant capacity: the best allocation, with the shortfall reported, no exception', async () => {
    const result = await optimiseAllocation({
      balanceFen: cny(100_000),
      horizonDays: 7,
      demandUpperFen: cny(50_000),
      funds: [
        { code: 'A', forecastPerTenK: 0.8, currentFen: cny(40_000), instantCapFen: CAP_2018 },
        { code: 'B', forecastPerTenK: 0.6, currentFen: cny(30_000), instantCapFen: CAP_2018 },
        { code: 'C', forecastPerTenK: 0.5, currentFen: cny(30_000), instantCapFen: CAP_2018 },
      ],
    });
    expect(result.status).toBe('shortfall');
    // Three caps give 30,000 at most: every fund keeps its cap, the rest earns the most in A.
    expect(amounts(result)).toEqual({ A: cny(80_000), B: cny(10_000), C: cny(10_000) });
    expect(result.instantCapacityFen).toBe(cny(30_000));
    expect(result.shortfallFen).toBe(cny(20_000));
    expect(result.shortfallConfirmedFen).toBe(cny(20_000));
    expect(result.binding).toEqual(
      expect.arrayContaining([
        'demand cover tomorrow: confirmed holdings give 30000.00 CNY of instant capacity for a demand bound of 50000.00 CNY (short by 20000.00 CNY)',
      ]),
    );
    expect(result.explanation).toContain("Tomorrow's demand bound is short by 20000.00 CNY");
  });

  it('money bought today does not count for tomorrow: the shortfall tomorrow is reported even when the new allocation covers the bound', () => {
    const result = optimiser.optimise({
      balanceFen: cny(30_000),
      horizonDays: 7,
      demandUpperFen: cny(30_000),
      funds: [
        { code: 'A', forecastPerTenK: 0.5, currentFen: cny(30_000), instantCapFen: CAP_2018 },
        { code: 'B', forecastPerTenK: 0.5, currentFen: 0n, instantCapFen: CAP_2018 },
        { code: 'C', forecastPerTenK: 0.5, currentFen: 0n, instantCapFen: CAP_2018 },
      ],
    });
    expect(amounts(result)).toEqual({ A: cny(10_000), B: cny(10_000), C: cny(10_000) });
    expect(result.instantCapacityFen).toBe(cny(30_000));
    expect(result.instantCapacityTomorrowFen).toBe(cny(10_000));
    expect(result.shortfallFen).toBe(cny(20_000));
    expect(result.shortfallConfirmedFen).toBe(0n);
  });

  it('a per-fund limit caps the best fund and is named', () => {
    const result = optimiser.optimise({
      balanceFen: cny(100_000),
      horizonDays: 30,
      demandUpperFen: 0n,
      funds: [
        { code: 'A', forecastPerTenK: 0.9, currentFen: 0n, maxFen: cny(60_000), instantCapFen: CAP_2018 },
        { code: 'B', forecastPerTenK: 0.5, currentFen: cny(100_000), instantCapFen: CAP_2018 },
      ],
    });
    expect(amounts(result)).toEqual({ A: cny(60_000), B: cny(40_000) });
    expect(result.binding).toContain('per-fund limit of 60000.00 CNY on fund A');
  });

  it('limits that cannot hold the balance leave the rest unallocated and say so', () => {
    const result = optimiser.optimise({
      balanceFen: cny(100_000),
      horizonDays: 7,
      demandUpperFen: 0n,
      funds: [
        { code: 'A', forecastPerTenK: 0.9, currentFen: 0n, maxFen: cny(30_000), instantCapFen: CAP_2018 },
        { code: 'B', forecastPerTenK: 0.5, currentFen: 0n, maxFen: cny(50_000), instantCapFen: CAP_2018 },
      ],
    });
    expect(result.status).toBe('over-limits');
    expect(amounts(result)).toEqual({ A: cny(30_000), B: cny(50_000) });
    expect(result.unallocatedFen).toBe(cny(20_000));
  });

  it('takes numbers as well as bigints, rounds a fractional demand bound up, and counts a negative bound as none', () => {
    const base = {
      balanceFen: 1_000_000,
      horizonDays: 7,
      funds: [{ code: 'A', forecastPerTenK: 0.3, currentFen: 1_000_000, instantCapFen: 500_000 }],
    };
    expect(optimiser.optimise({ ...base, demandUpperFen: 500_000.2 }).shortfallFen).toBe(1n);
    expect(optimiser.optimise({ ...base, demandUpperFen: -3 }).shortfallFen).toBe(0n);
    expect(optimiser.optimise({ ...base, demandUpperFen: -3 }).allocation[0]!.amountFen).toBe(1_000_000n);
  });

  it('an empty fund list leaves the balance unallocated; a zero balance allocates nothing', () => {
    const none = optimiser.optimise({ balanceFen: 500n, horizonDays: 7, demandUpperFen: 100n, funds: [] });
    expect(none).toMatchObject({ status: 'over-limits', unallocatedFen: 500n, shortfallFen: 100n, allocation: [] });
    const zero = optimiser.optimise({
      balanceFen: 0n,
      horizonDays: 7,
      demandUpperFen: 0n,
      funds: [{ code: 'A', forecastPerTenK: 0.3, currentFen: 0n, instantCapFen: CAP_2018 }],
    });
    expect(zero).toMatchObject({ status: 'optimal', expectedIncomeFen: 0n, allocation: [{ code: 'A', amountFen: 0n, changeFen: 0n }] });
  });

  it.each([
    ['a negative balance', { balanceFen: -1n }],
    ['a fractional balance', { balanceFen: 10.5 }],
    ['a zero horizon', { horizonDays: 0 }],
    ['a negative switching delay', { switchCostDays: -1 }],
    ['a duplicate fund code', { funds: [{ code: 'A', forecastPerTenK: 0.3, currentFen: 0n, instantCapFen: 0n }, { code: 'A', forecastPerTenK: 0.3, currentFen: 0n, instantCapFen: 0n }] }],
    ['a NaN forecast', { funds: [{ code: 'A', forecastPerTenK: Number.NaN, currentFen: 0n, instantCapFen: 0n }] }],
    ['an amount over 10^15 fen', { balanceFen: 10n ** 15n + 1n }],
  ])('refuses malformed input (%s) with IimmfInputError', (_name, patch) => {
    const input = { balanceFen: 100n, horizonDays: 7, demandUpperFen: 0n, funds: [{ code: 'A', forecastPerTenK: 0.3, currentFen: 100n, instantCapFen: 0n }], ...patch } as AllocationInput;
    expect(() => optimiser.optimise(input)).toThrow(IimmfInputError);
  });

  it('the batch API names the wallet whose input is malformed', async () => {
    const good: AllocationInput = { balanceFen: 100n, horizonDays: 7, demandUpperFen: 0n, funds: [{ code: 'A', forecastPerTenK: 0.3, currentFen: 100n, instantCapFen: 0n }] };
    await expect(optimiseMany([good, { ...good, horizonDays: -1 }])).rejects.toThrow(/^wallet 1: horizonDays/);
  });
});

describe('the thesis: spreading across funds multiplies the daily T+0 ceiling', () => {
  it('200,000 CNY in one fund gives 10,000 a day; spread over 6 funds capped at 10,000 it gives 60,000 (+500 %)', () => {
    const funds = ['000198', '000009', '000397', '000621', '000569', '001666'].map((code, i) => ({
      code,
      forecastPerTenK: 0.3,
      currentFen: i === 0 ? cny(200_000) : 0n,
      instantCapFen: CAP_2018,
    }));
    const result = optimiser.optimise({ balanceFen: cny(200_000), horizonDays: 7, demandUpperFen: cny(60_000), funds });
    expect(result.currentInstantCapacityFen).toBe(cny(10_000));
    expect(result.instantCapacityFen).toBe(cny(60_000));
    const increase = Number(result.instantCapacityFen - result.currentInstantCapacityFen) / Number(result.currentInstantCapacityFen);
    expect(increase).toBe(5); // +500 %
    // Each other fund gets exactly its cap; the rest stays where it is (moving more would only cost income).
    expect(amounts(result)).toEqual({ '000198': cny(150_000), '000009': cny(10_000), '000397': cny(10_000), '000621': cny(10_000), '000569': cny(10_000), '001666': cny(10_000) });
    // Purchases confirm the next business day: tomorrow only the first fund's 10,000 can be redeemed at once.
    expect(result.instantCapacityTomorrowFen).toBe(cny(10_000));
    expect(result.shortfallFen).toBe(cny(50_000));
    expect(result.shortfallConfirmedFen).toBe(0n);
    // The price of the spread: 50,000 CNY unconfirmed for a day at 0.3 per 10k = 1.50 CNY.
    expect(result.expectedGainFen).toBe(-cny(1.5));
  });

  it('under the pre-2018 cap of 50,000 the same spread reaches the whole 200,000 (+300 %)', () => {
    const funds = Array.from({ length: 6 }, (_, i) => ({ code: `F${i}`, forecastPerTenK: 0.3, currentFen: i === 0 ? cny(200_000) : 0n, instantCapFen: cny(50_000) }));
    const result = optimiser.optimise({ balanceFen: cny(200_000), horizonDays: 7, demandUpperFen: cny(200_000), funds });
    expect(result.currentInstantCapacityFen).toBe(cny(50_000));
    expect(result.instantCapacityFen).toBe(cny(200_000));
  });
});

describe('IIMMF: properties over random wallets (fast-check, seed 7)', () => {
  it('amounts are integer fen within [0, limit] that sum exactly to the balance (with any unallocated rest)', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = optimiser.optimise(input);
        const total = result.allocation.reduce((sum, a) => sum + a.amountFen, 0n) + result.unallocatedFen;
        expect(total).toBe(BigInt(input.balanceFen));
        input.funds.forEach((fund, i) => {
          const a = result.allocation[i]!;
          expect(a.code).toBe(fund.code);
          expect(a.amountFen >= 0n).toBe(true);
          if (fund.maxFen !== undefined) expect(a.amountFen <= BigInt(fund.maxFen)).toBe(true);
          expect(a.changeFen).toBe(a.amountFen - BigInt(fund.currentFen));
        });
        const demand = BigInt(input.demandUpperFen);
        const capacity = result.allocation.reduce((s, a, i) => s + (a.amountFen < BigInt(input.funds[i]!.instantCapFen) ? a.amountFen : BigInt(input.funds[i]!.instantCapFen)), 0n);
        expect(result.instantCapacityFen).toBe(capacity);
        expect(result.shortfallFen).toBe(demand > result.instantCapacityTomorrowFen ? demand - result.instantCapacityTomorrowFen : 0n);
        expect(result.shortfallFen >= result.shortfallConfirmedFen).toBe(true);
        expect(result.expectedGainFen).toBe(result.expectedIncomeFen - result.baselineIncomeFen);
        expect(result.status).toBe(result.unallocatedFen > 0n ? 'over-limits' : result.shortfallFen > 0n ? 'shortfall' : 'optimal');
      }),
      PROPERTY_RUNS,
    );
  });

  it('when the current holdings fit and cover the demand bound, the result is never worse than keeping them', () => {
    fc.assert(
      fc.property(inputArb, (raw) => {
        const funds = raw.funds.map(({ maxFen: _limit, ...fund }) => fund);
        const held = funds.reduce((sum, f) => sum + BigInt(f.currentFen), 0n);
        const coverable = funds.reduce((sum, f) => sum + (BigInt(f.currentFen) < BigInt(f.instantCapFen) ? BigInt(f.currentFen) : BigInt(f.instantCapFen)), 0n);
        const input: AllocationInput = { ...raw, funds, balanceFen: held, demandUpperFen: BigInt(raw.demandUpperFen) > coverable ? coverable : raw.demandUpperFen };
        const result = optimiser.optimise(input);
        expect(result.shortfallFen).toBe(0n);
        // Rounding the income of each allocation to the fen can cost at most one fen of "gain".
        expect(result.expectedGainFen >= -1n).toBe(true);
      }),
      PROPERTY_RUNS,
    );
  });

  it('tomorrow\'s shortfall is the least possible: what keeping every confirmed holding within its cap leaves uncovered', () => {
    fc.assert(
      fc.property(inputArb, (raw) => {
        const funds = raw.funds.map(({ maxFen: _limit, ...fund }) => fund);
        const held = funds.reduce((sum, f) => sum + BigInt(f.currentFen), 0n);
        const best = funds.reduce((sum, f) => sum + (BigInt(f.currentFen) < BigInt(f.instantCapFen) ? BigInt(f.currentFen) : BigInt(f.instantCapFen)), 0n);
        const result = optimiser.optimise({ ...raw, funds, balanceFen: held });
        const demand = BigInt(raw.demandUpperFen);
        expect(result.shortfallFen).toBe(demand > best ? demand - best : 0n);
      }),
      PROPERTY_RUNS,
    );
  });

  it('apportionFen keeps every amount within one fen of the real value and the sum exact', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 10 }), (values) => {
        const target = BigInt(Math.round(values.reduce((s, v) => s + v, 0)));
        const upper = values.map((v) => BigInt(Math.ceil(v)) + 1n);
        const fen = apportionFen(values, upper, target);
        expect(fen.reduce((s, f) => s + f, 0n)).toBe(target);
        fen.forEach((f, i) => expect(Math.abs(Number(f) - values[i]!)).toBeLessThan(1 + 1e-6));
      }),
      PROPERTY_RUNS,
    );
  });
});
