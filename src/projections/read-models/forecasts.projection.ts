import type { JsonObject, RecordedEvent } from '../../eventstore';
import type { DailyForecastEvent } from '../../domain/forecast/daily-forecast.decider';
import type { IsoDate } from '../../domain/iso-date';
import { invariant } from '../../invariant';
import { type ProjectionDefinition, type ProjectionView, eventData } from '../projection';

export type ForecastKind = 'fund' | 'merchant' | 'proposal' | 'skip';

const KIND_OF_TYPE: Record<DailyForecastEvent['type'], ForecastKind> = {
  FundYieldForecasted: 'fund',
  MerchantDemandForecasted: 'merchant',
  RebalanceProposed: 'proposal',
  ForecastSkipped: 'skip',
};

/**
 * One forecast made at the close of `date`: `data` is the event's data as stored (fen and perTenK as integer
 * strings), `subject` what it is about (a fund code, a merchant id, a wallet id, or the skip's subject).
 */
export interface ForecastDoc {
  date: IsoDate;
  kind: ForecastKind;
  subject: string;
  forecastDate: IsoDate;
  data: JsonObject;
  modelVersion: string;
  inputsPosition: string;
  position: string;
}

/** What one close recorded, counted as its events are applied. */
export interface ForecastCloseDoc {
  date: IsoDate;
  modelVersion: string;
  inputsPosition: string;
  /** Position of the first event of the close's forecasts. */
  position: string;
  funds: number;
  merchants: number;
  proposals: number;
  skipped: number;
}

const FORECASTS = 'forecasts';
const CLOSES = 'forecast_closes';
const STREAM_PREFIX = 'forecast-';

export const forecastId = (date: IsoDate, kind: ForecastKind, subject: string) => `${date}|${kind}|${subject}`;

const COUNTER: Record<ForecastKind, 'funds' | 'merchants' | 'proposals' | 'skipped'> = { fund: 'funds', merchant: 'merchants', proposal: 'proposals', skip: 'skipped' };

function subjectOf(event: DailyForecastEvent): string {
  switch (event.type) {
    case 'FundYieldForecasted':
      return event.data.fundCode;
    case 'MerchantDemandForecasted':
      return event.data.merchantId;
    case 'RebalanceProposed':
      return event.data.walletId;
    case 'ForecastSkipped':
      return event.data.subject;
  }
}

async function apply(event: RecordedEvent, view: ProjectionView): Promise<void> {
  invariant(event.stream.startsWith(STREAM_PREFIX), () => `${event.type} on stream ${event.stream}, not a day's forecasts`);
  const date = event.stream.slice(STREAM_PREFIX.length);
  const forecast = { type: event.type, data: eventData(event) } as DailyForecastEvent;
  const kind = KIND_OF_TYPE[forecast.type];
  const subject = subjectOf(forecast);
  const modelVersion = String(event.metadata.modelVersion ?? '');
  const inputsPosition = String(event.metadata.inputsPosition ?? '');
  const doc: ForecastDoc = { date, kind, subject, forecastDate: forecast.data.forecastDate, data: event.data, modelVersion, inputsPosition, position: event.position.toString() };
  // Written once: a close's forecasts are recorded once and never change.
  view.put(FORECASTS, forecastId(date, kind, subject), { ...doc });

  const stored = (await view.get(CLOSES, date)) as unknown as ForecastCloseDoc | undefined;
  const close: ForecastCloseDoc = stored ?? { date, modelVersion, inputsPosition, position: event.position.toString(), funds: 0, merchants: 0, proposals: 0, skipped: 0 };
  const counter = COUNTER[kind];
  view.put(CLOSES, date, { ...close, [counter]: close[counter] + 1 });
}

export const forecastsProjection: ProjectionDefinition = {
  name: 'forecasts',
  description: 'The forecasts recorded at each day close (fund yields, merchant demand, rebalancing proposals, skips) with model version and inputs position, and a summary per close.',
  collections: [
    { name: FORECASTS, indexes: [['date', 'kind', 'subject']] },
    { name: CLOSES, indexes: [['date']] },
  ],
  eventTypes: ['FundYieldForecasted', 'MerchantDemandForecasted', 'RebalanceProposed', 'ForecastSkipped'],
  apply,
};

export const FORECASTS_COLLECTIONS = { forecasts: FORECASTS, closes: CLOSES } as const;
