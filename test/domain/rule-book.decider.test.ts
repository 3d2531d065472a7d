import { type RuleBookEvent, ruleBookDecider } from '../../src/domain/rules/rule-book.decider';
import type { RuleSet } from '../../src/domain/rules/rule-set';
import { spec } from './decider-spec';

const named = (version: string): RuleSet => ({ version, effectiveFrom: '2026-03-02', instantRedemptionCapFen: 500_000n, accountTiers: null, source: 'a test set' });
const proposed = (ruleSet: RuleSet): RuleBookEvent => ({ type: 'RuleSetProposed', data: { ruleSet } });

describe('the rule book decider', () => {
  it('proposes a set under a version that names a property every object has, as any other', () => {
    for (const version of ['constructor', 'toString', 'hasOwnProperty']) {
      spec(ruleBookDecider)
        .given([])
        .when({ type: 'ProposeRuleSet', ruleSet: named(version) })
        .then([proposed(named(version))]);
    }
  });

  it('adopts only a set that was proposed: such a version alone is unknown', () => {
    spec(ruleBookDecider).given([]).when({ type: 'AdoptRuleSet', version: 'constructor', businessDate: '2026-01-05' }).thenFails('UNKNOWN_RULE_SET');
    spec(ruleBookDecider)
      .given([proposed(named('constructor'))])
      .when({ type: 'AdoptRuleSet', version: 'constructor', businessDate: '2026-01-05' })
      .then([{ type: 'RuleSetAdopted', data: { ruleSet: named('constructor') } }]);
  });

  it('refuses a version proposed already', () => {
    spec(ruleBookDecider).given([proposed(named('compliance-2026-03'))]).when({ type: 'ProposeRuleSet', ruleSet: named('compliance-2026-03') }).thenFails('RULE_SET_EXISTS');
  });
});
