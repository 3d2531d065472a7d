import { COMPLIANCE_KEY, OPERATOR_KEY, TestApp, type ApiResponse } from './test-app';

/**
 * The PBoC payment-account tiers as a customer meets them, and rule sets as compliance records them. The
 * ledger starts on 2026-01-05, under the built-in set csrc-pboc-2018-06: type I may pay 1,000 CNY from its
 * balance in total, type II 100,000 a year, type III 200,000 a year, and only type III may buy funds.
 */
const FUND = 'TRF';
type Party = { id: string; walletId: string; key: string };

let app: TestApp;
let shop: Party;

async function ok(response: Promise<ApiResponse>, status = 201): Promise<ApiResponse> {
  const answer = await response;
  if (answer.status !== status) throw new Error(`setup step answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer;
}

async function refused(response: Promise<ApiResponse>, expected: { status: number; code: string; field?: string }): Promise<void> {
  const answer = await response;
  const { status, body } = answer;
  expect({ status, code: body.code, ...(expected.field !== undefined && { field: body.field }) }).toEqual(expected);
}

const TIERS = [
  { tier: 'I', paymentLimit: '500.00', period: 'lifetime', mayBuyFunds: false },
  { tier: 'II', paymentLimit: '50000.00', period: 'year', mayBuyFunds: false },
  { tier: 'III', paymentLimit: '200000.00', period: 'year', mayBuyFunds: true },
];
const proposal = (overrides: Record<string, unknown> = {}) => ({
  version: 'pboc-2027-01',
  effectiveFrom: '2027-01-01',
  instantRedemptionCap: '10000.00',
  accountTiers: TIERS,
  source: 'a tightening of the type I and II limits, for review',
  ...overrides,
});

beforeAll(async () => {
  app = await TestApp.start();
  shop = await app.party('merchant', 'Tier Shop');
  await ok(app.post('/funds', OPERATOR_KEY, { code: FUND, name: 'Tier Rules Fund' }));
});

afterAll(() => app.stop());

describe('payment-account tiers', () => {
  it('lets a type I customer pay 1,000 CNY from the balance in total, and refuses past it; withdrawals to the own card never count', async () => {
    const ann = await app.party('customer', 'Ann Tier One', 'I');
    await ok(app.post(`/wallets/${ann.walletId}/deposits`, ann.key, { amount: '3000.00' }));
    await ok(app.post(`/wallets/${ann.walletId}/payments`, ann.key, { toWalletId: shop.walletId, amount: '600.00' }));
    await ok(app.post(`/wallets/${ann.walletId}/withdrawals`, ann.key, { amount: '1500.00' }));
    await ok(app.post(`/wallets/${ann.walletId}/payments`, ann.key, { toWalletId: shop.walletId, amount: '400.00' }));
    const past = await app.post(`/wallets/${ann.walletId}/payments`, ann.key, { toWalletId: shop.walletId, amount: '0.01' });
    expect(past.status).toBe(422);
    expect(past.body).toMatchObject({ code: 'ACCOUNT_TIER_LIMIT', accountTier: 'I', limit: '1000.00', left: '0.00', ruleSetVersion: 'csrc-pboc-2018-06' });
    const wallet = await app.get(`/wallets/${ann.walletId}`, ann.key);
    expect(wallet.body).toMatchObject({ accountTier: 'I', cash: '500.00', paymentLimit: { period: 'lifetime', limit: '1000.00', used: '1000.00', left: '0.00', mayBuyFunds: false } });
    expect((await app.eventTypes(`wallet-${ann.walletId}`)).filter((type) => type === 'PaymentSent')).toHaveLength(2);
  });

  it('refuses a type II customer a fund purchase; raised to type III by compliance, the same purchase goes through', async () => {
    const bo = await app.party('customer', 'Bo Tier Two', 'II');
    await ok(app.post(`/wallets/${bo.walletId}/deposits`, bo.key, { amount: '800.00' }));
    await refused(app.post(`/wallets/${bo.walletId}/purchases`, bo.key, { fundCode: FUND, amount: '300.00' }), { status: 422, code: 'ACCOUNT_TIER_FORBIDS_FUNDS' });
    expect((await app.get(`/wallets/${bo.walletId}`, bo.key)).body).toMatchObject({ cash: '800.00', holdings: [] });
    await refused(app.post(`/wallets/${bo.walletId}/account-tier`, bo.key, { tier: 'III' }), { status: 403, code: 'FORBIDDEN' });
    expect((await ok(app.post(`/wallets/${bo.walletId}/account-tier`, COMPLIANCE_KEY, { tier: 'III' }), 200)).body).toMatchObject({ walletId: bo.walletId, accountTier: 'III' });
    await ok(app.post(`/wallets/${bo.walletId}/purchases`, bo.key, { fundCode: FUND, amount: '300.00' }));
    await refused(app.post(`/wallets/${bo.walletId}/account-tier`, OPERATOR_KEY, { tier: 'I' }), { status: 422, code: 'TIER_NOT_RAISED', field: 'tier' });
    await refused(app.post(`/wallets/${shop.walletId}/account-tier`, OPERATOR_KEY, { tier: 'II' }), { status: 422, code: 'NO_ACCOUNT_TIER', field: 'tier' });
    await refused(app.post(`/wallets/${bo.walletId}/account-tier`, OPERATOR_KEY, { tier: 'IV' }), { status: 400, code: 'VALIDATION_FAILED', field: 'tier' });
    // The refused purchase is recorded only as the outcome of its request: no money moved.
    expect(await app.eventTypes(`wallet-${bo.walletId}`)).toEqual(['WalletOpened', 'RequestRecorded', 'CashDeposited', 'AccountTierRaised', 'PurchasePaid']);
  });

  it('refuses a type II customer a fund switch before any money moves, since a switch ends in a purchase', async () => {
    const cao = await app.party('customer', 'Cao Tier Two', 'II');
    const switches = [{ fromFund: FUND, toFund: 'OTHER', amount: '10.00' }];
    await refused(app.post(`/wallets/${cao.walletId}/rebalances`, cao.key, { switches }), { status: 422, code: 'ACCOUNT_TIER_FORBIDS_FUNDS' });
    expect((await app.get(`/processes?wallet=${cao.walletId}`, OPERATOR_KEY)).body.items).toEqual([]);
  });

  it('opens a customer at type I unless told otherwise, and refuses a tier that does not exist', async () => {
    const plain = await ok(app.post('/customers', OPERATOR_KEY, { name: 'Plain Customer' }));
    expect(plain.body.accountTier).toBe('I');
    await refused(app.post('/customers', OPERATOR_KEY, { name: 'Odd Customer', accountTier: 'V' }), { status: 400, code: 'VALIDATION_FAILED', field: 'accountTier' });
    await refused(app.post('/merchants', OPERATOR_KEY, { name: 'Odd Merchant', accountTier: 'I' }), { status: 400, code: 'VALIDATION_FAILED', field: 'accountTier' });
  });
});

describe('rule sets', () => {
  it('records a proposal and lists it beside the built-in sets, none of it in force', async () => {
    const proposed = await ok(app.post('/compliance/rules', COMPLIANCE_KEY, proposal()));
    expect(proposed.body).toMatchObject({ version: 'pboc-2027-01', effectiveFrom: '2027-01-01', instantRedemptionCap: '10000.00', accountTiers: TIERS, status: 'proposed' });
    const listing = await app.get('/compliance/rules', COMPLIANCE_KEY);
    expect(listing.status).toBe(200);
    expect(listing.body.inForce).toBe('csrc-pboc-2018-06');
    expect(listing.body.ruleSets.map((set: { version: string; status: string; applies: string | null }) => [set.version, set.status, set.applies])).toEqual([
      ['mmf-2013', 'built-in', 'before'],
      ['pboc-2016-07', 'built-in', 'before'],
      ['csrc-pboc-2018-06', 'built-in', 'now'],
      ['pboc-2027-01', 'proposed', null],
    ]);
    expect(listing.body.ruleSets[1]).toMatchObject({ instantRedemptionCap: '50000.00', accountTiers: [{ tier: 'I', paymentLimit: '1000.00', period: 'lifetime', mayBuyFunds: false }, {}, {}] });
  });

  it.each([
    ['an unknown key', proposal({ capPerDay: '1.00' }), 'capPerDay'],
    ['a negative cap', proposal({ version: 'neg-cap', instantRedemptionCap: '-10.00' }), 'instantRedemptionCap'],
    ['a negative tier limit', proposal({ version: 'neg-tier', accountTiers: [TIERS[0], TIERS[1], { ...TIERS[2], paymentLimit: '-1.00' }] }), 'accountTiers[2].paymentLimit'],
    ['a tier missing', proposal({ version: 'two-tiers', accountTiers: TIERS.slice(0, 2) }), 'accountTiers'],
    ['a tier twice', proposal({ version: 'twice', accountTiers: [TIERS[0], TIERS[0], TIERS[2]] }), 'accountTiers'],
    ['a date that does not exist', proposal({ version: 'bad-date', effectiveFrom: '2027-02-30' }), 'effectiveFrom'],
    ['a version with spaces', proposal({ version: 'my rules' }), 'version'],
  ])('refuses %s with 400 naming the field, and writes nothing', async (_name, body, field) => {
    const before = await app.eventTypes('compliance-rules');
    await refused(app.post('/compliance/rules', COMPLIANCE_KEY, body), { status: 400, code: 'VALIDATION_FAILED', field });
    expect(await app.eventTypes('compliance-rules')).toEqual(before);
  });

  it('refuses a version taken and an effective date another set has, with 422 naming the field', async () => {
    const before = await app.eventTypes('compliance-rules');
    await refused(app.post('/compliance/rules', COMPLIANCE_KEY, proposal({ effectiveFrom: '2027-03-01' })), { status: 422, code: 'RULE_SET_EXISTS', field: 'version' });
    await refused(app.post('/compliance/rules', COMPLIANCE_KEY, proposal({ version: 'same-day', effectiveFrom: '2018-06-01' })), { status: 422, code: 'EFFECTIVE_DATE_TAKEN', field: 'effectiveFrom' });
    await refused(app.post('/compliance/rules', COMPLIANCE_KEY, proposal({ version: 'csrc-pboc-2018-06', effectiveFrom: '2027-05-01' })), { status: 422, code: 'RULE_SET_EXISTS', field: 'version' });
    expect(await app.eventTypes('compliance-rules')).toEqual(before);
  });

  it('is for compliance to propose; operators and auditors may read', async () => {
    await refused(app.post('/compliance/rules', OPERATOR_KEY, proposal({ version: 'by-operator' })), { status: 403, code: 'FORBIDDEN' });
    expect((await app.get('/compliance/rules', OPERATOR_KEY)).status).toBe(200);
  });
});
