import { FUND_CODE, type FundCommand, type FundEvent, fundDecider, fundStream } from '../../src/domain/fund/fund.decider';
import { InvariantViolation } from '../../src/invariant';
import { ACCOUNTS } from '../../src/domain/ledger/accounts';
import { posting } from '../../src/domain/ledger/posting';
import { fold } from '../../src/domain/decider';
import { spec } from './decider-spec';

// 2026-01-09 is a Friday, 2026-01-12 the Monday after it.
const registered: FundEvent = { type: 'FundRegistered', data: { code: 'YEB', name: "Yu'E Bao", registeredOn: '2026-01-05' } };
const published = (date: string, perTenK: bigint): FundEvent => ({ type: 'IncomePublished', data: { date, perTenK } });
const publish = (date: string, perTenK: bigint, businessDate: string, lastClosedDate: string | null): FundCommand => ({
  type: 'PublishIncome',
  date,
  perTenK,
  businessDate,
  lastClosedDate,
});
const distribute = (date: string, holdingsFen: bigint, distributedFen: bigint): FundCommand => ({ type: 'DistributeIncome', date, holdingsFen, distributedFen });
const distributed = (date: string, perTenK: bigint, holdingsFen: bigint, totalFen: bigint, distributedFen: bigint): FundEvent => ({
  type: 'IncomeDistributed',
  data: {
    date,
    perTenK,
    holdingsFen,
    totalFen,
    distributedFen,
    residualFen: totalFen - distributedFen,
    postings: totalFen === distributedFen ? [] : [posting(ACCOUNTS.fundIncome('YEB'), ACCOUNTS.roundingResidual('YEB'), totalFen - distributedFen)],
  },
});

