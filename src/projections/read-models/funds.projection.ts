import type { JsonObject, RecordedEvent } from '../../eventstore';
import { decodeData } from '../../domain/event-codec';
import type { FundEvent } from '../../domain/fund/fund.decider';
import type { PerTenKMicros } from '../../domain/income-rate';
import { type IsoDate, addDays } from '../../domain/iso-date';
import { invariant } from '../../invariant';
import { type ProjectionDefinition, type ProjectionView, eventData } from '../projection';

/** A 7-day yield needs the incomes of the day itself and the six calendar days before it. */
export const YIELD_WINDOW_DAYS = 7;

/** The catalogue entry of one fund; `recentPerTenK` holds the incomes that decide its latest 7-day yield. */
export interface FundDoc {
  code: string;
  name: string;
  registeredOn: IsoDate;
  latestIncomeDate: IsoDate | null;
  latestPerTenK: PerTenKMicros | null;
  /** Percent with 3 decimals, e.g. "2.388"; null until the latest income has 7 consecutive days behind it. */
  latestSevenDayYieldPct: string | null;
  /** Incomes of the calendar days from six days before the latest income date to that date. */
  recentPerTenK: Record<IsoDate, PerTenKMicros>;
}

/**
 * One fund on one calendar day. A row's `windowPerTenK` holds the published incomes of its own 7-day window,
 * so each income updates the rows whose window contains it from those rows' own bodies, in whatever order
 * incomes are published, and the yield is recomputed from the window every time, never adjusted.
 */
export interface FundDayDoc {
  fundCode: string;
  date: IsoDate;
  /** The income of this day; null while the row exists only because an earlier day's income reaches into its window. */
  perTenK: PerTenKMicros | null;
  windowPerTenK: Record<IsoDate, PerTenKMicros>;
  sevenDayYieldPct: string | null;
}

const FUNDS = 'funds';
const FUND_DAYS = 'fund_days';

export const fundDayId = (code: string, date: IsoDate) => `${code}:${date}`;

/**
 * The 7-day annualised yield of `date` in percent: (Σ of the 7 daily incomes per 10,000 shares / 10,000) ×
 * 365 / 7 × 100. Incomes are counts of 0.0001 CNY, so the percent is Σ × 365 / (7 × 10^6), and in
 * thousandths of a percent Σ × 365 / 7,000: exact integers, rounded half away from zero to 3 decimals.
 * Null unless all 7 days have an income.
 */
export function sevenDayYieldPct(incomes: Readonly<Record<IsoDate, PerTenKMicros>>, date: IsoDate): string | null {
  let sum = 0n;
  for (let back = 0; back < YIELD_WINDOW_DAYS; back++) {
    const income = incomes[addDays(date, -back)];
    if (income === undefined) return null;
    sum += income;
  }
  return formatThousandths(roundHalfAwayFromZero(sum * 365n, 7_000n));
}

function roundHalfAwayFromZero(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n;
  const abs = negative ? -numerator : numerator;
  const rounded = (abs + denominator / 2n) / denominator;
  return negative ? -rounded : rounded;
}

function formatThousandths(value: bigint): string {
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  return `${sign}${abs / 1_000n}.${(abs % 1_000n).toString().padStart(3, '0')}`;
}

/** Keeps the incomes within the 7-day window that ends at `latest`. */
function windowEndingAt(incomes: Readonly<Record<IsoDate, PerTenKMicros>>, latest: IsoDate): Record<IsoDate, PerTenKMicros> {
  const from = addDays(latest, -(YIELD_WINDOW_DAYS - 1));
  return Object.fromEntries(Object.entries(incomes).filter(([date]) => date >= from && date <= latest));
}

function fundCodeOf(event: RecordedEvent): string {
  invariant(event.stream.startsWith('fund-'), () => `${event.type} on stream ${event.stream}, not a fund's`);
  return event.stream.slice('fund-'.length);
}

async function applyIncome(view: ProjectionView, code: string, date: IsoDate, perTenK: PerTenKMicros): Promise<void> {
  const fund = await view.read<FundDoc>(FUNDS, code);
  invariant(fund !== undefined, () => `income of fund ${code} before it was registered`);
  const latest = fund.latestIncomeDate === null || date > fund.latestIncomeDate ? date : fund.latestIncomeDate;
  const recentPerTenK = windowEndingAt({ ...fund.recentPerTenK, [date]: perTenK }, latest);
  const next: FundDoc = {
    ...fund,
    latestIncomeDate: latest,
    latestPerTenK: recentPerTenK[latest] ?? null,
    latestSevenDayYieldPct: sevenDayYieldPct(recentPerTenK, latest),
    recentPerTenK,
  };
  view.write(FUNDS, code, next);
  // The income enters the window of its own day and of the six days after it.
  for (let ahead = 0; ahead < YIELD_WINDOW_DAYS; ahead++) await applyToDay(view, code, addDays(date, ahead), date, perTenK);
}

async function applyToDay(view: ProjectionView, code: string, day: IsoDate, incomeDate: IsoDate, perTenK: PerTenKMicros): Promise<void> {
  const id = fundDayId(code, day);
  const row: FundDayDoc = (await view.read<FundDayDoc>(FUND_DAYS, id)) ?? { fundCode: code, date: day, perTenK: null, windowPerTenK: {}, sevenDayYieldPct: null };
  const windowPerTenK = { ...row.windowPerTenK, [incomeDate]: perTenK };
  const next: FundDayDoc = {
    ...row,
    perTenK: windowPerTenK[day] ?? null,
    windowPerTenK,
    sevenDayYieldPct: sevenDayYieldPct(windowPerTenK, day),
  };
  view.write(FUND_DAYS, id, next);
}

async function apply(event: RecordedEvent, view: ProjectionView): Promise<void> {
  const fundEvent = { type: event.type, data: eventData(event) } as FundEvent;
  if (fundEvent.type === 'FundRegistered') {
    const { code, name, registeredOn } = fundEvent.data;
    if (await view.read<FundDoc>(FUNDS, code)) return;
    const fund: FundDoc = { code, name, registeredOn, latestIncomeDate: null, latestPerTenK: null, latestSevenDayYieldPct: null, recentPerTenK: {} };
    view.write(FUNDS, code, fund);
    return;
  }
  if (fundEvent.type === 'IncomePublished') await applyIncome(view, fundCodeOf(event), fundEvent.data.date, fundEvent.data.perTenK);
}

/** Reads a stored catalogue entry back with its bigint incomes. */
export function fundDoc(body: JsonObject): FundDoc {
  return decodeData<FundDoc>(body);
}

export function fundDayDoc(body: JsonObject): FundDayDoc {
  return decodeData<FundDayDoc>(body);
}

export const fundsProjection: ProjectionDefinition = {
  name: 'funds',
  description: "The fund catalogue with each fund's latest income and 7-day annualised yield, and a row per fund per calendar day with its income and 7-day yield.",
  collections: [
    { name: FUNDS, indexes: [] },
    { name: FUND_DAYS, indexes: [['fundCode', 'date']] },
  ],
  eventTypes: ['FundRegistered', 'IncomePublished'],
  apply,
};

export const FUNDS_COLLECTIONS = { funds: FUNDS, fundDays: FUND_DAYS } as const;
