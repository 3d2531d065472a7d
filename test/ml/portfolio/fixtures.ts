import fc from 'fast-check';
import type { AllocationInput, FundInput } from '../../../src/ml/portfolio/iimmf';

/** CNY → fen, for readable test data: cny(10_000) = 1,000,000n. */
export const cny = (amount: number): bigint => BigInt(Math.round(amount * 100));

/** The instant-redemption cap since 2018-06-01: 10,000 CNY per investor, per fund, per day. */
export const CAP_2018 = cny(10_000);

/** Fixed seed: a failing run replays exactly and CI never flakes. */
export const PROPERTY_RUNS = { seed: 7, numRuns: 200 };

const fenArb = (max: number) => fc.integer({ min: 0, max }).map(BigInt);

const fundArb = (code: string): fc.Arbitrary<FundInput> =>
  fc.record(
    {
      code: fc.constant(code),
      // 万份收益 with 4 decimals, from a rare negative day to a +1 point outlier (≈ 0 %–5 % a year).
      forecastPerTenK: fc.integer({ min: -200, max: 14_000 }).map((v) => v / 10_000),
      currentFen: fc.oneof(fc.constant(0n), fenArb(50_000_000)),
      maxFen: fenArb(80_000_000),
      instantCapFen: fc.oneof(fc.constant(CAP_2018), fc.constant(cny(50_000)), fc.constant(0n), fenArb(5_000_000)),
    },
    { requiredKeys: ['code', 'forecastPerTenK', 'currentFen', 'instantCapFen'] },
  );

/** Random wallets: 1–8 funds, balances equal to, above or below the current holdings, any demand bound. */
export const inputArb: fc.Arbitrary<AllocationInput> = fc
  .integer({ min: 1, max: 8 })
  .chain((n) =>
    fc.record({
      funds: fc.tuple(...Array.from({ length: n }, (_, i) => fundArb(`F${i}`))),
      balanceShift: fc.oneof(fc.constant(0), fc.integer({ min: -20_000_000, max: 20_000_000 })),
      demandUpperFen: fc.oneof(fc.constant(0n), fenArb(100_000_000)),
      horizonDays: fc.integer({ min: 1, max: 60 }),
      switchCostDays: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    }),
  )
  .map(({ funds, balanceShift, demandUpperFen, horizonDays, switchCostDays }) => {
    const held = funds.reduce((sum, f) => sum + BigInt(f.currentFen), 0n);
    const balance = held + BigInt(balanceShift);
    return {
      balanceFen: balance < 0n ? 0n : balance,
      funds,
      demandUpperFen,
      horizonDays,
      ...(switchCostDays === undefined ? {} : { switchCostDays }),
    };
  });
