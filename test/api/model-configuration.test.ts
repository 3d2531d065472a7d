import { createHash } from 'node:crypto';
import { SqliteEventStore, canonicalJson } from '../../src/eventstore';
import { DAY_CLOSE_MODEL_SETTINGS, DailyForecasts } from '../../src/api/intelligence/daily-forecasts';
import { yieldInputs } from '../../src/api/intelligence/forecast-inputs';
import { decodeData } from '../../src/domain/event-codec';
import { dailyForecastStream } from '../../src/domain/forecast/daily-forecast.decider';
import { fundStream } from '../../src/domain/fund/fund.decider';
import { addDays } from '../../src/domain/iso-date';
import { REGISTRIES } from '../../src/domain/registry/registry.decider';
import { simulateMarket } from '../../src/ml/market';
import { MODEL_CONFIGURATION, MODEL_CONFIGURATION_HASH, MODEL_VERSION, type ModelSettings, type SeriesUnit, configurationHash, modelSettingsFor } from '../../src/ml/model-configuration';
import { forecastFundYields, requiredDays } from '../../src/ml/yield';
import type { ReadModels } from '../../src/projections';
import { BACKTEST_MODEL_SETTINGS, runBacktestOn, simulateBacktestData, warmupDays } from '../../src/ml/backtest/backtest';

/**
 * One configuration of the models for the product and the backtest: each side's effective settings are the
 * configuration's in the unit of its demand series, and the day close forecasts exactly with them.
 */
const SIDES: { name: string; unit: SeriesUnit; settings: ModelSettings }[] = [
  { name: 'the day close', unit: 'businessDays', settings: DAY_CLOSE_MODEL_SETTINGS },
  { name: 'the backtest', unit: 'calendarDays', settings: BACKTEST_MODEL_SETTINGS },
];

describe('the model configuration', () => {
  it('is frozen to its leaves, and named by the first 16 hex digits of the sha256 of its canonical JSON', () => {
    expect(MODEL_CONFIGURATION_HASH).toBe(createHash('sha256').update(canonicalJson(MODEL_CONFIGURATION)).digest('hex').slice(0, 16));
    expect(MODEL_VERSION).toBe(`elastic-net+arima-aic+iimmf@${MODEL_CONFIGURATION_HASH}`);
    expect(() => ((MODEL_CONFIGURATION.allocation as { horizonDays: number }).horizonDays = 7)).toThrow(TypeError);
    expect(() => (MODEL_CONFIGURATION.yield.options.l1Ratios as number[]).push(0.2)).toThrow(TypeError);
    expect(() => ((MODEL_CONFIGURATION.demand.selection.grid.p as number[])[0] = 3)).toThrow(TypeError);
  });

  it('changes its hash with any of its values', () => {
    const changed = { ...MODEL_CONFIGURATION, demand: { ...MODEL_CONFIGURATION.demand, seasonPeriod: { businessDays: 5, calendarDays: 14 } } };
    expect(configurationHash(changed)).not.toBe(MODEL_CONFIGURATION_HASH);
  });

  it('holds the values the backtest was validated with, a week and a year in each series unit', () => {
    expect(MODEL_CONFIGURATION.yield.options).toMatchObject({ minTrainDays: 365, validationBlocks: 6, refitEveryDays: 30, pooling: 'pooled', model: 'elastic-net', features: 'extended', horizonDays: 1 });
    // 7 + 52 days of lags for the extended features, 365 of training, 6 blocks of 30, and 2 more.
    expect(requiredDays(MODEL_CONFIGURATION.yield.options)).toBe(606);
    expect(MODEL_CONFIGURATION.demand).toMatchObject({ seasonPeriod: { businessDays: 5, calendarDays: 7 }, historyWindow: { businessDays: 260, calendarDays: 365 } });
    expect(MODEL_CONFIGURATION.allocation.horizonDays).toBe(14);
  });

  it.each(SIDES)('is what $name passes to the models', ({ unit, settings }) => {
    expect(settings).toEqual(modelSettingsFor(unit));
    expect(settings.yieldOptions).toEqual(MODEL_CONFIGURATION.yield.options);
    expect(settings.demand).toEqual({ ...MODEL_CONFIGURATION.demand.selection, period: MODEL_CONFIGURATION.demand.seasonPeriod[unit], historyDays: MODEL_CONFIGURATION.demand.historyWindow[unit] });
    expect(settings.allocationHorizonDays).toBe(MODEL_CONFIGURATION.allocation.horizonDays);
  });
});

