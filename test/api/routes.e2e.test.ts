import { AUDITOR_KEY, OPERATOR_KEY, TestApp, type ApiResponse } from './test-app';

/**
 * The happy path of every route over a real socket, with the money worked out by hand:
 * deposits, withdrawals and payments move cash exactly; a purchase placed on Monday 2026-01-05 is confirmed
 * by the close of Tuesday 2026-01-06 and earns that day's income, rounded down to the fen; a standard
 * redemption is paid by the close of the day it was placed; an instant one pays at once and uses up the
 * 10,000 CNY daily quota; and the trial balance stays zero with wallet cash matching the ledger.
 */
const FUND = 'RTF';
const POSITION = /^\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let app: TestApp;
let payer: { id: string; walletId: string; key: string };
let shop: { id: string; walletId: string; key: string };
let investor: { id: string; walletId: string; key: string };
let smallInvestor: { id: string; walletId: string; key: string };
let lastSeenPosition = -1n;

beforeAll(async () => {
  app = await TestApp.start();
  payer = await app.party('customer', 'Li Wei');
  shop = await app.party('merchant', 'Noodle Shop');
  investor = await app.party('customer', 'Wang Fang');
  smallInvestor = await app.party('customer', 'Zhang Min');
});

afterAll(async () => {
  await app.stop();
});

/** A write's position is a decimal integer, later than every write before it, and the log's last one. */
async function expectFreshPosition(response: ApiResponse): Promise<void> {
  expect(response.body.position).toMatch(POSITION);
  const position = BigInt(response.body.position);
  expect(position).toBeGreaterThan(lastSeenPosition);
  lastSeenPosition = position;
  expect(await app.lastPosition()).toBe(response.body.position);
}

async function wallet(walletId: string, key = OPERATOR_KEY): Promise<ApiResponse['body']> {
  const response = await app.get(`/wallets/${walletId}`, key);
  expect(response.status).toBe(200);
  return response.body;
}

async function holding(walletId: string): Promise<ApiResponse['body']> {
  const holdings = (await wallet(walletId)).holdings as { fundCode: string }[];
  const found = holdings.find((h) => h.fundCode === FUND);
  expect(found).toBeDefined();
  return found;
}

async function trialBalance(): Promise<{ position: string; accounts: number; totalDebits: string; totalCredits: string; total: string }> {
  const response = await app.get('/ledger/trial-balance', AUDITOR_KEY);
  expect(response.status).toBe(200);
  return response.body;
}

/** Every ledger account and its balance, from GET /ledger/accounts page by page. */
async function ledgerAccounts(): Promise<{ account: string; balance: string }[]> {
  const accounts: { account: string; balance: string }[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const response = await app.get(`/ledger/accounts?limit=200${cursor ? `&cursor=${cursor}` : ''}`, AUDITOR_KEY);
    expect(response.status).toBe(200);
    accounts.push(...response.body.items);
    cursor = response.body.nextCursor;
    if (cursor === null) return accounts;
  }
  throw new Error('GET /ledger/accounts did not end within 50 pages');
}

/** The ledger balance of an account; an account never posted to is not listed. */
function balanceOf(accounts: { account: string; balance: string }[], account: string): string {
  return accounts.find((a) => a.account === account)?.balance ?? '0.00';
}

/** Negates a decimal string of CNY: wallet cash is owed to the customer, so its ledger balance is a credit. */
function negated(amount: string): string {
  if (amount === '0.00') return '0.00';
  return amount.startsWith('-') ? amount.slice(1) : `-${amount}`;
}

