import { Controller, Get, Inject, Param } from '@nestjs/common';
import type { EventStore, RecordedEvent } from '../../eventstore';
import { decodeData } from '../../domain/event-codec';
import type { DailyForecastEvent } from '../../domain/forecast/daily-forecast.decider';
import { dailyForecastStream } from '../../domain/forecast/daily-forecast.decider';
import { formatFen } from '../../domain/money';
import { PartyOrStaff, WalletOwnerOr } from '../auth/access.decorator';
import { BusinessCalendar } from '../calendar/business-calendar';
import { EVENT_STORE } from '../event-store.module';
import { HttpProblem } from '../http/problem';
import type { RouteDoc } from '../http/openapi';
import { validateParam } from '../http/validate-body';
import { WalletViewQuery } from '../wallets/wallet-view';

export const INTELLIGENCE_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/merchants/{merchantId}/forecast',
    summary: "The merchant's demand forecast for the next business day, made at the last day close",
    tag: 'intelligence',
    roles: ['merchant (itself)', 'operator', 'auditor'],
    params: { merchantId: 'id' },
    responses: { 200: { description: 'the forecast with its model, inputs position and model version' }, 404: { description: 'no forecast yet, with the reason' } },
  },
  {
    method: 'get',
    path: '/wallets/{walletId}/portfolio',
    summary: 'Current holdings against the IIMMF target proposed at the last day close',
    tag: 'intelligence',
    roles: ['customer (own wallet)', 'merchant (own wallet)', 'operator', 'auditor'],
    params: { walletId: 'id' },
    responses: { 200: { description: 'current and target per fund; `proposal` is null until one was made' } },
  },
];

type Recorded<T extends DailyForecastEvent['type']> = Extract<DailyForecastEvent, { type: T }> & { recorded: RecordedEvent };

/** Serves what the daily forecasting job recorded at the last day close. */
@Controller()
export class IntelligenceController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly calendar: BusinessCalendar,
    private readonly wallets: WalletViewQuery,
  ) {}

  @Get('merchants/:merchantId/forecast')
  @PartyOrStaff('merchantId', 'operator', 'auditor')
  async merchantForecast(@Param('merchantId') merchantIdParam: string) {
    const merchantId = validateParam('merchantId', 'id', merchantIdParam);
    const { date, events } = await this.lastForecasts();
    const forecast = events.find((e): e is Recorded<'MerchantDemandForecasted'> => e.type === 'MerchantDemandForecasted' && e.data.merchantId === merchantId);
    if (!forecast) {
      const skipped = events.find((e): e is Recorded<'ForecastSkipped'> => e.type === 'ForecastSkipped' && e.data.subject === `merchant ${merchantId}`);
      throw HttpProblem.notFound(skipped ? `no forecast at the close of ${date}: ${skipped.data.reason}` : `no forecast for merchant ${merchantId} at the close of ${date ?? 'any day yet'}`);
    }
    const { data, recorded } = forecast;
    return {
      merchantId,
      walletId: data.walletId,
      forecastDate: data.forecastDate,
      madeAtCloseOf: date,
      expectedOutflow: formatFen(data.meanFen),
      upper95: formatFen(data.upper95Fen),
      model: data.model,
      aic: data.aic,
      historyDays: data.historyDays,
      modelVersion: recorded.metadata.modelVersion,
      inputsPosition: recorded.metadata.inputsPosition,
      position: recorded.position.toString(),
    };
  }

  @Get('wallets/:walletId/portfolio')
  @WalletOwnerOr('walletId', 'operator', 'auditor')
  async portfolio(@Param('walletId') walletIdParam: string) {
    const walletId = validateParam('walletId', 'id', walletIdParam);
    const view = await this.wallets.view(walletId);
    const { date, events } = await this.lastForecasts();
    const proposal = events.find((e): e is Recorded<'RebalanceProposed'> => e.type === 'RebalanceProposed' && e.data.walletId === walletId);
    const targets = new Map(proposal?.data.targets.map((t) => [t.fundCode, t.targetFen]) ?? []);
    const codes = [...new Set([...view.holdings.map((h) => h.fundCode), ...targets.keys()])].sort();
    return {
      walletId,
      businessDate: view.businessDate,
      holdings: codes.map((fundCode) => ({
        fundCode,
        current: view.holdings.find((h) => h.fundCode === fundCode)?.holding ?? '0.00',
        target: targets.has(fundCode) ? formatFen(targets.get(fundCode)!) : null,
      })),
      proposal: proposal
        ? {
            madeAtCloseOf: date,
            forecastDate: proposal.data.forecastDate,
            expectedGain: formatFen(proposal.data.expectedGainFen),
            instantCapacity: formatFen(proposal.data.instantCapacityFen),
            demandUpper95: formatFen(proposal.data.demandUpper95Fen),
            shortfall: formatFen(proposal.data.shortfallFen),
            binding: proposal.data.binding,
            modelVersion: proposal.recorded.metadata.modelVersion,
            position: proposal.recorded.position.toString(),
          }
        : null,
    };
  }

  private async lastForecasts(): Promise<{ date: string | null; events: (DailyForecastEvent & { recorded: RecordedEvent })[] }> {
    const today = await this.calendar.today();
    const date = today.calendar.lastClosedDate;
    const events: (DailyForecastEvent & { recorded: RecordedEvent })[] = [];
    if (date) {
      for await (const recorded of this.store.readStream(dailyForecastStream(date))) {
        events.push({ type: recorded.type, data: decodeData(recorded.data), recorded } as DailyForecastEvent & { recorded: RecordedEvent });
      }
    }
    return { date, events };
  }
}
