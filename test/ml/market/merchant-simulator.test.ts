import { createHash } from 'node:crypto';
import { type MerchantSimulation, simulateMerchants } from '../../../src/ml/market/merchant-simulator';
import { SimulatorInputError } from '../../../src/ml/market/market-simulator';
import { calendarDay, isoDayNumber } from '../../../src/ml/market/sim-calendar';

const OPTIONS = { seed: 7, startDate: '2018-01-01', endDate: '2022-12-31', merchants: 60 } as const;
let simulation: MerchantSimulation;

beforeAll(() => {
  simulation = simulateMerchants(OPTIONS);
});

const hash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const days = () => simulation.dates.map((date) => calendarDay(isoDayNumber(date)!));

describe('simulateMerchants', () => {
  it('gives each merchant a non-negative whole-fen inflow and withdrawal for every calendar day', () => {
    expect(simulation.dates).toHaveLength(1826);
    expect(simulation.merchants).toHaveLength(60);
    expect(new Set(simulation.merchants.map((m) => m.id)).size).toBe(60);
    for (const merchant of simulation.merchants) {
      expect(merchant.inflowFen).toHaveLength(1826);
      expect(merchant.withdrawalFen).toHaveLength(1826);
      const bad = [...merchant.inflowFen, ...merchant.withdrawalFen].filter((value) => !Number.isSafeInteger(value) || value < 0);
      expect(bad).toEqual([]);
      expect(sum(merchant.inflowFen)).toBeGreaterThan(0);
      expect(sum(merchant.withdrawalFen)).toBeGreaterThan(0);
    }
  });

  it('is deterministic, pinned by a hash, and a merchant does not change when merchants are added', () => {
    const small = { seed: 99, startDate: '2019-12-01', endDate: '2020-03-31', merchants: 3 };
    const a = simulateMerchants(small);
    expect(simulateMerchants(small)).toEqual(a);
    expect(hash(a.merchants.map((m) => [m.inflowFen, m.withdrawalFen]))).toBe('9cdc4d4fd33b81c953453e768c56638f6f0f358c8bfba62afac2b0d166991b2f');
    const more = simulateMerchants({ ...small, merchants: 5 });
    expect(more.merchants.slice(0, 3)).toEqual(a.merchants);
    expect(simulateMerchants({ ...small, seed: 100 }).merchants[0]!.inflowFen).not.toEqual(a.merchants[0]!.inflowFen);
  });

  it('makes merchants differ in scale (lognormal) and archetype', () => {
    const scales = simulation.merchants.map((m) => m.scaleFen).sort((a, b) => a - b);
    expect(scales.at(-1)! / scales[0]!).toBeGreaterThan(20);
    expect(new Set(simulation.merchants.map((m) => m.archetype)).size).toBe(4);
  });

  it('has weekday patterns: business-to-business merchants are quiet at weekends, shops busy', () => {
    const calendar = days();
    const weekendShare = (archetype: string) => {
      let weekend = 0;
      let all = 0;
      for (const merchant of simulation.merchants.filter((m) => m.archetype === archetype)) {
        merchant.inflowFen.forEach((value, t) => {
          all += value;
          if (!calendar[t]!.businessDay) weekend += value;
        });
      }
      return weekend / all;
    };
    expect(weekendShare('b2b')).toBeLessThan(0.1);
    expect(weekendShare('retail')).toBeGreaterThan(2 / 7);
    expect(weekendShare('restaurant')).toBeGreaterThan(2 / 7);
  });

  it('lifts consumer-facing inflow on paydays (10th and 25th) against the days before', () => {
    const calendar = days();
    let payday = 0;
    let before = 0;
    for (const merchant of simulation.merchants.filter((m) => m.archetype !== 'b2b')) {
      merchant.inflowFen.forEach((value, t) => {
        const d = calendar[t]!.day;
        if (d === 10 || d === 25) payday += value;
        if (d === 8 || d === 23) before += value;
      });
    }
    expect(payday / before).toBeGreaterThan(1.1);
  });

  it('has withdrawal spikes on each merchant’s payroll day and a trend over the years', () => {
    const calendar = days();
    let spikes = 0;
    for (const merchant of simulation.merchants) {
      const onPayroll = merchant.withdrawalFen.filter((_, t) => calendar[t]!.day === merchant.payrollDay);
      const otherwise = merchant.withdrawalFen.filter((_, t) => calendar[t]!.day === merchant.payrollDay - 3);
      if (sum(onPayroll) > 2 * sum(otherwise)) spikes += 1;
    }
    expect(spikes).toBeGreaterThan(simulation.merchants.length * 0.9);
    // Trends differ: some merchants grow, some shrink, from the first year to the last.
    const growth = simulation.merchants.map((m) => sum(m.inflowFen.slice(-365)) / sum(m.inflowFen.slice(0, 365)));
    expect(growth.some((g) => g > 1.3)).toBe(true);
    expect(growth.some((g) => g < 0.9)).toBe(true);
  });

  it('withdraws most of what comes in over time', () => {
    const ratio = sum(simulation.merchants.map((m) => sum(m.withdrawalFen))) / sum(simulation.merchants.map((m) => sum(m.inflowFen)));
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1.1);
  });

  it('names bad input', () => {
    expect(() => simulateMerchants({ ...OPTIONS, merchants: 0 })).toThrow(SimulatorInputError);
    expect(() => simulateMerchants({ ...OPTIONS, startDate: '2018-13-01' })).toThrow(expect.objectContaining({ code: 'BAD_DATE' }));
  });
});
