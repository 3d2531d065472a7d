/**
 * The backtest end to end on a small simulated market (4 funds, 3 merchants, one evaluated year after the
 * forecasters' warm-up): determinism, no look-ahead, the business rules as booked, the JSON shape, the SVG.
 */
import { runBacktest, runBacktestOn, simulateBacktestData, type BacktestData, type BacktestResult, type BacktestSettings } from '../../../src/ml/backtest';
import { renderBacktestSvg } from '../../../src/ml/backtest/svg';
import { SeededRandom } from '../../../src/ml/market';

const small = { seed: 7, fromYear: 2020, toYear: 2020, funds: 4, merchants: 3 } as const;
const settings: BacktestSettings = { record: true, workers: 0 };

let first: BacktestResult;
let data: BacktestData;
beforeAll(async () => {
  data = simulateBacktestData(small);
  first = await runBacktestOn(data, settings);
});

describe('backtest on a small simulated market', () => {
  it('gives the same JSON for the same seed, and different numbers for another seed', async () => {
    const again = await runBacktest(small, { workers: 0 });
    expect(JSON.stringify(again.report)).toBe(JSON.stringify(first.report));
    const other = await runBacktest({ ...small, seed: 8 }, { workers: 0 });
    expect(other.report.strategies[0]!.annualYieldPct).not.toBe(first.report.strategies[0]!.annualYieldPct);
  });

  it('has the fields the issue names, says the market is simulated, and is plain JSON', () => {
    const report = JSON.parse(JSON.stringify(first.report));
    expect(report.simulated).toBe(true);
    expect(report.note).toMatch(/SIMULATED/);
    expect(report.strategies.map((s: { name: string }) => s.name)).toEqual(['hold-one', 'equal-weights', 'forecast-switching', 'iimmf']);
    for (const s of report.strategies) {
      for (const field of ['annualYieldPct', 'instantCapacityCny', 'turnover', 'yieldUpliftPct', 'instantCapacityUpliftPct']) expect(typeof s[field]).toBe('number');
      expect(typeof s.name).toBe('string');
      expect(s.merchants).toEqual(expect.objectContaining({ coverageRate: expect.any(Number), paidAtOnceShare: expect.any(Number) }));
    }
    expect(typeof report.yieldUpliftPct).toBe('number');
    expect(typeof report.instantCapacityUpliftPct).toBe('number');
    expect(report.strategies[0].yieldUpliftPct).toBe(0);
    expect(report.yieldUpliftPct).toBe(report.strategies[2].yieldUpliftPct);
    expect(report.instantCapacityUpliftPct).toBe(report.strategies[3].merchants.instantCapacityUpliftPct);
    expect(report.evaluation).toEqual({ from: '2020-01-01', to: '2020-12-31', days: 366, businessDays: 262 });
    expect(report.forecastErrors.yield.forecasts).toBe(366 * 4);
    expect(report.forecastErrors.demand.method).toBe('arima');
  });

  it('makes no decision on or before a day that depends on the market or the merchants after it', async () => {
    const cut = data.evaluationStart + 150;
    const random = SeededRandom.fromSeed('look-ahead');
    const changed: BacktestData = {
      ...data,
      market: {
        dates: data.market.dates,
        overnightRatePct: data.market.overnightRatePct.map((v, t) => (t > cut ? v + 0.5 * random.uniform() : v)),
        funds: data.market.funds.map((fund) => {
          const micros = fund.perTenKMicros.map((v, t) => (t > cut ? v + Math.round((random.uniform() - 0.5) * 6_000) : v));
          return { code: fund.code, perTenKMicros: micros, perTenK: micros.map((m) => m / 10_000) };
        }),
      },
      merchants: data.merchants.map((m) => ({
        id: m.id,
        inflowFen: m.inflowFen.map((v, t) => (t > cut ? Math.round(v * 3 * random.uniform()) : v)),
        withdrawalFen: m.withdrawalFen.map((v, t) => (t > cut ? Math.round(v * 3 * random.uniform()) : v)),
      })),
    };
    const second = await runBacktestOn(changed, settings);
    const cutDate = data.market.dates[cut]!;
    const upTo = (lines: string[]) => lines.filter((line) => line.slice(0, 10) <= cutDate);
    let later = 0;
    let differentLater = 0;
    for (const name of ['hold-one', 'equal-weights', 'forecast-switching', 'iimmf'] as const) {
      const a = first.record!.decisions[name];
      const b = second.record!.decisions[name];
      expect(upTo(b.investor)).toEqual(upTo(a.investor));
      a.merchants.forEach((lines, m) => expect(upTo(b.merchants[m]!)).toEqual(upTo(lines)));
      for (const [x, y] of [[a.investor, b.investor], ...a.merchants.map((lines, m) => [lines, b.merchants[m]!])] as [string[], string[]][]) {
        later += x.length - upTo(x).length;
        if (JSON.stringify(x.slice(upTo(x).length)) !== JSON.stringify(y.slice(upTo(y).length))) differentLater += 1;
      }
    }
    expect(later).toBeGreaterThan(0);
    expect(differentLater).toBeGreaterThan(0); // the change matters after the cut, so the test has teeth
  });

  it('never counts instant capacity above the caps, nor redeems more than the cap from a fund in a day', () => {
    const record = first.record!;
    for (const name of ['hold-one', 'equal-weights', 'forecast-switching', 'iimmf'] as const) {
      for (const capacity of record.capacityFen[name]) {
        capacity.forEach((c, k) => expect(c).toBeLessThanOrEqual(4 * record.capFen[k]!));
      }
      for (const outcome of [record.outcomes[name].investor, ...record.outcomes[name].merchants]) {
        expect(outcome.maxFundCapacityShareOfCap).toBeLessThanOrEqual(1);
        expect(outcome.maxInstantShareOfCap).toBeLessThanOrEqual(1);
      }
    }
    expect(new Set(record.capFen)).toEqual(new Set([1_000_000])); // 2020: 10,000 CNY per fund per day
  });

  it('a switch earns nothing from the day its redemption pays until the purchase is confirmed', () => {
    const decisions = first.record!.decisions['forecast-switching'].investor;
    const income = first.record!.outcomes['forecast-switching'].investor.daily!.income;
    const dates = data.market.dates;
    const e0 = data.evaluationStart;
    const switches = decisions.filter((line) => line.includes(' redeem '));
    expect(switches.length).toBeGreaterThan(0);
    let checked = 0;
    for (const line of switches) {
      const day = dates.indexOf(line.slice(0, 10));
      // The cash arrives the next business day D′ and buys the new fund, confirmed the business day after, D″.
      const buy = decisions.find((l) => l.slice(0, 10) > line.slice(0, 10) && l.includes(' buy '));
      if (!buy) continue;
      const businessAfter = (t: number) => dates.findIndex((d, u) => u > t && ![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()));
      const paid = dates.indexOf(buy.slice(0, 10));
      expect(paid).toBe(businessAfter(day)); // the redemption pays the next business day, and the cash is bought at once
      const confirmed = businessAfter(paid);
      if (confirmed < 0) continue;
      expect(income[day - e0]).toBeGreaterThan(0); // the old fund still pays on the redemption day
      for (let t = paid; t < confirmed; t += 1) expect(income[t - e0]).toBe(0);
      expect(income[confirmed - e0]).toBeGreaterThan(0);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('draws a well-formed SVG with the two panels, a legend and a title saying the market is simulated', () => {
    const svg = renderBacktestSvg(first.series, first.report);
    expect(svg.length).toBeLessThan(100_000);
    // Rough XML check: every tag closes in order, one root <svg>, attribute values quoted.
    const stack: string[] = [];
    let roots = 0;
    for (const match of svg.replace(/<\?xml[^>]*\?>/, '').matchAll(/<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)) {
      const [, closing, name, , selfClosing] = match;
      if (closing) expect(stack.pop()).toBe(name);
      else if (!selfClosing) {
        if (stack.length === 0) roots += 1;
        stack.push(name!);
      }
    }
    expect(stack).toEqual([]);
    expect(roots).toBe(1);
    expect(svg.replace(/<[^>]*>/g, '').match(/[<>]/g)).toBeNull(); // no stray angle brackets in text
    expect(svg).toMatch(/<title>[^<]*simulated market/i);
    expect(svg).toContain('id="panel-yield"');
    expect(svg).toContain('id="panel-income"');
    expect(svg.match(/<polyline /g)).toHaveLength(8);
    expect(svg.match(/class="legend-item"/g)).toHaveLength(4);
  });
});
