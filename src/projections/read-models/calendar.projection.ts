import type { JsonObject, RecordedEvent } from '../../eventstore';
import { type CalendarEvent, CALENDAR_STREAM } from '../../domain/calendar/calendar.decider';
import { type ProjectionDefinition, type ProjectionView, eventData } from '../projection';

export const CALENDAR_COLLECTION = 'calendar';
/** The calendar is one document; other read models' queries read it by this id. */
export const CALENDAR_DOC_ID = 'calendar';

/** The business calendar as queries read it. Other read models' queries depend on exactly these fields. */
export interface CalendarDoc {
  businessDate: string;
  lastClosedDate: string | null;
  /** The date whose close has started and not yet finished; null between closes. */
  closingDate: string | null;
}

const TYPES = ['CalendarStarted', 'DayCloseStarted', 'DayClosed'] as const;

/** The next calendar document, following calendarDecider.evolve: a close before the start changes nothing. */
export function nextCalendar(previous: CalendarDoc | undefined, event: CalendarEvent): CalendarDoc | undefined {
  switch (event.type) {
    case 'CalendarStarted':
      return { businessDate: event.data.businessDate, lastClosedDate: null, closingDate: null };
    case 'DayCloseStarted':
      return previous && { ...previous, closingDate: event.data.date };
    case 'DayClosed':
      return previous && { businessDate: event.data.nextBusinessDate, lastClosedDate: event.data.date, closingDate: null };
  }
}

async function apply(event: RecordedEvent, view: ProjectionView): Promise<void> {
  if (event.stream !== CALENDAR_STREAM) return;
  const previous = (await view.get(CALENDAR_COLLECTION, CALENDAR_DOC_ID)) as CalendarDoc | undefined;
  const next = nextCalendar(previous, { type: event.type, data: eventData(event) } as CalendarEvent);
  if (next) view.put(CALENDAR_COLLECTION, CALENDAR_DOC_ID, next as unknown as JsonObject);
}

export const calendarProjection: ProjectionDefinition = {
  name: 'calendar',
  description: 'The business date, the last closed date and the close in progress, from the calendar stream.',
  collections: [{ name: CALENDAR_COLLECTION, indexes: [] }],
  eventTypes: TYPES,
  apply,
};
