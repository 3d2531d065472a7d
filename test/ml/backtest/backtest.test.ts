/**
 * The backtest end to end on a small simulated market (4 funds, 3 merchants, one evaluated year after the
 * forecasters' warm-up): determinism, no look-ahead, the business rules as booked, the JSON shape, the SVG.
 */
import { isBusinessDay } from '../../../src/domain/iso-date';
import { runBacktest, runBacktestOn, simulateBacktestData, type BacktestData, type BacktestResult, type BacktestSettings } from '../../../src/ml/backtest';
import { renderBacktestSvg } from '../../../src/ml/backtest/svg';
import { SeededRandom } from '../../../src/ml/market';

const small = { seed: 7, fromYear: 2020, toYear: 2020, funds: 4, merchants: 3 } as const;
const settings: BacktestSettings = { record: true, workers: 0 };

/** The same data with every fund's income changed from day `from` on, and the merchants' flows too if asked. */
function perturbed(source: BacktestData, from: number, merchantsToo: boolean): BacktestData {
  const random = SeededRandom.fromSeed(`look-ahead-${from}`);
  return {
    ...source,
    market: {
      dates: source.market.dates,
      overnightRatePct: source.market.overnightRatePct.map((v, t) => (t >= from ? v + 0.5 * random.uniform() : v)),
      funds: source.market.funds.map((fund) => {
        const micros = fund.perTenKMicros.map((v, t) => (t >= from ? v + Math.round((random.uniform() - 0.5) * 6_000) : v));
        return { code: fund.code, perTenKMicros: micros, perTenK: micros.map((m) => m / 10_000) };
      }),
    },
    merchants: merchantsToo
      ? source.merchants.map((m) => ({
          id: m.id,
          inflowFen: m.inflowFen.map((v, t) => (t >= from ? Math.round(v * 3 * random.uniform()) : v)),
          withdrawalFen: m.withdrawalFen.map((v, t) => (t >= from ? Math.round(v * 3 * random.uniform()) : v)),
        }))
      : source.merchants,
  };
}

