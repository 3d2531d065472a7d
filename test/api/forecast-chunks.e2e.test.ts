import { jest } from '@jest/globals';
import type { EventInput, EventStore, RecordedEvent } from '../../src/eventstore';
import { EVENT_STORE } from '../../src/api/event-store.module';
import { DailyForecasts } from '../../src/api/intelligence/daily-forecasts';
import { FORECAST_BYTES_PER_APPEND } from '../../src/api/intelligence/forecast-recorder';
import { decodeData } from '../../src/domain/event-codec';
import { dailyForecastStream } from '../../src/domain/forecast/daily-forecast.decider';
import { formatPerTenK } from '../../src/domain/income-rate';
import { addDays, businessDayOnOrAfter } from '../../src/domain/iso-date';
import { formatFen } from '../../src/domain/money';
import { simulateMarket, simulateMerchants } from '../../src/ml/market';
import { MODEL_CONFIGURATION, MODEL_CONFIGURATION_HASH } from '../../src/ml/model-configuration';
import { requiredDays } from '../../src/ml/yield';
import { ReadModels } from '../../src/projections';
import { OPERATOR_KEY, TestApp } from './test-app';

/**
 * A close's forecasts recorded in several appends, and a close a crash cut short between two of them
 * completed by the next run, exactly: two funds with the income history the model configuration needs, three
 * merchants with holdings and seven weeks of withdrawals, and forecasts recorded three events to an append. No
 * income is dated before the ledger's first day, so the ledger starts with the funds' history and closes it day
 * by day before the merchants come on START.
 */
const START = '2026-07-06';
const CLOSES = 35;
const INCOME_HISTORY_DAYS = requiredDays(MODEL_CONFIGURATION.yield.options);
const FUNDS = ['CHA', 'CHB'];
const MERCHANTS = 3;
const BOUNDS = { events: 3, bytes: FORECAST_BYTES_PER_APPEND };
const CODE_VERSION = { packageVersion: '0.1.0', gitCommit: 'unknown' };

let app: TestApp;
let store: EventStore;
let lastClosed = '';

/** The store, with the close's appends seen, the one numbered `fail` refused as a crash would cut it. */
function watched(fail?: number) {
  const appends: EventInput[][] = [];
  const proxy = new Proxy(store, {
    get(target, name, receiver) {
      if (name !== 'append') return Reflect.get(target, name, receiver) as unknown;
      return async (stream: string, events: EventInput[], options: object) => {
        if (stream !== dailyForecastStream(lastClosed)) return target.append(stream, events, options);
        if (appends.length === fail) throw new Error('the process died');
        appends.push(events);
        return target.append(stream, events, options);
      };
    },
  });
  return { store: proxy, appends };
}

async function recorded(): Promise<RecordedEvent[]> {
  const events = [];
  for await (const event of store.readStream(dailyForecastStream(lastClosed))) events.push(event);
  return events;
}

/** What an event is about, as the forecasts read model keys it. */
function keyOf(event: RecordedEvent): string {
  const data = decodeData<{ fundCode?: string; merchantId?: string; walletId?: string; subject?: string }>(event.data);
  return `${event.type} ${data.fundCode ?? data.merchantId ?? data.walletId ?? data.subject ?? ''}`;
}

beforeAll(async () => {
  const historyStart = addDays(START, -INCOME_HISTORY_DAYS);
  app = await TestApp.start({ startDate: historyStart });
  store = app.app.get<EventStore>(EVENT_STORE);
  const end = addDays(START, CLOSES * 2);
  const market = simulateMarket({ seed: 11, startDate: historyStart, endDate: end, funds: FUNDS.length });
  const demand = simulateMerchants({ seed: 11, startDate: START, endDate: end, merchants: MERCHANTS });
  const publishThrough = async (date: string, from: string) => {
    for (let day = from; day <= date; day = addDays(day, 1)) {
      const index = market.dates.indexOf(day);
      for (const [i, code] of FUNDS.entries()) expect((await app.post(`/funds/${code}/incomes`, OPERATOR_KEY, { date: day, perTenK: formatPerTenK(BigInt(market.funds[i]!.perTenKMicros[index]!)) })).status).toBe(201);
    }
  };
  const closeDay = async (date: string): Promise<string> => {
    const response = await app.post('/operations/day-close', OPERATOR_KEY, { date });
    expect(response.status).toBe(200);
    return response.body.nextBusinessDate;
  };
  for (const code of FUNDS) await app.post('/funds', OPERATOR_KEY, { code, name: code });
  let published = addDays(businessDayOnOrAfter(historyStart), -1);
  let date = businessDayOnOrAfter(historyStart);
  for (; date < START; date = await closeDay(date)) {
    await publishThrough(date, addDays(published, 1));
    published = date;
  }
  expect(date).toBe(START);
  const merchants = [];
  for (let i = 0; i < MERCHANTS; i++) {
    const merchant = await app.party('merchant');
    // Takings as deposits: no customer's payment-account tier allows payments of this size.
    await app.post(`/wallets/${merchant.walletId}/deposits`, merchant.key, { amount: '5000000.00' });
    for (const code of FUNDS) await app.post(`/wallets/${merchant.walletId}/purchases`, merchant.key, { fundCode: code, amount: '1000000.00' });
    merchants.push(merchant);
  }

  for (let close = 0; close < CLOSES; close++) {
    for (const [i, merchant] of merchants.entries()) {
      const outflow = BigInt(demand.merchants[i]!.withdrawalFen[demand.dates.indexOf(date)]!);
      if (outflow > 0n) expect((await app.post(`/wallets/${merchant.walletId}/withdrawals`, merchant.key, { amount: formatFen(outflow) })).status).toBe(201);
    }
    await publishThrough(date, addDays(published, 1));
    published = date;
    // The last close leaves its forecasts to the tests, which record them in small appends.
    if (close === CLOSES - 1) jest.spyOn(app.app.get(DailyForecasts), 'run').mockResolvedValueOnce({ date, recorded: false, configurationHash: MODEL_CONFIGURATION_HASH, funds: 0, merchants: 0, proposals: 0, skipped: 0 });
    lastClosed = date;
    date = await closeDay(date);
  }
  expect(await store.streamRevision(dailyForecastStream(lastClosed))).toBe(-1n);
}, 240_000);

