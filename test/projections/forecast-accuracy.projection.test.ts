import type { RecordedEvent } from '../../src/eventstore';
import { addDays } from '../../src/domain/iso-date';
import {
  type AccuracyDoc,
  CLOSED_DOC_ID,
  KEPT_DAYS,
  accuracyDoc,
  forecastAccuracyProjection,
  fundAccuracyId,
  merchantAccuracyId,
  subjectErrors,
} from '../../src/projections/read-models/forecast-accuracy.projection';
import { projectEvents, recorded } from './project-events';
import { replayOnto, snapshot } from './replay';

/**
 * Forecasts paired with what followed, on histories small enough to check by hand: errors in the subject's
 * unit (0.0001 CNY per 10,000 shares for a fund, fen for a merchant), the naive forecast's beside them.
 */
const MERCHANT = '22222222-2222-4222-8222-222222222222';
const WALLET = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const CUSTOMER_WALLET = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';

let position = 0;
const at = (stream: string, type: string, data: object, businessDate?: string): RecordedEvent =>
  recorded(++position, stream, type, data, businessDate === undefined ? {} : { businessDate });

const fundForecast = (madeAt: string, forecastDate: string, perTenK: bigint, naivePerTenK: bigint) =>
  at(`forecast-${madeAt}`, 'FundYieldForecasted', { fundCode: 'YEB', trainEnd: madeAt, forecastDate, perTenK, naivePerTenK, sevenDayYieldPct: 2.4, alpha: 0.01, l1Ratio: 0.5 });
const income = (date: string, perTenK: bigint) => at('fund-YEB', 'IncomePublished', { date, perTenK });
const demandForecast = (madeAt: string, forecastDate: string, meanFen: bigint) =>
  at(`forecast-${madeAt}`, 'MerchantDemandForecasted', { merchantId: MERCHANT, walletId: WALLET, forecastDate, meanFen, upper95Fen: meanFen * 2n, model: 'ARIMA(0,0,0)', aic: 1, historyDays: 20 });
const withdrawal = (businessDate: string, amountFen: bigint, walletId = WALLET) => at(`wallet-${walletId}`, 'CashWithdrawn', { amountFen, postings: [] }, businessDate);
const payment = (businessDate: string, amountFen: bigint) => at(`wallet-${WALLET}`, 'PaymentSent', { paymentId: 'p1', toWalletId: CUSTOMER_WALLET, amountFen, businessDate, postings: [] }, businessDate);
const closed = (date: string) => at('calendar', 'DayClosed', { date, nextBusinessDate: addDays(date, 1) });
const registered = () => at(`party-${MERCHANT}`, 'PartyRegistered', { partyId: MERCHANT, kind: 'merchant', walletId: WALLET, apiKeyHash: 'h', name: 'Shop' });

async function docOf(events: RecordedEvent[], id: string): Promise<AccuracyDoc> {
  const read = await projectEvents(forecastAccuracyProjection, events);
  return accuracyDoc((await read.get('forecast_accuracy', id))!);
}

