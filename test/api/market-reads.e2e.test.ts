import { AUDITOR_KEY, OPERATOR_KEY, TestApp, type ApiResponse } from './test-app';

/**
 * The read side of the market over a real socket: the fund catalogue and its 7-day yields, the customer and
 * merchant directories, a merchant's cash-flow profile worked out by hand over three closed days, the
 * forecasts of a close, and the operators' activity feed, with their 404s, 400s and paging edges.
 */
let app: TestApp;
let li: { id: string; walletId: string; key: string };
let wang: { id: string; walletId: string; key: string };
let shop: { id: string; walletId: string; key: string };
let tea: { id: string; walletId: string; key: string };

/** YEB's first week, from the ledger's first day: 1.1000 now, 0.5000 on the 6th and 7th at their closes, the rest at the end. */
const WEEK_DATES = ['2026-01-05', '2026-01-06', '2026-01-07', '2026-01-08', '2026-01-09', '2026-01-10', '2026-01-11'];

async function ok(response: Promise<ApiResponse>, status = 201): Promise<ApiResponse> {
  const answered = await response;
  if (answered.status !== status) throw new Error(`expected ${status}, got ${answered.status}: ${JSON.stringify(answered.body)}`);
  return answered;
}

async function close(date: string, incomes: Record<string, string>): Promise<void> {
  for (const [code, perTenK] of Object.entries(incomes)) await ok(app.post(`/funds/${code}/incomes`, OPERATOR_KEY, { date, perTenK }));
  await ok(app.post('/operations/day-close', OPERATOR_KEY, { date }), 200);
}

function expectBadParameter(response: ApiResponse, field: string): void {
  expect(response.status).toBe(400);
  expect(response.body).toMatchObject({ code: 'INVALID_PARAMETER', field });
}

