import type { JsonObject, RecordedEvent } from '../../eventstore';
import type { DailyForecastEvent, ForecastsRecordedEvent } from '../../domain/forecast/daily-forecast.decider';
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
  /**
   * The close's marker is applied: every forecast is counted. A close is recorded in several appends, so
   * until then the counts are of those applied so far, or of a close a crash cut short that is not completed yet.
   */
  complete: boolean;
}

const MARKER: ForecastsRecordedEvent['type'] = 'ForecastsRecorded';
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

/** The close's summary so far; the first of its events (a forecast, or the marker of a close without any) makes it. */
async function closeOf(event: RecordedEvent, view: ProjectionView, date: IsoDate): Promise<ForecastCloseDoc> {
  const stored = (await view.get(CLOSES, date)) as unknown as ForecastCloseDoc | undefined;
  const { modelVersion, inputsPosition } = provenanceOf(event);
  return stored ?? { date, modelVersion, inputsPosition, position: event.position.toString(), funds: 0, merchants: 0, proposals: 0, skipped: 0, complete: false };
}

function provenanceOf(event: RecordedEvent): { modelVersion: string; inputsPosition: string } {
  return { modelVersion: String(event.metadata.modelVersion ?? ''), inputsPosition: String(event.metadata.inputsPosition ?? '') };
}

async function applyForecast(event: RecordedEvent, view: ProjectionView, date: IsoDate): Promise<void> {
  const forecast = { type: event.type, data: eventData(event) } as DailyForecastEvent;
  const kind = KIND_OF_TYPE[forecast.type];
  const subject = subjectOf(forecast);
  const doc: ForecastDoc = { date, kind, subject, forecastDate: forecast.data.forecastDate, data: event.data, ...provenanceOf(event), position: event.position.toString() };
  // Written once: a close records each forecast once and never changes it.
  view.put(FORECASTS, forecastId(date, kind, subject), { ...doc });
  const close = await closeOf(event, view, date);
  const counter = COUNTER[kind];
  view.put(CLOSES, date, { ...close, [counter]: close[counter] + 1 });
}

/** The marker ends the close: what was counted must be what it says was recorded. */
async function applyMarker(event: RecordedEvent, view: ProjectionView, date: IsoDate): Promise<void> {
  const { data } = { data: eventData(event) } as ForecastsRecordedEvent;
  const close = await closeOf(event, view, date);
  const counters = Object.values(COUNTER);
  const show = (counts: Pick<ForecastCloseDoc, (typeof counters)[number]>) => counters.map((counter) => `${counts[counter]} ${counter}`).join(', ');
  invariant(
    counters.every((counter) => close[counter] === data[counter]),
    () => `the close of ${date} counted ${show(close)}; its marker says ${show(data)}`,
  );
  view.put(CLOSES, date, { ...close, complete: true });
}

async function apply(event: RecordedEvent, view: ProjectionView): Promise<void> {
  invariant(event.stream.startsWith(STREAM_PREFIX), () => `${event.type} on stream ${event.stream}, not a day's forecasts`);
  const date = event.stream.slice(STREAM_PREFIX.length);
  return event.type === MARKER ? applyMarker(event, view, date) : applyForecast(event, view, date);
}

export const forecastsProjection: ProjectionDefinition = {
  name: 'forecasts',
  description: 'The forecasts recorded at each day close (fund yields, merchant demand, rebalancing proposals, skips) with model version and inputs position, and a summary per close that says whether it is complete.',
  collections: [
    { name: FORECASTS, indexes: [['date', 'kind', 'subject']] },
    { name: CLOSES, indexes: [['date']] },
  ],
  eventTypes: ['FundYieldForecasted', 'MerchantDemandForecasted', 'RebalanceProposed', 'ForecastSkipped', MARKER],
  apply,
};

export const FORECASTS_COLLECTIONS = { forecasts: FORECASTS, closes: CLOSES } as const;
