import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDITOR_KEY, OPERATOR_KEY, TestApp, type ApiResponse } from './test-app';

/**
 * Many requests at once over real sockets: a wallet is never overdrawn however its payments race, no request
 * is lost or applied twice, none is answered 409 or 5xx, and the ledger stays balanced. Run on the in-memory
 * store and on a store in a file (durable commits: concurrent appends share transactions and fsyncs).
 */
type Party = { id: string; walletId: string; key: string };

const directory = mkdtempSync(join(tmpdir(), 'ifw-concurrency-'));
const STORES: [string, string][] = [
  ['the in-memory store', 'sqlite::memory:'],
  ['a store in a file', `sqlite:${join(directory, 'ifw.db')}`],
];

let app: TestApp;

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

async function cash(party: Party): Promise<string> {
  const response = await app.get(`/wallets/${party.walletId}`, OPERATOR_KEY);
  expect(response.status).toBe(200);
  return response.body.cash;
}

async function deposit(party: Party, amount: string): Promise<void> {
  const response = await app.post(`/wallets/${party.walletId}/deposits`, party.key, { amount });
  expect(response.status).toBe(201);
}

async function expectBalancedLedger(): Promise<{ account: string; balance: string }[]> {
  const response = await app.get('/ledger/trial-balance', AUDITOR_KEY);
  expect(response.status).toBe(200);
  expect(response.body.total).toBe('0.00');
  expect(response.body.totalDebits).toBe(response.body.totalCredits);
  expect(response.body.position).toBe(await app.lastPosition());
  const accounts: { account: string; balance: string }[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50 && (page === 0 || cursor !== null); page++) {
    const listing = await app.get(`/ledger/accounts?limit=200${cursor ? `&cursor=${cursor}` : ''}`, AUDITOR_KEY);
    expect(listing.status).toBe(200);
    accounts.push(...listing.body.items);
    cursor = listing.body.nextCursor;
  }
  expect({ cursor, accounts: accounts.length }).toEqual({ cursor: null, accounts: response.body.accounts });
  // Accounts back at zero are left out, so a settled account reads as absent.
  return accounts.filter((a) => a.balance !== '0.00');
}

/** The funds the tests of this file register; each day close needs the income of every one of them. */
const FUNDS = ['RACE', 'CLOSE'];

async function publishIncomes(date: string): Promise<void> {
  for (const code of FUNDS) {
    const response = await app.post(`/funds/${code}/incomes`, OPERATOR_KEY, { date, perTenK: '0.6543' });
    expect([201, 404]).toContain(response.status); // 404: a fund whose test did not run
  }
}

interface HoldingView {
  fundCode: string;
  holding: string;
  pendingPurchase: string;
  pendingRedemption: string;
}

/** Everything the wallets are owed in cash and in the fund, in fen, as GET /wallets shows it. */
async function totalOwed(parties: Party[], fundCode: string): Promise<bigint> {
  let total = 0n;
  for (const party of parties) {
    const view = (await app.get(`/wallets/${party.walletId}`, OPERATOR_KEY)).body;
    total += fenOf(view.cash);
    for (const h of view.holdings as HoldingView[]) if (h.fundCode === fundCode) total += fenOf(h.holding) + fenOf(h.pendingPurchase) + fenOf(h.pendingRedemption);
  }
  return total;
}

/** Each wallet's cash, holding, pending purchase and pending redemption are the negatives of its ledger accounts. */
async function expectViewsMatchLedger(parties: Party[], fundCode: string): Promise<void> {
  const accounts = await expectBalancedLedger();
  const balance = (account: string) => fenOf(accounts.find((a) => a.account === account)?.balance ?? '0.00');
  for (const party of parties) {
    const view = (await app.get(`/wallets/${party.walletId}`, OPERATOR_KEY)).body;
    const holding = (view.holdings as HoldingView[]).find((h) => h.fundCode === fundCode);
    const seen = {
      cash: fenOf(view.cash),
      holding: holding ? fenOf(holding.holding) : 0n,
      pendingPurchase: holding ? fenOf(holding.pendingPurchase) : 0n,
      pendingRedemption: holding ? fenOf(holding.pendingRedemption) : 0n,
    };
    const booked = {
      cash: -balance(`wallet-cash:${party.walletId}`),
      holding: -balance(`fund-holding:${party.walletId}:${fundCode}`),
      pendingPurchase: -balance(`fund-pending-purchase:${party.walletId}:${fundCode}`),
      pendingRedemption: -balance(`fund-pending-redemption:${party.walletId}:${fundCode}`),
    };
    expect(seen).toEqual(booked);
  }
}

