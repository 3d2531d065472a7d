import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { type EventStore, WrongExpectedRevisionError } from '../../eventstore';
import { CALENDAR_STREAM, type CalendarState, calendarDecider } from '../../domain/calendar/calendar.decider';
import { RULE_BOOK_STREAM } from '../../domain/rules/rule-book.decider';
import { type RuleSet, ruleSetOn } from '../../domain/rules/rule-set';
import type { IfwConfig } from '../../config';
import { IFW_CONFIG } from '../config.module';
import { EVENT_STORE } from '../event-store.module';
import { CALENDAR, RULE_BOOK } from '../commands/aggregates';
import { expectedAfter, loadStored, toEventInputs } from '../commands/stored-aggregate';

export type StartedCalendar = Extract<CalendarState, { started: true }>;

export interface Today {
  calendar: StartedCalendar;
  revision: bigint;
  businessDate: string;
  ruleSet: RuleSet;
  /** Every rule set in force over time, built in and adopted: what a rule's effect on another date is read from. */
  ruleSets: readonly RuleSet[];
}

/** The business date, read from the calendar stream, and the rule set in force on it, from the rule book's. */
@Injectable()
export class BusinessCalendar implements OnApplicationBootstrap {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(IFW_CONFIG) private readonly config: IfwConfig,
  ) {}

  /** A new ledger starts its calendar at IFW_START_DATE; an existing one keeps its own date. */
  async onApplicationBootstrap(): Promise<void> {
    const { state, revision } = await loadStored(this.store, CALENDAR_STREAM, calendarDecider, CALENDAR.schema);
    const events = calendarDecider.decide({ type: 'StartCalendar', startDate: this.config.startDate }, state);
    if (events.length === 0) return;
    const businessDate = this.config.startDate;
    const metadata = { correlationId: 'start', causationId: 'start', principal: 'system', ruleSetVersion: ruleSetOn(businessDate).version, businessDate };
    await this.store.append(CALENDAR_STREAM, toEventInputs(events, metadata), { expectedRevision: expectedAfter(revision) }).catch((error: unknown) => {
      // Another process started the calendar at the same moment; its start stands.
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
    });
  }

  /** Cheap to call per command: the folded calendar is cached and revalidated against the stream's revision. */
  async today(): Promise<Today> {
    const { state, revision } = await loadStored(this.store, CALENDAR_STREAM, calendarDecider, CALENDAR.schema);
    if (!state.started) throw new Error('the business calendar has not started: the application did not finish booting');
    const { timeline } = (await loadStored(this.store, RULE_BOOK_STREAM, RULE_BOOK.decider, RULE_BOOK.schema)).state;
    return { calendar: state, revision, businessDate: state.businessDate, ruleSet: ruleSetOn(state.businessDate, timeline), ruleSets: timeline };
  }
}
