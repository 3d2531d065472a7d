import { type EventInput, type EventStore, type RecordedEvent, SqliteEventStore, canonicalJson } from '../../src/eventstore';
import { toEventInputs } from '../../src/api/commands/stored-aggregate';
import { FORECAST_APPEND_BOUNDS, ForecastRecorder, loadCloseForecasts } from '../../src/api/intelligence/forecast-recorder';
import { decodeData } from '../../src/domain/event-codec';
import { type DailyForecastEvent, type SubjectForecasts, dailyForecastStream } from '../../src/domain/forecast/daily-forecast.decider';

/**
 * How one close's forecasts reach the store: in appends within the bounds, a merchant's demand forecast and
 * its proposal in the same one, the marker in the last; an attempt cut short between appends is completed.
 */
const DATE = '2026-03-02';
const STREAM = dailyForecastStream(DATE);
const METADATA = { correlationId: `forecast-${DATE}`, causationId: `day-close-${DATE}`, principal: 'system:forecasts', ruleSetVersion: 'r1', businessDate: DATE, modelVersion: 'm1', inputsPosition: '7' };
const PROVENANCE = { packageVersion: '0.1.0', gitCommit: 'c0ffee0000000000000000000000000000000000', configurationHash: '0123456789abcdef' };
const MERCHANTS = 7;

const demand = (i: number): DailyForecastEvent => ({
  type: 'MerchantDemandForecasted',
  data: { merchantId: `m${i}`, walletId: `w${i}`, forecastDate: '2026-03-03', meanFen: 100n, upper95Fen: 180n, model: 'ARIMA(0,1,1)(0,1,1)[5]', aic: 1.5, historyDays: 60 },
});
const proposal = (i: number): DailyForecastEvent => ({
  type: 'RebalanceProposed',
  data: { walletId: `w${i}`, forecastDate: '2026-03-03', targets: [{ fundCode: 'YEB', currentFen: 500n, targetFen: 500n }], expectedGainFen: 1n, instantCapacityFen: 500n, demandUpper95Fen: 180n, shortfallFen: 0n, binding: [] },
});
const skip = (i: number): DailyForecastEvent => ({ type: 'ForecastSkipped', data: { subject: `merchant m${i}`, forecastDate: '2026-03-03', reason: 'TOO_FEW_POINTS' } });
/** Every third merchant is skipped, the others have a demand forecast and every other one a proposal too. */
const subjectOf = (i: number): SubjectForecasts => (i % 3 === 2 ? [skip(i)] : i % 2 === 0 ? [demand(i), proposal(i)] : [demand(i)]);
const CLOSE = Array.from({ length: MERCHANTS }, (_, i) => subjectOf(i));

/** The store, with each append to the close's stream seen, and the chance to fail one as a crash would. */
function watched(store: EventStore, failAppend?: number) {
  const appends: EventInput[][] = [];
  const proxy = new Proxy(store, {
    get(target, name, receiver) {
      if (name !== 'append') return Reflect.get(target, name, receiver) as unknown;
      return async (stream: string, events: EventInput[], options: object) => {
        if (stream === STREAM && appends.length === failAppend) throw new Error('the process died');
        if (stream === STREAM) appends.push(events);
        return target.append(stream, events, options);
      };
    },
  });
  return { store: proxy, appends };
}

async function recordClose(store: EventStore, bounds = { ...FORECAST_APPEND_BOUNDS, events: 3 }) {
  const recorder = new ForecastRecorder(store, DATE, { metadata: METADATA, provenance: PROVENANCE }, await loadCloseForecasts(store, DATE), bounds);
  for (const subject of CLOSE) await recorder.add(subject);
  return recorder.finish();
}

async function streamOf(store: EventStore): Promise<RecordedEvent[]> {
  const events = [];
  for await (const event of store.readStream(STREAM)) events.push(event);
  return events;
}

/** Each append as a letter per event: D a demand forecast, P a proposal, S a skip, + the marker. */
const LETTER: Record<string, string> = { MerchantDemandForecasted: 'D', RebalanceProposed: 'P', ForecastSkipped: 'S', ForecastsRecorded: '+' };
const layout = (appends: EventInput[][]) => appends.map((events) => events.map((e) => LETTER[e.type]).join(''));

