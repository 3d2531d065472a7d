import { EXCHANGE_HOLIDAYS } from './calendar/exchange-holidays';

/**
 * Business dates are ISO calendar dates ("2026-01-05") with no time zone: the system's own calendar, moved
 * only by day close. Business days are the exchanges' trading days: Monday to Friday except the public
 * holidays of ./calendar/exchange-holidays.ts (2014 to 2026; outside those years every Monday to Friday).
 * A weekend is never one, not even a weekend the State Council makes a working day. Income accrues on every
 * calendar day.
 */
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;
/** No day close ever spans more than this many calendar days (a long holiday is at most a couple of weeks). */
export const MAX_DAYS_PER_CLOSE = 31;

export function isIsoDate(text: unknown): text is IsoDate {
  if (typeof text !== 'string') return false;
  const match = ISO_DATE.exec(text);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === text;
}

function toMs(date: IsoDate): number {
  if (!isIsoDate(date)) throw new RangeError(`not an ISO date: ${date}`);
  return Date.parse(`${date}T00:00:00Z`);
}

function fromMs(ms: number): IsoDate {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromMs(toMs(date) + days * DAY_MS);
}

/** `date` and the `count - 1` calendar days before it, newest first: one parse for all of them. */
export function daysBackFrom(date: IsoDate, count: number): IsoDate[] {
  const ms = toMs(date);
  return Array.from({ length: count }, (_, i) => fromMs(ms - i * DAY_MS));
}

/** Every day of every holiday period, and the exchanges' own extra closures: weekends among them too. */
const EXCHANGE_HOLIDAY_DATES: ReadonlySet<IsoDate> = new Set(
  EXCHANGE_HOLIDAYS.flatMap((year) => [
    ...year.holidays.flatMap(({ first, last }) => daysAfterUpTo(addDays(first, -1), last)),
    ...(year.exchangeOnlyClosures ?? []).map(({ date }) => date),
  ]),
);

/** Whether the exchanges trade on `date`: a Monday to Friday that is no holiday. */
export function isBusinessDay(date: IsoDate): boolean {
  const weekday = new Date(toMs(date)).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !EXCHANGE_HOLIDAY_DATES.has(date);
}

export function nextBusinessDay(date: IsoDate): IsoDate {
  let next = addDays(date, 1);
  while (!isBusinessDay(next)) next = addDays(next, 1);
  return next;
}

/** The first business day on or after `date`. */
export function businessDayOnOrAfter(date: IsoDate): IsoDate {
  return isBusinessDay(date) ? date : nextBusinessDay(date);
}

/** Calendar days after `from` up to and including `to`, in order. */
export function daysAfterUpTo(from: IsoDate, to: IsoDate): IsoDate[] {
  const days: IsoDate[] = [];
  for (let day = addDays(from, 1); day <= to; day = addDays(day, 1)) {
    if (days.length >= MAX_DAYS_PER_CLOSE) throw new RangeError(`more than ${MAX_DAYS_PER_CLOSE} days between ${from} and ${to}`);
    days.push(day);
  }
  return days;
}
