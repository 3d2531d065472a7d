import { type DailyForecastEvent, type DailyForecastStreamEvent, type SubjectForecasts, dailyForecastDecider } from '../../src/domain/forecast/daily-forecast.decider';
import { InvariantViolation } from '../../src/invariant';
import { spec } from './decider-spec';

const DATE = '2026-03-02';
const NEXT = '2026-03-03';
const fund = (fundCode: string): DailyForecastEvent => ({
  type: 'FundYieldForecasted',
  data: { fundCode, trainEnd: DATE, forecastDate: NEXT, perTenK: 6_543n, naivePerTenK: 6_500n, sevenDayYieldPct: 2.3881, alpha: 0.01, l1Ratio: 0.5 },
});
const demand = (merchant: number): DailyForecastEvent => ({
  type: 'MerchantDemandForecasted',
  data: { merchantId: `m${merchant}`, walletId: `w${merchant}`, forecastDate: NEXT, meanFen: 120_000n, upper95Fen: 180_000n, model: 'ARIMA(1,0,0)(0,1,1)[5]', aic: 812.5, historyDays: 130 },
});
const proposal = (merchant: number): DailyForecastEvent => ({
  type: 'RebalanceProposed',
  data: {
    walletId: `w${merchant}`,
    forecastDate: NEXT,
    targets: [{ fundCode: 'YEB', currentFen: 100_000n, targetFen: 100_000n }],
    expectedGainFen: 12n,
    instantCapacityFen: 100_000n,
    demandUpper95Fen: 180_000n,
    shortfallFen: 80_000n,
    binding: [],
  },
});
const skip = (subject: string, reason = 'TOO_FEW_POINTS: 3 days'): DailyForecastEvent => ({ type: 'ForecastSkipped', data: { subject, forecastDate: NEXT, reason } });
const marker = (funds: number, merchants: number, proposals: number, skipped: number): DailyForecastStreamEvent => ({
  type: 'ForecastsRecorded',
  data: { funds, merchants, proposals, skipped, events: funds + merchants + proposals + skipped },
});

/** A close of two funds and four merchants, one of them skipped and one without holdings to propose for. */
const CLOSE: SubjectForecasts[] = [[fund('YEB')], [fund('ZHB')], [demand(1), proposal(1)], [skip('merchant m2')], [demand(3)], [demand(4), proposal(4)]];
const record = (subjects: readonly SubjectForecasts[], last = true) => ({ type: 'RecordForecasts' as const, date: DATE, subjects, last });

describe('daily forecast decider', () => {
  it('records the forecasts of a close and the marker after them, with the counts per kind', () => {
    spec(dailyForecastDecider)
      .given([])
      .when(record(CLOSE))
      .then([...CLOSE.flat(), marker(2, 3, 2, 1)])
      .thenState((state) => {
        expect(state).toMatchObject({ complete: true, counts: { funds: 2, merchants: 3, proposals: 2, skipped: 1 } });
      });
  });

  it('records a run of the close without the marker while more follow', () => {
    spec(dailyForecastDecider)
      .given([])
      .when(record(CLOSE.slice(0, 3), false))
      .then(CLOSE.slice(0, 3).flat())
      .thenState((state) => {
        expect(state).toMatchObject({ complete: false, counts: { funds: 2, merchants: 1, proposals: 1, skipped: 0 } });
      });
  });

  it('records a close without any forecast as the marker alone', () => {
    spec(dailyForecastDecider).given([]).when(record([])).then([marker(0, 0, 0, 0)]);
  });

  it('completes a close cut short: the subjects missing, then the marker counting the whole close', () => {
    const recorded = CLOSE.slice(0, 3).flat();
    spec(dailyForecastDecider)
      .given(recorded)
      .when(record(CLOSE))
      .then([...CLOSE.slice(3).flat(), marker(2, 3, 2, 1)]);
  });

  it('records the marker alone when a crash came between the last forecasts and it', () => {
    spec(dailyForecastDecider).given(CLOSE.flat()).when(record(CLOSE)).then([marker(2, 3, 2, 1)]);
  });

  it('finds what is missing by subject when the forecasts made again differ from the first attempt', () => {
    // Between the attempts merchant 0 registered (its wallet sorts first), merchant 2 got enough history to be
    // forecast, and merchant 1's holdings were sold (no proposal any more).
    const recorded = [fund('YEB'), fund('ZHB'), demand(1), proposal(1), skip('merchant m2')];
    const again: SubjectForecasts[] = [[fund('YEB')], [fund('ZHB')], [skip('merchant m0')], [demand(1)], [demand(2), proposal(2)], [demand(3)]];
    spec(dailyForecastDecider)
      .given(recorded)
      .when(record(again))
      .then([skip('merchant m0'), demand(3), marker(2, 2, 1, 2)]);
  });

  it('records a subject once even when a command names it twice', () => {
    spec(dailyForecastDecider)
      .given([])
      .when(record([[demand(1)], [demand(1)]]))
      .then([demand(1), marker(0, 1, 0, 0)]);
  });

  it('refuses once the marker is recorded: FORECASTS_RECORDED', () => {
    spec(dailyForecastDecider).given([...CLOSE.flat(), marker(2, 3, 2, 1)]).when(record(CLOSE)).thenFails('FORECASTS_RECORDED');
  });

  it("takes a whole close's counts from its marker alone, so a whole close is known without reading its forecasts", () => {
    spec(dailyForecastDecider)
      .given([marker(2, 3, 2, 1)])
      .thenState((state) => {
        expect(state).toMatchObject({ complete: true, counts: { funds: 2, merchants: 3, proposals: 2, skipped: 1 } });
      });
  });

  it.each([
    ['a proposal alone', [proposal(1)]],
    ['a proposal for another wallet', [demand(1), proposal(4)]],
    ['two forecasts of one subject', [demand(1), proposal(1), proposal(1)]],
    ['nothing', []],
  ])('refuses a subject that is %s: an invariant', (_name, subject) => {
    expect(() => dailyForecastDecider.decide(record([subject]), dailyForecastDecider.initialState)).toThrow(InvariantViolation);
  });
});