describe('parties', () => {
  it('POST /customers opens a customer with a wallet and a key shown once', async () => {
    const response = await app.post('/customers', OPERATOR_KEY, { name: 'Chen Jie' });
    expect(response.status).toBe(201);
    expect(response.contentType).toMatch(/^application\/json/);
    expect(response.body).toEqual({
      id: expect.stringMatching(UUID),
      kind: 'customer',
      name: 'Chen Jie',
      walletId: expect.stringMatching(UUID),
      accountTier: 'I',
      apiKey: expect.any(String),
      position: expect.any(String),
    });
    expect(response.body.apiKey).toMatch(new RegExp(`^ifw_${response.body.id}_[A-Za-z0-9_-]{43}$`));
    await expectFreshPosition(response);
    // The new key works at once, on its own wallet, which starts empty.
    const own = await wallet(response.body.walletId, response.body.apiKey);
    expect(own).toMatchObject({ walletId: response.body.walletId, ownerKind: 'customer', ownerId: response.body.id, cash: '0.00', holdings: [] });
  });

  it('POST /merchants opens a merchant', async () => {
    const response = await app.post('/merchants', OPERATOR_KEY, { name: '小面馆' });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ kind: 'merchant', name: '小面馆', walletId: expect.stringMatching(UUID), apiKey: expect.stringMatching(/^ifw_/) });
    await expectFreshPosition(response);
    expect(await wallet(response.body.walletId, response.body.apiKey)).toMatchObject({ ownerKind: 'merchant', cash: '0.00' });
  });
});

describe('cash', () => {
  it('a deposit then a withdrawal leave the difference, to the fen', async () => {
    const deposit = await app.post(`/wallets/${payer.walletId}/deposits`, payer.key, { amount: '1000.00' });
    expect(deposit.status).toBe(201);
    expect(deposit.body).toEqual({ walletId: payer.walletId, amount: '1000.00', cash: '1000.00', position: expect.any(String) });
    await expectFreshPosition(deposit);

    const withdrawal = await app.post(`/wallets/${payer.walletId}/withdrawals`, payer.key, { amount: '250.51' });
    expect(withdrawal.status).toBe(201);
    expect(withdrawal.body).toEqual({ walletId: payer.walletId, amount: '250.51', cash: '749.49', position: expect.any(String) });
    await expectFreshPosition(withdrawal);

    expect(await wallet(payer.walletId, payer.key)).toMatchObject({ cash: '749.49', businessDate: '2026-01-05', ruleSetVersion: 'csrc-pboc-2018-06' });
  });

  it('normalises amounts written with fewer decimals', async () => {
    const response = await app.post(`/wallets/${payer.walletId}/deposits`, payer.key, { amount: '0.5' });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ amount: '0.50', cash: '749.99' });
    const back = await app.post(`/wallets/${payer.walletId}/withdrawals`, payer.key, { amount: '0.50' });
    expect(back.body).toMatchObject({ amount: '0.50', cash: '749.49' });
  });

  it('a payment moves cash from the payer to the payee', async () => {
    const response = await app.post(`/wallets/${payer.walletId}/payments`, payer.key, { toWalletId: shop.walletId, amount: '100.25' });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ paymentId: expect.stringMatching(UUID), fromWalletId: payer.walletId, toWalletId: shop.walletId, amount: '100.25', cash: '649.24', position: expect.any(String) });
    await expectFreshPosition(response);
    expect((await wallet(payer.walletId)).cash).toBe('649.24');
    expect((await wallet(shop.walletId, shop.key)).cash).toBe('100.25');
  });

  it('a merchant pays a customer back', async () => {
    const response = await app.post(`/wallets/${shop.walletId}/payments`, shop.key, { toWalletId: payer.walletId, amount: '0.25' });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ fromWalletId: shop.walletId, toWalletId: payer.walletId, amount: '0.25', cash: '100.00' });
    expect((await wallet(payer.walletId)).cash).toBe('649.49');
    expect((await wallet(shop.walletId)).cash).toBe('100.00');
  });
});

