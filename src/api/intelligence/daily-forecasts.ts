import { Inject, Injectable, Logger, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { type EventStore, WrongExpectedRevisionError } from '../../eventstore';
import { ProjectionBehindError, ReadModels } from '../../projections';
import { CALENDAR_STREAM, calendarDecider } from '../../domain/calendar/calendar.decider';
import type { DailyForecastEvent, FittedCoefficient, ForecastProvenance } from '../../domain/forecast/daily-forecast.decider';
import { type IsoDate, addDays, nextBusinessDay } from '../../domain/iso-date';
import { CALENDAR, RULE_BOOK } from '../commands/aggregates';
import { RULE_BOOK_STREAM } from '../../domain/rules/rule-book.decider';
import { type RuleSet, ruleSetOn } from '../../domain/rules/rule-set';
import { type ForecastItem, forecastMany } from '../../ml/demand';
import { createOptimiser } from '../../ml/portfolio/iimmf';
import { MODEL_CONFIGURATION_HASH, MODEL_VERSION, YIELD_HISTORY_DAYS, modelSettingsFor } from '../../ml/model-configuration';
import { type FundYieldForecast, ModelInputError, type YieldForecast, forecastFundYields } from '../../ml/yield';
import { loadStored } from '../commands/stored-aggregate';
import { EVENT_STORE } from '../event-store.module';
import { loadPosition } from '../wallets/position-loader';
import { loadOpenWallet } from '../wallets/wallet-loader';
import { MERCHANT_PROFILES_PROJECTION, type MerchantSeries, merchantSeries, registeredMerchants, yieldInputs } from './forecast-inputs';
import type { CodeVersion } from '../../code-version';
import { type AppendBounds, FORECAST_APPEND_BOUNDS, ForecastRecorder, loadCloseForecasts } from './forecast-recorder';

/**
 * What the day close passes to the models: the one configuration (src/ml/model-configuration.ts), in the unit
 * of its demand series, which counts business days. A young ledger meets the yield model's history only after
 * YIELD_HISTORY_DAYS of income: until then every fund is skipped, its skip saying so.
 */
export const DAY_CLOSE_MODEL_SETTINGS = modelSettingsFor('businessDays');
/** Waits for the merchant profiles at most this many times before the merchants are skipped. */
const PROFILE_WAIT_ATTEMPTS = 5;
const PROFILE_WAIT_PAUSE_MS = 100;
/** Nothing provides it in the application, which records with FORECAST_APPEND_BOUNDS; a test passes smaller ones. */
export const FORECAST_APPEND_BOUNDS_TOKEN = 'FORECAST_APPEND_BOUNDS';
/** The CodeVersion resolved once at the start (intelligence.module.ts). */
export const CODE_VERSION = 'FORECAST_CODE_VERSION';

/**
 * What a run recorded: `recorded` is false when the close's forecasts were already whole (or another run was
 * recording them), and the counts are then zeros; otherwise they are the whole close's, as its marker says.
 * The funds a young ledger cannot forecast yet are among `skipped`, each skip saying how much history it has.
 */
export interface ForecastSummary {
  date: IsoDate;
  recorded: boolean;
  /** The model configuration the run forecast with. */
  configurationHash: string;
  funds: number;
  merchants: number;
  proposals: number;
  skipped: number;
}

/**
 * The daily job of the day close: fits the models on what the ledger knows at the close of `date` and
 * records the forecasts for the next day as they are made, in appends of a bounded size to the close's one
 * stream, the marker last; a run on a close that a crash cut short records what is missing.
 */
@Injectable()
export class DailyForecasts implements OnApplicationBootstrap {
  private readonly logger = new Logger(DailyForecasts.name);

  private readonly provenance: ForecastProvenance;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readModels: ReadModels,
    @Inject(CODE_VERSION) codeVersion: CodeVersion,
    @Optional() @Inject(FORECAST_APPEND_BOUNDS_TOKEN) private readonly appendBounds: AppendBounds = FORECAST_APPEND_BOUNDS,
  ) {
    this.provenance = { ...codeVersion, configurationHash: MODEL_CONFIGURATION_HASH };
  }

  /** A crash between a day close and its forecasts leaves them missing or cut short; the next start completes them. */
  async onApplicationBootstrap(): Promise<void> {
    const { state } = await loadStored(this.store, CALENDAR_STREAM, calendarDecider, CALENDAR.schema);
    if (state.started && state.lastClosedDate) {
      await this.run(state.lastClosedDate).catch((error: Error) => this.logger.error(`forecasts for ${state.lastClosedDate} failed: ${error.message}`));
    }
  }

  /** The set compliance has in force on a date: the built-in ones and those adopted into the rule book. */
  private async ruleSetOn(date: IsoDate): Promise<RuleSet> {
    return ruleSetOn(date, (await loadStored(this.store, RULE_BOOK_STREAM, RULE_BOOK.decider, RULE_BOOK.schema)).state.timeline);
  }

  async run(date: IsoDate): Promise<ForecastSummary> {
    const notRecorded = { date, recorded: false, configurationHash: MODEL_CONFIGURATION_HASH, funds: 0, merchants: 0, proposals: 0, skipped: 0 };
    const loaded = await loadCloseForecasts(this.store, date);
    if (loaded.state.complete) return notRecorded;
    const inputsPosition = await this.store.lastPosition();
    const demandDate = nextBusinessDay(date);
    const metadata = { correlationId: `forecast-${date}`, causationId: `day-close-${date}`, principal: 'system:forecasts', ruleSetVersion: (await this.ruleSetOn(demandDate)).version, businessDate: date, modelVersion: MODEL_VERSION, inputsPosition: inputsPosition.toString() };
    const recorder = new ForecastRecorder(this.store, date, { metadata, provenance: this.provenance }, loaded, this.appendBounds);
    try {
      const yieldForecasts = await this.fundForecasts(date, recorder);
      await this.merchantForecasts(date, inputsPosition, yieldForecasts, recorder);
      return { date, recorded: true, configurationHash: MODEL_CONFIGURATION_HASH, ...(await recorder.finish()) };
    } catch (error) {
      // Another run is recording this close; it completes it.
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      return notRecorded;
    }
  }

  /** Fits the yield models on the incomes through `date`; returns each forecast fund's income for the next day. */
  private async fundForecasts(date: IsoDate, recorder: ForecastRecorder): Promise<Map<string, number>> {
    const yieldForecasts = new Map<string, number>();
    const forecastDate = addDays(date, 1);
    const { yieldOptions } = DAY_CLOSE_MODEL_SETTINGS;
    const yields = await yieldInputs(this.store, date, YIELD_HISTORY_DAYS);
    for (const { code, reason } of yields.excluded) await recorder.add([skipped(`fund ${code}`, reason, forecastDate)]);
    if (!yields.market) return yieldForecasts;
    let forecast: YieldForecast;
    try {
      forecast = forecastFundYields(yields.market, { ...yieldOptions, trainEnd: date });
    } catch (error) {
      if (!(error instanceof ModelInputError)) throw error;
      await recorder.add([skipped('fund yields', error.message, forecastDate)]);
      return yieldForecasts;
    }
    for (const fund of forecast.funds) {
      yieldForecasts.set(fund.code, fund.perTenK);
      await recorder.add([yieldForecasted(forecast, fund)]);
    }
    return yieldForecasts;
  }

  /**
   * Every merchant's demand for the next business day, and the allocation proposed for its holdings, from
   * the series of the merchant_profiles read model once it has reached the inputs position; when it does not
   * get there in time, every registered merchant is skipped with the reason, and the close goes on.
   */
  private async merchantForecasts(date: IsoDate, inputsPosition: bigint, yieldForecasts: ReadonlyMap<string, number>, recorder: ForecastRecorder): Promise<void> {
    const demandDate = nextBusinessDay(date);
    const behind = await this.profilesBehind(inputsPosition);
    if (behind !== undefined) {
      for await (const ids of registeredMerchants(this.store)) for (const id of ids) await recorder.add([skipped(`merchant ${id}`, behind, demandDate)]);
      return;
    }
    const optimiser = yieldForecasts.size > 0 ? await createOptimiser() : undefined;
    // One rule set for the whole close: the demand date's cap is the same for every merchant.
    const instantCapFen = (await this.ruleSetOn(demandDate)).instantRedemptionCapFen;
    try {
      const { historyDays, ...selection } = DAY_CLOSE_MODEL_SETTINGS.demand;
      for await (const merchants of merchantSeries(this.readModels, date, historyDays)) {
        // One business day ahead: the next business day's outflow, which the proposal must cover.
        const demand = await forecastMany(merchants.map((m) => m.outflowFen), { horizon: 1, ...selection });
        for (const [i, merchant] of merchants.entries()) {
          const item = demand[i]!;
          if (!item.ok) {
            await recorder.add([skipped(`merchant ${merchant.merchantId}`, `${item.error.code}: ${item.error.message}`, demandDate)]);
            continue;
          }
          const forecasted = demandForecasted(merchant, item, demandDate);
          const proposal = optimiser && (await this.propose(optimiser, merchant.walletId, yieldForecasts, forecasted.data.upper95Fen, demandDate, instantCapFen));
          await recorder.add(proposal ? [forecasted, proposal] : [forecasted]);
        }
      }
    } finally {
      optimiser?.dispose();
    }
  }

  /**
   * Waits, bounded, for the merchant profiles to include every event up to the inputs position; returns why
   * not when they do not. Each attempt waits up to IFW_READ_WAIT_MS, so a short configured wait still gives
   * a projector that is catching up after a restart a few chances.
   */
  private async profilesBehind(position: bigint): Promise<string | undefined> {
    let reason = '';
    for (let attempt = 0; attempt < PROFILE_WAIT_ATTEMPTS; attempt++) {
      try {
        await this.readModels.atLeast([MERCHANT_PROFILES_PROJECTION], position);
        return undefined;
      } catch (error) {
        if (!(error instanceof ProjectionBehindError)) throw error;
        reason = `PROJECTION_BEHIND: ${error.message}`;
        await new Promise((resolve) => setTimeout(resolve, PROFILE_WAIT_PAUSE_MS));
      }
    }
    return reason;
  }

  /** The IIMMF allocation of a merchant's confirmed holdings over the funds that have a forecast. */
  private async propose(
    optimiser: Awaited<ReturnType<typeof createOptimiser>>,
    walletId: string,
    yieldForecasts: ReadonlyMap<string, number>,
    demandUpperFen: bigint,
    demandDate: IsoDate,
    capFen: bigint,
  ): Promise<DailyForecastEvent | undefined> {
    const { state: wallet } = await loadOpenWallet(this.store, walletId);
    const current = new Map<string, bigint>();
    for (const code of wallet.fundCodes) {
      const { state } = await loadPosition(this.store, walletId, code);
      if (state.opened && yieldForecasts.has(code)) current.set(code, state.holdingFen);
    }
    const balanceFen = [...current.values()].reduce((sum, fen) => sum + fen, 0n);
    if (balanceFen === 0n) return undefined;
    const confirmDays = (Date.parse(nextBusinessDay(demandDate)) - Date.parse(demandDate)) / 86_400_000;
    const result = optimiser.optimise({
      balanceFen,
      funds: [...yieldForecasts].map(([code, perTenK]) => ({ code, forecastPerTenK: perTenK, currentFen: current.get(code) ?? 0n, instantCapFen: capFen })),
      demandUpperFen,
      horizonDays: DAY_CLOSE_MODEL_SETTINGS.allocationHorizonDays,
      switchCostDays: confirmDays,
    });
    return {
      type: 'RebalanceProposed',
      data: {
        walletId,
        forecastDate: demandDate,
        targets: result.allocation.map((a) => ({ fundCode: a.code, currentFen: current.get(a.code) ?? 0n, targetFen: a.amountFen })),
        expectedGainFen: result.expectedGainFen,
        instantCapacityFen: result.instantCapacityFen,
        demandUpper95Fen: demandUpperFen,
        shortfallFen: result.shortfallFen,
        binding: [...result.binding],
      },
    };
  }
}

