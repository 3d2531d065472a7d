/**
 * `ifw market` and `ifw backtest` as users run them: the compiled CLI (dist/, built by `npm test`'s
 * pretest), with worker threads. Skipped, and said so, when there is no build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = join(process.cwd(), 'dist', 'cli', 'main.js');
const built = existsSync(bin) && existsSync(join(process.cwd(), 'dist', 'ml', 'backtest', 'wallet-worker.js'));
const ifw = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
if (!built) console.warn('test/ml/backtest/cli.test.ts: no compiled CLI in dist/ (run npm run build); skipped');
const maybe = built ? describe : describe.skip;

maybe('ifw market and ifw backtest', () => {
  it('give help with --data DIR and --json, and refuse bad options with status 2', () => {
    for (const command of ['market', 'simulate', 'backtest']) {
      const help = ifw(command, '--help');
      expect(help.status).toBe(0);
      expect(help.stdout).toContain('--data DIR');
      expect(help.stdout).toContain('--json');
      expect(help.stdout).toMatch(/SIMULATED/);
    }
    expect(ifw('backtest', '--years', '2025-2014').status).toBe(2);
    expect(ifw('backtest', '--demand', 'oracle').status).toBe(2);
    expect(ifw('backtest', '--decision-lag-days', '31').status).toBe(2);
    expect(ifw('backtest', '--seeds', '3', '--svg', 'chart.svg').status).toBe(2);
    expect(ifw('backtest', '--seeds', '0').status).toBe(2);
    expect(ifw('backtest', '--fund-zero-quantile', '0.99').status).toBe(2);
    expect(ifw('backtest', '--bound', 'oracle').status).toBe(2);
    expect(ifw('backtest', '--seed', '1', '--merchant-seeds', '1').status).toBe(2);
    expect(ifw('market', '--funds', 'many').status).toBe(2);
  });

  it('market --json prints a bounded summary that says the data are simulated', () => {
    const run = ifw('market', '--json', '--years', '2020-2021', '--funds', '3', '--merchants', '2', '--data', tmpdir());
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ simulated: true, from: '2020-01-01', to: '2021-12-31', days: 731 });
    expect(summary.funds).toHaveLength(3);
    expect(summary.yearly.map((y: { year: number }) => y.year)).toEqual([2020, 2021]);
    expect(summary.merchants.count).toBe(2);
    expect(summary.series).toBeUndefined();
  });

  it('backtest refuses years outside 2014-2025 with status 2 and a message naming --allow-any-years, and runs them with it', () => {
    const refused = ifw('backtest', '--seed', '1', '--years', '2013', '--funds', '3', '--merchants', '0');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/--years must lie within 2014-2025.*--allow-any-years/);
    expect(ifw('backtest', '--seed', '1', '--years', '2026', '--funds', '3', '--merchants', '0').status).toBe(2);
    const allowed = ifw('backtest', '--seed', '1', '--years', '2013', '--funds', '3', '--merchants', '0', '--allow-any-years', '--json');
    expect(allowed.status).toBe(0);
    expect(JSON.parse(allowed.stdout).evaluation.from).toBe('2013-01-01');
  });

  it('backtest --seeds N --json summarises every strategy over the seeds at both places of fund 0, with the merchants on the first seeds', () => {
    const run = ifw('backtest', '--seeds', '3', '--json', '--years', '2021', '--funds', '3', '--merchants', '2', '--merchant-seeds', '1', '--demand', 'seasonal-naive');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ simulated: true, seeds: [1, 2, 3], decisionLagDays: 0, fundZeroQuantiles: [0.5, 0.25] });
    expect(report.merchants).toMatchObject({ seeds: [1], merchantsPerSeed: 2, boundMethod: 'conformal' });
    expect(report.demandBounds).toMatchObject({ nominalPct: 97.5, oneDayAheadPct: { gaussian: expect.any(Number), empirical: expect.any(Number), conformal: expect.any(Number) } });
    const spread = { median: expect.any(Number), p10: expect.any(Number), p90: expect.any(Number) };
    for (const q of ['0.5', '0.25']) {
      const summary = report.byFundZeroQuantile[q];
      expect(summary.fundZeroQuantile).toBe(Number(q));
      expect(summary.strategies.map((s: { name: string }) => s.name)).toEqual(['hold-one', 'equal-weights', 'forecast-switching', 'iimmf']);
      for (const s of summary.strategies) expect(s).toMatchObject({ yieldUpliftPct: spread, yieldUpliftBpPerYear: spread, ceilingShare: spread });
      expect(summary.ceiling).toMatchObject({ yieldUpliftPct: spread, yieldUpliftBpPerYear: spread });
      expect(summary.bestNonForecastRule).toEqual({ name: expect.stringMatching(/^(trailing-mean|momentum)-/), yieldUpliftPct: expect.any(Number) });
      const best = summary.nonForecastRules.find((r: { name: string }) => r.name === summary.bestNonForecastRule.name);
      expect(best.yieldUpliftPct.median).toBe(summary.bestNonForecastRule.yieldUpliftPct);
      expect(summary.perSeed).toHaveLength(3);
      for (const s of summary.strategies) {
        expect(s.yieldUpliftPct.p10).toBeLessThanOrEqual(s.yieldUpliftPct.median);
        expect(s.yieldUpliftPct.median).toBeLessThanOrEqual(s.yieldUpliftPct.p90);
        expect(s.yieldUpliftPct.p90).toBeLessThanOrEqual(summary.ceiling.yieldUpliftPct.p90);
      }
      expect(summary.liquidity.strategies.map((s: { name: string }) => s.name)).toEqual(['hold-one', 'equal-weights', 'forecast-switching', 'iimmf', 'cap-reserve']);
      for (const s of summary.liquidity.strategies) expect(s).toMatchObject({ paidAtOnceShare: spread, daysCoveredShare: spread, unmetInstantCnyPerMerchantYear: spread, yieldGivenUpBpPerYear: spread });
    }
    const one = JSON.parse(ifw('backtest', '--seeds', '2', '--json', '--years', '2021', '--funds', '3', '--merchant-seeds', '0', '--fund-zero-quantile', '0.25').stdout);
    expect(Object.keys(one.byFundZeroQuantile)).toEqual(['0.25']);
    expect(one.merchants).toBeNull();
    const text = ifw('backtest', '--seeds', '2', '--years', '2021', '--funds', '3', '--merchant-seeds', '0');
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/over 2 seeds of a SIMULATED market/);
    expect(text.stdout).toMatch(/fund 0 at quantile 0.25 of the funds/);
    expect(text.stdout).toMatch(/ceiling: perfect foresight/);
    expect(text.stdout).not.toMatch(/while invested/);
  });

  it('backtest --seed --json prints only the JSON report, the same with workers as in one thread, and --svg draws the chart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ifw-backtest-'));
    try {
      const svg = join(dir, 'chart.svg');
      const args = ['backtest', '--seed', '20140101', '--json', '--years', '2021', '--funds', '3', '--merchants', '2', '--demand', 'seasonal-naive'];
      const run = ifw(...args, '--svg', svg);
      expect(run.status).toBe(0);
      const report = JSON.parse(run.stdout);
      expect(report.simulated).toBe(true);
      expect(report.strategies).toHaveLength(4);
      for (const s of report.strategies) expect(Object.keys(s)).toEqual(expect.arrayContaining(['name', 'annualYieldPct', 'instantCapacityCny', 'turnover']));
      expect(typeof report.yieldUpliftPct).toBe('number');
      expect(typeof report.instantCapacityUpliftPct).toBe('number');
      const oneThread = ifw(...args, '--workers', '0');
      expect(JSON.parse(oneThread.stdout)).toEqual(report);
      expect(readFileSync(svg, 'utf8')).toContain('id="panel-income"');
      expect(report.ceiling).toMatchObject({ name: 'ceiling', yieldUpliftPct: expect.any(Number), upperBoundIncomeCny: expect.any(Number) });
      expect(report.nonForecastRules).toHaveLength(6);
      expect(report.strategies[0].investor.investedYieldPct).toBeUndefined();
      const text = ifw('backtest', '--seed', '20140101', '--years', '2021', '--funds', '3', '--merchants', '2', '--demand', 'seasonal-naive');
      expect(text.status).toBe(0);
      expect(text.stdout).toMatch(/SIMULATED market/);
      expect(text.stdout).toMatch(/thesis: "\+15-20 % yield/);
      expect(text.stdout).toMatch(/best non-forecast rule: /);
      expect(text.stdout).toMatch(/paid at once/);
      expect(text.stdout).toMatch(/demand bounds, nominal 97.5 %/);
      expect(text.stdout).not.toMatch(/while invested/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
