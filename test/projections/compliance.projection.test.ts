import { decodeData } from '../../src/domain/event-codec';
import { ruleSetOn } from '../../src/domain/rules/rule-set';
import { type BreachDoc, COMPLIANCE_BREACHES, COMPLIANCE_WALLETS, type ComplianceWalletDoc, complianceProjection } from '../../src/projections/read-models/compliance.projection';
import { projectEvents, recorded } from './project-events';

/**
 * Given a customer's and a merchant's events, then their compliance documents and the breaches. The log was
 * decided under csrc-pboc-2018-06, so live nothing is a breach except what another set in force would refuse;
 * the events here were made by hand to break the rules where the specification says so.
 */
const ANN = 'a0000000-0000-4000-8000-000000000001';
const MIA = 'b0000000-0000-4000-8000-000000000002';
const UNDER = { businessDate: '2026-01-05', ruleSetVersion: 'csrc-pboc-2018-06' };

function history() {
  const steps: [string, string, object, string][] = [
    [`wallet-${ANN}`, 'WalletOpened', { walletId: ANN, ownerKind: 'customer', ownerId: 'p-1', accountTier: 'I' }, '2026-01-05'],
    [`wallet-${MIA}`, 'WalletOpened', { walletId: MIA, ownerKind: 'merchant', ownerId: 'p-2' }, '2026-01-05'],
    [`wallet-${ANN}`, 'PaymentSent', { paymentId: 'x', toWalletId: MIA, amountFen: 60_000n, businessDate: '2026-01-05', postings: [] }, '2026-01-05'],
    // Past the type I limit of 1,000 CNY in all: 600 + 500.
    [`wallet-${ANN}`, 'PaymentSent', { paymentId: 'y', toWalletId: MIA, amountFen: 50_000n, businessDate: '2026-01-06', postings: [] }, '2026-01-06'],
    // Type I buys no funds.
    [`wallet-${ANN}`, 'PurchasePaid', { purchaseId: 'z', fundCode: 'YEB', amountFen: 100n, postings: [] }, '2026-01-06'],
    [`position-${MIA}-YEB`, 'InstantRedemptionMade', { redemptionId: 'r1', amountFen: 800_000n, date: '2026-01-06', postings: [] }, '2026-01-06'],
    // 8,000 + 3,000 on one day: over the 10,000 cap.
    [`position-${MIA}-YEB`, 'InstantRedemptionMade', { redemptionId: 'r2', amountFen: 300_000n, date: '2026-01-06', postings: [] }, '2026-01-06'],
    [`wallet-${ANN}`, 'AccountTierRaised', { from: 'I', to: 'III' }, '2026-01-07'],
  ];
  return steps.map(([stream, type, data, businessDate], i) => recorded(i + 1, stream, type, data, { ...UNDER, businessDate }));
}

async function documents(definition = complianceProjection(), events = history()) {
  const projected = await projectEvents(definition, events);
  const all = async (collection: string) => (await projected.all(collection)).map((d) => decodeData<object>(d.body));
  return { wallets: (await all(COMPLIANCE_WALLETS)) as ComplianceWalletDoc[], breaches: (await all(COMPLIANCE_BREACHES)) as BreachDoc[] };
}

describe('the compliance read model', () => {
  it('counts what the rules count per wallet: tier, payments from the balance, instant redemptions of the day', async () => {
    const { wallets } = await documents();
    expect(wallets.find((w) => w.walletId === ANN)).toEqual({
      walletId: ANN,
      ownerKind: 'customer',
      accountTier: 'III',
      paid: { lifetimeFen: 110_000n, year: 2026, yearFen: 110_000n },
      instant: {},
      breaches: 2,
      lastEventPosition: '8',
    });
    expect(wallets.find((w) => w.walletId === MIA)).toMatchObject({ accountTier: null, instant: { YEB: { date: '2026-01-06', amountFen: 1_100_000n } }, breaches: 1 });
  });

  it('records each event the rules in force on its date would have refused, with the rule and the set it was decided under', async () => {
    const { breaches } = await documents();
    expect(breaches.map((b) => [b.position, b.code, b.amountFen, b.ruleSetVersion, b.decidedUnder])).toEqual([
      ['4', 'ACCOUNT_TIER_LIMIT', 50_000n, 'csrc-pboc-2018-06', 'csrc-pboc-2018-06'],
      ['5', 'ACCOUNT_TIER_FORBIDS_FUNDS', 100n, 'csrc-pboc-2018-06', 'csrc-pboc-2018-06'],
      ['7', 'INSTANT_CAP_EXCEEDED', 300_000n, 'csrc-pboc-2018-06', 'csrc-pboc-2018-06'],
    ]);
    expect(breaches[0]!.detail).toBe('a type I account had 400.00 CNY of its 1000.00 limit left');
  });

  it('under a set applied from a date, judges the events from that date by it and the earlier ones by the rules then', async () => {
    const loose = { ...ruleSetOn('2026-01-05'), version: 'loose', effectiveFrom: '2027-01-01', instantRedemptionCapFen: 2_000_000n, accountTiers: null };
    const { breaches } = await documents(complianceProjection({ ruleSet: loose, appliesFrom: '2026-01-06' }));
    expect(breaches).toEqual([]);
    const fromLater = await documents(complianceProjection({ ruleSet: loose, appliesFrom: '2026-01-07' }));
    expect(fromLater.breaches.map((b) => b.code)).toEqual(['ACCOUNT_TIER_LIMIT', 'ACCOUNT_TIER_FORBIDS_FUNDS', 'INSTANT_CAP_EXCEEDED']);
  });

  it('gives the same documents in one batch as one per event, and applies an event replayed after a crash once', async () => {
    const perEvent = await documents();
    const oneBatch = await projectEvents(complianceProjection(), history(), { oneBatch: true });
    const wallets = (await oneBatch.all(COMPLIANCE_WALLETS)).map((d) => decodeData<object>(d.body));
    expect(wallets).toEqual(perEvent.wallets);
    const replayed = await documents(complianceProjection(), [...history(), ...history().slice(2, 4)]);
    expect(replayed).toEqual(perEvent);
  });
});
