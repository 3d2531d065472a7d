import { EXCHANGE_HOLIDAYS, EXCHANGE_HOLIDAYS_COVER } from '../../src/domain/calendar/exchange-holidays';
import { addDays, businessDayOnOrAfter, isBusinessDay, isIsoDate, nextBusinessDay } from '../../src/domain/iso-date';

const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();
const isWeekend = (date: string) => weekday(date) === 0 || weekday(date) === 6;

function daysFromThrough(first: string, last: string): string[] {
  const days: string[] = [];
  for (let day = first; day <= last; day = addDays(day, 1)) days.push(day);
  return days;
}

/** The weekdays of a year on which the exchanges do not trade. */
const weekdaysClosedIn = (year: number) => daysFromThrough(`${year}-01-01`, `${year}-12-31`).filter((day) => !isWeekend(day) && !isBusinessDay(day));

describe('the exchange holiday data', () => {
  it('has one entry per year of the range it claims to cover, in order', () => {
    const { firstYear, lastYear } = EXCHANGE_HOLIDAYS_COVER;
    expect(EXCHANGE_HOLIDAYS.map(({ year }) => year)).toEqual(Array.from({ length: lastYear - firstYear + 1 }, (_, i) => firstYear + i));
  });

  it.each(EXCHANGE_HOLIDAYS.map((entry) => [entry.year, entry] as const))('%i: ordered periods of real dates, in the year or the December before', (year, entry) => {
    let previousLast = `${year - 1}-12-01`;
    for (const { first, last } of entry.holidays) {
      expect([isIsoDate(first), isIsoDate(last)]).toEqual([true, true]);
      expect(first > previousLast && first <= last && last <= `${year}-12-31`).toBe(true);
      previousLast = last;
    }
    expect(entry.notices.length).toBeGreaterThan(0);
  });

  it('records adjusted working weekends as weekend days outside every holiday, none of them a trading day', () => {
    const adjusted = EXCHANGE_HOLIDAYS.flatMap((entry) => entry.adjustedWorkingWeekends);
    const holidayDays = new Set(EXCHANGE_HOLIDAYS.flatMap((entry) => entry.holidays.flatMap(({ first, last }) => daysFromThrough(first, last))));
    expect(adjusted.length).toBeGreaterThan(60);
    for (const { date, tradingDay } of adjusted) {
      expect({ date, weekend: isWeekend(date), holiday: holidayDays.has(date), tradingDay, businessDay: isBusinessDay(date) }).toEqual({ date, weekend: true, holiday: false, tradingDay: false, businessDay: false });
    }
  });

  // The Shanghai exchange's own lists of weekday closures (its annual 休市安排 notices).
  it.each([
    [2024, ['2024-01-01', '2024-02-09', '2024-02-12', '2024-02-13', '2024-02-14', '2024-02-15', '2024-02-16', '2024-04-04', '2024-04-05', '2024-05-01', '2024-05-02', '2024-05-03', '2024-06-10', '2024-09-16', '2024-09-17', '2024-10-01', '2024-10-02', '2024-10-03', '2024-10-04', '2024-10-07']],
    [2025, ['2025-01-01', '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', '2025-02-03', '2025-02-04', '2025-04-04', '2025-05-01', '2025-05-02', '2025-05-05', '2025-06-02', '2025-10-01', '2025-10-02', '2025-10-03', '2025-10-06', '2025-10-07', '2025-10-08']],
    [2026, ['2026-01-01', '2026-01-02', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-23', '2026-04-06', '2026-05-01', '2026-05-04', '2026-05-05', '2026-06-19', '2026-09-25', '2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07']],
  ])('closes in %i exactly the weekdays the exchange closed', (year, closed) => {
    expect(weekdaysClosedIn(year)).toEqual(closed);
  });
});

describe('business days: the exchanges trading days', () => {
  it('never counts a Saturday or Sunday, adjusted working weekends included', () => {
    const weekendBusinessDays = daysFromThrough('2013-01-01', '2027-12-31').filter((day) => isWeekend(day) && isBusinessDay(day));
    expect(weekendBusinessDays).toEqual([]);
    expect(['2026-02-14', '2026-02-28', '2026-01-04'].some(isBusinessDay)).toBe(false);
  });

  describe('across the 2026 Spring Festival (15 to 23 February)', () => {
    it('closes every weekday of it', () => {
      expect(['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-23'].some(isBusinessDay)).toBe(false);
      expect(['2026-02-13', '2026-02-24'].every(isBusinessDay)).toBe(true);
    });

    it('makes the first trading day after it the business day after the last one before it', () => {
      expect(nextBusinessDay('2026-02-13')).toBe('2026-02-24');
    });

    it('moves a date inside it, or on its weekend, to the first trading day after it', () => {
      expect(['2026-02-14', '2026-02-16', '2026-02-23'].map(businessDayOnOrAfter)).toEqual(['2026-02-24', '2026-02-24', '2026-02-24']);
    });
  });

  it.each([
    ['2025-09-30', '2025-10-09', 'the 2025 Mid-Autumn Festival and National Day, 1 to 8 October'],
    ['2024-02-08', '2024-02-19', 'the 2024 Spring Festival, 10 to 17 February, and the exchanges closed on its eve, the 9th'],
    ['2020-01-23', '2020-02-03', 'the 2020 Spring Festival, extended to 2 February'],
    ['2015-09-02', '2015-09-07', 'the 2015 Victory Day holiday, 3 to 5 September'],
  ])('finds the business day after %s: %s, after %s', (date, next) => {
    expect(nextBusinessDay(date)).toBe(next);
  });

  it('treats every Monday to Friday as a business day in a year the data does not cover', () => {
    // National Day is a holiday every year, but 2013 and 2027 are outside the data.
    expect(EXCHANGE_HOLIDAYS_COVER).toEqual({ firstYear: 2014, lastYear: 2026 });
    expect(['2013-10-01', '2027-10-01'].every(isBusinessDay)).toBe(true);
  });
});
