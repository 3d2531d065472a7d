import { randomUUID } from 'node:crypto';
import { formatFen } from '../../src/domain/money';
import { transactionsCsv } from '../../src/api/wallets/transactions-csv';
import { TRANSACTION_CSV_COLUMNS } from '../../src/api/wallets/wallet-schemas';
import type { TransactionView } from '../../src/api/wallets/wallet-transactions.query';
import { AUDITOR_KEY, OPERATOR_KEY, TestApp, type ApiResponse } from './test-app';

/**
 * The read side of wallets and the ledger over a real socket: GET /wallets/{id} from the wallets and calendar
 * read models, a wallet's transactions paged by cursor (and as CSV), and the ledger's accounts and trial
 * balance from the ledger read model. Ann's history, worked out by hand:
 *   2026-01-05  deposit 1000.00; pays the shop 100.25; buys WRF for 500.00 (confirmed on the 6th)
 *   2026-01-06  confirmed; the 6th's income at 0.6543 per 10,000 on 50,000 fen is 3.27 → 0.03
 *   2026-01-07  redeems 100.00 instantly
 */
const FUND = 'WRF';
type Party = { id: string; walletId: string; key: string };
type Row = TransactionView;

let app: TestApp;
let ann: Party;
let shop: Party;
let bob: Party;

async function ok(response: Promise<ApiResponse>, status = 201): Promise<ApiResponse> {
  const answer = await response;
  if (answer.status !== status) throw new Error(`setup step answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer;
}

async function close(date: string, perTenK: string): Promise<void> {
  await ok(app.post(`/funds/${FUND}/incomes`, OPERATOR_KEY, { date, perTenK }));
  await ok(app.post('/operations/day-close', OPERATOR_KEY, { date }), 200);
}

beforeAll(async () => {
  app = await TestApp.start();
  ann = await app.party('customer', 'Ann');
  bob = await app.party('customer', 'Bob');
  shop = await app.party('merchant', 'Shop');
  await ok(app.post('/funds', OPERATOR_KEY, { code: FUND, name: 'Wallet Reads Fund' }));
  await ok(app.post(`/wallets/${ann.walletId}/deposits`, ann.key, { amount: '1000.00' }));
  await ok(app.post(`/wallets/${ann.walletId}/payments`, ann.key, { toWalletId: shop.walletId, amount: '100.25' }));
  await ok(app.post(`/wallets/${ann.walletId}/purchases`, ann.key, { fundCode: FUND, amount: '500.00' }));
  await close('2026-01-05', '0.5000');
  await close('2026-01-06', '0.6543');
  await ok(app.post(`/wallets/${ann.walletId}/redemptions`, ann.key, { fundCode: FUND, amount: '100.00', mode: 'instant' }));
});

afterAll(async () => {
  await app.stop();
});

const transactions = (walletId: string, query = '', key = OPERATOR_KEY) => app.get(`/wallets/${walletId}/transactions${query}`, key);

/** A 400 naming the query parameter at fault. */
async function refusedParameter(response: Promise<ApiResponse>, field: string): Promise<void> {
  const answer = await response;
  expect({ status: answer.status, code: answer.body.code, field: answer.body.field }).toEqual({ status: 400, code: 'INVALID_PARAMETER', field });
}

/** Every page of a listing, following nextCursor; bounded so a cursor that never ends fails the test. */
async function allPages(path: string, limit: number): Promise<{ pages: number; items: Row[] }> {
  const items: Row[] = [];
  let cursor: string | null = null;
  for (let pages = 1; pages <= 100; pages++) {
    const response = await app.get(`${path}?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, OPERATOR_KEY);
    expect(response.status).toBe(200);
    items.push(...response.body.items);
    cursor = response.body.nextCursor;
    if (cursor === null) return { pages, items };
  }
  throw new Error(`${path} did not end within 100 pages`);
}

