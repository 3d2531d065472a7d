import { CALENDAR_STREAM, type CalendarEvent, calendarDecider } from '../../src/domain/calendar/calendar.decider';
import { spec } from './decider-spec';

// The week of Monday 2026-01-05 to Friday 2026-01-09; 2026-01-10/11 are the weekend, 2026-01-12 a Monday.
const started = (businessDate: string): CalendarEvent => ({ type: 'CalendarStarted', data: { businessDate } });
const closeStarted = (date: string, days: string[], nextBusinessDate: string): CalendarEvent => ({ type: 'DayCloseStarted', data: { date, days, nextBusinessDate } });
const closed = (date: string, nextBusinessDate: string): CalendarEvent => ({ type: 'DayClosed', data: { date, nextBusinessDate } });
/** Started on Thursday 2026-01-08, Thursday closed: the business date is Friday 2026-01-09. */
const thursdayClosed = [started('2026-01-08'), closeStarted('2026-01-08', ['2026-01-08'], '2026-01-09'), closed('2026-01-08', '2026-01-09')];
/** ...and Friday closed too: the business date is Monday 2026-01-12. */
const fridayClosed = [...thursdayClosed, closeStarted('2026-01-09', ['2026-01-09'], '2026-01-12'), closed('2026-01-09', '2026-01-12')];

