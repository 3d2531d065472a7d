import type { EventStore } from '../../src/eventstore';
import { EVENT_STORE } from '../../src/api/event-store.module';
import { yieldInputs } from '../../src/api/intelligence/forecast-inputs';
import { decodeData } from '../../src/domain/event-codec';
import { dailyForecastStream } from '../../src/domain/forecast/daily-forecast.decider';
import { formatPerTenK } from '../../src/domain/income-rate';
import { addDays, businessDayOnOrAfter, isBusinessDay } from '../../src/domain/iso-date';
import { formatFen } from '../../src/domain/money';
import { simulateMarket, simulateMerchants } from '../../src/ml/market';
import { MODEL_CONFIGURATION, MODEL_CONFIGURATION_HASH } from '../../src/ml/model-configuration';
import { forecastFundYields, requiredDays, yieldFeatureNames } from '../../src/ml/yield';
import { AUDITOR_KEY, OPERATOR_KEY, TestApp } from './test-app';

/**
 * A simulated market and merchant run through the API, one day close at a time: the funds' income history
 * the model configuration needs, then three months with a merchant. The day close's forecasting job records
 * yield and demand forecasts and a rebalancing proposal, with their provenance, which the API serves, an
 * auditor can reproduce from the recorded inputs position, and the accuracy read model scores.
 */
const START = '2025-09-01';
const END = '2025-12-05';
const LEDGER_START = businessDayOnOrAfter(addDays(START, -requiredDays(MODEL_CONFIGURATION.yield.options)));
const FUNDS = ['YEB', 'ZHB'];
const PROVENANCE = { packageVersion: expect.stringMatching(/^\d+\.\d+\.\d+/), gitCommit: expect.stringMatching(/^([0-9a-f]{7,64}|unknown)$/), configurationHash: MODEL_CONFIGURATION_HASH };