describe('funds, purchases, the day close and redemptions', () => {
  it('POST /funds registers a fund on the business date', async () => {
    const response = await app.post('/funds', OPERATOR_KEY, { code: FUND, name: 'Route Test Money Fund' });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ code: FUND, name: 'Route Test Money Fund', registeredOn: '2026-01-05', position: expect.any(String) });
    await expectFreshPosition(response);
  });

  it('POST /funds/{code}/incomes publishes the income per 10,000 shares, normalised to 4 decimals', async () => {
    const response = await app.post(`/funds/${FUND}/incomes`, OPERATOR_KEY, { date: '2026-01-05', perTenK: '0.61' });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ fundCode: FUND, date: '2026-01-05', perTenK: '0.6100', position: expect.any(String) });
    await expectFreshPosition(response);
  });

  it('a purchase on Monday 2026-01-05 takes the cash and waits for Tuesday', async () => {
    await app.post(`/wallets/${investor.walletId}/deposits`, investor.key, { amount: '20000.00' });
    const response = await app.post(`/wallets/${investor.walletId}/purchases`, investor.key, { fundCode: FUND, amount: '10000.00' });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      purchaseId: expect.stringMatching(UUID),
      walletId: investor.walletId,
      fundCode: FUND,
      amount: '10000.00',
      confirmOn: '2026-01-06',
      cash: '10000.00',
      position: expect.any(String),
    });
    await expectFreshPosition(response);

    const view = await wallet(investor.walletId, investor.key);
    expect(view).toMatchObject({ cash: '10000.00', businessDate: '2026-01-05' });
    expect(view.holdings).toEqual([
      {
        fundCode: FUND,
        holding: '0.00',
        pendingPurchase: '10000.00',
        pendingPurchases: [{ purchaseId: response.body.purchaseId, amount: '10000.00', confirmOn: '2026-01-06' }],
        pendingRedemption: '0.00',
        pendingRedemptions: [],
        instantQuotaLeft: '10000.00',
        incomeLastDay: '0.00',
        incomeLastDayDate: null,
        incomeTotal: '0.00',
      },
    ]);

    // A second, smaller holder, so the fund's income on the total leaves a rounding residual.
    await app.post(`/wallets/${smallInvestor.walletId}/deposits`, smallInvestor.key, { amount: '5000.00' });
    const small = await app.post(`/wallets/${smallInvestor.walletId}/purchases`, smallInvestor.key, { fundCode: FUND, amount: '5000.00' });
    expect(small.body).toMatchObject({ confirmOn: '2026-01-06', cash: '0.00' });
  });

  it('the close of 2026-01-05 moves the date to Tuesday and confirms nothing yet', async () => {
    const response = await app.post('/operations/day-close', OPERATOR_KEY, { date: '2026-01-05' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      date: '2026-01-05',
      nextBusinessDate: '2026-01-06',
      days: ['2026-01-05'],
      positionsClosed: 2,
      funds: [{ code: FUND, days: [{ date: '2026-01-05', perTenK: '0.6100', holdings: '0.00', income: '0.00', distributed: '0.00', residual: '0.00' }] }],
      position: expect.any(String),
    });
    await expectFreshPosition(response);
    const view = await wallet(investor.walletId);
    expect(view.businessDate).toBe('2026-01-06');
    expect(view.holdings[0]).toMatchObject({ holding: '0.00', pendingPurchase: '10000.00' });
  });

  it('the close of 2026-01-06 confirms the purchase and pays 01-06 income rounded down: 10000.00 at 0.6543 earns 0.65', async () => {
    const income = await app.post(`/funds/${FUND}/incomes`, OPERATOR_KEY, { date: '2026-01-06', perTenK: '0.6543' });
    expect(income.status).toBe(201);
    const response = await app.post('/operations/day-close', OPERATOR_KEY, { date: '2026-01-06' });
    expect(response.status).toBe(200);
    // 1,000,000 fen × 6543 / 10^8 = 65.43 → 65 fen; 500,000 × 6543 / 10^8 = 32.715 → 32 fen;
    // the fund pays on 1,500,000 fen: 98.145 → 98 fen, so 1 fen is left to the rounding residual.
    expect(response.body).toMatchObject({
      date: '2026-01-06',
      nextBusinessDate: '2026-01-07',
      days: ['2026-01-06'],
      positionsClosed: 2,
      funds: [{ code: FUND, days: [{ date: '2026-01-06', perTenK: '0.6543', holdings: '15000.00', income: '0.98', distributed: '0.97', residual: '0.01' }] }],
    });
    await expectFreshPosition(response);

    expect(await holding(investor.walletId)).toEqual({
      fundCode: FUND,
      holding: '10000.65',
      pendingPurchase: '0.00',
      pendingPurchases: [],
      pendingRedemption: '0.00',
      pendingRedemptions: [],
      instantQuotaLeft: '10000.00',
      incomeLastDay: '0.65',
      incomeLastDayDate: '2026-01-06',
      incomeTotal: '0.65',
    });
    expect(await holding(smallInvestor.walletId)).toMatchObject({ holding: '5000.32', pendingPurchase: '0.00' });
    expect((await wallet(investor.walletId)).cash).toBe('10000.00');
  });

  it('a standard redemption placed on the 7th is paid by the close of the 7th', async () => {
    const response = await app.post(`/wallets/${investor.walletId}/redemptions`, investor.key, { fundCode: FUND, amount: '1000.00', mode: 'standard' });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      redemptionId: expect.stringMatching(UUID),
      walletId: investor.walletId,
      fundCode: FUND,
      mode: 'standard',
      amount: '1000.00',
      payOn: '2026-01-08',
      instantQuotaLeft: '10000.00',
      ruleSetVersion: 'csrc-pboc-2018-06',
      position: expect.any(String),
    });
    await expectFreshPosition(response);
    expect(await holding(investor.walletId)).toMatchObject({
      holding: '9000.65',
      pendingRedemption: '1000.00',
      pendingRedemptions: [{ redemptionId: response.body.redemptionId, amount: '1000.00', payOn: '2026-01-08' }],
    });
    expect((await wallet(investor.walletId)).cash).toBe('10000.00');

    await app.post(`/funds/${FUND}/incomes`, OPERATOR_KEY, { date: '2026-01-07', perTenK: '0.5000' });
    const close = await app.post('/operations/day-close', OPERATOR_KEY, { date: '2026-01-07' });
    expect(close.status).toBe(200);
    expect(close.body).toMatchObject({ date: '2026-01-07', nextBusinessDate: '2026-01-08', days: ['2026-01-07'] });

    const view = await wallet(investor.walletId, investor.key);
    expect(view.cash).toBe('11000.00');
    expect(view.businessDate).toBe('2026-01-08');
    // 900,065 fen × 5000 / 10^8 = 45.003 → 45 fen of income on the 7th.
    expect(view.holdings[0]).toMatchObject({ holding: '9001.10', pendingRedemption: '0.00', pendingRedemptions: [] });
  });

  it('an instant redemption pays at once and uses the daily quota of 10,000.00', async () => {
    const response = await app.post(`/wallets/${investor.walletId}/redemptions`, investor.key, { fundCode: FUND, amount: '2500.50', mode: 'instant' });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      redemptionId: expect.stringMatching(UUID),
      walletId: investor.walletId,
      fundCode: FUND,
      mode: 'instant',
      amount: '2500.50',
      payOn: '2026-01-08',
      instantQuotaLeft: '7499.50',
      ruleSetVersion: 'csrc-pboc-2018-06',
      position: expect.any(String),
    });
    await expectFreshPosition(response);
    const view = await wallet(investor.walletId, investor.key);
    expect(view.cash).toBe('13500.50');
    expect(view.holdings[0]).toMatchObject({ holding: '6500.60', pendingRedemption: '0.00', instantQuotaLeft: '7499.50' });

    const second = await app.post(`/wallets/${investor.walletId}/redemptions`, investor.key, { fundCode: FUND, amount: '7499.50', mode: 'instant' });
    expect(second.status).toBe(422); // only 6500.60 is held
    expect(second.body.code).toBe('INSUFFICIENT_HOLDING');
    const rest = await app.post(`/wallets/${investor.walletId}/redemptions`, investor.key, { fundCode: FUND, amount: '6000.00', mode: 'instant' });
    expect(rest.status).toBe(201);
    expect(rest.body.instantQuotaLeft).toBe('1499.50');
    expect((await holding(investor.walletId)).instantQuotaLeft).toBe('1499.50');
  });

  it('the quota is per day: the next business day starts at 10,000.00 again', async () => {
    await app.post(`/funds/${FUND}/incomes`, OPERATOR_KEY, { date: '2026-01-08', perTenK: '0.5000' });
    const close = await app.post('/operations/day-close', OPERATOR_KEY, { date: '2026-01-08' });
    expect(close.status).toBe(200);
    expect(await holding(investor.walletId)).toMatchObject({ holding: '500.62', instantQuotaLeft: '10000.00' });
    expect((await wallet(investor.walletId)).businessDate).toBe('2026-01-09');
  });
});

