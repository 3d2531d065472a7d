import { ACCOUNT_TIERS, type AccountTierRules, type RuleSet, type TierRule } from '../../domain/rules/rule-set';
import { formatFen } from '../../domain/money';
import { type BodyOf, defineBody } from '../http/body-schema';
import { HttpProblem } from '../http/problem';
import { validateBody } from '../http/validate-body';

/** What compliance posts: a whole rule set, every rule stated, so a version never inherits a value unseen. */
export const RULE_SET_BODY = defineBody({
  version: {
    kind: 'string',
    minLength: 3,
    maxLength: 40,
    pattern: /^[a-z0-9][a-z0-9.-]*$/,
    patternDescription: 'lower-case letters, digits, dots and dashes, such as "pboc-2027-01"',
    description: 'a name no other set has; a changed set is a new version',
  },
  effectiveFrom: { kind: 'isoDate', description: 'the first business date the set applies to; it can be adopted only while that date lies ahead' },
  instantRedemptionCap: { kind: 'amount', example: '10000.00', description: 'CNY one investor may redeem instantly (T+0) per fund per day' },
  accountTiers: {
    kind: 'list',
    minItems: 0,
    maxItems: 3,
    description: 'the three PBoC payment-account types, each once; an empty list: no tiers apply',
    item: {
      tier: { kind: 'enum', values: ACCOUNT_TIERS },
      paymentLimit: { kind: 'amount', example: '100000.00', description: 'CNY of payments and transfers from the balance allowed in the period' },
      period: { kind: 'enum', values: ['lifetime', 'year'], description: 'lifetime: since the account opened; year: per calendar year' },
      mayBuyFunds: { kind: 'boolean', description: 'whether the tier may buy funds from its balance' },
    },
  },
  source: { kind: 'string', minLength: 3, maxLength: 300, description: 'the regulation or decision the set follows' },
});

export function parseRuleSet(body: unknown): RuleSet {
  const { version, effectiveFrom, instantRedemptionCap, accountTiers, source } = validateBody(RULE_SET_BODY, body);
  return { version, effectiveFrom, instantRedemptionCapFen: instantRedemptionCap, accountTiers: tierRules(accountTiers), source };
}

function tierRules(items: BodyOf<typeof RULE_SET_BODY>['accountTiers']): AccountTierRules | null {
  if (items.length === 0) return null;
  const byTier = new Map(items.map(({ tier, paymentLimit, period, mayBuyFunds }) => [tier, { paymentLimitFen: paymentLimit, period, mayBuyFunds } satisfies TierRule]));
  const missing = ACCOUNT_TIERS.filter((tier) => !byTier.has(tier));
  if (missing.length > 0 || byTier.size !== items.length) {
    throw HttpProblem.badRequest('accountTiers', `accountTiers must state each of the types I, II and III once${missing.length ? `; ${missing.join(', ')} missing` : ''}`);
  }
  return { I: byTier.get('I')!, II: byTier.get('II')!, III: byTier.get('III')! };
}

/** A rule set as the API shows it: amounts in CNY. */
export function ruleSetBody(ruleSet: RuleSet) {
  return {
    version: ruleSet.version,
    effectiveFrom: ruleSet.effectiveFrom,
    instantRedemptionCap: formatFen(ruleSet.instantRedemptionCapFen),
    accountTiers: ruleSet.accountTiers
      ? ACCOUNT_TIERS.map((tier) => {
          const rule = ruleSet.accountTiers![tier];
          return { tier, paymentLimit: formatFen(rule.paymentLimitFen), period: rule.period, mayBuyFunds: rule.mayBuyFunds };
        })
      : [],
    source: ruleSet.source,
  };
}
