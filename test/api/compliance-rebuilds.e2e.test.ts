import { ProjectionCatalog } from '../../src/projections';
import { COMPLIANCE_KEY, OPERATOR_KEY, TestApp, type ApiResponse } from './test-app';

/**
 * A rule change rebuilt beside the live read models, on a history made by hand (2026-01-05, rule set
 * csrc-pboc-2018-06 in force: type I 1,000 CNY in all, type II 100,000 a year, type III 200,000 a year):
 *   Ann (type II) pays the shop 60,000.00;  Cy (type I) pays the shop 800.00;  Bo (type III) buys the fund for 1,000.00.
 * The set "tight-2027" halves the limits of types I and II (500 in all, 50,000 a year) and caps instant
 * redemptions at 5,000. Applied from 2026-01-01 it would have refused Ann's and Cy's payments, and leaves
 * both over their limits today; Bo and the shop are untouched. Applied from its own date, 2027-01-01, it
 * refuses nothing that happened, and can be promoted.
 */
const FUND = 'CRF';
type Party = { id: string; walletId: string; key: string };

let app: TestApp;
let ann: Party;
let bo: Party;
let cy: Party;
let shop: Party;
const paymentPositions: Record<string, string> = {};

async function ok(response: Promise<ApiResponse>, status = 201): Promise<ApiResponse> {
  const answer = await response;
  if (answer.status !== status) throw new Error(`step answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer;
}

/** Where the log holds the party's one payment, as the auditor's view of its wallet stream shows it. */
async function paymentPosition(party: Party): Promise<string> {
  const events = (await ok(app.get(`/audit/streams/wallet-${party.walletId}/events`, OPERATOR_KEY), 200)).body.items as { type: string; position: string }[];
  return events.find((event) => event.type === 'PaymentSent')!.position;
}

const TIGHT = {
  version: 'tight-2027',
  effectiveFrom: '2027-01-01',
  instantRedemptionCap: '5000.00',
  accountTiers: [
    { tier: 'I', paymentLimit: '500.00', period: 'lifetime', mayBuyFunds: false },
    { tier: 'II', paymentLimit: '50000.00', period: 'year', mayBuyFunds: false },
    { tier: 'III', paymentLimit: '200000.00', period: 'year', mayBuyFunds: true },
  ],
  source: 'a tightening under review',
};

beforeAll(async () => {
  app = await TestApp.start();
  await ok(app.post('/funds', OPERATOR_KEY, { code: FUND, name: 'Compliance Rebuild Fund' }));
  shop = await app.party('merchant', 'Rebuild Shop');
  ann = await app.party('customer', 'Ann Rebuild', 'II');
  bo = await app.party('customer', 'Bo Rebuild', 'III');
  cy = await app.party('customer', 'Cy Rebuild', 'I');
  await ok(app.post(`/wallets/${ann.walletId}/deposits`, ann.key, { amount: '90000.00' }));
  await ok(app.post(`/wallets/${ann.walletId}/payments`, ann.key, { toWalletId: shop.walletId, amount: '60000.00' }));
  await ok(app.post(`/wallets/${cy.walletId}/deposits`, cy.key, { amount: '1000.00' }));
  await ok(app.post(`/wallets/${cy.walletId}/payments`, cy.key, { toWalletId: shop.walletId, amount: '800.00' }));
  paymentPositions.ann = await paymentPosition(ann);
  paymentPositions.cy = await paymentPosition(cy);
  await ok(app.post(`/wallets/${bo.walletId}/deposits`, bo.key, { amount: '5000.00' }));
  await ok(app.post(`/wallets/${bo.walletId}/purchases`, bo.key, { fundCode: FUND, amount: '1000.00' }));
  await ok(app.post('/compliance/rules', COMPLIANCE_KEY, TIGHT));
});

afterAll(() => app.stop());

const rebuild = (body: object) => app.post('/compliance/rebuilds', COMPLIANCE_KEY, body);

describe('a rebuild under a changed rule', () => {
  it('applied from a past date: the diff and the breaches match the hand-made expectation, and it cannot be promoted', async () => {
    const answer = await ok(rebuild({ rules: 'tight-2027', projections: ['compliance'], appliesFrom: '2026-01-01' }));
    expect(answer.body).toMatchObject({ rules: 'tight-2027', appliesFrom: '2026-01-01', state: 'built' });
    const report = answer.body.report;
    expect(report).toMatchObject({ evaluatedOn: '2026-01-05', promotable: false, instantRedemptionCap: { before: '10000.00', after: '5000.00' } });
    expect(report.breaches.total).toBe(2);
    expect(report.breaches.byCode).toEqual({ ACCOUNT_TIER_LIMIT: 2 });
    const breaches = Object.fromEntries(report.breaches.examples.map((b: { walletId: string }) => [b.walletId, b]));
    expect(breaches[ann.walletId]).toEqual({
      position: paymentPositions.ann,
      walletId: ann.walletId,
      eventType: 'PaymentSent',
      amount: '60000.00',
      businessDate: '2026-01-05',
      code: 'ACCOUNT_TIER_LIMIT',
      ruleSetVersion: 'tight-2027',
      decidedUnder: 'csrc-pboc-2018-06',
      detail: 'a type II account had 50000.00 CNY of its 50000.00 limit left',
    });
    expect(breaches[cy.walletId]).toMatchObject({ position: paymentPositions.cy, amount: '800.00', detail: 'a type I account had 500.00 CNY of its 500.00 limit left' });
    expect(report.diff).toMatchObject({ walletsCompared: 4, walletsChanged: 2, byField: { paymentLimit: 2, paymentLeft: 2, overLimit: 2, breaches: 2 } });
    const changes = Object.fromEntries(report.diff.examples.map((e: { walletId: string; changes: unknown[] }) => [e.walletId, e.changes]));
    expect(changes[ann.walletId]).toEqual([
      { field: 'paymentLimit', before: '100000.00 per year', after: '50000.00 per year' },
      { field: 'paymentLeft', before: '40000.00', after: '0.00' },
      { field: 'overLimit', before: 'false', after: 'true' },
      { field: 'breaches', before: null, after: '1' },
    ]);
    expect(changes[cy.walletId]).toEqual([
      { field: 'paymentLimit', before: '1000.00 per lifetime', after: '500.00 per lifetime' },
      { field: 'paymentLeft', before: '200.00', after: '0.00' },
      { field: 'overLimit', before: 'false', after: 'true' },
      { field: 'breaches', before: null, after: '1' },
    ]);
    expect(changes[bo.walletId]).toBeUndefined();
    const promoted = await app.post(`/compliance/rebuilds/${answer.body.rebuildId}/promote`, COMPLIANCE_KEY, {});
    expect({ status: promoted.status, code: promoted.body.code }).toEqual({ status: 409, code: 'REBUILD_NOT_PROMOTABLE' });
    expect((await app.get('/compliance/rules', COMPLIANCE_KEY)).body.ruleSets.find((s: { version: string }) => s.version === 'tight-2027').status).toBe('proposed');
  });

  it('applied from its own date ahead: nothing past is refused, and promoting adopts the set and serves the shadow', async () => {
    const answer = await ok(rebuild({ rules: 'tight-2027' }));
    const report = answer.body.report;
    expect(report).toMatchObject({ appliesFrom: '2027-01-01', evaluatedOn: '2027-01-01', promotable: true, breaches: { total: 0, byCode: {}, examples: [] } });
    const changes = Object.fromEntries(report.diff.examples.map((e: { walletId: string; changes: unknown[] }) => [e.walletId, e.changes]));
    // On 2027-01-01 a yearly limit starts again from nothing; a lifetime one does not.
    expect(changes[ann.walletId]).toEqual([
      { field: 'paymentLimit', before: '100000.00 per year', after: '50000.00 per year' },
      { field: 'paymentLeft', before: '100000.00', after: '50000.00' },
    ]);
    expect(changes[cy.walletId]).toEqual([
      { field: 'paymentLimit', before: '1000.00 per lifetime', after: '500.00 per lifetime' },
      { field: 'paymentLeft', before: '200.00', after: '0.00' },
      { field: 'overLimit', before: 'false', after: 'true' },
    ]);
    const promoted = await ok(app.post(`/compliance/rebuilds/${answer.body.rebuildId}/promote`, COMPLIANCE_KEY, {}), 200);
    expect(promoted.body.state).toBe('promoted');
    const listing = await app.get('/compliance/rules', COMPLIANCE_KEY);
    expect(listing.body.ruleSets.find((s: { version: string }) => s.version === 'tight-2027')).toMatchObject({ status: 'adopted', applies: 'later', adoptedOn: '2026-01-05' });
    expect(listing.body.inForce).toBe('csrc-pboc-2018-06');
    // Readers are switched by the catalog's record; the live writer follows it at its next batch.
    expect(await app.app.get(ProjectionCatalog).load('compliance')).toEqual({ activeVersion: report.shadowVersion, buildingVersion: null });
    expect(await app.eventTypes('compliance-rules')).toEqual(['RuleSetProposed', 'RuleSetAdopted']);
    expect((await ok(app.post(`/compliance/rebuilds/${answer.body.rebuildId}/promote`, COMPLIANCE_KEY, {}), 200)).body.state).toBe('promoted');
    expect(await app.eventTypes('compliance-rules')).toEqual(['RuleSetProposed', 'RuleSetAdopted']);
    // A promote that switched readers and then failed to record it leaves the job 'built': a retry finishes it.
    const readStore = app.app.get(ProjectionCatalog).readStore;
    const recordKey = `rule-change:${answer.body.rebuildId}`;
    await readStore.setRecord(recordKey, { ...(await readStore.getRecord(recordKey))!, state: 'built' });
    expect((await ok(app.post(`/compliance/rebuilds/${answer.body.rebuildId}/promote`, COMPLIANCE_KEY, {}), 200)).body.state).toBe('promoted');
    expect(await app.eventTypes('compliance-rules')).toEqual(['RuleSetProposed', 'RuleSetAdopted']);
  });

  it('refuses to promote a set whose effective date has come meanwhile: 422, nothing adopted', async () => {
    await ok(app.post('/compliance/rules', COMPLIANCE_KEY, { ...TIGHT, version: 'tomorrow', effectiveFrom: '2026-01-06' }));
    const built = await ok(rebuild({ rules: 'tomorrow' }));
    expect(built.body.report.promotable).toBe(true);
    await ok(app.post(`/funds/${FUND}/incomes`, OPERATOR_KEY, { date: '2026-01-05', perTenK: '0.5000' }));
    await ok(app.post('/operations/day-close', OPERATOR_KEY, { date: '2026-01-05' }), 200);
    const promoted = await app.post(`/compliance/rebuilds/${built.body.rebuildId}/promote`, COMPLIANCE_KEY, {});
    expect({ status: promoted.status, code: promoted.body.code, field: promoted.body.field }).toEqual({ status: 422, code: 'RULES_EFFECTIVE_IN_PAST', field: 'effectiveFrom' });
    expect(await app.eventTypes('compliance-rules')).toEqual(['RuleSetProposed', 'RuleSetAdopted', 'RuleSetProposed']);
  });

  it.each([
    [{ rules: 'tight-2027', projections: ['wallets'] }, 'projections[0]'],
    [{ rules: 'tight-2027', projections: [] }, 'projections'],
    [{ rules: 'tight-2027', appliesFrom: '2026-13-01' }, 'appliesFrom'],
    [{ rules: 'tight-2027', extra: true }, 'extra'],
    [{}, 'rules'],
  ])('refuses %j with 400 naming the field', async (body, field) => {
    const answer = await rebuild(body);
    expect({ status: answer.status, code: answer.body.code, field: answer.body.field }).toEqual({ status: 400, code: 'VALIDATION_FAILED', field });
  });

  it('answers 404 for a rule set never proposed and for an unknown rebuild', async () => {
    expect((await rebuild({ rules: 'never-proposed' })).status).toBe(404);
    // A version is looked up as a key of its own, never as a property every object has.
    expect((await rebuild({ rules: 'constructor' })).status).toBe(404);
    expect((await app.get('/compliance/rebuilds/00000000-0000-4000-8000-000000000009', COMPLIANCE_KEY)).status).toBe(404);
  });
});