describe('negative income and the weekend', () => {
  it('a negative income on Friday 2026-01-09 is rounded towards zero, the residual bearing the rest, and the next business day is Monday', async () => {
    await app.post(`/funds/${FUND}/incomes`, OPERATOR_KEY, { date: '2026-01-09', perTenK: '-0.1500' });
    const close = await app.post('/operations/day-close', OPERATOR_KEY, { date: '2026-01-09' });
    expect(close.status).toBe(200);
    // 50,062 fen × −1500 / 10^8 = −0.751 → 0 fen; 500,082 × −1500 / 10^8 = −7.501 → −7 fen; the fund's income
    // on 550,144 fen is −8.252 → −8 fen; holders lost 7, so the residual bears the other fen: −1 fen.
    expect(close.body).toMatchObject({
      date: '2026-01-09',
      nextBusinessDate: '2026-01-12',
      days: ['2026-01-09'],
      funds: [{ code: FUND, days: [{ date: '2026-01-09', perTenK: '-0.1500', holdings: '5501.44', income: '-0.08', distributed: '-0.07', residual: '-0.01' }] }],
    });
    expect((await holding(investor.walletId)).holding).toBe('500.62');
    expect((await holding(smallInvestor.walletId)).holding).toBe('5000.75');
  });

  it("Monday's close accrues Saturday's, Sunday's and Monday's income, each on the day before's holding", async () => {
    for (const date of ['2026-01-10', '2026-01-11', '2026-01-12']) {
      expect((await app.post(`/funds/${FUND}/incomes`, OPERATOR_KEY, { date, perTenK: '0.5000' })).status).toBe(201);
    }
    const close = await app.post('/operations/day-close', OPERATOR_KEY, { date: '2026-01-12' });
    expect(close.status).toBe(200);
    expect(close.body).toMatchObject({ date: '2026-01-12', nextBusinessDate: '2026-01-13', days: ['2026-01-10', '2026-01-11', '2026-01-12'] });
    // 500.62 → +0.02 → 500.64 → +0.02 → 500.66 → +0.02 → 500.68; 5000.75 → 5001.00 → 5001.25 → 5001.50.
    expect(close.body.funds[0].days).toEqual([
      { date: '2026-01-10', perTenK: '0.5000', holdings: '5501.37', income: '0.27', distributed: '0.27', residual: '0.00' },
      { date: '2026-01-11', perTenK: '0.5000', holdings: '5501.64', income: '0.27', distributed: '0.27', residual: '0.00' },
      { date: '2026-01-12', perTenK: '0.5000', holdings: '5501.91', income: '0.27', distributed: '0.27', residual: '0.00' },
    ]);
    expect((await holding(investor.walletId)).holding).toBe('500.68');
    expect((await holding(smallInvestor.walletId)).holding).toBe('5001.50');
    expect((await wallet(investor.walletId)).businessDate).toBe('2026-01-13');
  });
});