/** What each event is about, as the projection keys it, so a duplicate shows. */
const keyOf = (event: RecordedEvent) => `${event.type}|${JSON.stringify(decodeData<{ walletId?: string; subject?: string }>(event.data).walletId ?? decodeData<{ subject?: string }>(event.data).subject ?? '')}`;

describe('the forecast recorder', () => {
  let store: SqliteEventStore;
  beforeEach(() => {
    store = SqliteEventStore.open(':memory:');
  });
  afterEach(() => store.close());

  it('records a close in appends of at most the bound, never splitting a subject, the marker last', async () => {
    const { store: seen, appends } = watched(store);
    expect(await recordClose(seen)).toEqual({ funds: 0, merchants: 5, proposals: 3, skipped: 2 });
    expect(layout(appends)).toEqual(['DPD', 'SD', 'DPS', 'DP+']);
    const events = await streamOf(store);
    expect(events.map((e) => e.type)).toEqual([...CLOSE.flat().map((e) => e.type), 'ForecastsRecorded']);
    expect(decodeData(events.at(-1)!.data)).toEqual({ funds: 0, merchants: 5, proposals: 3, skipped: 2, events: 10, provenance: PROVENANCE });
    for (const event of events) expect(event.metadata).toMatchObject({ modelVersion: 'm1', inputsPosition: '7' });
    // Every event carries the run's provenance in its data, the marker's too.
    for (const event of events) expect(decodeData<{ provenance: unknown }>(event.data).provenance).toEqual(PROVENANCE);
  });

  it('holds an append to the bytes bound, a subject larger than it alone', async () => {
    const bytes = (events: readonly EventInput[]) => events.reduce((sum, e) => sum + canonicalJson(e.data).length + canonicalJson(e.metadata ?? {}).length, 0);
    const stamped = (event: DailyForecastEvent): DailyForecastEvent => ({ ...event, data: { ...event.data, provenance: PROVENANCE } }) as DailyForecastEvent;
    const bound = bytes(toEventInputs([demand(0), proposal(0)].map(stamped), METADATA)) - 1;
    const { store: seen, appends } = watched(store);
    await recordClose(seen, { events: 100, bytes: bound });
    // The pairs are each alone; the single events two to an append; the marker adds to the last.
    expect(layout(appends)).toEqual(['DP', 'DS', 'D', 'DP', 'S', 'DP+']);
    for (const events of appends.slice(0, -1)) expect(events.length === 2 && events[1]!.type === 'RebalanceProposed' ? true : bytes(events) <= bound).toBe(true);
  });

  it.each([1, 2, 3])('completes a close cut short after %i appends: every forecast once, the marker last', async (appended) => {
    const { store: crashing } = watched(store, appended);
    await expect(recordClose(crashing)).rejects.toThrow('the process died');
    const cutShort = await loadCloseForecasts(store, DATE);
    expect(cutShort.state.complete).toBe(false);

    const { store: seen, appends } = watched(store);
    expect(await recordClose(seen)).toEqual({ funds: 0, merchants: 5, proposals: 3, skipped: 2 });
    const events = await streamOf(store);
    expect(events.map(keyOf)).toEqual([...new Set(events.map(keyOf))]);
    expect(events.map((e) => e.type)).toEqual([...CLOSE.flat().map((e) => e.type), 'ForecastsRecorded']);
    expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => BigInt(i)));
    expect(appends.flat()).toHaveLength(events.length - Number(cutShort.revision + 1n));
  });

  it('knows a whole close from its last event, without reading its forecasts', async () => {
    await recordClose(store);
    const reads: unknown[] = [];
    const counting = new Proxy(store, {
      get(target, name, receiver) {
        if (name !== 'readStream') return Reflect.get(target, name, receiver) as unknown;
        return (stream: string, options?: object) => {
          reads.push(options);
          return target.readStream(stream, options);
        };
      },
    });
    const loaded = await loadCloseForecasts(counting, DATE);
    expect(loaded).toMatchObject({ revision: 10n, state: { complete: true, counts: { funds: 0, merchants: 5, proposals: 3, skipped: 2 } } });
    expect(reads).toEqual([{ direction: 'backwards', maxCount: 1 }]);
  });
});
