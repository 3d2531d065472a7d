import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forecastArima } from '../../../src/ml/demand/arima-forecast';
import { chooseArimaByAic } from '../../../src/ml/demand/model-selection';
import { forecastMany, forecastManyWithStats, workerEntryPath, type ForecastManyStats } from '../../../src/ml/demand/parallel-forecaster';
import { simulateMerchants } from './fixtures/merchants';

const series = simulateMerchants(12, 200, 99);
const withBad: number[][] = [...series.slice(0, 5), [...series[5]!.slice(0, 100), NaN, ...series[5]!.slice(101)], ...series.slice(6)];
const options = { horizon: 7, period: 7 };

describe('forecastMany under jest (src loaded as ES modules)', () => {
  it('has no compiled worker entry here, so it forecasts in this thread', async () => {
    expect(workerEntryPath()).toBeUndefined();
    const run = await forecastManyWithStats(series.slice(0, 2), options, { workers: 2 });
    expect(run.mode).toBe('in-thread');
  });

  it('gives each series what chooseArimaByAic gives it, in input order', async () => {
    const results = await forecastMany(series.slice(0, 4), options);
    results.forEach((item, i) => {
      expect(item.ok).toBe(true);
      const direct = chooseArimaByAic(series[i]!, { period: 7, horizon: 7 });
      if (item.ok) {
        expect(item.spec).toEqual(direct.spec);
        expect(item.forecast).toEqual(direct.forecast);
      }
    });
  });

  it('forecasts a fixed model when given one', async () => {
    const spec = { order: [1, 0, 1], seasonal: [0, 1, 1], period: 7 } as const;
    const [item] = await forecastMany([series[0]!], { horizon: 3, spec });
    expect(item).toMatchObject({ ok: true, forecast: forecastArima(series[0]!, spec, 3) });
  });

  it('fails only the bad series, with its typed error', async () => {
    const results = await forecastMany(withBad.slice(0, 7), options);
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true, true, false, true]);
    expect(results[5]).toMatchObject({ ok: false, error: { code: 'NON_FINITE', details: { index: 100 } } });
    const [short] = await forecastMany([[1, 2, 3]], options);
    expect(short).toMatchObject({ ok: false, error: { code: 'TOO_FEW_POINTS' } });
  });

  it('refuses a bad horizon or worker count for the whole batch', async () => {
    await expect(forecastMany(series, { horizon: 0 })).rejects.toMatchObject({ code: 'BAD_HORIZON' });
    await expect(forecastMany(series, options, { workers: -1 })).rejects.toMatchObject({ code: 'BAD_SPEC' });
  });
});

describe('forecastMany compiled (dist/) on worker threads', () => {
  it('uses the workers and gives identical results with 2 workers, 1 worker, in-thread, and from src', async () => {
    const entry = join(process.cwd(), 'dist', 'ml', 'demand', 'demand-worker.js');
    if (!existsSync(entry)) throw new Error('run `npm run build` first: this test runs dist/ml/demand with worker threads');
    const dir = mkdtempSync(join(tmpdir(), 'ifw-demand-'));
    try {
      const file = join(dir, 'input.json');
      writeFileSync(file, JSON.stringify({ series: withBad.map((s) => s.map((v) => (Number.isNaN(v) ? 'NaN' : v))), options }));
      const child = join(process.cwd(), 'test', 'ml', 'demand', 'fixtures', 'forecast-many-child.cjs');
      const output = await new Promise<string>((resolve, reject) => {
        const proc = spawn(process.execPath, [child, file], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        proc.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
        proc.on('error', reject);
        proc.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited with ${code}`))));
      });
      const { two, one, none } = JSON.parse(output) as Record<'two' | 'one' | 'none', ForecastManyStats>;
      expect(two).toMatchObject({ mode: 'workers', workers: 2, chunks: 4 });
      expect(one).toMatchObject({ mode: 'workers', workers: 1, chunks: 3 });
      expect(none).toMatchObject({ mode: 'in-thread' });
      expect(one.results).toEqual(two.results);
      expect(none.results).toEqual(two.results);
      const fromSrc = JSON.parse(JSON.stringify(await forecastMany(withBad, options))) as unknown;
      expect(two.results).toEqual(fromSrc);
      expect(two.results.filter((r) => !r.ok)).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