/** Every page of a listing, following nextCursor, at most `maxPages` of them. */
async function allPages(path: string, key: string, maxPages = 50): Promise<ApiResponse['body'][]> {
  const items = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const response = await app.get(`${path}${path.includes('?') ? '&' : '?'}limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, key);
    expect(response.status).toBe(200);
    items.push(...response.body.items);
    cursor = response.body.nextCursor;
    if (cursor === null) return items;
  }
  throw new Error(`${path} had more than ${maxPages} pages`);
}

beforeAll(async () => {
  app = await TestApp.start({ startDate: '2026-01-05' });
  await ok(app.post('/funds', OPERATOR_KEY, { code: 'ZHB', name: 'Zhao Hui Bao' }));
  await ok(app.post('/funds', OPERATOR_KEY, { code: 'YEB', name: "Yu'E Bao" }));
  li = await app.party('customer', 'Li Wei');
  wang = await app.party('customer', 'Wang Fang');
  shop = await app.party('merchant', 'Noodle Shop');
  tea = await app.party('merchant', 'Tea House');
});

afterAll(() => app.stop());

describe('the fund catalogue', () => {
  it('has no profile or yields before a fund exists, and refuses codes that cannot be one', async () => {
    expect((await app.get('/funds/NOPE', li.key)).status).toBe(404);
    expect((await app.get('/funds/NOPE/yields', li.key)).status).toBe(404);
    expectBadParameter(await app.get('/funds/not-a-code', li.key), 'code');
  });

  it('lists the funds by code to every role, a page at a time', async () => {
    for (const key of [li.key, shop.key, OPERATOR_KEY, AUDITOR_KEY]) expect((await app.get('/funds', key)).status).toBe(200);
    const first = await app.get('/funds?limit=1', li.key);
    expect(first.body.items).toEqual([{ code: 'YEB', name: "Yu'E Bao", registeredOn: '2026-01-05', latestIncomeDate: null, latestPerTenK: null, latestSevenDayYieldPct: null }]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await app.get(`/funds?limit=1&cursor=${first.body.nextCursor}`, li.key);
    expect(second.body).toEqual({ items: [expect.objectContaining({ code: 'ZHB' })], nextCursor: null });
    expect((await app.get('/funds', li.key)).body.nextCursor).toBeNull();
  });

  it('refuses bad paging and positions, naming the parameter', async () => {
    expectBadParameter(await app.get('/funds?limit=0', li.key), 'limit');
    expectBadParameter(await app.get('/funds?limit=201', li.key), 'limit');
    expectBadParameter(await app.get('/funds?cursor=forged.cursor', li.key), 'cursor');
    expectBadParameter(await app.get('/funds?minPosition=-1', li.key), 'minPosition');
    // A cursor of one listing is refused by another.
    const parties = await app.get('/customers?limit=1', OPERATOR_KEY);
    expectBadParameter(await app.get(`/funds?cursor=${parties.body.nextCursor}`, li.key), 'cursor');
  });

  it("gives each day's income, and no 7-day yield before the seventh day of it (the last test has that)", async () => {
    // No income is dated before the ledger's first day, so the ledger's first day is YEB's first income.
    await ok(app.post('/funds/YEB/incomes', OPERATOR_KEY, { date: '2026-01-05', perTenK: '1.1000' }));
    const yields = await app.get('/funds/YEB/yields?from=2025-12-29&to=2026-01-05', li.key);
    expect(yields.status).toBe(200);
    expect(yields.body).toMatchObject({ fundCode: 'YEB', items: [{ date: '2026-01-05', perTenK: '1.1000', sevenDayYieldPct: null }] });
    expect((await app.get('/funds/YEB', shop.key)).body).toMatchObject({ latestIncomeDate: '2026-01-05', latestPerTenK: '1.1000', latestSevenDayYieldPct: null });
    // Without a range: the 30 days up to the latest income.
    expect((await app.get('/funds/YEB/yields', li.key)).body).toMatchObject({ from: '2025-12-07', to: '2026-01-05', items: [expect.objectContaining({ date: '2026-01-05' })] });
  });

  it('refuses a range that is reversed, too long or not made of dates', async () => {
    expectBadParameter(await app.get('/funds/YEB/yields?from=2026-01-05&to=2026-01-01', li.key), 'from');
    expectBadParameter(await app.get('/funds/YEB/yields?from=2025-01-01&to=2026-01-05', li.key), 'from');
    expectBadParameter(await app.get('/funds/YEB/yields?to=2026-02-30', li.key), 'to');
    expect((await app.get('/funds/YEB/yields?from=2025-01-05&to=2026-01-05', li.key)).status).toBe(200);
  });
});

describe('the customer and merchant directories', () => {
  it('list by name for operators only, a page at a time', async () => {
    expect((await app.get('/customers', li.key)).status).toBe(403);
    expect((await app.get('/merchants', AUDITOR_KEY)).status).toBe(403);
    const merchants = await allPages('/merchants', OPERATOR_KEY);
    expect(merchants).toEqual([
      { id: shop.id, kind: 'merchant', name: 'Noodle Shop', walletId: shop.walletId, registeredOn: '2026-01-05', registeredPosition: expect.stringMatching(/^\d+$/) },
      expect.objectContaining({ id: tea.id, name: 'Tea House' }),
    ]);
    expect((await allPages('/customers', OPERATOR_KEY)).map((c) => c.name)).toEqual(['Li Wei', 'Wang Fang']);
  });

  it('search by a part of the name in any case', async () => {
    expect((await app.get('/customers?name=WANG', OPERATOR_KEY)).body).toEqual({ items: [expect.objectContaining({ id: wang.id })], nextCursor: null });
    expect((await app.get('/merchants?name=wang', OPERATOR_KEY)).body.items).toEqual([]);
    expectBadParameter(await app.get(`/customers?name=${'x'.repeat(101)}`, OPERATOR_KEY), 'name');
  });

  it('find one party by its own id or by its wallet id, of the kind asked', async () => {
    expect((await app.get(`/merchants?id=${tea.id}`, OPERATOR_KEY)).body.items.map((m: { id: string }) => m.id)).toEqual([tea.id]);
    expect((await app.get(`/merchants?id=${tea.walletId}`, OPERATOR_KEY)).body.items.map((m: { id: string }) => m.id)).toEqual([tea.id]);
    expect((await app.get(`/customers?id=${tea.id}`, OPERATOR_KEY)).body.items).toEqual([]);
    expect((await app.get(`/merchants?id=${tea.id}&name=noodle`, OPERATOR_KEY)).body.items).toEqual([]);
    expectBadParameter(await app.get('/merchants?id=tea', OPERATOR_KEY), 'id');
  });

  it('refuse a cursor issued for another search', async () => {
    const first = await app.get('/customers?limit=1', OPERATOR_KEY);
    expectBadParameter(await app.get(`/customers?limit=1&name=li&cursor=${first.body.nextCursor}`, OPERATOR_KEY), 'cursor');
  });
});

describe("a merchant's profile", () => {
  it('waits for a closed day', async () => {
    const response = await app.get(`/merchants/${shop.id}/profile`, OPERATOR_KEY);
    expect(response.status).toBe(404);
    expect(response.body.detail).toContain('no day has been closed');
  });

  it('follows three closed days of the shop, worked out by hand', async () => {
    // Monday: 1,500 in from Li, 300 withdrawn, 400 into YEB; closes with 800.
    await ok(app.post(`/wallets/${li.walletId}/deposits`, li.key, { amount: '5000.00' }));
    await ok(app.post(`/wallets/${li.walletId}/payments`, li.key, { toWalletId: shop.walletId, amount: '1000.00' }));
    await ok(app.post(`/wallets/${li.walletId}/payments`, li.key, { toWalletId: shop.walletId, amount: '500.00' }));
    await ok(app.post(`/wallets/${shop.walletId}/withdrawals`, shop.key, { amount: '300.00' }));
    await ok(app.post(`/wallets/${shop.walletId}/purchases`, shop.key, { fundCode: 'YEB', amount: '400.00' }));
    await close('2026-01-05', { ZHB: '0.5000' });
    // Tuesday: 100 withdrawn and 100 paid to Li, 50 in from Li; closes with 650.
    await ok(app.post(`/wallets/${shop.walletId}/withdrawals`, shop.key, { amount: '100.00' }));
    await ok(app.post(`/wallets/${shop.walletId}/payments`, shop.key, { toWalletId: li.walletId, amount: '100.00' }));
    await ok(app.post(`/wallets/${li.walletId}/payments`, li.key, { toWalletId: shop.walletId, amount: '50.00' }));
    await close('2026-01-06', { YEB: '0.5000', ZHB: '0.5000' });
    // Wednesday: 100 redeemed instantly, 50 standard (paid at this close); closes with 800.
    await ok(app.post(`/wallets/${shop.walletId}/redemptions`, shop.key, { fundCode: 'YEB', amount: '100.00', mode: 'instant' }));
    await ok(app.post(`/wallets/${shop.walletId}/redemptions`, shop.key, { fundCode: 'YEB', amount: '50.00', mode: 'standard' }));
    await close('2026-01-07', { YEB: '0.5000', ZHB: '0.5000' });

    const response = await app.get(`/merchants/${shop.id}/profile`, shop.key);
    expect(response.status).toBe(200);
    const profile = response.body;
    expect(profile).toMatchObject({ merchantId: shop.id, walletId: shop.walletId, name: 'Noodle Shop', registeredOn: '2026-01-05', asOf: '2026-01-07', from: '2026-01-05', businessDays: 3 });
    expect(profile.daily).toEqual([
      { date: '2026-01-05', inflow: '1500.00', outflow: '300.00', closingBalance: '800.00', instantRedeemed: '0.00', standardRedeemed: '0.00', withdrawals: 1 },
      { date: '2026-01-06', inflow: '50.00', outflow: '200.00', closingBalance: '650.00', instantRedeemed: '0.00', standardRedeemed: '0.00', withdrawals: 1 },
      { date: '2026-01-07', inflow: '0.00', outflow: '0.00', closingBalance: '800.00', instantRedeemed: '100.00', standardRedeemed: '50.00', withdrawals: 0 },
    ]);
    // Outflow 300, 200, 0: mean 166.67; squared deviations sum to 46,666.67, over 2, root 152.75; slope −150 a day.
    expect(profile.outflow).toEqual({
      total: '500.00',
      mean: 166.67,
      standardDeviation: 152.75,
      coefficientOfVariation: 0.9165,
      trendPerDay: -150,
      weekdayMeans: { monday: 300, tuesday: 200, wednesday: 0, thursday: null, friday: null },
    });
    // Inflow 1500, 50, 0: mean 516.67; squared deviations sum to 1,451,666.67, over 2, root 851.96; slope −750.
    expect(profile.inflow).toMatchObject({ total: '1550.00', mean: 516.67, standardDeviation: 851.96, trendPerDay: -750 });
    // Closing balances 650, 800, 800 sorted: nearest ranks 1, 2 and 3.
    expect(profile.balance).toEqual({ p10: '650.00', p50: '800.00', p90: '800.00' });
    expect(profile.withdrawalHabits).toEqual({
      withdrawals: 2,
      instantRedeemed: '100.00',
      standardRedeemed: '50.00',
      instantShare: 0.6667,
      standardShare: 0.3333,
      outflowByTimeOfMonth: { days1to10: 1, days11to20: 0, days21to31: 0 },
    });
  });

  it('runs through an earlier closed date when asked, and refuses a date not closed yet', async () => {
    const earlier = await app.get(`/merchants/${shop.id}/profile?asOf=2026-01-06`, AUDITOR_KEY);
    expect(earlier.body.daily.map((d: { closingBalance: string }) => d.closingBalance)).toEqual(['800.00', '650.00']);
    expectBadParameter(await app.get(`/merchants/${shop.id}/profile?asOf=2026-01-08`, OPERATOR_KEY), 'asOf');
    expectBadParameter(await app.get(`/merchants/${shop.id}/profile?asOf=yesterday`, OPERATOR_KEY), 'asOf');
    // A closed date that is no business day (a Sunday) would answer the Friday's series as if it were that day's.
    expectBadParameter(await app.get(`/merchants/${shop.id}/profile?asOf=2026-01-04`, OPERATOR_KEY), 'asOf');
  });

  it('is for the merchant itself and staff, by the merchant id; a wallet id is answered with the id wanted', async () => {
    expect((await app.get(`/merchants/${shop.id}/profile`, tea.key)).status).toBe(403);
    expect((await app.get(`/merchants/${shop.id}/profile`, li.key)).status).toBe(403);
    // The guard compares a merchant's key with the merchant id only, so its wallet id is refused there.
    expect((await app.get(`/merchants/${shop.walletId}/profile`, shop.key)).status).toBe(403);
    const byWallet = await app.get(`/merchants/${shop.walletId}/profile`, OPERATOR_KEY);
    expect(byWallet.status).toBe(404);
    expect(byWallet.body.detail).toContain(`is the wallet of merchant ${shop.id}`);
    const customer = await app.get(`/merchants/${li.id}/profile`, OPERATOR_KEY);
    expect(customer.status).toBe(404);
    expectBadParameter(await app.get('/merchants/shop/profile', OPERATOR_KEY), 'merchantId');
  });
});

describe('the forecasts of a close', () => {
  it('are served for a closed date, skips and all, a page at a time', async () => {
    const response = await app.get('/forecasts/2026-01-07', AUDITOR_KEY);
    expect(response.status).toBe(200);
    // Three days of history are too short for every model: both funds and both merchants are skipped.
    expect(response.body).toMatchObject({ date: '2026-01-07', modelVersion: expect.stringContaining('elastic-net'), inputsPosition: expect.stringMatching(/^\d+$/), counts: { funds: 0, merchants: 0, proposals: 0, skipped: 4 } });
    expect(response.body.skipped.map((s: { subject: string }) => s.subject).sort()).toEqual(['fund YEB', 'fund ZHB', `merchant ${shop.id}`, `merchant ${tea.id}`].sort());
    const first = await app.get('/forecasts/2026-01-07?kind=skip&limit=3', OPERATOR_KEY);
    expect(first.body.skipped).toHaveLength(3);
    const rest = await app.get(`/forecasts/2026-01-07?kind=skip&limit=3&cursor=${first.body.nextCursor}`, OPERATOR_KEY);
    expect(rest.body).toMatchObject({ nextCursor: null, skipped: [expect.any(Object)] });
    expect((await app.get('/forecasts/2026-01-07?kind=fund', OPERATOR_KEY)).body).toMatchObject({ funds: [], skipped: [], nextCursor: null });
  });

  it('answer 404 for a date without forecasts, 400 for a bad date or kind, 403 to others', async () => {
    const missing = await app.get('/forecasts/2026-01-08', OPERATOR_KEY);
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toContain('2026-01-08');
    expectBadParameter(await app.get('/forecasts/2026-13-01', OPERATOR_KEY), 'date');
    expectBadParameter(await app.get('/forecasts/2026-01-07?kind=weather', OPERATOR_KEY), 'kind');
    expect((await app.get('/forecasts/2026-01-07', shop.key)).status).toBe(403);
  });

  it('tell the merchant why it has no forecast of the last close', async () => {
    const response = await app.get(`/merchants/${shop.id}/forecast`, shop.key);
    expect(response.status).toBe(404);
    expect(response.body.detail).toContain('no forecast at the close of 2026-01-07');
  });
});

describe('the activity feed', () => {
  it('shows what happened, newest first, to operators and auditors', async () => {
    expect((await app.get('/activity', shop.key)).status).toBe(403);
    const response = await app.get('/activity?limit=200', AUDITOR_KEY);
    expect(response.status).toBe(200);
    const items = response.body.items as { position: string; type: string; summary: string; principal: string | null; businessDate: string | null }[];
    const positions = items.map((item) => BigInt(item.position));
    expect(positions).toEqual([...positions].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
    expect(items[0]).toMatchObject({ type: 'DayClosed', summary: '2026-01-07 closed; the business date is now 2026-01-08', businessDate: '2026-01-07' });
    expect(items.find((item) => item.type === 'CashWithdrawn' && item.summary.includes('300.00'))).toMatchObject({ principal: `merchant:${shop.id}`, businessDate: '2026-01-05' });
    expect(items.filter((item) => item.type === 'ForecastsRecorded')).toHaveLength(3);
    for (const bulk of ['IncomeAccrued', 'PositionDayClosed', 'PurchaseConfirmed', 'StandardRedemptionSettled', 'HolderJoined', 'MemberListed', 'RequestRecorded', 'RequestAccepted']) {
      expect(items.some((item) => item.type === bulk)).toBe(false);
    }
  });

  it('pages without gaps or repeats, and filters by type', async () => {
    const everything = (await app.get('/activity?limit=200', OPERATOR_KEY)).body.items;
    expect(await allPages('/activity', OPERATOR_KEY, 100)).toEqual(everything);
    const closes = await app.get('/activity?type=DayClosed', OPERATOR_KEY);
    expect(closes.body.items.map((item: { businessDate: string }) => item.businessDate)).toEqual(['2026-01-07', '2026-01-06', '2026-01-05']);
    expectBadParameter(await app.get('/activity?type=Gossip', OPERATOR_KEY), 'type');
    const page = await app.get('/activity?limit=1', OPERATOR_KEY);
    expectBadParameter(await app.get(`/activity?type=DayClosed&cursor=${page.body.nextCursor}`, OPERATOR_KEY), 'cursor');
  });
});

describe('the fund catalogue a week on', () => {
  it('gives the 7-day annualised yield from the seventh day of income', async () => {
    await close('2026-01-08', { YEB: '0.7000', ZHB: '0.5000' });
    await close('2026-01-09', { YEB: '0.8000', ZHB: '0.5000' });
    // Friday's close makes Monday the business date, so the weekend's incomes can be published.
    await ok(app.post('/funds/YEB/incomes', OPERATOR_KEY, { date: '2026-01-10', perTenK: '0.9000' }));
    await ok(app.post('/funds/YEB/incomes', OPERATOR_KEY, { date: '2026-01-11', perTenK: '1.1000' }));
    const yields = await app.get('/funds/YEB/yields?from=2026-01-05&to=2026-01-11', li.key);
    expect(yields.status).toBe(200);
    expect(yields.body.items.map((row: { date: string }) => row.date)).toEqual(WEEK_DATES);
    expect(yields.body.items.slice(0, 6).every((row: { sevenDayYieldPct: string | null }) => row.sevenDayYieldPct === null)).toBe(true);
    // 1.1 + 0.5 + 0.5 + 0.7 + 0.8 + 0.9 + 1.1 = 5.6 CNY per 10,000 shares over the week: 5.6 / 10,000 × 365 / 7 = 2.920 %.
    expect(yields.body.items[6]).toEqual({ date: '2026-01-11', perTenK: '1.1000', sevenDayYieldPct: '2.920' });
    expect((await app.get('/funds/YEB', shop.key)).body).toMatchObject({ latestIncomeDate: '2026-01-11', latestPerTenK: '1.1000', latestSevenDayYieldPct: '2.920' });
  });
});
