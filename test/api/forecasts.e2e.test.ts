import type { EventStore } from '../../src/eventstore';
import { EVENT_STORE } from '../../src/api/event-store.module';
import { yieldInputs } from '../../src/api/intelligence/forecast-inputs';
import { decodeData } from '../../src/domain/event-codec';
import { dailyForecastStream } from '../../src/domain/forecast/daily-forecast.decider';
import { formatPerTenK } from '../../src/domain/income-rate';
import { addDays, businessDayOnOrAfter, isBusinessDay } from '../../src/domain/iso-date';
import { formatFen } from '../../src/domain/money';
import { simulateMarket, simulateMerchants } from '../../src/ml/market';
import { forecastFundYields, requiredDays } from '../../src/ml/yield';
import { OPERATOR_KEY, TestApp } from './test-app';

/**
 * Six months of a simulated market and merchant run through the API, one day close at a time; the day
 * close's forecasting job then records yield and demand forecasts and a rebalancing proposal, which the
 * API serves and an auditor can reproduce from the recorded inputs position.
 */
const START = '2025-06-02';
const END = '2025-12-05';
const FUNDS = ['YEB', 'ZHB'];

describe('the daily forecasts of the day close', () => {
  let app: TestApp;
  let merchant: { id: string; walletId: string; key: string };
  let lastClosed = '';

  beforeAll(async () => {
    app = await TestApp.start({ startDate: START });
    const market = simulateMarket({ seed: 7, startDate: START, endDate: END, funds: FUNDS.length });
    const demand = simulateMerchants({ seed: 7, startDate: START, endDate: END, merchants: 1 }).merchants[0]!;
    for (const code of FUNDS) await app.post('/funds', OPERATOR_KEY, { code, name: code });
    merchant = await app.party('merchant');
    // The merchant's takings arrive as deposits: no customer's payment-account tier would allow this much in payments.
    await app.post(`/wallets/${merchant.walletId}/deposits`, merchant.key, { amount: '3000000.00' });
    for (const code of FUNDS) await app.post(`/wallets/${merchant.walletId}/purchases`, merchant.key, { fundCode: code, amount: '1000000.00' });

    // 2025-06-02 is the Dragon Boat Festival holiday: the ledger's first day, and so its first income, is the 3rd.
    let published = addDays(businessDayOnOrAfter(START), -1);
    for (let day = 0, date = START; date <= END; day++, date = addDays(date, 1)) {
      if (!isBusinessDay(date)) continue;
      const inflow = BigInt(demand.inflowFen[day]!);
      const outflow = BigInt(demand.withdrawalFen[day]!);
      if (inflow > 0n) await app.post(`/wallets/${merchant.walletId}/deposits`, merchant.key, { amount: formatFen(inflow) });
      if (outflow > 0n) expect((await app.post(`/wallets/${merchant.walletId}/withdrawals`, merchant.key, { amount: formatFen(outflow) })).status).toBe(201);
      for (; published < date; ) {
        published = addDays(published, 1);
        const index = market.dates.indexOf(published);
        for (const [i, code] of FUNDS.entries()) {
          const perTenK = formatPerTenK(BigInt(market.funds[i]!.perTenKMicros[index]!));
          expect((await app.post(`/funds/${code}/incomes`, OPERATOR_KEY, { date: published, perTenK })).status).toBe(201);
        }
      }
      expect((await app.post('/operations/day-close', OPERATOR_KEY, { date })).status).toBe(200);
      lastClosed = date;
    }
  }, 120_000);

  afterAll(() => app.stop());

  it('records the forecasts once per close, with the model version and the position of their inputs', async () => {
    const store = app.app.get<EventStore>(EVENT_STORE);
    const events = [];
    for await (const event of store.readStream(dailyForecastStream(lastClosed))) events.push(event);
    expect(events.map((e) => e.type).sort()).toEqual(['ForecastsRecorded', 'FundYieldForecasted', 'FundYieldForecasted', 'MerchantDemandForecasted', 'RebalanceProposed']);
    expect(events.at(-1)!.type).toBe('ForecastsRecorded');
    for (const event of events) expect(event.metadata).toMatchObject({ modelVersion: expect.stringContaining('elastic-net'), inputsPosition: expect.stringMatching(/^\d+$/) });
  });

  it('serves the close as complete, with its counts', async () => {
    const close = await app.get(`/forecasts/${lastClosed}`, OPERATOR_KEY);
    expect(close.status).toBe(200);
    expect(close.body).toMatchObject({ date: lastClosed, complete: true, counts: { funds: 2, merchants: 1, proposals: 1, skipped: 0 } });
  });

  it('can be re-run by an auditor from the recorded inputs to the same numbers', async () => {
    const store = app.app.get<EventStore>(EVENT_STORE);
    const recorded = [];
    for await (const event of store.readStream(dailyForecastStream(lastClosed))) if (event.type === 'FundYieldForecasted') recorded.push(decodeData<{ fundCode: string; perTenK: bigint }>(event.data));
    const options = { minTrainDays: 60, validationBlocks: 2, refitEveryDays: 30 };
    const { market } = await yieldInputs(store, lastClosed, requiredDays(options));
    const rerun = forecastFundYields(market!, { ...options, trainEnd: lastClosed });
    expect(rerun.funds.map((f) => [f.code, BigInt(f.perTenKMicros)])).toEqual(recorded.map((r) => [r.fundCode, r.perTenK]));
  });

  it("serves the merchant's demand forecast to the merchant and to staff, not to others", async () => {
    const forecast = await app.get(`/merchants/${merchant.id}/forecast`, merchant.key);
    expect(forecast.status).toBe(200);
    expect(forecast.body).toMatchObject({ merchantId: merchant.id, walletId: merchant.walletId, madeAtCloseOf: lastClosed, model: expect.stringMatching(/^ARIMA\(/) });
    expect(Number(forecast.body.upper95)).toBeGreaterThanOrEqual(Number(forecast.body.expectedOutflow));
    expect((await app.get(`/merchants/${merchant.id}/forecast`, OPERATOR_KEY)).status).toBe(200);
    const other = await app.party('merchant');
    expect((await app.get(`/merchants/${merchant.id}/forecast`, other.key)).status).toBe(403);
    expect((await app.get(`/merchants/${other.id}/forecast`, other.key)).status).toBe(404);
  });

  it("shows the wallet's holdings against the proposed target, which places exactly the holdings", async () => {
    const portfolio = await app.get(`/wallets/${merchant.walletId}/portfolio`, merchant.key);
    expect(portfolio.status).toBe(200);
    expect(portfolio.body.proposal).toMatchObject({ madeAtCloseOf: lastClosed, binding: expect.any(Array) });
    const fen = (text: string) => BigInt(text.replace('.', ''));
    const current = portfolio.body.holdings.reduce((sum: bigint, h: { current: string }) => sum + fen(h.current), 0n);
    const target = portfolio.body.holdings.reduce((sum: bigint, h: { target: string }) => sum + fen(h.target), 0n);
    expect(target).toBe(current);
  });
});
