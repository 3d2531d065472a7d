import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import type { EventStore } from '../../src/eventstore';
import { toEventInputs } from '../../src/api/commands/stored-aggregate';
import { EVENT_STORE } from '../../src/api/event-store.module';
import { type DailyForecastStreamEvent, dailyForecastStream } from '../../src/domain/forecast/daily-forecast.decider';
import { AUDITOR_KEY, OPERATOR_KEY, TestApp } from './test-app';

/**
 * GET /forecasts/accuracy on a history small enough to check by hand, on both read stores: two closes whose
 * forecasts are written as closes recorded before provenance existed (no provenance, no coefficients), the
 * incomes and the merchant's withdrawals published through the API, then the figures the route answers.
 */
const FUND = 'ACC';
const mongoUrl = process.env.IFW_TEST_MONGO_URL;
/** The MongoDB URL with a database of this run's own, its options kept. */
const freshDatabase = (url: string) => url.replace(/^(mongodb(?:\+srv)?:\/\/[^/?#]+)(?:\/[^?#]*)?(.*)$/, `$1/ifw_accuracy_${randomUUID().slice(0, 8)}$2`);
const READ_STORES = [{ name: 'SQLite', url: () => 'sqlite::memory:' }, ...(mongoUrl ? [{ name: 'MongoDB', url: () => freshDatabase(mongoUrl) }] : [])];
if (!mongoUrl) console.warn('!!! forecast accuracy: the MongoDB read store run is SKIPPED: set IFW_TEST_MONGO_URL (scripts/ferretdb.sh start prints one) !!!');

describe.each(READ_STORES)('GET /forecasts/accuracy on the $name read store', ({ url }) => {
  let app: TestApp;
  let readStoreUrl: string;
  let shop: { id: string; walletId: string; key: string };

  /** A close's forecasts as an older version recorded them, whole with its marker: the day close then records nothing. */
  async function recordClose(date: string, forecastDate: string, fund: { perTenK: bigint; naivePerTenK: bigint }, meanFen: bigint): Promise<void> {
    const events: DailyForecastStreamEvent[] = [
      { type: 'FundYieldForecasted', data: { fundCode: FUND, trainEnd: date, forecastDate, ...fund, sevenDayYieldPct: 2.4, alpha: 0.01, l1Ratio: 0.5 } },
      { type: 'MerchantDemandForecasted', data: { merchantId: shop.id, walletId: shop.walletId, forecastDate, meanFen, upper95Fen: meanFen * 2n, model: 'ARIMA(0,0,0)', aic: 1, historyDays: 3 } },
      { type: 'ForecastsRecorded', data: { funds: 1, merchants: 1, proposals: 0, skipped: 0, events: 2 } },
    ];
    const metadata = { correlationId: `forecast-${date}`, causationId: `day-close-${date}`, principal: 'system:forecasts', ruleSetVersion: 'csrc-pboc-2018-06', businessDate: date, modelVersion: 'yield:elastic-net-v1', inputsPosition: '1' };
    await app.app.get<EventStore>(EVENT_STORE).append(dailyForecastStream(date), toEventInputs(events, metadata), { expectedRevision: 'no_stream' });
  }

  async function day(date: string, perTenK: string, withdrawal: string | null, close: boolean): Promise<void> {
    expect((await app.post(`/funds/${FUND}/incomes`, OPERATOR_KEY, { date, perTenK })).status).toBe(201);
    if (withdrawal) expect((await app.post(`/wallets/${shop.walletId}/withdrawals`, shop.key, { amount: withdrawal })).status).toBe(201);
    if (close) expect((await app.post('/operations/day-close', OPERATOR_KEY, { date })).status).toBe(200);
  }

  beforeAll(async () => {
    readStoreUrl = url();
    app = await TestApp.start({ startDate: '2026-01-05', readStoreUrl });
    expect((await app.post('/funds', OPERATOR_KEY, { code: FUND, name: 'Accuracy Fund' })).status).toBe(201);
    shop = await app.party('merchant');
    await app.post(`/wallets/${shop.walletId}/deposits`, shop.key, { amount: '1000.00' });
    await recordClose('2026-01-05', '2026-01-06', { perTenK: 6_500n, naivePerTenK: 6_400n }, 10_000n);
    await day('2026-01-05', '0.6400', '80.00', true);
    await recordClose('2026-01-06', '2026-01-07', { perTenK: 6_600n, naivePerTenK: 6_600n }, 9_000n);
    await day('2026-01-06', '0.6600', '120.00', true);
    await day('2026-01-07', '0.6550', '95.00', false);
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    if (readStoreUrl?.startsWith('mongodb:')) {
      const client = await MongoClient.connect(readStoreUrl, { serverSelectionTimeoutMS: 5_000 });
      await client.db().dropDatabase();
      await client.close();
    }
  });

  it('scores the funds as their incomes are published and the merchants as their days close, against the naive forecast', async () => {
    const response = await app.get('/forecasts/accuracy', AUDITOR_KEY);
    expect(response.status).toBe(200);
    // Fund: errors 100 and −50 (0.0001 CNY per 10,000 shares), naive 200 and −50.
    const fund = { count: 2, mae: 0.0075, rmse: 0.007906, naiveMae: 0.0125, naiveRmse: 0.014577, maeRatio: 0.6, rmseRatio: 0.5423 };
    // Merchant, the 6th only (the 7th is not closed): forecast 100.00, naive 80.00 (the 5th's), outflow 120.00.
    const merchant = { count: 1, mae: '20.00', rmse: '20.00', naiveMae: '40.00', naiveRmse: '40.00', maeRatio: 0.5, rmseRatio: 0.5 };
    expect(response.body).toEqual({
      position: expect.stringMatching(/^\d+$/),
      closedThrough: '2026-01-06',
      overall: { funds: fund, merchants: merchant },
      funds: [{ fundCode: FUND, ...fund, awaitingOutcome: 0 }],
      merchants: [{ merchantId: shop.id, walletId: shop.walletId, ...merchant, awaitingOutcome: 1 }],
      nextCursor: null,
    });
  });

  it("counts a merchant's day once it is closed", async () => {
    expect((await app.post('/operations/day-close', OPERATOR_KEY, { date: '2026-01-07' })).status).toBe(200);
    const response = await app.get(`/forecasts/accuracy?merchantId=${shop.id}`, OPERATOR_KEY);
    // The 7th: forecast 90.00, naive 120.00, outflow 95.00: errors 5.00 and −25.00 beside the 6th's 20.00 and 40.00.
    expect(response.body).toMatchObject({
      overall: null,
      funds: [],
      merchants: [{ merchantId: shop.id, count: 2, mae: '12.50', rmse: '14.58', naiveMae: '32.50', naiveRmse: '33.35', maeRatio: 0.3846, rmseRatio: 0.437, awaitingOutcome: 0 }],
    });
  });

  it('pages funds before merchants, and filters by fund or kind', async () => {
    const first = await app.get('/forecasts/accuracy?limit=1', OPERATOR_KEY);
    expect(first.body).toMatchObject({ funds: [{ fundCode: FUND }], merchants: [], nextCursor: expect.any(String) });
    const second = await app.get(`/forecasts/accuracy?limit=1&cursor=${first.body.nextCursor}`, OPERATOR_KEY);
    expect(second.body).toMatchObject({ funds: [], merchants: [{ merchantId: shop.id }], nextCursor: null });
    expect((await app.get(`/forecasts/accuracy?fundCode=${FUND}`, OPERATOR_KEY)).body).toMatchObject({ overall: null, funds: [{ fundCode: FUND, count: 2 }], merchants: [] });
    expect((await app.get('/forecasts/accuracy?fundCode=NONE', OPERATOR_KEY)).body).toMatchObject({ overall: null, funds: [], merchants: [] });
    expect((await app.get('/forecasts/accuracy?kind=merchant', OPERATOR_KEY)).body).toMatchObject({ overall: { funds: { count: 2 } }, funds: [], merchants: [{ merchantId: shop.id }] });
  });

  it('shows forecasts recorded before provenance existed with null provenance and coefficients', async () => {
    const close = await app.get('/forecasts/2026-01-05', OPERATOR_KEY);
    expect(close.body.funds).toEqual([expect.objectContaining({ fundCode: FUND, coefficients: null, provenance: null })]);
    expect(close.body.merchants).toEqual([expect.objectContaining({ merchantId: shop.id, coefficients: null, provenance: null })]);
  });

  it.each([
    ['kind=weather', 'kind'],
    ['fundCode=acc', 'fundCode'],
    ['fundCode=ACC&fundCode=ZHB', 'fundCode'],
    ['merchantId=not-a-uuid', 'merchantId'],
    [`fundCode=ACC&merchantId=${randomUUID()}`, 'merchantId'],
    ['kind=merchant&fundCode=ACC', 'fundCode'],
    [`kind=fund&merchantId=${randomUUID()}`, 'merchantId'],
    ['limit=0', 'limit'],
    ['cursor=edited', 'cursor'],
    ['minPosition=-1', 'minPosition'],
  ])('refuses ?%s as a bad %s, 400', async (query, field) => {
    const response = await app.get(`/forecasts/accuracy?${query}`, OPERATOR_KEY, { wait: false });
    expect({ status: response.status, code: response.body.code, field: response.body.field }).toEqual({ status: 400, code: 'INVALID_PARAMETER', field });
  });

  it('is for staff who read forecasts, not for parties', async () => {
    expect((await app.get('/forecasts/accuracy', shop.key)).status).toBe(403);
  });
});
