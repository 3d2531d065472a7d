/**
 * Calendar facts the simulators and the yield features need, for every calendar day of a range. Pure integer
 * arithmetic on UTC day numbers, so the result is the same on every machine and in every time zone.
 */

export interface CalendarDay {
  /** ISO date, "2014-01-31". */
  readonly date: string;
  /** Days since 1970-01-01. */
  readonly dayNumber: number;
  readonly year: number;
  /** 1–12. */
  readonly month: number;
  /** 1–31. */
  readonly day: number;
  /** 0 = Sunday … 6 = Saturday. */
  readonly weekday: number;
  readonly daysInMonth: number;
  /** 0 on the last day of the month, 1 the day before, … */
  readonly daysToMonthEnd: number;
  /** Monday to Friday. */
  readonly businessDay: boolean;
  /** March, June, September, December. */
  readonly quarterEndMonth: boolean;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of an ISO date, or undefined when the text is not a real calendar date. */
export function isoDayNumber(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = ISO_DATE.exec(text);
  if (!match) return undefined;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== text) return undefined;
  return ms / DAY_MS;
}

export function isoDateOfDayNumber(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

export function calendarDay(dayNumber: number): CalendarDay {
  const date = isoDateOfDayNumber(dayNumber);
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const weekday = (((dayNumber + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  return {
    date,
    dayNumber,
    year,
    month,
    day,
    weekday,
    daysInMonth,
    daysToMonthEnd: daysInMonth - day,
    businessDay: weekday !== 0 && weekday !== 6,
    quarterEndMonth: month % 3 === 0,
  };
}

/** Every calendar day from `startDay` to `endDay` inclusive (day numbers). */
export function calendarDays(startDay: number, endDay: number): CalendarDay[] {
  const days: CalendarDay[] = [];
  for (let d = startDay; d <= endDay; d += 1) days.push(calendarDay(d));
  return days;
}
