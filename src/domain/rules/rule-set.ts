import type { Fen } from '../money';
import type { IsoDate } from '../iso-date';

/**
 * Compliance rules are data with an effective date, not constants: a decision applies the rule set in force
 * on its business date and records the set's version in the event's metadata, so a later audit or a rebuild
 * under changed rules can tell which rule produced which outcome.
 */
export interface RuleSet {
  version: string;
  effectiveFrom: IsoDate;
  /** Instant (T+0) redemption cap per investor, per fund, per day. */
  instantRedemptionCapFen: Fen;
  source: string;
}

/** Ordered by effectiveFrom. */
export const RULE_SETS: readonly RuleSet[] = [
  {
    version: 'mmf-2013',
    effectiveFrom: '2013-01-01',
    instantRedemptionCapFen: 5_000_000n,
    source: "industry practice before 2018 (Yu'E Bao allowed 50,000 CNY a day)",
  },
  {
    version: 'csrc-pboc-2018-06',
    effectiveFrom: '2018-06-01',
    instantRedemptionCapFen: 1_000_000n,
    source: 'CSRC and PBoC guidance on T+0 redemption of money-market funds, effective 2018-06-01',
  },
];

export function ruleSetOn(date: IsoDate, ruleSets: readonly RuleSet[] = RULE_SETS): RuleSet {
  let inForce: RuleSet | undefined;
  for (const ruleSet of ruleSets) if (ruleSet.effectiveFrom <= date) inForce = ruleSet;
  if (!inForce) throw new RangeError(`no rule set is in force on ${date}; the earliest takes effect on ${ruleSets[0]?.effectiveFrom}`);
  return inForce;
}
