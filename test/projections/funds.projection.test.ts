import { addDays } from '../../src/domain/iso-date';
import { fundDayDoc, fundDoc, fundsProjection, sevenDayYieldPct } from '../../src/projections/read-models/funds.projection';
import { projectEvents, recorded } from './project-events';
import { replayOnto, snapshot } from './replay';

const STREAM = 'fund-YEB';
const START = '2026-01-01';

const registered = recorded(1, STREAM, 'FundRegistered', { code: 'YEB', name: "Yu'E Bao", registeredOn: '2025-12-31' });
/** Incomes for START + i, at positions from 10 in the order given. */
const incomes = (perTenK: readonly number[], order: readonly number[] = perTenK.map((_, i) => i)) =>
  order.map((i, n) => recorded(10 + n, STREAM, 'IncomePublished', { date: addDays(START, i), perTenK: BigInt(perTenK[i]!) }));

const WEEK = [5_000, 6_000, 7_000, 8_000, 9_000, 10_000, 11_000];

describe('the funds read model', () => {
  it('lists a registered fund with no income yet', async () => {
    const read = await projectEvents(fundsProjection, [registered]);
    expect(fundDoc((await read.get('funds', 'YEB'))!)).toEqual({
      code: 'YEB',
      name: "Yu'E Bao",
      registeredOn: '2025-12-31',
      latestIncomeDate: null,
      latestPerTenK: null,
      latestSevenDayYieldPct: null,
      recentPerTenK: {},
    });
  });

  it('gives the 7-day yield once seven consecutive days have an income, and null before', async () => {
    const read = await projectEvents(fundsProjection, [registered, ...incomes(WEEK)]);
    const row = async (i: number) => fundDayDoc((await read.get('fund_days', `YEB:${addDays(START, i)}`))!);
    for (let i = 0; i < 6; i++) expect((await row(i)).sevenDayYieldPct).toBeNull();
    // Σ = 56,000 (5.6 CNY per 10,000 shares over the week): 5.6 / 10,000 × 365 / 7 = 2.920 %.
    expect(await row(6)).toMatchObject({ fundCode: 'YEB', date: '2026-01-07', perTenK: 11_000n, sevenDayYieldPct: '2.920' });
    expect(fundDoc((await read.get('funds', 'YEB'))!)).toMatchObject({ latestIncomeDate: '2026-01-07', latestPerTenK: 11_000n, latestSevenDayYieldPct: '2.920' });
  });

  it('rounds half away from zero to 3 decimals, for gains and for losses', () => {
    const week = (perTenK: bigint) => Object.fromEntries(Array.from({ length: 7 }, (_, i) => [addDays(START, i), perTenK]));
    // Σ = 700: 700 × 365 / 7,000 = 36.5 thousandths of a percent.
    expect(sevenDayYieldPct(week(100n), '2026-01-07')).toBe('0.037');
    expect(sevenDayYieldPct(week(-100n), '2026-01-07')).toBe('-0.037');
    // Σ = 45,801: 2,388.195… thousandths.
    expect(sevenDayYieldPct(week(6_543n), '2026-01-07')).toBe('2.388');
    expect(sevenDayYieldPct(week(6_543n), '2026-01-08')).toBeNull();
  });

  it('reaches the same rows whatever order the incomes were published in', async () => {
    const inOrder = await projectEvents(fundsProjection, [registered, ...incomes(WEEK)]);
    const shuffled = await projectEvents(fundsProjection, [registered, ...incomes(WEEK, [6, 2, 0, 5, 1, 4, 3])]);
    const bodies = async (read: typeof inOrder) => (await read.all('fund_days')).map((doc) => [doc.id, doc.body]);
    expect(await bodies(shuffled)).toEqual(await bodies(inOrder));
    expect((await shuffled.get('funds', 'YEB'))!).toEqual((await inOrder.get('funds', 'YEB'))!);
  });

  it('recomputes the later rows when an earlier income arrives last', async () => {
    const week = [...WEEK, 12_000];
    const read = await projectEvents(fundsProjection, [registered, ...incomes(week, [1, 2, 3, 4, 5, 6, 7, 0])]);
    // Without day 0 the 7th day had no full week; day 7's week (days 1..7) never needed it.
    expect(fundDayDoc((await read.get('fund_days', 'YEB:2026-01-07'))!).sevenDayYieldPct).toBe('2.920');
    // Σ days 1..7 = 63,000: 63,000 × 365 / 7,000 = 3,285.
    expect(fundDayDoc((await read.get('fund_days', 'YEB:2026-01-08'))!).sevenDayYieldPct).toBe('3.285');
  });

  it('keeps only the week behind the latest income in the catalogue entry', async () => {
    const read = await projectEvents(fundsProjection, [registered, ...incomes([...WEEK, 12_000, 13_000])]);
    const fund = fundDoc((await read.get('funds', 'YEB'))!);
    expect(Object.keys(fund.recentPerTenK).sort()).toEqual(['2026-01-03', '2026-01-04', '2026-01-05', '2026-01-06', '2026-01-07', '2026-01-08', '2026-01-09']);
    // Σ days 2..8 = 70,000: 70,000 × 365 / 7,000 = 3,650.
    expect(fund.latestSevenDayYieldPct).toBe('3.650');
  });

  it('ends with the same documents in one batch as in one batch per event', async () => {
    const events = [registered, ...incomes(WEEK, [3, 0, 6, 1, 5, 2, 4])];
    const many = await projectEvents(fundsProjection, events);
    const one = await projectEvents(fundsProjection, events, { oneBatch: true });
    expect(await snapshot(fundsProjection, one.store)).toEqual(await snapshot(fundsProjection, many.store));
  });

  it('changes nothing when committed events are applied again', async () => {
    const events = [registered, ...incomes(WEEK, [3, 0, 6, 1, 5, 2, 4])];
    const read = await projectEvents(fundsProjection, events, { oneBatch: true });
    const before = await snapshot(fundsProjection, read.store);
    await replayOnto(fundsProjection, read.store, events);
    await replayOnto(fundsProjection, read.store, events.slice(3));
    expect(await snapshot(fundsProjection, read.store)).toEqual(before);
  });
});
