import type { JsonObject, RecordedEvent } from '../../eventstore';
import { RULE_BOOK_STREAM } from '../../domain/rules/rule-book.decider';
import { type ProjectionDefinition, type ProjectionView } from '../projection';

export const RULE_SETS_COLLECTION = 'rule_sets';

/** A rule set compliance proposed, and whether and when it was adopted; the built-in sets are not documents. */
export interface RuleSetDoc {
  /** Encoded as events carry it: amounts in fen as integer strings. */
  ruleSet: JsonObject;
  status: 'proposed' | 'adopted';
  proposedOn: string;
  proposedBy: string;
  proposedPosition: string;
  adoptedOn: string | null;
  adoptedPosition: string | null;
}

async function apply(event: RecordedEvent, view: ProjectionView): Promise<void> {
  if (event.stream !== RULE_BOOK_STREAM) return;
  const ruleSet = event.data.ruleSet as JsonObject;
  const version = String(ruleSet.version);
  const businessDate = String(event.metadata.businessDate ?? '');
  if (event.type === 'RuleSetProposed') {
    const doc: RuleSetDoc = {
      ruleSet,
      status: 'proposed',
      proposedOn: businessDate,
      proposedBy: String(event.metadata.principal ?? ''),
      proposedPosition: event.position.toString(),
      adoptedOn: null,
      adoptedPosition: null,
    };
    view.put(RULE_SETS_COLLECTION, version, doc as unknown as JsonObject);
    return;
  }
  const proposed = (await view.get(RULE_SETS_COLLECTION, version)) as RuleSetDoc | undefined;
  if (!proposed) throw new Error(`rule set ${version} was adopted at position ${event.position} without a proposal`);
  const adopted: RuleSetDoc = { ...proposed, status: 'adopted', adoptedOn: businessDate, adoptedPosition: event.position.toString() };
  view.put(RULE_SETS_COLLECTION, version, adopted as unknown as JsonObject);
}

export const ruleBookProjection: ProjectionDefinition = {
  name: 'rule_book',
  description: 'The rule sets compliance proposed and adopted, by version, from the rule book stream.',
  collections: [{ name: RULE_SETS_COLLECTION, indexes: [] }],
  eventTypes: ['RuleSetProposed', 'RuleSetAdopted'],
  apply,
};
