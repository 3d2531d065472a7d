import type { Decider } from '../decider';
import { DomainError } from '../domain-error';
import { type IsoDate, addDays, businessDayOnOrAfter, daysAfterUpTo, nextBusinessDay } from '../iso-date';

/**
 * The system's own business date. It starts at the configured start date and moves only by day close, one
 * business day at a time, so simulations and tests are deterministic and no date is skipped or closed twice.
 * Business days are the exchanges' trading days (../iso-date.ts), so a weekend or a holiday is never closed on
 * its own: the close of the next trading day accrues every calendar day since the previous close.
 * A close is recorded as started before any position is touched and as finished at the end, so a close
 * interrupted by a crash is visible and is completed by the next attempt for the same date.
 */
export type CalendarCommand =
  | { type: 'StartCalendar'; startDate: IsoDate }
  | { type: 'BeginDayClose'; date: IsoDate }
  | { type: 'FinishDayClose'; date: IsoDate };

export type CalendarEvent =
  | { type: 'CalendarStarted'; data: { businessDate: IsoDate } }
  | { type: 'DayCloseStarted'; data: { date: IsoDate; days: IsoDate[]; nextBusinessDate: IsoDate } }
  | { type: 'DayClosed'; data: { date: IsoDate; nextBusinessDate: IsoDate } };

export type CalendarState =
  | { started: false }
  | {
      started: true;
      /** The ledger's first business day: no income is dated before it. */
      startedOn: IsoDate;
      businessDate: IsoDate;
      lastClosedDate: IsoDate | null;
      closing: { date: IsoDate; days: readonly IsoDate[]; nextBusinessDate: IsoDate } | null;
    };

export const calendarDecider: Decider<CalendarCommand, CalendarEvent, CalendarState> = {
  initialState: { started: false },

  decide(command, state) {
    if (command.type === 'StartCalendar') {
      return state.started ? [] : [{ type: 'CalendarStarted', data: { businessDate: businessDayOnOrAfter(command.startDate) } }];
    }
    if (!state.started) throw new DomainError('CALENDAR_NOT_STARTED', 'the business calendar has not started');
    if (command.type === 'BeginDayClose') {
      if (state.closing?.date === command.date) return [];
      if (state.closing) throw new DomainError('DAY_CLOSE_IN_PROGRESS', `the close of ${state.closing.date} is not finished; repeat it first`);
      if (command.date !== state.businessDate) {
        const repeat = state.lastClosedDate !== null && command.date <= state.lastClosedDate;
        throw new DomainError(
          repeat ? 'DAY_ALREADY_CLOSED' : 'DAY_CLOSE_OUT_OF_ORDER',
          repeat
            ? `${command.date} is already closed; the business date is ${state.businessDate}`
            : `the business date is ${state.businessDate}: close it before ${command.date}`,
          { businessDate: state.businessDate },
        );
      }
      const from = state.lastClosedDate ?? addDays(command.date, -1);
      return [{ type: 'DayCloseStarted', data: { date: command.date, days: daysAfterUpTo(from, command.date), nextBusinessDate: nextBusinessDay(command.date) } }];
    }
    if (state.closing?.date !== command.date) throw new DomainError('DAY_CLOSE_NOT_STARTED', `no close of ${command.date} is in progress`);
    return [{ type: 'DayClosed', data: { date: command.date, nextBusinessDate: state.closing.nextBusinessDate } }];
  },

  evolve(state, event) {
    switch (event.type) {
      case 'CalendarStarted':
        return { started: true, startedOn: event.data.businessDate, businessDate: event.data.businessDate, lastClosedDate: null, closing: null };
      case 'DayCloseStarted':
        return state.started ? { ...state, closing: event.data } : state;
      case 'DayClosed':
        return state.started ? { ...state, businessDate: event.data.nextBusinessDate, lastClosedDate: event.data.date, closing: null } : state;
    }
  },
};

export const CALENDAR_STREAM = 'calendar';