describe('GET /wallets/{walletId}', () => {
  it('shows cash, the holding and its income: the latest day and in total', async () => {
    const response = await app.get(`/wallets/${ann.walletId}`, ann.key);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      walletId: ann.walletId,
      ownerKind: 'customer',
      ownerId: ann.id,
      rebalancing: 'manual',
      businessDate: '2026-01-07',
      ruleSetVersion: 'csrc-pboc-2018-06',
      accountTier: 'III',
      // Type III: 200,000 CNY a year of payments from the balance; the payment of 100.25 counts, the purchase does not.
      paymentLimit: { period: 'year', limit: '200000.00', used: '100.25', left: '199899.75', mayBuyFunds: true },
      cash: '499.75',
      incomeLastDay: '0.03',
      incomeLastDayDate: '2026-01-06',
      incomeTotal: '0.03',
      holdings: [
        {
          fundCode: FUND,
          holding: '400.03',
          pendingPurchase: '0.00',
          pendingPurchases: [],
          pendingRedemption: '0.00',
          pendingRedemptions: [],
          instantQuotaLeft: '9900.00',
          incomeLastDay: '0.03',
          incomeLastDayDate: '2026-01-06',
          incomeTotal: '0.03',
        },
      ],
    });
  });

  it('shows a wallet that never earned with no income day', async () => {
    const response = await app.get(`/wallets/${bob.walletId}`, bob.key);
    expect(response.body).toMatchObject({ cash: '0.00', incomeLastDay: '0.00', incomeLastDayDate: null, incomeTotal: '0.00', holdings: [] });
  });

  it('is 404 for an unknown wallet, and 400 naming minPosition when it is not an integer', async () => {
    const unknown = randomUUID();
    const missing = await app.get(`/wallets/${unknown}`, OPERATOR_KEY);
    expect({ status: missing.status, code: missing.body.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(missing.body.detail).toContain(unknown);
    for (const minPosition of ['abc', '-1', '1.5', '01']) await refusedParameter(app.get(`/wallets/${ann.walletId}?minPosition=${minPosition}`, OPERATOR_KEY), 'minPosition');
  });

  it('is 400 naming minPosition, at once, for a position past the end of the log: no wait could reach it', async () => {
    const response = await app.get(`/wallets/${ann.walletId}?minPosition=999999999`, OPERATOR_KEY);
    expect({ status: response.status, code: response.body.code, field: response.body.field }).toEqual({ status: 400, code: 'MIN_POSITION_PAST_LOG_END', field: 'minPosition' });
    expect(response.body.detail).toContain(`at position ${await app.lastPosition()}`);
  });
});