function skipped(subject: string, reason: string, forecastDate: IsoDate): DailyForecastEvent {
  return { type: 'ForecastSkipped', data: { subject, forecastDate, reason } };
}

function yieldForecasted(forecast: YieldForecast, fund: FundYieldForecast): DailyForecastEvent {
  return {
    type: 'FundYieldForecasted',
    data: {
      fundCode: fund.code,
      trainEnd: forecast.trainEnd,
      forecastDate: forecast.forecastDate,
      perTenK: BigInt(fund.perTenKMicros),
      naivePerTenK: BigInt(Math.round(fund.naivePerTenK * 10_000)),
      sevenDayYieldPct: round(fund.sevenDayYieldPct, 4),
      alpha: fund.alpha,
      l1Ratio: fund.l1Ratio,
      coefficients: [{ name: 'intercept', value: fund.intercept }, ...coefficientsOf(fund.coef)],
    },
  };
}

function coefficientsOf(coef: Readonly<Record<string, number>>): FittedCoefficient[] {
  return Object.entries(coef).map(([name, value]) => ({ name, value }));
}

function demandForecasted(merchant: MerchantSeries, item: Extract<ForecastItem, { ok: true }>, forecastDate: IsoDate): Extract<DailyForecastEvent, { type: 'MerchantDemandForecasted' }> {
  const { spec, forecast } = item;
  return {
    type: 'MerchantDemandForecasted',
    data: {
      merchantId: merchant.merchantId,
      walletId: merchant.walletId,
      forecastDate,
      meanFen: BigInt(Math.max(0, Math.round(forecast.mean[0]!))),
      upper95Fen: BigInt(Math.max(0, Math.ceil(forecast.upper95[0]!))),
      model: `ARIMA(${spec.order.join(',')})(${spec.seasonal.join(',')})[${spec.period}]`,
      aic: forecast.aic === null ? null : round(forecast.aic, 4),
      historyDays: merchant.outflowFen.length,
      coefficients: coefficientsOf(forecast.coef),
    },
  };
}

function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