describe('the daily forecasts of the day close', () => {
  let app: TestApp;
  let merchant: { id: string; walletId: string; key: string };
  let market: ReturnType<typeof simulateMarket>;
  let lastClosed = '';

  beforeAll(async () => {
    app = await TestApp.start({ startDate: LEDGER_START });
    market = simulateMarket({ seed: 7, startDate: LEDGER_START, endDate: END, funds: FUNDS.length });
    const flows = simulateMerchants({ seed: 7, startDate: START, endDate: END, merchants: 1 });
    const demand = flows.merchants[0]!;
    const day = (date: string) => flows.dates.indexOf(date);
    for (const code of FUNDS) await app.post('/funds', OPERATOR_KEY, { code, name: code });
    let published = addDays(LEDGER_START, -1);
    for (let date = LEDGER_START; date <= END; date = addDays(date, 1)) {
      if (!isBusinessDay(date)) continue;
      if (date === businessDayOnOrAfter(START)) merchant = await openMerchant();
      if (date >= START) await merchantDay(BigInt(demand.inflowFen[day(date)]!), BigInt(demand.withdrawalFen[day(date)]!));
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
  }, 180_000);

  async function openMerchant() {
    const opened = await app.party('merchant');
    // The merchant's takings arrive as deposits: no customer's payment-account tier would allow this much in payments.
    await app.post(`/wallets/${opened.walletId}/deposits`, opened.key, { amount: '3000000.00' });
    for (const code of FUNDS) await app.post(`/wallets/${opened.walletId}/purchases`, opened.key, { fundCode: code, amount: '1000000.00' });
    return opened;
  }

  async function merchantDay(inflow: bigint, outflow: bigint) {
    if (inflow > 0n) await app.post(`/wallets/${merchant.walletId}/deposits`, merchant.key, { amount: formatFen(inflow) });
    if (outflow > 0n) expect((await app.post(`/wallets/${merchant.walletId}/withdrawals`, merchant.key, { amount: formatFen(outflow) })).status).toBe(201);
  }

  afterAll(() => app.stop());

  it('records the forecasts once per close, with the model version and the position of their inputs', async () => {
    const store = app.app.get<EventStore>(EVENT_STORE);
    const events = [];
    for await (const event of store.readStream(dailyForecastStream(lastClosed))) events.push(event);
    expect(events.map((e) => e.type).sort()).toEqual(['ForecastsRecorded', 'FundYieldForecasted', 'FundYieldForecasted', 'MerchantDemandForecasted', 'RebalanceProposed']);
    expect(events.at(-1)!.type).toBe('ForecastsRecorded');
    for (const event of events) expect(event.metadata).toMatchObject({ modelVersion: `elastic-net+arima-aic+iimmf@${MODEL_CONFIGURATION_HASH}`, inputsPosition: expect.stringMatching(/^\d+$/) });
  });

  it('records with every forecast the code, the configuration and the fitted coefficients', async () => {
    const store = app.app.get<EventStore>(EVENT_STORE);
    for await (const event of store.readStream(dailyForecastStream(lastClosed))) {
      const data = decodeData<{ provenance: unknown; coefficients?: { name: string; value: number }[] }>(event.data);
      expect(data.provenance).toEqual(PROVENANCE);
      if (event.type === 'FundYieldForecasted') expect(data.coefficients!.map((c) => c.name)).toEqual(['intercept', ...yieldFeatureNames(MODEL_CONFIGURATION.yield.options.features)]);
      if (event.type === 'MerchantDemandForecasted') expect(data.coefficients!.every((c) => /^(ar|ma|sar|sma)\d$|^intercept$/.test(c.name) && Number.isFinite(c.value))).toBe(true);
    }
  });

  it('shows the provenance and the coefficients on the routes that show forecasts', async () => {
    const close = await app.get(`/forecasts/${lastClosed}`, OPERATOR_KEY);
    for (const item of [...close.body.funds, ...close.body.merchants, ...close.body.proposals]) expect(item.provenance).toEqual(PROVENANCE);
    const [first, second] = close.body.funds;
    // One pooled model: every fund of the close shows the same coefficients.
    expect(first.coefficients).toEqual(second.coefficients);
    expect(first.coefficients).toHaveLength(yieldFeatureNames(MODEL_CONFIGURATION.yield.options.features).length + 1);
    const forecast = await app.get(`/merchants/${merchant.id}/forecast`, merchant.key);
    expect(forecast.body).toMatchObject({ provenance: PROVENANCE, coefficients: expect.any(Array) });
    expect((await app.get(`/wallets/${merchant.walletId}/portfolio`, merchant.key)).body.proposal.provenance).toEqual(PROVENANCE);
  });

  it('scores the forecasts against the incomes published and the outflow sent, as computed from the log', async () => {
    const store = app.app.get<EventStore>(EVENT_STORE);
    const expected = new Map(FUNDS.map((code) => [code, { count: 0, absolute: 0, naiveAbsolute: 0 }]));
    let merchantDays = 0;
    for (let date = LEDGER_START; date <= lastClosed; date = addDays(date, 1)) {
      for await (const event of store.readStream(dailyForecastStream(date))) {
        const data = decodeData<{ fundCode: string; forecastDate: string; perTenK: bigint; naivePerTenK: bigint }>(event.data);
        if (event.type === 'MerchantDemandForecasted' && data.forecastDate <= lastClosed) merchantDays++;
        if (event.type !== 'FundYieldForecasted' || data.forecastDate > lastClosed) continue;
        const actual = BigInt(market.funds[FUNDS.indexOf(data.fundCode)]!.perTenKMicros[market.dates.indexOf(data.forecastDate)]!);
        const sums = expected.get(data.fundCode)!;
        sums.count++;
        sums.absolute += Math.abs(Number(actual - data.perTenK));
        sums.naiveAbsolute += Math.abs(Number(actual - data.naivePerTenK));
      }
    }
    const accuracy = await app.get('/forecasts/accuracy', AUDITOR_KEY);
    expect(accuracy.status).toBe(200);
    expect(accuracy.body.closedThrough).toBe(lastClosed);
    for (const row of accuracy.body.funds) {
      const sums = expected.get(row.fundCode)!;
      expect(sums.count).toBeGreaterThan(40);
      expect(row).toMatchObject({ count: sums.count, mae: round6(sums.absolute / sums.count / 10_000), naiveMae: round6(sums.naiveAbsolute / sums.count / 10_000), maeRatio: Math.round((sums.absolute / sums.naiveAbsolute) * 10_000) / 10_000 });
    }
    expect(accuracy.body.merchants).toEqual([expect.objectContaining({ merchantId: merchant.id, count: merchantDays, maeRatio: expect.any(Number) })]);
    expect(accuracy.body.overall.funds.count).toBe(accuracy.body.funds.reduce((sum: number, row: { count: number }) => sum + row.count, 0));
    const one = await app.get(`/forecasts/accuracy?merchantId=${merchant.id}`, OPERATOR_KEY);
    expect(one.body).toMatchObject({ overall: null, funds: [], merchants: [expect.objectContaining({ merchantId: merchant.id, count: merchantDays })] });
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
    const options = MODEL_CONFIGURATION.yield.options;
    const inputs = await yieldInputs(store, lastClosed, requiredDays(options));
    const rerun = forecastFundYields(inputs.market!, { ...options, trainEnd: lastClosed });
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

const round6 = (value: number) => Math.round(value * 1e6) / 1e6;