describe('GET /wallets/{walletId}/transactions', () => {
  it("lists Ann's movements newest first, signed, with fund, counterparty and business date", async () => {
    const response = await transactions(ann.walletId, '', ann.key);
    expect(response.status).toBe(200);
    expect(response.body.nextCursor).toBeNull();
    const rows = response.body.items as Row[];
    expect(rows.map(({ kind, asset, amount, fundCode, counterpartyWalletId, businessDate, valueDate }) => ({ kind, asset, amount, fundCode, counterpartyWalletId, businessDate, valueDate }))).toEqual([
      { kind: 'redemption_paid', asset: 'cash', amount: '100.00', fundCode: FUND, counterpartyWalletId: null, businessDate: '2026-01-07', valueDate: '2026-01-07' },
      { kind: 'instant_redemption', asset: 'fund', amount: '-100.00', fundCode: FUND, counterpartyWalletId: null, businessDate: '2026-01-07', valueDate: '2026-01-07' },
      { kind: 'income', asset: 'fund', amount: '0.03', fundCode: FUND, counterpartyWalletId: null, businessDate: '2026-01-06', valueDate: '2026-01-06' },
      { kind: 'purchase_confirmed', asset: 'fund', amount: '500.00', fundCode: FUND, counterpartyWalletId: null, businessDate: '2026-01-06', valueDate: '2026-01-06' },
      { kind: 'purchase_paid', asset: 'cash', amount: '-500.00', fundCode: FUND, counterpartyWalletId: null, businessDate: '2026-01-05', valueDate: '2026-01-05' },
      { kind: 'payment_sent', asset: 'cash', amount: '-100.25', fundCode: null, counterpartyWalletId: shop.walletId, businessDate: '2026-01-05', valueDate: '2026-01-05' },
      { kind: 'deposit', asset: 'cash', amount: '1000.00', fundCode: null, counterpartyWalletId: null, businessDate: '2026-01-05', valueDate: '2026-01-05' },
    ]);
    // Ids are zero-padded positions, descending; each row names its event's position and when it was written.
    expect(rows.map((r) => r.id)).toEqual(rows.map((r) => `${r.position.padStart(20, '0')}:0`));
    expect([...rows.map((r) => r.id)].sort().reverse()).toEqual(rows.map((r) => r.id));
    expect(rows.every((r) => !Number.isNaN(Date.parse(r.recordedAt)))).toBe(true);
    // The two legs of one purchase and of one redemption share its id.
    expect(rows[0]!.reference).toBe(rows[1]!.reference);
    expect(rows[3]!.reference).toBe(rows[4]!.reference);
  });

  it('gives the payee its row with the payer as counterparty', async () => {
    const response = await transactions(shop.walletId, '', shop.key);
    expect(response.body.items).toEqual([expect.objectContaining({ kind: 'payment_received', amount: '100.25', counterpartyWalletId: ann.walletId })]);
  });

  it('answers an empty page for a wallet with no movements, and 404 for an unknown wallet', async () => {
    expect((await transactions(bob.walletId)).body).toEqual({ items: [], nextCursor: null });
    const missing = await transactions(randomUUID());
    expect({ status: missing.status, code: missing.body.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
  });

  it('has no next cursor when the rows exactly fill one page, and one when a row is left', async () => {
    const exact = await transactions(ann.walletId, '?limit=7');
    expect({ rows: exact.body.items.length, nextCursor: exact.body.nextCursor }).toEqual({ rows: 7, nextCursor: null });
    const short = await transactions(ann.walletId, '?limit=6');
    expect(short.body.items).toHaveLength(6);
    const rest = await transactions(ann.walletId, `?limit=6&cursor=${short.body.nextCursor}`);
    expect({ rows: rest.body.items.map((r: Row) => r.kind), nextCursor: rest.body.nextCursor }).toEqual({ rows: ['deposit'], nextCursor: null });
  });

  it('pages neither repeat nor skip rows when new ones arrive between them', async () => {
    const carol = await app.party('customer', 'Carol');
    for (const amount of ['1.00', '2.00', '3.00', '4.00', '5.00']) await ok(app.post(`/wallets/${carol.walletId}/deposits`, carol.key, { amount }));
    const amounts = (response: ApiResponse) => response.body.items.map((r: Row) => r.amount);
    const first = await transactions(carol.walletId, '?limit=2');
    expect(amounts(first)).toEqual(['5.00', '4.00']);
    for (const amount of ['6.00', '7.00']) await ok(app.post(`/wallets/${carol.walletId}/deposits`, carol.key, { amount }));
    const second = await transactions(carol.walletId, `?limit=2&cursor=${first.body.nextCursor}`);
    expect(amounts(second)).toEqual(['3.00', '2.00']);
    const third = await transactions(carol.walletId, `?limit=2&cursor=${second.body.nextCursor}`);
    expect({ amounts: amounts(third), nextCursor: third.body.nextCursor }).toEqual({ amounts: ['1.00'], nextCursor: null });
    expect(amounts(await transactions(carol.walletId, '?limit=2'))).toEqual(['7.00', '6.00']);
  });

  it('filters by kind and by business dates, inclusive', async () => {
    const kinds = async (query: string) => (await transactions(ann.walletId, query)).body.items.map((r: Row) => r.kind);
    expect(await kinds('?kind=deposit')).toEqual(['deposit']);
    expect(await kinds('?kind=income')).toEqual(['income']);
    expect(await kinds('?from=2026-01-06&to=2026-01-06')).toEqual(['income', 'purchase_confirmed']);
    expect(await kinds('?from=2026-01-07')).toEqual(['redemption_paid', 'instant_redemption']);
    expect(await kinds('?to=2026-01-05&kind=payment_sent')).toEqual(['payment_sent']);
    expect(await kinds('?from=2026-02-01')).toEqual([]);
  });

  it('keeps the filters across pages', async () => {
    const { pages, items } = await allPages(`/wallets/${ann.walletId}/transactions`, 1);
    expect({ pages, rows: items.length }).toEqual({ pages: 7, rows: 7 });
    const first = await transactions(ann.walletId, '?limit=1&to=2026-01-06');
    const second = await transactions(ann.walletId, `?limit=1&to=2026-01-06&cursor=${first.body.nextCursor}`);
    expect([first.body.items[0].kind, second.body.items[0].kind]).toEqual(['income', 'purchase_confirmed']);
  });

  it('refuses a tampered cursor, a cursor of other filters, and bad limits, dates and kinds, naming the parameter', async () => {
    const { nextCursor } = (await transactions(ann.walletId, '?limit=2')).body as { nextCursor: string };
    const tampered = `${nextCursor.slice(0, -1)}${nextCursor.endsWith('A') ? 'B' : 'A'}`;
    await refusedParameter(transactions(ann.walletId, `?limit=2&cursor=${tampered}`), 'cursor');
    await refusedParameter(transactions(ann.walletId, `?limit=2&cursor=${nextCursor}&kind=deposit`), 'cursor');
    await refusedParameter(transactions(ann.walletId, '?cursor=not-a-cursor'), 'cursor');
    await refusedParameter(transactions(ann.walletId, '?limit=201'), 'limit');
    await refusedParameter(transactions(ann.walletId, '?limit=0'), 'limit');
    await refusedParameter(transactions(ann.walletId, '?from=2026-13-01'), 'from');
    await refusedParameter(transactions(ann.walletId, '?to=2026-02-30'), 'to');
    await refusedParameter(transactions(ann.walletId, '?from=2026-01-07&to=2026-01-06'), 'from');
    await refusedParameter(transactions(ann.walletId, '?kind=refund'), 'kind');
    await refusedParameter(transactions(ann.walletId, '?minPosition=soon'), 'minPosition');
    expect((await transactions(ann.walletId, '?limit=200')).status).toBe(200);
  });

  it('is the owner\'s, the operator\'s and the auditor\'s to read', async () => {
    expect((await transactions(ann.walletId, '', AUDITOR_KEY)).status).toBe(200);
    expect((await transactions(ann.walletId, '', bob.key)).status).toBe(403);
  });
});

describe('GET /wallets/{walletId}/transactions as CSV', () => {
  const csv = (path: string) => app.request('GET', path, { key: OPERATOR_KEY, headers: { accept: 'text/csv' } });

  it('answers the same page as CSV: a header line, decimal money, the next page in a Link header', async () => {
    const json = await transactions(ann.walletId, '?limit=4');
    const response = await csv(`/wallets/${ann.walletId}/transactions?limit=4`);
    expect(response.status).toBe(200);
    expect(response.contentType).toBe('text/csv; charset=utf-8');
    const lines = (response.body as string).split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]).toBe(TRANSACTION_CSV_COLUMNS.join(','));
    expect(lines.slice(1)).toEqual(json.body.items.map((r: Row) => TRANSACTION_CSV_COLUMNS.map((c) => r[c] ?? '').join(',')));
    expect(lines[2]).toContain(',instant_redemption,fund,-100.00,WRF,,');

    const link = response.headers.get('link');
    expect(link).toMatch(/^<\/wallets\/[0-9a-f-]{36}\/transactions\?limit=4&cursor=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+>; rel="next"$/);
    const next = await csv(link!.slice(1, link!.indexOf('>')));
    const nextLines = (next.body as string).split('\r\n').filter(Boolean);
    expect(nextLines.slice(1).map((line) => line.split(',')[1])).toEqual(['purchase_paid', 'payment_sent', 'deposit']);
    expect(next.headers.get('link')).toBeNull();
  });

  it('keeps JSON for clients that prefer it or accept anything', async () => {
    for (const accept of ['application/json', '*/*', 'application/json, text/csv;q=0.5', 'text/csv;q=0, application/json']) {
      const response = await app.request('GET', `/wallets/${ann.walletId}/transactions?limit=1`, { key: OPERATOR_KEY, headers: { accept } });
      expect({ accept, contentType: response.contentType }).toEqual({ accept, contentType: expect.stringMatching(/^application\/json/) });
    }
    const preferred = await app.request('GET', `/wallets/${ann.walletId}/transactions?limit=1`, { key: OPERATOR_KEY, headers: { accept: 'application/json;q=0.4, text/csv' } });
    expect(preferred.contentType).toBe('text/csv; charset=utf-8');
  });

  it('quotes fields as RFC 4180 asks and leaves nulls empty', () => {
    const row = { id: '00000000000000000001:0', kind: 'deposit', asset: 'cash', amount: '1.00', fundCode: null, counterpartyWalletId: null, reference: 'a,"b"\r\nc', businessDate: '2026-01-05', valueDate: '2026-01-05', position: '1', recordedAt: '2026-01-05T08:00:00.000Z' } as const;
    expect(transactionsCsv([row])).toBe(
      `${TRANSACTION_CSV_COLUMNS.join(',')}\r\n00000000000000000001:0,deposit,cash,1.00,,,"a,""b""\r\nc",2026-01-05,2026-01-05,1,2026-01-05T08:00:00.000Z\r\n`,
    );
  });
});

