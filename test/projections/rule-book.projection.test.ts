import { RULE_BOOK_STREAM } from '../../src/domain/rules/rule-book.decider';
import type { RuleSet } from '../../src/domain/rules/rule-set';
import { RULE_SETS_COLLECTION, ruleBookProjection } from '../../src/projections/read-models/rule-book.projection';
import { projectEvents, recorded } from './project-events';

const halvedCap: RuleSet = {
  version: 'compliance-2026-02',
  effectiveFrom: '2026-02-02',
  instantRedemptionCapFen: 500_000n,
  accountTiers: null,
  source: 'a cap halved by compliance',
};
const proposed = recorded(3, RULE_BOOK_STREAM, 'RuleSetProposed', { ruleSet: halvedCap }, { businessDate: '2026-01-05', principal: 'compliance:officer-1' });
const adopted = recorded(9, RULE_BOOK_STREAM, 'RuleSetAdopted', { ruleSet: halvedCap }, { businessDate: '2026-01-07', principal: 'compliance:officer-2' });

describe('the rule book read model', () => {
  it('holds a proposed rule set under its version, with who proposed it and when, as events encode it', async () => {
    const read = await projectEvents(ruleBookProjection, [proposed]);
    expect(await read.get(RULE_SETS_COLLECTION, 'compliance-2026-02')).toEqual({
      ruleSet: { version: 'compliance-2026-02', effectiveFrom: '2026-02-02', instantRedemptionCapFen: '500000', accountTiers: null, source: 'a cap halved by compliance' },
      status: 'proposed',
      proposedOn: '2026-01-05',
      proposedBy: 'compliance:officer-1',
      proposedPosition: '3',
      adoptedOn: null,
      adoptedPosition: null,
    });
  });

  it('marks it adopted on the adoption business date, keeping the proposal, whether the two share a batch or not', async () => {
    for (const oneBatch of [false, true]) {
      const read = await projectEvents(ruleBookProjection, [proposed, adopted], { oneBatch });
      expect(await read.get(RULE_SETS_COLLECTION, 'compliance-2026-02')).toMatchObject({
        status: 'adopted',
        proposedOn: '2026-01-05',
        proposedBy: 'compliance:officer-1',
        proposedPosition: '3',
        adoptedOn: '2026-01-07',
        adoptedPosition: '9',
      });
    }
  });

  it('refuses an adoption it has no proposal for, so the projection halts instead of inventing one', async () => {
    await expect(projectEvents(ruleBookProjection, [adopted])).rejects.toThrow('rule set compliance-2026-02 was adopted at position 9 without a proposal');
  });

  it('reads nothing of events of its types on other streams', async () => {
    const elsewhere = recorded(4, 'compliance-drafts', 'RuleSetProposed', { ruleSet: halvedCap }, { businessDate: '2026-01-05' });
    const read = await projectEvents(ruleBookProjection, [elsewhere]);
    expect(await read.all(RULE_SETS_COLLECTION)).toEqual([]);
  });
});