describe('the backtest, with the configuration', () => {
  const data = simulateBacktestData({ seed: 3, fromYear: 2021, toYear: 2021, funds: 3, merchants: 0 });
  const reportOf = async (settings: Parameters<typeof runBacktestOn>[1]) => (await runBacktestOn(data, { workers: 0, ...settings })).report;

  it('warms up for as much history as the configured models need', () => {
    expect(warmupDays()).toBeGreaterThan(requiredDays(MODEL_CONFIGURATION.yield.options));
    expect(data.evaluationStart).toBe(warmupDays());
  });

  it('runs the configured models unless told otherwise, and its report names the configuration and what departed from it', async () => {
    const byDefault = await reportOf({});
    expect(byDefault.modelConfiguration).toEqual({ hash: MODEL_CONFIGURATION_HASH, overridden: [] });
    expect(byDefault.horizonDays).toBe(MODEL_CONFIGURATION.allocation.horizonDays);
    const spelledOut = await reportOf({ yieldOptions: MODEL_CONFIGURATION.yield.options, horizonDays: MODEL_CONFIGURATION.allocation.horizonDays });
    expect(spelledOut).toEqual(byDefault);
    const base = await reportOf({ yieldOptions: { ...MODEL_CONFIGURATION.yield.options, features: 'base' }, horizonDays: 7 });
    expect(base.modelConfiguration.overridden).toEqual(['yieldOptions', 'horizonDays']);
    expect(base.forecastErrors.yield.mae).not.toBe(byDefault.forecastErrors.yield.mae);
  }, 60_000);
});

describe('the day close, with the configuration', () => {
  const FUNDS = ['CFA', 'CFB'];
  const CLOSE = '2026-06-30';
  const CODE_VERSION = { packageVersion: '0.1.0', gitCommit: 'unknown' };
  /** No merchants: the profiles are never read. */
  const readModels = { atLeast: async () => undefined, find: async () => [] } as unknown as ReadModels;

  /** A store whose funds published `days` days of income up to CLOSE, written as the product writes them. */
  async function storeWithIncomes(days: number): Promise<SqliteEventStore> {
    const store = SqliteEventStore.open(':memory:');
    const first = addDays(CLOSE, -(days - 1));
    const market = simulateMarket({ seed: 5, startDate: first, endDate: CLOSE, funds: FUNDS.length });
    await store.append(REGISTRIES.funds, FUNDS.map((id) => ({ type: 'MemberListed', data: { id } })));
    for (const [i, code] of FUNDS.entries()) {
      const incomes = market.dates.map((date, t) => ({ type: 'IncomePublished', data: { date, perTenK: String(market.funds[i]!.perTenKMicros[t]) } }));
      await store.append(fundStream(code), [{ type: 'FundRegistered', data: { code, name: code, registeredOn: first } }, ...incomes]);
    }
    return store;
  }

  async function recordedOf(store: SqliteEventStore) {
    const events = [];
    for await (const event of store.readStream(dailyForecastStream(CLOSE))) events.push({ type: event.type, data: decodeData<Record<string, unknown>>(event.data) });
    return events;
  }

  it('skips every fund until it has the income history the configuration needs, saying so', async () => {
    const needed = requiredDays(MODEL_CONFIGURATION.yield.options);
    const store = await storeWithIncomes(needed - 1);
    const summary = await new DailyForecasts(store, readModels, CODE_VERSION).run(CLOSE);
    expect(summary).toMatchObject({ recorded: true, configurationHash: MODEL_CONFIGURATION_HASH, funds: 0, skipped: 2 });
    const skips = (await recordedOf(store)).filter((e) => e.type === 'ForecastSkipped');
    for (const skip of skips) expect(skip.data.reason).toBe(`${needed - 1} days of income up to ${CLOSE}; the model configuration needs ${needed}, so the fund is forecast once it has them`);
    await store.close();
  });

  it('forecasts with the configured yield model once the history is there, its coefficients recorded', async () => {
    const options = MODEL_CONFIGURATION.yield.options;
    const store = await storeWithIncomes(requiredDays(options));
    await new DailyForecasts(store, readModels, CODE_VERSION).run(CLOSE);
    const inputs = await yieldInputs(store, CLOSE, requiredDays(options));
    const expected = forecastFundYields(inputs.market!, { ...options, trainEnd: CLOSE });
    const forecasts = (await recordedOf(store)).filter((e) => e.type === 'FundYieldForecasted');
    expect(forecasts.map((e) => [e.data.fundCode, e.data.perTenK])).toEqual(expected.funds.map((f) => [f.code, BigInt(f.perTenKMicros)]));
    const fund = expected.funds[0]!;
    expect(forecasts[0]!.data.coefficients).toEqual([{ name: 'intercept', value: fund.intercept }, ...Object.entries(fund.coef).map(([name, value]) => ({ name, value }))]);
    expect(forecasts[0]!.data.provenance).toEqual({ ...CODE_VERSION, configurationHash: MODEL_CONFIGURATION_HASH });
    await store.close();
  });
});