describe('ledger', () => {
  it('the trial balance totals zero and its wallet-cash accounts are the negatives of GET /wallets cash', async () => {
    const ledger = await trialBalance();
    const accounts = await ledgerAccounts();
    expect(ledger.total).toBe('0.00');
    expect(ledger.totalDebits).toBe(ledger.totalCredits);
    expect(ledger.position).toBe(await app.lastPosition());
    expect(ledger.accounts).toBe(accounts.length);
    for (const party of [payer, shop, investor, smallInvestor]) {
      const { cash } = await wallet(party.walletId);
      expect(balanceOf(accounts, `wallet-cash:${party.walletId}`)).toBe(negated(cash));
    }
    const { holdings } = await wallet(investor.walletId);
    expect(balanceOf(accounts, `fund-holding:${investor.walletId}:${FUND}`)).toBe(negated(holdings[0].holding));
    // The fen of income kept on 01-06 (a credit) paid the fen of loss borne on 01-09 (a debit).
    expect(balanceOf(accounts, `rounding-residual:${FUND}`)).toBe('0.00');
    // Every payment landed: nothing is left in transit.
    expect(balanceOf(accounts, 'payments-in-transit')).toBe('0.00');
    // Bank clearing holds every deposit less every withdrawal: 1000.00 + 0.50 + 20000.00 + 5000.00 − 250.51 − 0.50.
    expect(balanceOf(accounts, 'bank-clearing')).toBe('25749.49');
  });

  it('the operator sees the same trial balance as the auditor', async () => {
    const response = await app.get('/ledger/trial-balance', OPERATOR_KEY);
    expect(response.status).toBe(200);
    expect(response.body).toEqual(await trialBalance());
  });

  it('the trial balance includes a write answered just before it', async () => {
    const deposit = await app.post(`/wallets/${shop.walletId}/deposits`, shop.key, { amount: '0.01' });
    const ledger = await trialBalance();
    expect(BigInt(ledger.position)).toBeGreaterThanOrEqual(BigInt(deposit.body.position));
    expect(balanceOf(await ledgerAccounts(), `wallet-cash:${shop.walletId}`)).toBe('-100.01');
    expect(ledger.total).toBe('0.00');
  });
});