afterAll(() => app.stop());

describe('the forecasts of a close, in appends of three events', () => {
  it('a run cut short after two appends leaves the close incomplete, and says so', async () => {
    const crashing = watched(2);
    await expect(new DailyForecasts(crashing.store, app.app.get(ReadModels), CODE_VERSION, BOUNDS).run(lastClosed)).rejects.toThrow('the process died');
    expect((await recorded()).map((e) => e.type)).toEqual(['FundYieldForecasted', 'FundYieldForecasted', 'MerchantDemandForecasted', 'RebalanceProposed']);
    const close = await app.get(`/forecasts/${lastClosed}?minPosition=${await store.lastPosition()}`, OPERATOR_KEY);
    expect(close.status).toBe(200);
    expect(close.body).toMatchObject({ complete: false, counts: { funds: 2, merchants: 1, proposals: 1, skipped: 0 } });
  });

  it('the next start records only what is missing, then the marker, three events to an append at most', async () => {
    // A merchant opened after the crash is among the forecasts made again (skipped: it has no history), its
    // wallet sorted anywhere among the others': what is missing is found by subject, so nothing is recorded
    // twice or left out.
    const latecomer = await app.party('merchant');
    const before = (await recorded()).length;
    const seen = watched();
    await new DailyForecasts(seen.store, app.app.get(ReadModels), CODE_VERSION, BOUNDS).onApplicationBootstrap();

    const events = await recorded();
    expect(seen.appends.length).toBeGreaterThan(1);
    for (const append of seen.appends) expect(append.length).toBeLessThanOrEqual(BOUNDS.events);
    expect(seen.appends.flat()).toHaveLength(events.length - before);
    expect(events.map(keyOf)).toEqual([...new Set(events.map(keyOf))]);
    expect(events.filter((e) => e.type === 'RebalanceProposed')).toHaveLength(MERCHANTS);
    expect(events.at(-1)!.type).toBe('ForecastsRecorded');
    expect(events.map(keyOf)).toContain(`ForecastSkipped merchant ${latecomer.id}`);
    expect(decodeData(events.at(-1)!.data)).toEqual({
      funds: 2,
      merchants: MERCHANTS,
      proposals: MERCHANTS,
      skipped: 1,
      events: 3 + 2 * MERCHANTS,
      provenance: { ...CODE_VERSION, configurationHash: MODEL_CONFIGURATION_HASH },
    });
    // A demand forecast and its proposal are recorded together.
    for (const [i, event] of events.entries()) if (event.type === 'RebalanceProposed') expect(events[i - 1]!.type).toBe('MerchantDemandForecasted');
  });

  it('GET /forecasts/{date} shows the whole close, complete', async () => {
    const close = await app.get(`/forecasts/${lastClosed}?minPosition=${await store.lastPosition()}`, OPERATOR_KEY);
    expect(close.status).toBe(200);
    expect(close.body).toMatchObject({ date: lastClosed, complete: true, counts: { funds: 2, merchants: MERCHANTS, proposals: MERCHANTS, skipped: 1 } });
    expect(close.body.proposals).toHaveLength(MERCHANTS);
  });

  it('a run on a whole close records nothing', async () => {
    const revision = await store.streamRevision(dailyForecastStream(lastClosed));
    expect(await new DailyForecasts(store, app.app.get(ReadModels), CODE_VERSION, BOUNDS).run(lastClosed)).toEqual({ date: lastClosed, recorded: false, configurationHash: MODEL_CONFIGURATION_HASH, funds: 0, merchants: 0, proposals: 0, skipped: 0 });
    expect(await store.streamRevision(dailyForecastStream(lastClosed))).toBe(revision);
  });
});