describe('fund decider', () => {
  describe('RegisterFund', () => {
    it('registers the fund on the business date', () => {
      spec(fundDecider).given([]).when({ type: 'RegisterFund', code: 'YEB', name: "Yu'E Bao", businessDate: '2026-01-05' }).then([registered]);
    });

    it('refuses to register it twice: FUND_EXISTS', () => {
      spec(fundDecider).given([registered]).when({ type: 'RegisterFund', code: 'YEB', name: 'Other', businessDate: '2026-01-06' }).thenFails('FUND_EXISTS', {});
    });

    it('starts with no income and nothing distributed', () => {
      spec(fundDecider).given([registered]).thenState((state) => {
        expect(state).toEqual({ registered: true, code: 'YEB', name: "Yu'E Bao", registeredOn: '2026-01-05', incomesPerTenK: {}, distributedThrough: null });
      });
    });

    it('offers the fund code pattern: 2 to 12 capital letters or digits', () => {
      expect(['YEB', '000198', 'AB', 'ABCDEFGHIJ12'].filter((code) => FUND_CODE.test(code))).toHaveLength(4);
      expect(['Y', 'yeb', 'ABCDEFGHIJ123', 'YE-B', ''].filter((code) => FUND_CODE.test(code))).toEqual([]);
    });
  });

  describe('on a fund that is not registered', () => {
    it.each([publish('2026-01-05', 6_543n, '2026-01-05', null), distribute('2026-01-05', 1n, 0n)])(
      'refuses $type: UNKNOWN_FUND',
      (command) => {
        spec(fundDecider).given([]).when(command).thenFails('UNKNOWN_FUND', {});
      },
    );

    it('evolve ignores events that come before the registration', () => {
      spec(fundDecider).given([published('2026-01-05', 1n)]).thenState((state) => !state.registered);
    });
  });

  describe('PublishIncome', () => {
    it('publishes the income per 10,000 shares of the business date', () => {
      spec(fundDecider)
        .given([registered])
        .when(publish('2026-01-05', 6_543n, '2026-01-05', null))
        .then([published('2026-01-05', 6_543n)])
        .thenState((state) => state.registered && state.incomesPerTenK['2026-01-05'] === 6_543n);
    });

    it('publishes negative income too', () => {
      spec(fundDecider).given([registered]).when(publish('2026-01-05', -12n, '2026-01-05', null)).then([published('2026-01-05', -12n)]);
    });

    it('publishes the weekend incomes after the Friday close, before the Monday close', () => {
      spec(fundDecider)
        .given([registered])
        .when(publish('2026-01-10', 6_000n, '2026-01-12', '2026-01-09'))
        .then([published('2026-01-10', 6_000n)]);
    });

    it('is a no-op when the same value is published again, even once the day is closed', () => {
      spec(fundDecider).given([registered, published('2026-01-05', 6_543n)]).when(publish('2026-01-05', 6_543n, '2026-01-05', null)).thenNothing();
      spec(fundDecider).given([registered, published('2026-01-05', 6_543n)]).when(publish('2026-01-05', 6_543n, '2026-01-06', '2026-01-05')).thenNothing();
    });

    it('refuses a different value for a date already published: INCOME_ALREADY_PUBLISHED with the published value', () => {
      spec(fundDecider)
        .given([registered, published('2026-01-05', 6_543n)])
        .when(publish('2026-01-05', 6_544n, '2026-01-05', null))
        .thenFails('INCOME_ALREADY_PUBLISHED', { perTenK: '0.6543' });
    });

    it('refuses a date after the business date: INCOME_IN_FUTURE', () => {
      spec(fundDecider).given([registered]).when(publish('2026-01-10', 6_543n, '2026-01-09', '2026-01-08')).thenFails('INCOME_IN_FUTURE', {});
    });

    it('refuses a date already closed: INCOME_DAY_CLOSED', () => {
      spec(fundDecider).given([registered]).when(publish('2026-01-08', 6_543n, '2026-01-09', '2026-01-08')).thenFails('INCOME_DAY_CLOSED', {});
      spec(fundDecider).given([registered]).when(publish('2026-01-02', 6_543n, '2026-01-09', '2026-01-08')).thenFails('INCOME_DAY_CLOSED', {});
    });
  });

  describe('DistributeIncome', () => {
    const withIncome = [registered, published('2026-01-05', 6_543n)];

    it('books the residual floor(holdings·perTenK/10^8) − distributed from fund income to the rounding residual', () => {
      // Holders of 1,000,050 and 2,000,070 fen got 65 and 130 fen (65.43… and 130.86… rounded down); the fund
      // pays floor(3,000,120 × 6,543 / 10^8) = floor(196.29…) = 196 fen on the total, leaving 1 fen.
      spec(fundDecider)
        .given(withIncome)
        .when(distribute('2026-01-05', 3_000_120n, 195n))
        .then([
          {
            type: 'IncomeDistributed',
            data: {
              date: '2026-01-05',
              perTenK: 6_543n,
              holdingsFen: 3_000_120n,
              totalFen: 196n,
              distributedFen: 195n,
              residualFen: 1n,
              postings: [{ debit: 'fund-income:YEB', credit: 'rounding-residual:YEB', amountFen: 1n }],
            },
          },
        ])
        .thenState((state) => state.registered && state.distributedThrough === '2026-01-05');
    });

    it('rounds a negative total towards minus infinity, so the residual stays positive', () => {
      // Two holders of 1,000,000 fen at −0.6543: −65.43 → −66 fen each; the total −130.86 → −131 fen.
      spec(fundDecider)
        .given([registered, published('2026-01-05', -6_543n)])
        .when(distribute('2026-01-05', 2_000_000n, -132n))
        .then([distributed('2026-01-05', -6_543n, 2_000_000n, -131n, -132n)]);
    });

    it('books nothing when there is no residual', () => {
      spec(fundDecider)
        .given(withIncome)
        .when(distribute('2026-01-05', 1_000_000n, 65n))
        .then([
          {
            type: 'IncomeDistributed',
            data: { date: '2026-01-05', perTenK: 6_543n, holdingsFen: 1_000_000n, totalFen: 65n, distributedFen: 65n, residualFen: 0n, postings: [] },
          },
        ]);
    });

    it('distributes a day without holders as zero', () => {
      spec(fundDecider).given(withIncome).when(distribute('2026-01-05', 0n, 0n)).then([distributed('2026-01-05', 6_543n, 0n, 0n, 0n)]);
    });

    it('is a no-op for a date already distributed, or an earlier one', () => {
      const done = [...withIncome, published('2026-01-06', 6_000n), distributed('2026-01-05', 6_543n, 1_000_000n, 65n, 65n), distributed('2026-01-06', 6_000n, 1_000_000n, 60n, 60n)];
      spec(fundDecider).given(done).when(distribute('2026-01-06', 1_000_000n, 60n)).thenNothing();
      spec(fundDecider).given(done).when(distribute('2026-01-05', 1_000_000n, 65n)).thenNothing();
    });

    it('refuses a date without published income: INCOME_MISSING naming the fund and the date', () => {
      spec(fundDecider).given(withIncome).when(distribute('2026-01-06', 1_000_000n, 0n)).thenFails('INCOME_MISSING', { fund: 'YEB', date: '2026-01-06' });
    });

    it('treats holders paid more than the fund paid as a broken invariant, not a business error', () => {
      const state = fold(fundDecider, withIncome);
      expect(() => fundDecider.decide(distribute('2026-01-05', 1_000_000n, 66n), state)).toThrow(InvariantViolation);
    });
  });

  it('lives in the stream fund-<code>', () => {
    expect(fundStream('YEB')).toBe('fund-YEB');
  });
});
