import type { JsonObject, RecordedEvent } from '../../eventstore';
import { CALENDAR_STREAM } from '../../domain/calendar/calendar.decider';
import type { DailyForecastEvent } from '../../domain/forecast/daily-forecast.decider';
import type { PartyRegisteredData } from '../../domain/party/party.decider';
import { type IsoDate, addDays } from '../../domain/iso-date';
import { invariant } from '../../invariant';
import { type ProjectionDefinition, type ProjectionView, eventData } from '../projection';

/**
 * Each recorded forecast against what followed, per fund and per merchant: a fund's forecast income per
 * 10,000 shares against the income it published for that day, a merchant's forecast outflow against the
 * withdrawals and payments it sent under that business day (the series its demand model is fitted to), and
 * both against the naive forecast, tomorrow = today: the fund's income of the day the forecast was made at
 * (recorded with the forecast), the merchant's outflow of that day.
 *
 * A subject's document keeps its recent days and the sums of the days scored before them, so each event
 * changes only the document of its own subject, from that document and the event: a forecast and its outcome
 * meet in that document whichever comes first. A fund's day counts once its income is published; a merchant's
 * once the day is closed (this read model follows the calendar's closes), its outflow still corrected by
 * movements recorded late for it while it is kept. Days older than KEPT_DAYS before the subject's newest day
 * are folded into the sums, the sums being final; a movement or an income recorded for a day folded already
 * is left out (it would be more than two weeks late).
 */
export const KEPT_DAYS = 14;

export type AccuracyKind = 'fund' | 'merchant';

/** One day of a subject, in the subject's unit: fen for a merchant, 0.0001 CNY per 10,000 shares for a fund. */
export interface AccuracyDay {
  date: IsoDate;
  forecast: bigint | null;
  naive: bigint | null;
  /** A fund's published income; a merchant's outflow recorded under the business date so far (0 without any). */
  actual: bigint | null;
  /** A merchant's forecast: the business day whose outflow is its naive forecast (the close it was made at). */
  naiveFrom: IsoDate | null;
}

/** Absolute and squared errors of the model and of the naive forecast, summed over `count` days. */
export interface ErrorSums {
  count: number;
  absolute: bigint;
  squared: bigint;
  naiveAbsolute: bigint;
  naiveSquared: bigint;
}

export interface AccuracyDoc {
  kind: AccuracyKind;
  fundCode: string | null;
  merchantId: string | null;
  walletId: string | null;
  /** The days folded out of `days`. */
  folded: ErrorSums;
  /** Oldest first, within KEPT_DAYS of the newest. */
  days: AccuracyDay[];
}

const SUBJECTS = 'forecast_accuracy';
const CALENDAR = 'forecast_accuracy_calendar';
export const FORECAST_ACCURACY_COLLECTIONS = { subjects: SUBJECTS, calendar: CALENDAR } as const;
/** The one document of the calendar collection: the last closed business date. */
export const CLOSED_DOC_ID = 'closed';
export const NO_ERRORS: ErrorSums = { count: 0, absolute: 0n, squared: 0n, naiveAbsolute: 0n, naiveSquared: 0n };

export const fundAccuracyId = (fundCode: string) => `fund:${fundCode}`;
export const merchantAccuracyId = (walletId: string) => `merchant:${walletId}`;

const FORECAST_PREFIX = 'forecast-';
const FUND_PREFIX = 'fund-';
const WALLET_PREFIX = 'wallet-';

/** Whether a day is scored: it has a forecast and its outcome is known (a merchant's once its day is closed). */
export function isScored(kind: AccuracyKind, day: AccuracyDay, closedThrough: IsoDate | null): boolean {
  if (day.forecast === null || day.naive === null || day.actual === null) return false;
  return kind === 'fund' || (closedThrough !== null && day.date <= closedThrough);
}

export function withDay(sums: ErrorSums, day: AccuracyDay): ErrorSums {
  const error = day.actual! - day.forecast!;
  const naiveError = day.actual! - day.naive!;
  return {
    count: sums.count + 1,
    absolute: sums.absolute + abs(error),
    squared: sums.squared + error * error,
    naiveAbsolute: sums.naiveAbsolute + abs(naiveError),
    naiveSquared: sums.naiveSquared + naiveError * naiveError,
  };
}

export function addSums(a: ErrorSums, b: ErrorSums): ErrorSums {
  return { count: a.count + b.count, absolute: a.absolute + b.absolute, squared: a.squared + b.squared, naiveAbsolute: a.naiveAbsolute + b.naiveAbsolute, naiveSquared: a.naiveSquared + b.naiveSquared };
}