/** The same data with one fund's income raised by 4 CNY per 10,000 shares a day from day `from` on. */
function boosted(source: BacktestData, from: number, code: string): BacktestData {
  const funds = source.market.funds.map((fund) => {
    if (fund.code !== code) return fund;
    const micros = fund.perTenKMicros.map((v, t) => (t >= from ? v + 40_000 : v));
    return { code: fund.code, perTenKMicros: micros, perTenK: micros.map((m) => m / 10_000) };
  });
  return { ...source, market: { ...source.market, funds } };
}

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
      expect(s.merchants).toEqual(
        expect.objectContaining({ paidAtOnceShare: expect.any(Number), daysCoveredShare: expect.any(Number), unmetInstantCnyPerMerchantYear: expect.any(Number), yieldGivenUpBpPerYear: expect.any(Number) }),
      );
      expect(s.merchants.yieldGivenUpBpPerYear).toBeGreaterThanOrEqual(0);
    }
    expect(report.fundZeroQuantile).toBe(0.5);
    expect(report.liquidity.baseline).toMatchObject({ name: 'cap-reserve', merchants: { paidAtOnceShare: expect.any(Number) } });
    const best = [...report.strategies.map((s: { name: string; merchants: object }) => ({ name: s.name, merchants: s.merchants })), report.liquidity.baseline].find(
      (s: { name: string }) => s.name === report.liquidity.bestYieldStrategy,
    );
    expect(best.merchants.yieldGivenUpBpPerYear).toBe(0);
    const coverage = report.forecastErrors.demand.boundCoverage;
    expect(coverage).toMatchObject({ nominalPct: 97.5, method: 'conformal' });
    expect(Object.keys(coverage.oneDayAheadPct)).toEqual(['gaussian', 'empirical', 'conformal']);
    // One-day-ahead scores: every evaluated origin of every merchant.
    expect(coverage.counts.oneDayAhead.conformal.scored).toBe(3 * 366);
    expect(typeof report.yieldUpliftPct).toBe('number');
    expect(typeof report.instantCapacityUpliftPct).toBe('number');
    expect(report.strategies[0].yieldUpliftPct).toBe(0);
    expect(report.yieldUpliftPct).toBe(report.strategies[2].yieldUpliftPct);
    expect(report.instantCapacityUpliftPct).toBe(report.strategies[3].merchants.instantCapacityUpliftPct);
    expect(report.evaluation).toEqual({ from: '2020-01-01', to: '2020-12-31', days: 366, businessDays: 243 }); // the exchanges' trading days of 2020
    expect(report.forecastErrors.yield.forecasts).toBe(366 * 4);
    expect(report.forecastErrors.demand.method).toBe('arima');
  });

  it('makes no decision before a day that depends on the market or the merchants from that day on', async () => {
    const cut = data.evaluationStart + 150;
    const second = await runBacktestOn(perturbed(data, cut, true), settings);
    const cutDate = data.market.dates[cut]!;
    const before = (lines: string[]) => lines.filter((line) => line.slice(0, 10) < cutDate);
    let later = 0;
    let differentLater = 0;
    for (const name of ['hold-one', 'equal-weights', 'forecast-switching', 'iimmf'] as const) {
      const a = first.record!.decisions[name];
      const b = second.record!.decisions[name];
      expect(before(b.investor)).toEqual(before(a.investor));
      a.merchants.forEach((lines, m) => expect(before(b.merchants[m]!)).toEqual(before(lines)));
      for (const [x, y] of [[a.investor, b.investor], ...a.merchants.map((lines, m) => [lines, b.merchants[m]!])] as [string[], string[]][]) {
        later += x.length - before(x).length;
        if (JSON.stringify(x.slice(before(x).length)) !== JSON.stringify(y.slice(before(y).length))) differentLater += 1;
      }
    }
    expect(later).toBeGreaterThan(0);
    expect(differentLater).toBeGreaterThan(0); // the change matters from the cut on, so the test has teeth
  });

  it.each([0, 2])('decides on day t without the incomes of day t − %i and later (15:00 cut, incomes published after the close)', async (lag) => {
    // On each of the investor's switch days t, the fund it leaves is made to pay far more from a day on. From
    // day t − lag on, the decision cannot know it and still redeems that fund; from one day earlier, its
    // forecasts see the jump and it stays.
    // Three years, so that even a two-day delay leaves a few switches to check (a switch loses two to four days).
    const investorData = simulateBacktestData({ ...small, fromYear: 2018, merchants: 0 });
    const lagged: BacktestSettings = { ...settings, decisionLagDays: lag };
    const base = await runBacktestOn(investorData, lagged);
    const dates = investorData.market.dates;
    const lines = (result: BacktestResult) => result.record!.decisions['forecast-switching'].investor;
    const redeemedOn = (result: BacktestResult, date: string, code: string) => lines(result).some((l) => l.startsWith(`${date} redeem ${code} `));
    const switches = lines(base)
      .filter((l) => l.includes(' redeem '))
      .slice(0, 3)
      .map((l) => ({ date: l.slice(0, 10), code: l.split(' ')[2]! }));
    expect(switches.length).toBeGreaterThan(1);
    for (const { date, code } of switches) {
      const t = dates.indexOf(date);
      expect(redeemedOn(await runBacktestOn(boosted(investorData, t - lag, code), lagged), date, code)).toBe(true);
      expect(redeemedOn(await runBacktestOn(boosted(investorData, t - lag - 1, code), lagged), date, code)).toBe(false);
    }
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

  it('a switch by standard redemption earns nothing from the first day its business date records until the new fund is confirmed', () => {
    const decisions = first.record!.decisions['forecast-switching'].investor;
    const income = first.record!.outcomes['forecast-switching'].investor.daily!.income;
    const dates = data.market.dates;
    const e0 = data.evaluationStart;
    const businessAfter = (t: number) => dates.findIndex((d, u) => u > t && isBusinessDay(d));
    const switches = decisions.filter((line) => line.includes(' redeem ') && !line.endsWith(' instant'));
    expect(switches.length).toBeGreaterThan(0);
    let checked = 0;
    for (const line of switches) {
      const day = dates.indexOf(line.slice(0, 10));
      // The days recorded under this business date: from the day after the previous business day.
      let first = day;
      while (!isBusinessDay(dates[first - 1]!)) first -= 1;
      // The cash comes at this date's close and buys the new fund under the next business date D′, confirmed at D″'s close.
      const buy = decisions.find((l) => l.slice(0, 10) > line.slice(0, 10) && l.includes(' buy '));
      if (!buy || first - 1 < e0) continue;
      const paid = dates.indexOf(buy.slice(0, 10));
      expect(paid).toBe(businessAfter(day));
      const confirmed = businessAfter(paid);
      if (confirmed < 0 || confirmed - e0 >= income.length) continue;
      expect(income[first - 1 - e0]).toBeGreaterThan(0); // the old fund paid up to the previous close
      for (let t = first; t < confirmed; t += 1) expect(income[t - e0]).toBe(0);
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
