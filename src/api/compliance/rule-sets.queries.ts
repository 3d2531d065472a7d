import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { decodeData } from '../../domain/event-codec';
import { MAX_RULE_SETS } from '../../domain/rules/rule-book.decider';
import { RULE_SETS, type RuleSet, ruleSetOn } from '../../domain/rules/rule-set';
import { ReadModels } from '../../projections';
import { CALENDAR_COLLECTION, CALENDAR_DOC_ID, type CalendarDoc, ruleSetsOf } from '../../projections/read-models/calendar.projection';
import { RULE_SETS_COLLECTION, type RuleSetDoc } from '../../projections/read-models/rule-book.projection';
import { ruleSetBody } from './rule-set-body';

export const RULE_SET_PROJECTIONS = ['rule_book', 'calendar'] as const;

export type RuleSetStatus = 'built-in' | 'proposed' | 'adopted';

export interface RuleSetListing {
  businessDate: string;
  inForce: string;
  ruleSets: (ReturnType<typeof ruleSetBody> & {
    status: RuleSetStatus;
    /** Whether the set is the one in force today, one of the past, one that will be, or none (a proposal). */
    applies: 'now' | 'before' | 'later' | null;
    proposedOn: string | null;
    proposedBy: string | null;
    adoptedOn: string | null;
  })[];
}

export class ListRuleSetsQuery extends Query<RuleSetListing> {
  constructor(readonly minPosition: bigint | undefined) {
    super();
  }
}

/** Every version, built in, proposed and adopted, by effective date; which one is in force on today's business date. */
@QueryHandler(ListRuleSetsQuery)
export class ListRuleSetsHandler implements IQueryHandler<ListRuleSetsQuery, RuleSetListing> {
  constructor(private readonly readModels: ReadModels) {}

  async execute({ minPosition }: ListRuleSetsQuery): Promise<RuleSetListing> {
    await this.readModels.atLeast(RULE_SET_PROJECTIONS, minPosition);
    const calendar = (await this.readModels.get('calendar', CALENDAR_COLLECTION, CALENDAR_DOC_ID)) as CalendarDoc | undefined;
    const docs = await this.readModels.find('rule_book', RULE_SETS_COLLECTION, { limit: MAX_RULE_SETS });
    const businessDate = calendar?.businessDate ?? RULE_SETS[0]!.effectiveFrom;
    const timeline = calendar ? ruleSetsOf(calendar) : RULE_SETS;
    const inForce = ruleSetOn(businessDate, timeline);
    const applies = (set: RuleSet): RuleSetListing['ruleSets'][number]['applies'] => {
      if (!timeline.some((t) => t.version === set.version)) return null;
      return set.version === inForce.version ? 'now' : set.effectiveFrom < businessDate ? 'before' : 'later';
    };
    const builtIn = RULE_SETS.map((set) => ({ ...ruleSetBody(set), status: 'built-in' as const, applies: applies(set), proposedOn: null, proposedBy: null, adoptedOn: null }));
    const recorded = docs.map((stored) => {
      const doc = stored.body as unknown as RuleSetDoc;
      const set = decodeData<RuleSet>(doc.ruleSet);
      return { ...ruleSetBody(set), status: doc.status, applies: applies(set), proposedOn: doc.proposedOn, proposedBy: doc.proposedBy, adoptedOn: doc.adoptedOn };
    });
    const ruleSets = [...builtIn, ...recorded].sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : a.effectiveFrom > b.effectiveFrom ? 1 : a.version < b.version ? -1 : 1));
    return { businessDate, inForce: inForce.version, ruleSets };
  }
}