describe('the ledger', () => {
  it('pages through every account in name order, with a prefix filter', async () => {
    const everything = await app.get('/ledger/accounts?limit=200', AUDITOR_KEY);
    expect(everything.status).toBe(200);
    expect(everything.body.nextCursor).toBeNull();
    const names = everything.body.items.map((a: { account: string }) => a.account);
    expect([...names].sort()).toEqual(names);
    const { pages, items } = await allPages('/ledger/accounts', 3);
    expect(pages).toBe(Math.ceil(names.length / 3));
    expect(items).toEqual(everything.body.items);

    const cash = await app.get('/ledger/accounts?prefix=wallet-cash:', OPERATOR_KEY);
    expect(cash.body.items.every((a: { account: string }) => a.account.startsWith('wallet-cash:'))).toBe(true);
    for (const party of [ann, shop]) {
      const { cash: held } = (await app.get(`/wallets/${party.walletId}`, OPERATOR_KEY)).body;
      expect(cash.body.items).toContainEqual({ account: `wallet-cash:${party.walletId}`, balance: `-${held}` });
    }
    expect((await app.get('/ledger/accounts?prefix=fund-holding:', OPERATOR_KEY)).body.items).toEqual([{ account: `fund-holding:${ann.walletId}:${FUND}`, balance: '-400.03' }]);
    expect((await app.get('/ledger/accounts?prefix=nothing-like-this', OPERATOR_KEY)).body).toEqual({ items: [], nextCursor: null });
  });

  it('refuses a bad prefix, a cursor of another prefix and a bad limit, naming the parameter', async () => {
    await refusedParameter(app.get('/ledger/accounts?prefix=wallet%20cash', OPERATOR_KEY), 'prefix');
    await refusedParameter(app.get(`/ledger/accounts?prefix=${'a'.repeat(101)}`, OPERATOR_KEY), 'prefix');
    const { nextCursor } = (await app.get('/ledger/accounts?limit=1', OPERATOR_KEY)).body;
    await refusedParameter(app.get(`/ledger/accounts?limit=1&prefix=wallet-cash:&cursor=${nextCursor}`, OPERATOR_KEY), 'cursor');
    await refusedParameter(app.get('/ledger/accounts?limit=1000', OPERATOR_KEY), 'limit');
    expect((await app.get('/ledger/accounts', ann.key)).status).toBe(403);
  });

  it('totals the accounts to zero as of the ledger read model\'s position', async () => {
    const trial = await app.get('/ledger/trial-balance', AUDITOR_KEY);
    expect(trial.status).toBe(200);
    const accounts = (await allPages('/ledger/accounts', 200)).items as unknown as { balance: string }[];
    const fen = (amount: string) => BigInt(amount.replace('.', ''));
    const debits = accounts.map((a) => fen(a.balance)).filter((b) => b > 0n).reduce((sum, b) => sum + b, 0n);
    expect(trial.body).toEqual({ position: await app.lastPosition(), accounts: accounts.length, totalDebits: formatFen(debits), totalCredits: formatFen(debits), total: '0.00' });
    await refusedParameter(app.get('/ledger/trial-balance?minPosition=x', AUDITOR_KEY), 'minPosition');
  });
});