describe('the forecast accuracy read model', () => {
  it("scores a fund's forecasts against its published incomes and the naive forecast, whichever comes first", async () => {
    // (forecast, naive, income): (6500, 6400, 6600), (6600, 6600, 6550) published before its forecast, (6700, 6550, 6700).
    const events = [
      fundForecast('2026-01-05', '2026-01-06', 6_500n, 6_400n),
      income('2026-01-06', 6_600n),
      income('2026-01-07', 6_550n),
      fundForecast('2026-01-06', '2026-01-07', 6_600n, 6_600n),
      fundForecast('2026-01-07', '2026-01-08', 6_700n, 6_550n),
      income('2026-01-08', 6_700n),
      fundForecast('2026-01-08', '2026-01-09', 6_800n, 6_700n),
    ];
    const doc = await docOf(events, fundAccuracyId('YEB'));
    // Errors 100, −50, 0; naive 200, −50, 150. The forecast of the 9th waits for its income.
    expect(subjectErrors(doc, null)).toEqual({ count: 3, absolute: 150n, squared: 12_500n, naiveAbsolute: 400n, naiveSquared: 65_000n });
    expect(doc.days.filter((day) => day.forecast !== null && day.actual === null).map((day) => day.date)).toEqual(['2026-01-09']);
  });

  it("scores a merchant's forecast outflow once its day is closed, the naive forecast being the outflow of the day it was made", async () => {
    const events = [
      registered(),
      withdrawal('2026-01-05', 8_000n),
      withdrawal('2026-01-05', 1_000n, CUSTOMER_WALLET),
      demandForecast('2026-01-05', '2026-01-06', 10_000n),
      closed('2026-01-05'),
      withdrawal('2026-01-06', 7_000n),
      payment('2026-01-06', 5_000n),
    ];
    const before = await docOf(events, merchantAccuracyId(WALLET));
    expect(subjectErrors(before, '2026-01-05')).toMatchObject({ count: 0 });
    // The 6th closes; a withdrawal recorded late for the 5th raises the naive forecast made from it.
    const after = await docOf([...events, closed('2026-01-06'), withdrawal('2026-01-05', 500n)], merchantAccuracyId(WALLET));
    expect(after).toMatchObject({ merchantId: MERCHANT, walletId: WALLET });
    // Forecast 10,000, outflow 12,000, naive 8,500: errors 2,000 and 3,500.
    expect(subjectErrors(after, '2026-01-06')).toEqual({ count: 1, absolute: 2_000n, squared: 4_000_000n, naiveAbsolute: 3_500n, naiveSquared: 12_250_000n });
  });

  it("keeps the last closed date, and no document for a customer's wallet", async () => {
    const read = await projectEvents(forecastAccuracyProjection, [registered(), withdrawal('2026-01-05', 1_000n, CUSTOMER_WALLET), closed('2026-01-06'), closed('2026-01-05')]);
    expect(await read.get('forecast_accuracy_calendar', CLOSED_DOC_ID)).toEqual({ closedThrough: '2026-01-06' });
    expect((await read.all('forecast_accuracy')).map((doc) => doc.id)).toEqual([merchantAccuracyId(WALLET)]);
  });

  it(`folds the days older than ${KEPT_DAYS} days before the newest into the sums, the same errors, and leaves out what comes for them later`, async () => {
    const days = Array.from({ length: 30 }, (_, i) => addDays('2026-02-01', i));
    // Each day forecast 1,000 off the income, the naive forecast 3,000 off.
    const events = days.flatMap((day, i) => [fundForecast(addDays(day, -1), day, 10_000n + BigInt(i), 8_000n + BigInt(i)), income(day, 11_000n + BigInt(i))]);
    const doc = await docOf(events, fundAccuracyId('YEB'));
    expect(doc.days.length).toBe(KEPT_DAYS + 1);
    expect(doc.folded.count).toBe(30 - KEPT_DAYS - 1);
    expect(subjectErrors(doc, null)).toEqual({ count: 30, absolute: 30_000n, squared: 30_000_000n, naiveAbsolute: 90_000n, naiveSquared: 270_000_000n });
    const late = await docOf([...events, fundForecast('2026-01-31', '2026-02-01', 0n, 0n)], fundAccuracyId('YEB'));
    expect(late).toEqual(doc);
  });

  it('ends with the same documents in one batch as in one batch per event, and changes nothing when they are applied again', async () => {
    const events = [
      registered(),
      withdrawal('2026-01-05', 8_000n),
      demandForecast('2026-01-05', '2026-01-06', 10_000n),
      fundForecast('2026-01-05', '2026-01-06', 6_500n, 6_400n),
      closed('2026-01-05'),
      income('2026-01-06', 6_600n),
      withdrawal('2026-01-06', 12_000n),
      closed('2026-01-06'),
      withdrawal('2026-01-05', 500n),
    ];
    const one = await projectEvents(forecastAccuracyProjection, events, { oneBatch: true });
    const many = await projectEvents(forecastAccuracyProjection, events);
    const whole = await snapshot(forecastAccuracyProjection, one.store);
    expect(whole).toEqual(await snapshot(forecastAccuracyProjection, many.store));
    await replayOnto(forecastAccuracyProjection, one.store, events);
    await replayOnto(forecastAccuracyProjection, one.store, events.slice(4));
    expect(await snapshot(forecastAccuracyProjection, one.store)).toEqual(whole);
  });
});