/** A subject's errors over every scored day, the folded ones and those still kept. */
export function subjectErrors(doc: AccuracyDoc, closedThrough: IsoDate | null): ErrorSums {
  return doc.days.filter((day) => isScored(doc.kind, day, closedThrough)).reduce(withDay, doc.folded);
}

const abs = (value: bigint) => (value < 0n ? -value : value);

function emptyDoc(kind: AccuracyKind, ids: Pick<AccuracyDoc, 'fundCode' | 'merchantId' | 'walletId'>): AccuracyDoc {
  return { kind, ...ids, folded: NO_ERRORS, days: [] };
}

/** The doc with `date`'s day changed by `change` (made first when missing), then its old days folded. */
function withDayChanged(doc: AccuracyDoc, date: IsoDate, change: (day: AccuracyDay) => AccuracyDay): AccuracyDoc {
  const newest = doc.days.at(-1)?.date;
  if (newest !== undefined && date < keptFrom(newest)) return doc;
  const existing = doc.days.find((day) => day.date === date);
  const day = change(existing ?? { date, forecast: null, naive: null, actual: doc.kind === 'merchant' ? 0n : null, naiveFrom: null });
  const days = existing ? doc.days.map((d) => (d.date === date ? day : d)) : [...doc.days, day].sort((a, b) => (a.date < b.date ? -1 : 1));
  return folded({ ...doc, days });
}

const keptFrom = (newest: IsoDate) => addDays(newest, -KEPT_DAYS);

/** Days before the kept window leave it: a scored one adds to the sums, one never scored is dropped. */
function folded(doc: AccuracyDoc): AccuracyDoc {
  const from = keptFrom(doc.days.at(-1)!.date);
  const leaving = doc.days.filter((day) => day.date < from);
  if (leaving.length === 0) return doc;
  // Every business day before the newest one recorded has been closed, and these are two weeks before it.
  const scored = leaving.filter((day) => isScored(doc.kind, day, from));
  return { ...doc, folded: scored.reduce(withDay, doc.folded), days: doc.days.filter((day) => day.date >= from) };
}

/** The first forecast of a day is kept: a close forecasts each subject's day once. */
function withForecast(forecast: bigint, naive: bigint, naiveFrom: IsoDate | null): (day: AccuracyDay) => AccuracyDay {
  return (day) => (day.forecast !== null ? day : { ...day, forecast, naive, naiveFrom });
}

async function applyFundForecast(event: RecordedEvent, view: ProjectionView): Promise<void> {
  const { fundCode, forecastDate, perTenK, naivePerTenK } = eventData<Extract<DailyForecastEvent, { type: 'FundYieldForecasted' }>['data']>(event);
  const id = fundAccuracyId(fundCode);
  const doc = (await load(view, id)) ?? emptyDoc('fund', { fundCode, merchantId: null, walletId: null });
  save(view, id, withDayChanged(doc, forecastDate, withForecast(perTenK, naivePerTenK, null)));
}

async function applyIncome(event: RecordedEvent, view: ProjectionView): Promise<void> {
  invariant(event.stream.startsWith(FUND_PREFIX), () => `${event.type} on stream ${event.stream}, not a fund's`);
  const fundCode = event.stream.slice(FUND_PREFIX.length);
  const { date, perTenK } = eventData<{ date: IsoDate; perTenK: bigint }>(event);
  const id = fundAccuracyId(fundCode);
  const doc = (await load(view, id)) ?? emptyDoc('fund', { fundCode, merchantId: null, walletId: null });
  save(view, id, withDayChanged(doc, date, (day) => ({ ...day, actual: perTenK })));
}

async function applyDemandForecast(event: RecordedEvent, view: ProjectionView): Promise<void> {
  invariant(event.stream.startsWith(FORECAST_PREFIX), () => `${event.type} on stream ${event.stream}, not a day's forecasts`);
  const madeAt = event.stream.slice(FORECAST_PREFIX.length);
  const { merchantId, walletId, forecastDate, meanFen } = eventData<Extract<DailyForecastEvent, { type: 'MerchantDemandForecasted' }>['data']>(event);
  const id = merchantAccuracyId(walletId);
  const doc = (await load(view, id)) ?? emptyDoc('merchant', { fundCode: null, merchantId, walletId });
  const naive = doc.days.find((day) => day.date === madeAt)?.actual ?? 0n;
  save(view, id, withDayChanged({ ...doc, merchantId }, forecastDate, withForecast(meanFen, naive, madeAt)));
}

async function applyRegistration(event: RecordedEvent, view: ProjectionView): Promise<void> {
  const { kind, partyId, walletId } = eventData<PartyRegisteredData>(event);
  if (kind !== 'merchant') return;
  const id = merchantAccuracyId(walletId);
  const doc = await load(view, id);
  if (!doc) save(view, id, emptyDoc('merchant', { fundCode: null, merchantId: partyId, walletId }));
}

