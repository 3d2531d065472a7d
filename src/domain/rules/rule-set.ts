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
  /** The payment-account tiers customers' wallets are held to; null before tiers were in force. */
  accountTiers: AccountTierRules | null;
  source: string;
}

/** The PBoC's payment-account types: I is the least verified, III the most. */
export const ACCOUNT_TIERS = ['I', 'II', 'III'] as const;
export type AccountTier = (typeof ACCOUNT_TIERS)[number];

/**
 * What a tier allows. Payments and transfers from the balance count against the limit, over the account's
 * whole life or per calendar year of the business date; withdrawals to the owner's own card never count.
 */
export interface TierRule {
  paymentLimitFen: Fen;
  period: 'lifetime' | 'year';
  mayBuyFunds: boolean;
}

export type AccountTierRules = Readonly<Record<AccountTier, TierRule>>;

const PBOC_2016_TIERS: AccountTierRules = {
  I: { paymentLimitFen: 100_000n, period: 'lifetime', mayBuyFunds: false },
  II: { paymentLimitFen: 10_000_000n, period: 'year', mayBuyFunds: false },
  III: { paymentLimitFen: 20_000_000n, period: 'year', mayBuyFunds: true },
};

/** The sets the product ships with, ordered by effectiveFrom; compliance adopts later ones into the log. */
export const RULE_SETS: readonly RuleSet[] = [
  {
    version: 'mmf-2013',
    effectiveFrom: '2013-01-01',
    instantRedemptionCapFen: 5_000_000n,
    accountTiers: null,
    source: "industry practice before 2018 (Yu'E Bao allowed 50,000 CNY a day)",
  },
  {
    version: 'pboc-2016-07',
    effectiveFrom: '2016-07-01',
    instantRedemptionCapFen: 5_000_000n,
    accountTiers: PBOC_2016_TIERS,
    source: 'PBoC measures on online payment services of non-bank payment institutions, issued 2015-12-28, in force from 2016-07-01',
  },
  {
    version: 'csrc-pboc-2018-06',
    effectiveFrom: '2018-06-01',
    instantRedemptionCapFen: 1_000_000n,
    accountTiers: PBOC_2016_TIERS,
    source: 'CSRC and PBoC guidance on T+0 redemption of money-market funds, effective 2018-06-01',
  },
];

export function ruleSetOn(date: IsoDate, ruleSets: readonly RuleSet[] = RULE_SETS): RuleSet {
  let inForce: RuleSet | undefined;
  for (const ruleSet of ruleSets) if (ruleSet.effectiveFrom <= date) inForce = ruleSet;
  if (!inForce) throw new RangeError(`no rule set is in force on ${date}; the earliest takes effect on ${ruleSets[0]?.effectiveFrom}`);
  return inForce;
}

/** The timeline with `added` in it: the sets ordered by effectiveFrom, one per date. */
export function withRuleSet(ruleSets: readonly RuleSet[], added: RuleSet): RuleSet[] {
  return [...ruleSets.filter((set) => set.effectiveFrom !== added.effectiveFrom), added].sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : a.effectiveFrom > b.effectiveFrom ? 1 : 0));
}

/** The built-in sets with those compliance adopted, in the order adopted. */
export function timelineWith(adopted: readonly RuleSet[]): readonly RuleSet[] {
  return adopted.reduce<readonly RuleSet[]>(withRuleSet, RULE_SETS);
}