describe('documentation and health', () => {
  it('GET /openapi.json documents every route', async () => {
    const response = await app.request('GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/^application\/json/);
    expect(response.body.openapi).toMatch(/^3\./);
    const paths = response.body.paths as Record<string, Record<string, unknown>>;
    const expected: [string, string][] = [
      ['/customers', 'post'],
      ['/merchants', 'post'],
      ['/wallets/{walletId}/deposits', 'post'],
      ['/wallets/{walletId}/withdrawals', 'post'],
      ['/wallets/{walletId}/payments', 'post'],
      ['/wallets/{walletId}/purchases', 'post'],
      ['/wallets/{walletId}/redemptions', 'post'],
      ['/wallets/{walletId}', 'get'],
      ['/funds', 'post'],
      ['/funds/{code}/incomes', 'post'],
      ['/operations/day-close', 'post'],
      ['/wallets/{walletId}/transactions', 'get'],
      ['/ledger/trial-balance', 'get'],
      ['/ledger/accounts', 'get'],
      ['/health', 'get'],
    ];
    for (const [path, method] of expected) expect({ path, method, documented: paths[path]?.[method] !== undefined }).toEqual({ path, method, documented: true });
  });

  it('GET /docs is an HTML page loading the document, and its assets are served', async () => {
    const response = await app.request('GET', '/docs');
    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/^text\/html/);
    expect(response.body).toContain('<div id="swagger-ui">');
    const initializer = await app.request('GET', '/docs/swagger-initializer.js');
    expect(initializer.status).toBe(200);
    expect(initializer.body).toContain("url: '/openapi.json'");
    const css = await app.request('GET', '/docs/swagger-ui.css');
    expect(css.status).toBe(200);
    expect(css.contentType).toMatch(/^text\/css/);
  });

  it('GET /health answers without a key', async () => {
    const response = await app.request('GET', '/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', lastPosition: expect.stringMatching(POSITION) });
  });
});
