import type { Decider } from '../decider';
import { DomainError } from '../domain-error';
import type { IsoDate } from '../iso-date';
import { invariant } from '../../invariant';
import { RULE_SETS, type RuleSet, withRuleSet } from './rule-set';

/**
 * The rule sets compliance proposes and adopts, in one stream. A proposal changes nothing in force: it can
 * be rebuilt under to see what it would change. Adoption puts it in force from its effective date, which
 * must lie after the business date of the adoption: events already written were decided under the rules
 * then in force, and history is never re-decided.
 */
export type RuleBookCommand =
  | { type: 'ProposeRuleSet'; ruleSet: RuleSet }
  | { type: 'AdoptRuleSet'; version: string; businessDate: IsoDate };

export type RuleBookEvent =
  | { type: 'RuleSetProposed'; data: { ruleSet: RuleSet } }
  /** Carries the whole set, so the log alone tells what was in force when. */
  | { type: 'RuleSetAdopted'; data: { ruleSet: RuleSet } };

export interface RuleBookState {
  proposed: Readonly<Record<string, RuleSet>>;
  /** The sets in force over time, built in and adopted, ordered by effectiveFrom. */
  timeline: readonly RuleSet[];
}

export const RULE_BOOK_STREAM = 'compliance-rules';
/** Proposals and adoptions together: the rule book is read whole, at every command, so it stays small. */
export const MAX_RULE_SETS = 200;

/** The set proposed under `version`, if any: versions come from requests, so `constructor` must not find Object's. */
export function proposedSet(state: RuleBookState, version: string): RuleSet | undefined {
  return Object.hasOwn(state.proposed, version) ? state.proposed[version] : undefined;
}

export const ruleBookDecider: Decider<RuleBookCommand, RuleBookEvent, RuleBookState> = {
  initialState: { proposed: {}, timeline: RULE_SETS },

  decide(command, state) {
    if (command.type === 'ProposeRuleSet') {
      const { ruleSet } = command;
      if (proposedSet(state, ruleSet.version) || state.timeline.some((set) => set.version === ruleSet.version)) {
        throw new DomainError('RULE_SET_EXISTS', `rule set ${ruleSet.version} exists; a changed set needs a new version`, { field: 'version' });
      }
      requireFreeDate(state, ruleSet);
      if (Object.keys(state.proposed).length + state.timeline.length >= MAX_RULE_SETS) {
        throw new DomainError('RULE_BOOK_FULL', `the rule book holds ${MAX_RULE_SETS} sets, its limit`);
      }
      return [{ type: 'RuleSetProposed', data: { ruleSet } }];
    }
    const ruleSet = proposedSet(state, command.version);
    if (!ruleSet) {
      if (state.timeline.some((set) => set.version === command.version)) return [];
      throw new DomainError('UNKNOWN_RULE_SET', `no rule set ${command.version} was proposed`, { field: 'rules' });
    }
    if (ruleSet.effectiveFrom <= command.businessDate) {
      throw new DomainError(
        'RULES_EFFECTIVE_IN_PAST',
        `rule set ${ruleSet.version} takes effect on ${ruleSet.effectiveFrom}, not after today's business date ${command.businessDate}: what was decided then stands; propose a set effective later`,
        { field: 'effectiveFrom' },
      );
    }
    requireFreeDate(state, ruleSet);
    return [{ type: 'RuleSetAdopted', data: { ruleSet } }];
  },

  evolve(state, event) {
    if (event.type === 'RuleSetProposed') return { ...state, proposed: { ...state.proposed, [event.data.ruleSet.version]: event.data.ruleSet } };
    const { [event.data.ruleSet.version]: adopted, ...proposed } = state.proposed;
    invariant(adopted !== undefined, () => `rule set ${event.data.ruleSet.version} was adopted without a proposal`);
    return { proposed, timeline: withRuleSet(state.timeline, event.data.ruleSet) };
  },
};

/** Two sets in force from one date would leave the date's rules ambiguous. */
function requireFreeDate(state: RuleBookState, ruleSet: RuleSet): void {
  const taken = state.timeline.find((set) => set.effectiveFrom === ruleSet.effectiveFrom);
  if (taken) {
    throw new DomainError('EFFECTIVE_DATE_TAKEN', `rule set ${taken.version} already takes effect on ${ruleSet.effectiveFrom}`, { field: 'effectiveFrom' });
  }
}