describe('calendar decider', () => {
  describe('StartCalendar', () => {
    it('starts on the start date when it is a business day', () => {
      spec(calendarDecider)
        .given([])
        .when({ type: 'StartCalendar', startDate: '2026-01-07' })
        .then([started('2026-01-07')])
        .thenState((state) => {
          expect(state).toEqual({ started: true, startedOn: '2026-01-07', businessDate: '2026-01-07', lastClosedDate: null, closing: null });
        });
    });

    it.each(['2026-01-10', '2026-01-11'])('moves a start on the weekend day %s to Monday, the ledger\'s first day', (startDate) => {
      spec(calendarDecider)
        .given([])
        .when({ type: 'StartCalendar', startDate })
        .then([started('2026-01-12')])
        .thenState((state) => state.started && state.startedOn === '2026-01-12');
    });

    it('is a no-op once started', () => {
      spec(calendarDecider).given([started('2026-01-07')]).when({ type: 'StartCalendar', startDate: '2026-01-07' }).thenNothing();
    });
  });

  it.each([
    { type: 'BeginDayClose', date: '2026-01-07' },
    { type: 'FinishDayClose', date: '2026-01-07' },
  ] as const)('refuses $type before the start: CALENDAR_NOT_STARTED', (command) => {
    spec(calendarDecider).given([]).when(command).thenFails('CALENDAR_NOT_STARTED', {});
  });

  describe('BeginDayClose', () => {
    it('starts the first close with the business date as its only day', () => {
      spec(calendarDecider)
        .given([started('2026-01-07')])
        .when({ type: 'BeginDayClose', date: '2026-01-07' })
        .then([closeStarted('2026-01-07', ['2026-01-07'], '2026-01-08')])
        .thenState((state) => {
          expect(state).toEqual({
            started: true,
            startedOn: '2026-01-07',
            businessDate: '2026-01-07',
            lastClosedDate: null,
            closing: { date: '2026-01-07', days: ['2026-01-07'], nextBusinessDate: '2026-01-08' },
          });
        });
    });

    it('closes Friday alone, with Monday as the next business date', () => {
      spec(calendarDecider)
        .given(thursdayClosed)
        .when({ type: 'BeginDayClose', date: '2026-01-09' })
        .then([closeStarted('2026-01-09', ['2026-01-09'], '2026-01-12')]);
    });

    it('after the Friday close, makes the Monday close cover Saturday, Sunday and Monday', () => {
      spec(calendarDecider)
        .given(fridayClosed)
        .when({ type: 'BeginDayClose', date: '2026-01-12' })
        .then([closeStarted('2026-01-12', ['2026-01-10', '2026-01-11', '2026-01-12'], '2026-01-13')]);
    });

    it('is a no-op when the close of that date is already started (a resumed close)', () => {
      spec(calendarDecider)
        .given([...thursdayClosed, closeStarted('2026-01-09', ['2026-01-09'], '2026-01-12')])
        .when({ type: 'BeginDayClose', date: '2026-01-09' })
        .thenNothing();
    });

    it('refuses a date after the business date: DAY_CLOSE_OUT_OF_ORDER with the business date', () => {
      spec(calendarDecider).given(thursdayClosed).when({ type: 'BeginDayClose', date: '2026-01-12' }).thenFails('DAY_CLOSE_OUT_OF_ORDER', { businessDate: '2026-01-09' });
    });

    it('refuses a weekend date, which is never a business date: DAY_CLOSE_OUT_OF_ORDER', () => {
      spec(calendarDecider).given(fridayClosed).when({ type: 'BeginDayClose', date: '2026-01-10' }).thenFails('DAY_CLOSE_OUT_OF_ORDER', { businessDate: '2026-01-12' });
    });

    it('refuses a date before the calendar started: DAY_CLOSE_OUT_OF_ORDER', () => {
      spec(calendarDecider).given([started('2026-01-07')]).when({ type: 'BeginDayClose', date: '2026-01-06' }).thenFails('DAY_CLOSE_OUT_OF_ORDER', { businessDate: '2026-01-07' });
    });

    it('refuses a date already closed: DAY_ALREADY_CLOSED with the business date', () => {
      spec(calendarDecider).given(fridayClosed).when({ type: 'BeginDayClose', date: '2026-01-09' }).thenFails('DAY_ALREADY_CLOSED', { businessDate: '2026-01-12' });
      spec(calendarDecider).given(fridayClosed).when({ type: 'BeginDayClose', date: '2026-01-08' }).thenFails('DAY_ALREADY_CLOSED', { businessDate: '2026-01-12' });
    });

    it('refuses another date while a close is unfinished: DAY_CLOSE_IN_PROGRESS', () => {
      spec(calendarDecider)
        .given([...thursdayClosed, closeStarted('2026-01-09', ['2026-01-09'], '2026-01-12')])
        .when({ type: 'BeginDayClose', date: '2026-01-12' })
        .thenFails('DAY_CLOSE_IN_PROGRESS', {});
    });
  });

  describe('FinishDayClose', () => {
    it('closes the started date and moves the business date to the next business day', () => {
      spec(calendarDecider)
        .given([...thursdayClosed, closeStarted('2026-01-09', ['2026-01-09'], '2026-01-12')])
        .when({ type: 'FinishDayClose', date: '2026-01-09' })
        .then([closed('2026-01-09', '2026-01-12')])
        .thenState((state) => {
          expect(state).toEqual({ started: true, startedOn: '2026-01-08', businessDate: '2026-01-12', lastClosedDate: '2026-01-09', closing: null });
        });
    });

    it('refuses to finish a close that was not started: DAY_CLOSE_NOT_STARTED', () => {
      spec(calendarDecider).given(thursdayClosed).when({ type: 'FinishDayClose', date: '2026-01-09' }).thenFails('DAY_CLOSE_NOT_STARTED', {});
    });

    it('refuses to finish a date other than the one being closed: DAY_CLOSE_NOT_STARTED', () => {
      spec(calendarDecider)
        .given([...thursdayClosed, closeStarted('2026-01-09', ['2026-01-09'], '2026-01-12')])
        .when({ type: 'FinishDayClose', date: '2026-01-12' })
        .thenFails('DAY_CLOSE_NOT_STARTED', {});
    });

    it('refuses to finish a close already finished: DAY_CLOSE_NOT_STARTED', () => {
      spec(calendarDecider).given(fridayClosed).when({ type: 'FinishDayClose', date: '2026-01-09' }).thenFails('DAY_CLOSE_NOT_STARTED', {});
    });
  });

  it('evolves a week and a weekend of closes, one business day at a time', () => {
    spec(calendarDecider)
      .given([...fridayClosed, closeStarted('2026-01-12', ['2026-01-10', '2026-01-11', '2026-01-12'], '2026-01-13'), closed('2026-01-12', '2026-01-13')])
      .thenState((state) => {
        // The business date moves on; the ledger's first day stays the one it started on.
        expect(state).toEqual({ started: true, startedOn: '2026-01-08', businessDate: '2026-01-13', lastClosedDate: '2026-01-12', closing: null });
      });
  });

  describe('across the 2026 Spring Festival, the exchanges closed from 14 to 23 February', () => {
    /** Thursday 2026-02-12 closed: the business date is Friday 2026-02-13, the last trading day before it. */
    const eveOfFestival = [started('2026-02-12'), closeStarted('2026-02-12', ['2026-02-12'], '2026-02-13'), closed('2026-02-12', '2026-02-13')];
    const festivalDays = ['2026-02-14', '2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22', '2026-02-23'];

    it('closes the last trading day before it with the first trading day after it as the next business date', () => {
      spec(calendarDecider).given(eveOfFestival).when({ type: 'BeginDayClose', date: '2026-02-13' }).then([closeStarted('2026-02-13', ['2026-02-13'], '2026-02-24')]);
    });

    it('makes the close after it accrue every calendar day of it, weekends and holidays alike', () => {
      spec(calendarDecider)
        .given([...eveOfFestival, closeStarted('2026-02-13', ['2026-02-13'], '2026-02-24'), closed('2026-02-13', '2026-02-24')])
        .when({ type: 'BeginDayClose', date: '2026-02-24' })
        .then([closeStarted('2026-02-24', [...festivalDays, '2026-02-24'], '2026-02-25')]);
    });

    it('refuses to close a holiday, which is never a business date: DAY_CLOSE_OUT_OF_ORDER', () => {
      spec(calendarDecider)
        .given([...eveOfFestival, closeStarted('2026-02-13', ['2026-02-13'], '2026-02-24'), closed('2026-02-13', '2026-02-24')])
        .when({ type: 'BeginDayClose', date: '2026-02-16' })
        .thenFails('DAY_CLOSE_OUT_OF_ORDER', { businessDate: '2026-02-24' });
    });

    it('moves a start inside it to the first trading day after it', () => {
      spec(calendarDecider).given([]).when({ type: 'StartCalendar', startDate: '2026-02-17' }).then([started('2026-02-24')]);
    });
  });

  it('lives in the single stream "calendar"', () => {
    expect(CALENDAR_STREAM).toBe('calendar');
  });
});
