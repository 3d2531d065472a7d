import fc from 'fast-check';
import type { EventStore } from '../../src/eventstore';
import { EVENT_STORE } from '../../src/api/event-store.module';
import { isEntityEvent, toDomainEvent, toEventInputs } from '../../src/api/commands/stored-aggregate';
import { fold } from '../../src/domain/decider';
import { type FundEvent, fundDecider, fundStream } from '../../src/domain/fund/fund.decider';
import { formatPerTenK } from '../../src/domain/income-rate';
import { addDays } from '../../src/domain/iso-date';
import { ruleSetOn } from '../../src/domain/rules/rule-set';
import { OPERATOR_KEY, TestApp } from '../api/test-app';

/**
 * Random incomes, recorded in a random order with gaps, negative days and all: afterwards the yields the funds
 * read model serves are exactly those computed here from the fund aggregate's own fold of its stream, with the
 * formula written out afresh. A fund's incomes before its registration give it gaps and whole weeks at once;
 * the API refuses those now, so they are appended to its stream as ledgers recorded them before it did.
 */
const TODAY = '2026-01-05';
/** What an operator's request records, as the API would have. */
const requestMetadata = (correlationId: string) => ({ correlationId, causationId: correlationId, principal: 'operator:property', ruleSetVersion: ruleSetOn(TODAY).version, businessDate: TODAY });
const WINDOW_DAYS = 40;

const perTenK = fc.integer({ min: -3_000, max: 30_000 });
/** A run of consecutive days (so weeks are complete) and scattered others (so some are not), in a random order. */
const incomes = fc
  .record({
    runStart: fc.integer({ min: 0, max: WINDOW_DAYS - 7 }),
    runLength: fc.integer({ min: 0, max: 16 }),
    scattered: fc.uniqueArray(fc.integer({ min: 0, max: WINDOW_DAYS - 1 }), { maxLength: 12 }),
  })
  .chain(({ runStart, runLength, scattered }) => {
    const run = Array.from({ length: Math.min(runLength, WINDOW_DAYS - runStart) }, (_, i) => runStart + i);
    const days = [...new Set([...run, ...scattered])];
    return fc.tuple(fc.shuffledSubarray(days, { minLength: days.length }), fc.array(perTenK, { minLength: days.length, maxLength: days.length }));
  })
  .map(([days, rates]) => days.map((daysBack, i) => ({ daysBack, perTenK: rates[i]! })));

/** Percent to 3 decimals of (Σ perTenK / 10,000) × 365 / 7, half away from zero, from exact integers. */
function expectedYieldPct(incomesPerTenK: Readonly<Record<string, bigint>>, date: string): string | null {
  const week = Array.from({ length: 7 }, (_, back) => incomesPerTenK[addDays(date, -back)]);
  if (week.some((income) => income === undefined)) return null;
  const sum = week.reduce((total, income) => total! + income!, 0n)!;
  // percent = Σ × 365 / 7,000,000; in thousandths, Σ × 365 / 7,000: doubled and offset by one denominator to round half up.
  const magnitude = (2n * (sum < 0n ? -sum : sum) * 365n + 7_000n) / 14_000n;
  const text = `${magnitude / 1_000n}.${String(magnitude % 1_000n).padStart(3, '0')}`;
  return sum < 0n && magnitude !== 0n ? `-${text}` : text;
}

describe('the funds read model against the fund aggregate', () => {
  let app: TestApp;
  let store: EventStore;
  let runs = 0;
  let completeWeeks = 0;

  beforeAll(async () => {
    app = await TestApp.start({ startDate: TODAY });
    store = app.app.get<EventStore>(EVENT_STORE);
  });

  afterAll(() => app.stop());

  it('serves the 7-day yields the published incomes imply, in any publication order', async () => {
    await fc.assert(
      fc.asyncProperty(incomes, async (published) => {
        const code = `P${++runs}`;
        expect((await app.post('/funds', OPERATOR_KEY, { code, name: `Property fund ${runs}` })).status).toBe(201);
        for (const { daysBack, perTenK } of published) {
          const event = { type: 'IncomePublished', data: { date: addDays(TODAY, -daysBack), perTenK: BigInt(perTenK) } };
          await store.append(fundStream(code), toEventInputs([event], requestMetadata(`income-${code}-${daysBack}`)));
        }
        const minPosition = await store.lastPosition();
        const events: FundEvent[] = [];
        for await (const recorded of store.readStream(fundStream(code))) if (isEntityEvent(recorded)) events.push(toDomainEvent<FundEvent>(recorded));
        const fund = fold(fundDecider, events);
        if (!fund.registered) throw new Error(`fund ${code} did not fold to a registered fund`);

        const from = addDays(TODAY, -(WINDOW_DAYS - 1));
        const response = await app.get(`/funds/${code}/yields?from=${from}&to=${TODAY}&minPosition=${minPosition}`, OPERATOR_KEY);
        expect(response.status).toBe(200);
        const expected = Object.keys(fund.incomesPerTenK)
          .sort()
          .map((date) => ({ date, perTenK: formatPerTenK(fund.incomesPerTenK[date]!), sevenDayYieldPct: expectedYieldPct(fund.incomesPerTenK, date) }));
        expect(response.body.items).toEqual(expected);
        completeWeeks += expected.filter((row) => row.sevenDayYieldPct !== null).length;
        const latest = Object.keys(fund.incomesPerTenK).sort().pop() ?? null;
        expect((await app.get(`/funds/${code}?minPosition=${minPosition}`, OPERATOR_KEY)).body).toMatchObject({ latestIncomeDate: latest, latestSevenDayYieldPct: latest && expectedYieldPct(fund.incomesPerTenK, latest) });
      }),
      { seed: 20_260_105, numRuns: 25 },
    );
    // The histories must have exercised the yield itself, not only its absence.
    expect(completeWeeks).toBeGreaterThan(25);
  });
});
