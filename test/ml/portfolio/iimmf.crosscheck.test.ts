/**
 * Cross-check: the optimal objective HiGHS finds equals the one an independent solver (yalps, a pure
 * JavaScript simplex) finds for the LP written out in docs/iimmf.md. The yalps model below is built from
 * the document, not from the code under test, so it checks the model building as well as the solver.
 */
import fc from 'fast-check';
import { solve, type Coefficients, type Constraint } from 'yalps';
import { CHURN_TIE_BREAK_FACTOR, SHORTFALL_PENALTY_FACTOR, createOptimiser, type AllocationInput, type IimmfOptimiser } from '../../../src/ml/portfolio/iimmf';
import { CAP_2018, PROPERTY_RUNS, cny, inputArb } from './fixtures';

interface Reference {
  readonly objectiveFen: number;
  readonly status: string;
}

/** docs/iimmf.md, "The linear programme", transcribed for yalps (all yalps variables are ≥ 0). */
function solveWithYalps(input: AllocationInput): Reference {
  const B = Number(input.balanceFen);
  const H = input.horizonDays;
  const d = Math.min(input.switchCostDays ?? 1, H);
  const D = Math.max(0, Number(input.demandUpperFen));
  const funds = input.funds;
  const U0 = funds.map((f) => (f.maxFen === undefined ? B : Math.min(Number(f.maxFen), B)));
  const T = Math.min(B, U0.reduce((s, u) => s + u, 0));
  const U = U0.map((u) => Math.min(u, T));
  const maxAbs = Math.max(0, ...funds.map((f) => Math.abs(f.forecastPerTenK)));
  const scale = ((maxAbs > 0 ? maxAbs : 1) * (H + d)) / 10_000;
  const g = funds.map((f) => (f.forecastPerTenK * H) / 10_000);
  const k = funds.map((f) => (Math.max(f.forecastPerTenK, 0) * d) / 10_000);
  const tau = CHURN_TIE_BREAK_FACTOR * scale;
  const P = SHORTFALL_PENALTY_FACTOR * scale;

  // The objective is divided by `scale` for yalps too (its zero tolerance is an absolute 1e-8).
  const constraints: [string, Constraint][] = [
    ['sum', { equal: T }],
    ['demandTomorrow', { min: D }],
    ['demandConfirmed', { min: D }],
    ['s1ub', { max: D }],
    ['s2ub', { max: D }],
  ];
  const variables: [string, Coefficients][] = [];
  funds.forEach((f, i) => {
    const cur = Number(f.currentFen);
    const cap = Number(f.instantCapFen);
    constraints.push([`buy${i}`, { max: cur }], [`kept${i}`, { max: 0 }], [`conf${i}`, { max: 0 }], [`xub${i}`, { max: U[i]! }], [`tub${i}`, { max: cap }], [`cub${i}`, { max: cap }]);
    // x_i − b_i ≤ cur_i;  t_i − (x_i − b_i) ≤ 0;  c_i − x_i ≤ 0;  Σ x_i = T;  Σ t_i + s1 ≥ D;  Σ c_i + s2 ≥ D.
    variables.push([`x${i}`, { obj: g[i]! / scale, sum: 1, [`buy${i}`]: 1, [`kept${i}`]: -1, [`conf${i}`]: -1, [`xub${i}`]: 1 }]);
    variables.push([`b${i}`, { obj: -(k[i]! + tau) / scale, [`buy${i}`]: -1, [`kept${i}`]: 1 }]);
    variables.push([`t${i}`, { [`kept${i}`]: 1, [`tub${i}`]: 1, demandTomorrow: 1 }]);
    variables.push([`c${i}`, { [`conf${i}`]: 1, [`cub${i}`]: 1, demandConfirmed: 1 }]);
  });
  variables.push(['s1', { obj: -P / scale, demandTomorrow: 1, s1ub: 1 }]);
  variables.push(['s2', { obj: -P / scale, demandConfirmed: 1, s2ub: 1 }]);
  const solution = solve({ direction: 'maximize', objective: 'obj', constraints, variables }, { precision: 1e-9 });
  return { objectiveFen: solution.result * scale, status: solution.status };
}

const relativeGap = (a: number, b: number): number => Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b));

let optimiser: IimmfOptimiser;
beforeAll(async () => {
  optimiser = await createOptimiser();
});
afterAll(() => optimiser.dispose());

describe('IIMMF cross-check: HiGHS against yalps', () => {
  it('agrees on a hand case (two funds, binding instant cap)', () => {
    const input: AllocationInput = {
      balanceFen: cny(100_000),
      horizonDays: 30,
      demandUpperFen: cny(15_000),
      funds: [
        { code: 'A', forecastPerTenK: 0.8, currentFen: cny(50_000), instantCapFen: CAP_2018 },
        { code: 'B', forecastPerTenK: 0.5, currentFen: cny(50_000), instantCapFen: CAP_2018 },
      ],
    };
    const reference = solveWithYalps(input);
    expect(reference.status).toBe('optimal');
    expect(relativeGap(optimiser.optimise(input).lpObjective, reference.objectiveFen)).toBeLessThan(1e-6);
  });

  it('agrees within 1e-6 relative on random wallets (fast-check, seed 7)', () => {
    let withShortfall = 0;
    let withSwitches = 0;
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = optimiser.optimise(input);
        const reference = solveWithYalps(input);
        expect(reference.status).toBe('optimal');
        expect(relativeGap(result.lpObjective, reference.objectiveFen)).toBeLessThan(1e-6);
        if (result.shortfallFen > 0n) withShortfall++;
        if (result.movedFen > 0n) withSwitches++;
      }),
      PROPERTY_RUNS,
    );
    // The random wallets exercise both the demand penalty and the switching cost.
    expect(withShortfall).toBeGreaterThan(10);
    expect(withSwitches).toBeGreaterThan(10);
  });
});