/** A merchant's withdrawal or payment sent adds to its day's outflow, and so to the naive forecast made from that day. */
async function applyOutflow(event: RecordedEvent, view: ProjectionView): Promise<void> {
  const businessDate = event.metadata.businessDate;
  if (!event.stream.startsWith(WALLET_PREFIX) || typeof businessDate !== 'string') return;
  const id = merchantAccuracyId(event.stream.slice(WALLET_PREFIX.length));
  // Customers' wallets have no document: their movements change nothing.
  const doc = await load(view, id);
  if (!doc) return;
  const { amountFen } = eventData<{ amountFen: bigint }>(event);
  const changed = withDayChanged(doc, businessDate, (day) => ({ ...day, actual: day.actual! + amountFen }));
  if (changed === doc) return;
  save(view, id, { ...changed, days: changed.days.map((day) => (day.naiveFrom === businessDate ? { ...day, naive: day.naive! + amountFen } : day)) });
}

async function applyDayClosed(event: RecordedEvent, view: ProjectionView): Promise<void> {
  if (event.stream !== CALENDAR_STREAM) return;
  const { date } = eventData<{ date: IsoDate }>(event);
  const stored = (await view.get(CALENDAR, CLOSED_DOC_ID)) as { closedThrough?: IsoDate } | undefined;
  if (stored?.closedThrough !== undefined && stored.closedThrough >= date) return;
  view.put(CALENDAR, CLOSED_DOC_ID, { closedThrough: date });
}

const APPLY: Record<string, (event: RecordedEvent, view: ProjectionView) => Promise<void>> = {
  FundYieldForecasted: applyFundForecast,
  IncomePublished: applyIncome,
  MerchantDemandForecasted: applyDemandForecast,
  PartyRegistered: applyRegistration,
  CashWithdrawn: applyOutflow,
  PaymentSent: applyOutflow,
  DayClosed: applyDayClosed,
};

async function load(view: ProjectionView, id: string): Promise<AccuracyDoc | undefined> {
  const body = await view.get(SUBJECTS, id);
  return body && accuracyDoc(body);
}

function save(view: ProjectionView, id: string, doc: AccuracyDoc): void {
  view.put(SUBJECTS, id, accuracyBody(doc));
}

const integer = (value: bigint | null) => (value === null ? null : value.toString());
const bigintOf = (value: unknown) => (value === null ? null : BigInt(value as string));

function sumsBody(sums: ErrorSums): JsonObject {
  return { count: sums.count, absolute: sums.absolute.toString(), squared: sums.squared.toString(), naiveAbsolute: sums.naiveAbsolute.toString(), naiveSquared: sums.naiveSquared.toString() };
}

/** Integers are decimal strings in the stored body: JSON numbers lose digits beyond 2^53, and squared fen get there. */
function accuracyBody(doc: AccuracyDoc): JsonObject {
  return {
    ...doc,
    folded: sumsBody(doc.folded),
    days: doc.days.map((day) => ({ ...day, forecast: integer(day.forecast), naive: integer(day.naive), actual: integer(day.actual) })),
  };
}

/** A stored document read back with its integers. */
export function accuracyDoc(body: JsonObject): AccuracyDoc {
  const folded = body.folded as JsonObject;
  return {
    kind: body.kind as AccuracyKind,
    fundCode: body.fundCode as string | null,
    merchantId: body.merchantId as string | null,
    walletId: body.walletId as string | null,
    folded: { count: folded.count as number, absolute: BigInt(folded.absolute as string), squared: BigInt(folded.squared as string), naiveAbsolute: BigInt(folded.naiveAbsolute as string), naiveSquared: BigInt(folded.naiveSquared as string) },
    days: (body.days as JsonObject[]).map((day) => ({ date: day.date as IsoDate, forecast: bigintOf(day.forecast), naive: bigintOf(day.naive), actual: bigintOf(day.actual), naiveFrom: day.naiveFrom as IsoDate | null })),
  };
}

export const forecastAccuracyProjection: ProjectionDefinition = {
  name: 'forecast_accuracy',
  description: "Each fund's and merchant's recorded forecasts against the income published and the outflow sent on the day forecast, with the naive forecast's errors beside the model's.",
  collections: [
    { name: SUBJECTS, indexes: [['kind'], ['fundCode'], ['merchantId']] },
    { name: CALENDAR, indexes: [] },
  ],
  eventTypes: Object.keys(APPLY),
  apply: (event, view) => APPLY[event.type]!(event, view),
};
