import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/eventstore';
import { toEventInputs } from '../../src/api/commands/stored-aggregate';
import { resolveCodeVersion } from '../../src/code-version';
import { ForecastRecorder, FORECAST_APPEND_BOUNDS, loadCloseForecasts } from '../../src/api/intelligence/forecast-recorder';
import { forecastDoc, fundForecastBody, merchantForecastBody, skipBody } from '../../src/api/intelligence/forecast-bodies';
import { decodeData } from '../../src/domain/event-codec';
import { type DailyForecastEvent, dailyForecastStream } from '../../src/domain/forecast/daily-forecast.decider';
import { forecastsProjection } from '../../src/projections/read-models/forecasts.projection';
import { projectEvents, recorded } from '../projections/project-events';

/**
 * The code version the forecasts are recorded with, resolved without ever failing, and forecasts recorded
 * before provenance existed: they load, a close cut short among them is completed, and they show as null.
 */
const DATE = '2026-03-02';
const METADATA = { correlationId: `forecast-${DATE}`, causationId: `day-close-${DATE}`, principal: 'system:forecasts', ruleSetVersion: 'r1', businessDate: DATE, modelVersion: 'old', inputsPosition: '7' };
const PROVENANCE = { packageVersion: '0.1.0', gitCommit: 'c0ffee0000000000000000000000000000000000', configurationHash: '0123456789abcdef' };
const fund: DailyForecastEvent = { type: 'FundYieldForecasted', data: { fundCode: 'YEB', trainEnd: DATE, forecastDate: '2026-03-03', perTenK: 6_543n, naivePerTenK: 6_500n, sevenDayYieldPct: 2.3881, alpha: 0.01, l1Ratio: 0.5 } };
const demand: DailyForecastEvent = {
  type: 'MerchantDemandForecasted',
  data: { merchantId: 'm1', walletId: 'w1', forecastDate: '2026-03-03', meanFen: 100n, upper95Fen: 180n, model: 'ARIMA(0,1,1)(0,1,1)[5]', aic: 1.5, historyDays: 60 },
};
const skip: DailyForecastEvent = { type: 'ForecastSkipped', data: { subject: 'merchant m2', forecastDate: '2026-03-03', reason: 'TOO_FEW_POINTS' } };

describe('the code version of the forecasts', () => {
  const packageVersion = (JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { version: string }).version;

  it('takes IFW_GIT_COMMIT when set, and the package.json version', () => {
    expect(resolveCodeVersion('  4b825dc642cb6eb9a060e54bf8d69288fbee4904 ', process.cwd())).toEqual({ packageVersion, gitCommit: '4b825dc642cb6eb9a060e54bf8d69288fbee4904' });
  });

  it("else asks git for the checkout's HEAD", () => {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: process.cwd(), encoding: 'utf8' }).trim();
    expect(resolveCodeVersion(undefined, process.cwd()).gitCommit).toBe(head);
    expect(resolveCodeVersion('', process.cwd()).gitCommit).toBe(head);
  });

  it('says "unknown" outside a checkout, and does not fail', () => {
    const outside = mkdtempSync(join(tmpdir(), 'ifw-no-git-'));
    try {
      expect(resolveCodeVersion(undefined, outside)).toEqual({ packageVersion, gitCommit: 'unknown' });
      expect(resolveCodeVersion(undefined, join(outside, 'missing'))).toEqual({ packageVersion, gitCommit: 'unknown' });
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('forecasts recorded before provenance existed', () => {
  it('load, and a close cut short among them is completed with the provenance of the run that completes it', async () => {
    const store = SqliteEventStore.open(':memory:');
    await store.append(dailyForecastStream(DATE), toEventInputs([fund, demand], METADATA), { expectedRevision: 'no_stream' });
    const loaded = await loadCloseForecasts(store, DATE);
    expect(loaded.state).toMatchObject({ complete: false, counts: { funds: 1, merchants: 1, proposals: 0, skipped: 0 } });

    const recorder = new ForecastRecorder(store, DATE, { metadata: METADATA, provenance: PROVENANCE }, loaded, FORECAST_APPEND_BOUNDS);
    for (const subject of [[fund], [demand], [skip]]) await recorder.add(subject);
    expect(await recorder.finish()).toEqual({ funds: 1, merchants: 1, proposals: 0, skipped: 1 });
    const events = [];
    for await (const event of store.readStream(dailyForecastStream(DATE))) events.push({ type: event.type, provenance: decodeData<{ provenance?: unknown }>(event.data).provenance ?? null });
    expect(events).toEqual([
      { type: 'FundYieldForecasted', provenance: null },
      { type: 'MerchantDemandForecasted', provenance: null },
      { type: 'ForecastSkipped', provenance: PROVENANCE },
      { type: 'ForecastsRecorded', provenance: PROVENANCE },
    ]);
    expect((await loadCloseForecasts(store, DATE)).state).toMatchObject({ complete: true, counts: { funds: 1, merchants: 1, proposals: 0, skipped: 1 } });
    await store.close();
  });

  it('show their provenance and coefficients as null, beside forecasts that have them', async () => {
    const stream = dailyForecastStream(DATE);
    const withProvenance = { ...skip, data: { ...skip.data, provenance: PROVENANCE } };
    const read = await projectEvents(forecastsProjection, [recorded(1, stream, fund.type, fund.data, METADATA), recorded(2, stream, demand.type, demand.data, METADATA), recorded(3, stream, withProvenance.type, withProvenance.data, METADATA)]);
    const bodies = (await read.all('forecasts')).map((doc) => forecastDoc(doc.body));
    expect(fundForecastBody(bodies.find((doc) => doc.kind === 'fund')!)).toMatchObject({ coefficients: null, provenance: null });
    expect(merchantForecastBody(bodies.find((doc) => doc.kind === 'merchant')!)).toMatchObject({ coefficients: null, provenance: null });
    expect(skipBody(bodies.find((doc) => doc.kind === 'skip')!)).toMatchObject({ provenance: PROVENANCE });
  });
});