function statuses(answers: ApiResponse[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of answers) {
    const label = answer.status < 300 ? String(answer.status) : `${answer.status} ${answer.body?.code}`;
    counts[label] = (counts[label] ?? 0) + 1;
  }
  return counts;
}

const fenOf = (amount: string) => (amount.startsWith('-') ? -1n : 1n) * BigInt(amount.replace('-', '').replace('.', ''));
const cnyOf = (fen: bigint) => `${fen / 100n}.${(fen % 100n).toString().padStart(2, '0')}`;

describe.each(STORES)('on %s', (_, eventStoreUrl) => {
  beforeAll(async () => {
    app = await TestApp.start({ eventStoreUrl });
  });

  afterAll(async () => {
    await app.stop();
  });

  describe('one wallet, many payments at once', () => {
    it('100 payments of 10.00 from a wallet holding 100.00: exactly 10 succeed, 90 are 422 INSUFFICIENT_FUNDS', async () => {
      const payer = await app.party('customer', 'Payer');
      const merchant = await app.party('merchant', 'Busy Merchant');
      await deposit(payer, '100.00');

      const answers = await Promise.all(Array.from({ length: 100 }, () => app.post(`/wallets/${payer.walletId}/payments`, payer.key, { toWalletId: merchant.walletId, amount: '10.00' })));

      expect(statuses(answers)).toEqual({ '201': 10, '422 INSUFFICIENT_FUNDS': 90 });
      for (const refused of answers.filter((a) => a.status === 422)) {
        expect(refused.contentType).toMatch(/^application\/problem\+json/);
        expect(refused.body.availableCash).toBe('0.00');
      }
      // Each success saw the balance the one before it left: 90.00, 80.00, … 0.00, each exactly once.
      const after = answers.filter((a) => a.status === 201).map((a) => a.body.cash as string);
      expect(after.sort()).toEqual(['0.00', '10.00', '20.00', '30.00', '40.00', '50.00', '60.00', '70.00', '80.00', '90.00']);
      expect(new Set(answers.filter((a) => a.status === 201).map((a) => a.body.paymentId)).size).toBe(10);

      expect(await cash(payer)).toBe('0.00');
      expect(await cash(merchant)).toBe('100.00');
      expect((await app.eventTypes(`wallet-${payer.walletId}`)).filter((t) => t === 'PaymentSent')).toHaveLength(10);
      expect((await app.eventTypes(`wallet-${merchant.walletId}`)).filter((t) => t === 'PaymentReceived')).toHaveLength(10);
      const accounts = await expectBalancedLedger();
      expect(accounts.find((a) => a.account === `wallet-cash:${payer.walletId}`)).toBeUndefined();
      expect(accounts.find((a) => a.account === `wallet-cash:${merchant.walletId}`)?.balance).toBe('-100.00');
    });

    it('withdrawals, payments and purchases racing on one wallet never overdraw it', async () => {
      const fund = await app.post('/funds', OPERATOR_KEY, { code: 'RACE', name: 'Race Fund' });
      expect(fund.status).toBe(201);
      const payer = await app.party('customer', 'Racer');
      const payee = await app.party('customer', 'Payee');
      await deposit(payer, '50.00');
      const requests = Array.from({ length: 60 }, (_, i) => {
        if (i % 3 === 0) return app.post(`/wallets/${payer.walletId}/withdrawals`, payer.key, { amount: '3.00' });
        if (i % 3 === 1) return app.post(`/wallets/${payer.walletId}/payments`, payer.key, { toWalletId: payee.walletId, amount: '3.00' });
        return app.post(`/wallets/${payer.walletId}/purchases`, payer.key, { fundCode: 'RACE', amount: '3.00' });
      });
      const answers = await Promise.all(requests);
      // 50.00 pays for 16 moves of 3.00, leaving 2.00; every other request is refused for want of funds.
      expect(statuses(answers)).toEqual({ '201': 16, '422 INSUFFICIENT_FUNDS': 44 });
      expect(await cash(payer)).toBe('2.00');
      const paid = answers.filter((a, i) => a.status === 201 && i % 3 === 1).length;
      const bought = answers.filter((a, i) => a.status === 201 && i % 3 === 2).length;
      expect(await cash(payee)).toBe(cnyOf(BigInt(paid) * 300n));
      const view = await app.get(`/wallets/${payer.walletId}`, payer.key);
      const pending = (view.body.holdings as { pendingPurchase: string }[]).map((h) => h.pendingPurchase);
      expect(pending).toEqual(bought === 0 ? [] : [cnyOf(BigInt(bought) * 300n)]);
      await expectBalancedLedger();
    });
  });

  describe('many wallets into one merchant at once', () => {
    it('200 payments from 20 customers into one merchant all succeed, and the merchant holds their exact sum once the payment processes end', async () => {
      const merchant = await app.party('merchant', 'Popular Merchant');
      const customers: Party[] = [];
      for (let i = 0; i < 20; i++) customers.push(await app.party('customer', `Shopper ${i}`));
      await Promise.all(customers.map((c) => deposit(c, '1000.00')));

      // Customer i pays ten amounts of (i + 1).0j CNY, j = 0…9: all different, so a lost or doubled payment shows.
      const payments = customers.flatMap((customer, i) => Array.from({ length: 10 }, (_, j) => ({ customer, amount: `${i + 1}.0${j}` })));
      const answers = await Promise.all(payments.map(({ customer, amount }) => app.post(`/wallets/${customer.walletId}/payments`, customer.key, { toWalletId: merchant.walletId, amount })));

      // Each payer is debited before the answer; a payee credited later than the read wait is answered 202.
      const { '201': credited = 0, '202': accepted = 0, ...others } = statuses(answers);
      expect({ done: credited + accepted, others }).toEqual({ done: 200, others: {} });
      await app.settleProcesses();
      expect((await app.get(`/ledger/trial-balance?minPosition=${await app.lastPosition()}`, OPERATOR_KEY)).status).toBe(200);
      const expectedFen = payments.reduce((sum, p) => sum + fenOf(p.amount), 0n);
      expect(await cash(merchant)).toBe(cnyOf(expectedFen));
      for (const [i, customer] of customers.entries()) {
        const spent = payments.filter((p) => p.customer === customer).reduce((sum, p) => sum + fenOf(p.amount), 0n);
        expect({ customer: i, cash: await cash(customer) }).toEqual({ customer: i, cash: cnyOf(100_000n - spent) });
      }
      expect((await app.eventTypes(`wallet-${merchant.walletId}`)).filter((t) => t === 'PaymentReceived')).toHaveLength(200);
      const accounts = await expectBalancedLedger();
      expect(accounts.find((a) => a.account === `wallet-cash:${merchant.walletId}`)?.balance).toBe(`-${cnyOf(expectedFen)}`);
      expect(accounts.find((a) => a.account === 'payments-in-transit')).toBeUndefined();

      // The merchant's wallet is now long enough to be loaded from a snapshot: it can pay out exactly what it holds.
      const payout = await app.post(`/wallets/${merchant.walletId}/withdrawals`, merchant.key, { amount: cnyOf(expectedFen) });
      expect(payout.status).toBe(201);
      expect(payout.body.cash).toBe('0.00');
      const overdraw = await app.post(`/wallets/${merchant.walletId}/withdrawals`, merchant.key, { amount: '0.01' });
      expect({ status: overdraw.status, code: overdraw.body.code }).toEqual({ status: 422, code: 'INSUFFICIENT_FUNDS' });
    });

    it('deposits and reads racing on many wallets: every deposit lands once', async () => {
      const parties: Party[] = [];
      for (let i = 0; i < 10; i++) parties.push(await app.party('customer', `Saver ${i}`));
      const writes = parties.flatMap((p) => Array.from({ length: 10 }, () => app.post(`/wallets/${p.walletId}/deposits`, p.key, { amount: '0.01' })));
      const reads = parties.map((p) => app.get(`/wallets/${p.walletId}`, p.key));
      const answers = await Promise.all([...writes, ...reads]);
      expect(answers.every((a) => a.status === 201 || a.status === 200)).toBe(true);
      for (const party of parties) expect(await cash(party)).toBe('0.10');
      await expectBalancedLedger();
    });
  });

  describe('the day close racing with commands', () => {
    it('a close while holders redeem, buy and pay: every request is answered 2xx or 422, and no fen is lost or made', async () => {
      const code = 'CLOSE';
      expect((await app.post('/funds', OPERATOR_KEY, { code, name: 'Close Race Fund' })).status).toBe(201);
      const merchant = await app.party('merchant', 'Close Race Merchant');
      const holders: Party[] = [];
      for (let i = 0; i < 10; i++) holders.push(await app.party('customer', `Holder ${i}`));
      for (const holder of holders) {
        await deposit(holder, '3000.00');
        expect((await app.post(`/wallets/${holder.walletId}/purchases`, holder.key, { fundCode: code, amount: '2000.00' })).status).toBe(201);
      }
      // Two closes confirm the purchases (the holding then earns from the second day).
      let day = (await app.get(`/wallets/${merchant.walletId}`, OPERATOR_KEY)).body.businessDate as string;
      for (let i = 0; i < 2; i++) {
        await publishIncomes(day);
        const closed = await app.post('/operations/day-close', OPERATOR_KEY, { date: day });
        expect(closed.status).toBe(200);
        day = closed.body.nextBusinessDate;
      }
      const before = await totalOwed([...holders, merchant], code);

      await publishIncomes(day);
      const commands = holders.flatMap((holder) => [
        app.post(`/wallets/${holder.walletId}/redemptions`, holder.key, { fundCode: code, amount: '100.00', mode: 'instant' }),
        app.post(`/wallets/${holder.walletId}/redemptions`, holder.key, { fundCode: code, amount: '100.00', mode: 'standard' }),
        app.post(`/wallets/${holder.walletId}/purchases`, holder.key, { fundCode: code, amount: '100.00' }),
        app.post(`/wallets/${holder.walletId}/payments`, holder.key, { toWalletId: merchant.walletId, amount: '1.00' }),
      ]);
      const [close, ...answers] = await Promise.all([app.post('/operations/day-close', OPERATOR_KEY, { date: day }), ...commands]);
      expect(close.status).toBe(200);
      // Every fourth command is a payment: its payee credited later than the read wait is answered 202.
      const payments = answers.filter((_, i) => i % 4 === 3);
      const { '201': credited = 0, '202': accepted = 0, ...others } = statuses(payments);
      expect({ fundCommands: statuses(answers.filter((_, i) => i % 4 !== 3)), payments: { done: credited + accepted, others } }).toEqual({
        fundCommands: { '201': 30 },
        payments: { done: 10, others: {} },
      });
      await app.settleProcesses();

      // What the holders are owed grew by exactly the income distributed to them in that close.
      const distributed = (close.body.funds as { code: string; days: { distributed: string }[] }[])
        .filter((f) => f.code === code)
        .flatMap((f) => f.days)
        .reduce((sum, d) => sum + fenOf(d.distributed), 0n);
      expect(distributed).toBeGreaterThan(0n);
      expect(await totalOwed([...holders, merchant], code)).toBe(before + distributed);
      await expectViewsMatchLedger([...holders, merchant], code);
    });

    it('ten registrations of one fund code at once: one 201, nine 422 FUND_EXISTS', async () => {
      const listed = (await app.eventTypes('registry-funds')).filter((t) => t === 'MemberListed').length;
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => app.post('/funds', OPERATOR_KEY, { code: 'TWIN', name: `Twin ${i}` })));
      expect(statuses(answers)).toEqual({ '201': 1, '422 FUND_EXISTS': 9 });
      expect((await app.eventTypes('registry-funds')).filter((t) => t === 'MemberListed').length).toBe(listed + 1);
    });

    it('different incomes for one fund and day at once: the first stands, the others are 422 INCOME_ALREADY_PUBLISHED', async () => {
      const date = (await app.get(`/wallets/${(await app.party('customer', 'Clock')).walletId}`, OPERATOR_KEY)).body.businessDate as string;
      const rates = ['0.4000', '0.4000', '0.4001', '0.4002', '0.4000'];
      const answers = await Promise.all(rates.map((perTenK) => app.post('/funds/TWIN/incomes', OPERATOR_KEY, { date, perTenK })));
      const published = answers.filter((a) => a.status === 201).map((a) => a.body.perTenK as string);
      expect(new Set(published).size).toBe(1);
      expect(answers.filter((a) => a.status !== 201).every((a) => a.status === 422 && a.body.code === 'INCOME_ALREADY_PUBLISHED')).toBe(true);
      expect(published.length).toBe(rates.filter((r) => r === published[0]).length);
    });

    it('ten closes of one day at once: one 200, nine 422 DAY_ALREADY_CLOSED, and the date moves once', async () => {
      const clock = await app.party('customer', 'Clock 2');
      const date = (await app.get(`/wallets/${clock.walletId}`, OPERATOR_KEY)).body.businessDate as string;
      await publishIncomes(date);
      const twin = await app.post('/funds/TWIN/incomes', OPERATOR_KEY, { date, perTenK: '0.4000' });
      expect([201, 422]).toContain(twin.status);
      const closes = (await app.eventTypes('calendar')).filter((t) => t === 'DayClosed').length;
      const answers = await Promise.all(Array.from({ length: 10 }, () => app.post('/operations/day-close', OPERATOR_KEY, { date })));
      expect(statuses(answers)).toEqual({ '200': 1, '422 DAY_ALREADY_CLOSED': 9 });
      const next = answers.find((a) => a.status === 200)!.body.nextBusinessDate as string;
      expect((await app.get(`/wallets/${clock.walletId}`, OPERATOR_KEY)).body.businessDate).toBe(next);
      expect((await app.eventTypes('calendar')).filter((t) => t === 'DayClosed')).toHaveLength(closes + 1);
      await expectBalancedLedger();
    });
  });
});
