import type { JsonObject, RecordedEvent } from '../../eventstore';
import { type CalendarEvent, CALENDAR_STREAM } from '../../domain/calendar/calendar.decider';
import { decodeData } from '../../domain/event-codec';
import { RULE_BOOK_STREAM } from '../../domain/rules/rule-book.decider';
import { type RuleSet, timelineWith } from '../../domain/rules/rule-set';
import { invariant } from '../../invariant';
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
  /** The rule sets compliance adopted, in the order adopted (encoded): with the built-in ones, the rules over time. */
  adoptedRuleSets?: JsonObject[];
}

const TYPES = ['CalendarStarted', 'DayCloseStarted', 'DayClosed', 'RuleSetAdopted'] as const;

/** The next calendar document, following calendarDecider.evolve: a close before the start changes nothing. */
export function nextCalendar(previous: CalendarDoc | undefined, event: CalendarEvent): CalendarDoc | undefined {
  switch (event.type) {
    case 'CalendarStarted':
      return { businessDate: event.data.businessDate, lastClosedDate: null, closingDate: null };
    case 'DayCloseStarted':
      return previous && { ...previous, closingDate: event.data.date };
    case 'DayClosed':
      return previous && { ...previous, businessDate: event.data.nextBusinessDate, lastClosedDate: event.data.date, closingDate: null };
  }
}

/** The rule sets in force over time, as the calendar document has them. */
export function ruleSetsOf(calendar: CalendarDoc): readonly RuleSet[] {
  return timelineWith((calendar.adoptedRuleSets ?? []).map((json) => decodeData<RuleSet>(json)));
}

async function apply(event: RecordedEvent, view: ProjectionView): Promise<void> {
  if (event.stream === RULE_BOOK_STREAM) return adoptRuleSet(event, view);
  if (event.stream !== CALENDAR_STREAM) return;
  const previous = (await view.get(CALENDAR_COLLECTION, CALENDAR_DOC_ID)) as CalendarDoc | undefined;
  const next = nextCalendar(previous, { type: event.type, data: eventData(event) } as CalendarEvent);
  if (next) view.put(CALENDAR_COLLECTION, CALENDAR_DOC_ID, next as unknown as JsonObject);
}

async function adoptRuleSet(event: RecordedEvent, view: ProjectionView): Promise<void> {
  // The calendar starts before anything else is written, so compliance never adopts a set before it exists.
  const previous = (await view.get(CALENDAR_COLLECTION, CALENDAR_DOC_ID)) as CalendarDoc | undefined;
  invariant(previous !== undefined, () => `rule set adopted at position ${event.position} before the calendar started`);
  const ruleSet = event.data.ruleSet as JsonObject;
  const adopted = (previous.adoptedRuleSets ?? []).filter((set) => set.version !== ruleSet.version);
  view.put(CALENDAR_COLLECTION, CALENDAR_DOC_ID, { ...previous, adoptedRuleSets: [...adopted, ruleSet] } as unknown as JsonObject);
}

export const calendarProjection: ProjectionDefinition = {
  name: 'calendar',
  description: 'The business date, the last closed date and the close in progress, from the calendar stream; the rule sets compliance adopted, from the rule book.',
  collections: [{ name: CALENDAR_COLLECTION, indexes: [] }],
  eventTypes: TYPES,
  apply,
};
