import { InvariantViolation } from '../../src/invariant';
import { forecastId, forecastsProjection } from '../../src/projections/read-models/forecasts.projection';
import { projectEvents, recorded } from './project-events';
import { replayOnto, snapshot } from './replay';

const MERCHANT = '22222222-2222-4222-8222-222222222222';
const WALLET = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const OTHER = '33333333-3333-4333-8333-333333333333';
const metadata = { businessDate: '2026-03-02', modelVersion: 'yield:v1;demand:v1', inputsPosition: '41', principal: 'system:forecasts' };
const STREAM = 'forecast-2026-03-02';

const forecasts = [
  recorded(42, STREAM, 'FundYieldForecasted', { fundCode: 'YEB', trainEnd: '2026-03-02', forecastDate: '2026-03-03', perTenK: 6_543n, naivePerTenK: 6_500n, sevenDayYieldPct: 2.3881, alpha: 0.01, l1Ratio: 0.5 }, metadata),
  recorded(43, STREAM, 'MerchantDemandForecasted', { merchantId: MERCHANT, walletId: WALLET, forecastDate: '2026-03-03', meanFen: 120_000n, upper95Fen: 180_000n, model: 'ARIMA(1,0,0)(0,1,1)[5]', aic: 812.5, historyDays: 130 }, metadata),
  recorded(
    44,
    STREAM,
    'RebalanceProposed',
    {
      walletId: WALLET,
      forecastDate: '2026-03-03',
      targets: [{ fundCode: 'YEB', currentFen: 100_000n, targetFen: 100_000n }],
      expectedGainFen: 12n,
      instantCapacityFen: 100_000n,
      demandUpper95Fen: 180_000n,
      shortfallFen: 80_000n,
      binding: ['instant-cap'],
    },
    metadata,
  ),
  recorded(45, STREAM, 'ForecastSkipped', { subject: `merchant ${OTHER}`, forecastDate: '2026-03-03', reason: 'TOO_SHORT: 3 days' }, metadata),
];
const marker = (position: number, counts = { funds: 1, merchants: 1, proposals: 1, skipped: 1 }, stream = STREAM) =>
  recorded(position, stream, 'ForecastsRecorded', { ...counts, events: counts.funds + counts.merchants + counts.proposals + counts.skipped }, metadata);
const events = [...forecasts, marker(46)];
const CLOSE = { date: '2026-03-02', modelVersion: 'yield:v1;demand:v1', inputsPosition: '41', position: '42', funds: 1, merchants: 1, proposals: 1, skipped: 1 };

describe('the forecasts read model', () => {
  it("keeps each forecast of a close by kind and subject, with the close's model version and inputs position", async () => {
    const read = await projectEvents(forecastsProjection, events);
    expect(await read.get('forecasts', forecastId('2026-03-02', 'merchant', MERCHANT))).toEqual({
      date: '2026-03-02',
      kind: 'merchant',
      subject: MERCHANT,
      forecastDate: '2026-03-03',
      data: { merchantId: MERCHANT, walletId: WALLET, forecastDate: '2026-03-03', meanFen: '120000', upper95Fen: '180000', model: 'ARIMA(1,0,0)(0,1,1)[5]', aic: 812.5, historyDays: 130 },
      modelVersion: 'yield:v1;demand:v1',
      inputsPosition: '41',
      position: '43',
    });
    expect(await read.get('forecasts', forecastId('2026-03-02', 'proposal', WALLET))).toMatchObject({ kind: 'proposal', subject: WALLET, position: '44' });
    expect(await read.get('forecasts', forecastId('2026-03-02', 'skip', `merchant ${OTHER}`))).toMatchObject({ data: { reason: 'TOO_SHORT: 3 days' } });
    expect(await read.get('forecasts', forecastId('2026-03-02', 'fund', 'YEB'))).toMatchObject({ data: { perTenK: '6543' } });
  });

  it('counts what the close recorded, complete with its marker', async () => {
    const read = await projectEvents(forecastsProjection, events);
    expect(await read.get('forecast_closes', '2026-03-02')).toEqual({ ...CLOSE, complete: true });
  });

  it('counts the forecasts applied so far, and does not call the close complete before its marker', async () => {
    const read = await projectEvents(forecastsProjection, forecasts.slice(0, 2));
    expect(await read.get('forecast_closes', '2026-03-02')).toEqual({ ...CLOSE, proposals: 0, skipped: 0, complete: false });
  });

  it('keeps the inputs position of each forecast of a close completed by a later attempt, and the first one for the close', async () => {
    const resumed = forecasts.slice(2).map((event, i) => ({ ...event, position: BigInt(60 + i), metadata: { ...metadata, inputsPosition: '59' } }));
    const read = await projectEvents(forecastsProjection, [...forecasts.slice(0, 2), ...resumed, { ...marker(62), metadata: { ...metadata, inputsPosition: '59' } }]);
    expect(await read.get('forecast_closes', '2026-03-02')).toEqual({ ...CLOSE, complete: true });
    expect(await read.get('forecasts', forecastId('2026-03-02', 'proposal', WALLET))).toMatchObject({ inputsPosition: '59', position: '60' });
  });

  it('makes a complete close of no forecasts from its marker alone', async () => {
    const read = await projectEvents(forecastsProjection, [marker(46, { funds: 0, merchants: 0, proposals: 0, skipped: 0 }, 'forecast-2026-03-03')]);
    expect(await read.get('forecast_closes', '2026-03-03')).toEqual({ ...CLOSE, date: '2026-03-03', position: '46', funds: 0, merchants: 0, proposals: 0, skipped: 0, complete: true });
  });

  it('stops at a marker that does not say what was counted: an invariant', async () => {
    await expect(projectEvents(forecastsProjection, [...forecasts.slice(0, 3), marker(46)])).rejects.toThrow(InvariantViolation);
  });

  it('ends with the same documents in one batch as in one batch per event', async () => {
    const one = await projectEvents(forecastsProjection, events, { oneBatch: true });
    const many = await projectEvents(forecastsProjection, events);
    expect(await snapshot(forecastsProjection, one.store)).toEqual(await snapshot(forecastsProjection, many.store));
  });

  it('changes nothing when committed events are applied again, so the counts are not doubled', async () => {
    const read = await projectEvents(forecastsProjection, events, { oneBatch: true });
    const before = await snapshot(forecastsProjection, read.store);
    await replayOnto(forecastsProjection, read.store, events);
    await replayOnto(forecastsProjection, read.store, events.slice(2));
    expect(await snapshot(forecastsProjection, read.store)).toEqual(before);
  });
});
