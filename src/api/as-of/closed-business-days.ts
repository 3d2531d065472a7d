import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '../../eventstore';
import { CALENDAR_STREAM, type CalendarEvent } from '../../domain/calendar/calendar.decider';
import { eventData } from '../../projections/projection';
import { EVENT_STORE } from '../event-store.module';
import { HttpProblem } from '../http/problem';

/** Calendar events read per refresh at most: about two per business day, so centuries of closes. */
const MAX_CALENDAR_EVENTS_PER_REFRESH = 200_000;

/**
 * When each business date's close was recorded, from the calendar stream's DayClosed events. The stream only
 * grows, so what was read is kept (one entry per closed business date) and each lookup reads only the events
 * appended since.
 */
@Injectable()
export class ClosedBusinessDays {
  private readonly closedAtMsByDate = new Map<string, number>();
  private startedOn: string | undefined;
  /** The business date now: the one after the last close, or the first while none has been closed. */
  private businessDate: string | undefined;
  private lastClosedDate: string | null = null;
  private nextRevision = 0n;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** The recorded time of the close of `date`: the state as of it is the state right after that close. */
  async closedAtMs(date: string): Promise<number> {
    await this.refresh();
    const closedAtMs = this.closedAtMsByDate.get(date);
    if (closedAtMs !== undefined) return closedAtMs;
    if (this.startedOn === undefined || date < this.startedOn) {
      const started = this.startedOn === undefined ? 'the business calendar has not started' : `the business calendar started on ${this.startedOn}`;
      throw notClosed(`asOfBusinessDate ${date} is before the calendar began: ${started}`);
    }
    if (this.businessDate !== undefined && date >= this.businessDate) {
      throw notClosed(`asOfBusinessDate ${date} has not been closed yet: the business date is ${this.businessDate}${this.lastClosedDate ? ` and the last one closed is ${this.lastClosedDate}` : ', and none has been closed'}`);
    }
    throw notClosed(`asOfBusinessDate ${date} was not a business date: no day close was recorded for it (the last business date closed before it is ${this.lastClosedBefore(date) ?? 'none'})`);
  }

  private async refresh(): Promise<void> {
    for (let read = MAX_CALENDAR_EVENTS_PER_REFRESH; read === MAX_CALENDAR_EVENTS_PER_REFRESH; ) {
      read = 0;
      for await (const event of this.store.readStream(CALENDAR_STREAM, { fromRevision: this.nextRevision, maxCount: MAX_CALENDAR_EVENTS_PER_REFRESH })) {
        read++;
        // Two lookups at once read the same events; only the first to reach one applies it, so dates never go back.
        if (event.revision < this.nextRevision) continue;
        this.nextRevision = event.revision + 1n;
        // The calendar stream carries other events of the close too; only these two say when a date began and ended.
        if (event.type !== 'CalendarStarted' && event.type !== 'DayClosed') continue;
        const calendarEvent = { type: event.type, data: eventData(event) } as CalendarEvent;
        if (calendarEvent.type === 'CalendarStarted') {
          this.startedOn ??= calendarEvent.data.businessDate;
          this.businessDate ??= calendarEvent.data.businessDate;
        } else if (calendarEvent.type === 'DayClosed') {
          this.closedAtMsByDate.set(calendarEvent.data.date, event.recordedAt.getTime());
          this.lastClosedDate = calendarEvent.data.date;
          this.businessDate = calendarEvent.data.nextBusinessDate;
        }
      }
    }
  }

  private lastClosedBefore(date: string): string | undefined {
    let latest: string | undefined;
    for (const closed of this.closedAtMsByDate.keys()) if (closed < date && (latest === undefined || closed > latest)) latest = closed;
    return latest;
  }
}

function notClosed(detail: string): HttpProblem {
  return new HttpProblem(422, detail, { code: 'BUSINESS_DATE_NOT_CLOSED', field: 'asOfBusinessDate' });
}
