import { FUND_CODE, type FundCommand, type FundEvent, fundDecider, fundStream } from '../../src/domain/fund/fund.decider';
import { InvariantViolation } from '../../src/invariant';
import { ACCOUNTS } from '../../src/domain/ledger/accounts';
import { posting } from '../../src/domain/ledger/posting';
import { fold } from '../../src/domain/decider';
import { spec } from './decider-spec';

// 2026-01-09 is a Friday, 2026-01-12 the Monday after it.
const registered: FundEvent = { type: 'FundRegistered', data: { code: 'YEB', name: "Yu'E Bao", registeredOn: '2026-01-05' } };
const published = (date: string, perTenK: bigint): FundEvent => ({ type: 'IncomePublished', data: { date, perTenK } });
/** The ledger's calendar started on Friday 2026-01-02, before the fund was registered on Monday 2026-01-05. */
const LEDGER_STARTED_ON = '2026-01-02';
const publish = (date: string, perTenK: bigint, businessDate: string, lastClosedDate: string | null, ledgerStartedOn = LEDGER_STARTED_ON): FundCommand => ({
  type: 'PublishIncome',
  date,
  perTenK,
  businessDate,
  lastClosedDate,
  ledgerStartedOn,
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
      spec(fundDecider).given([registered]).when(publish('2026-01-05', 6_543n, '2026-01-09', '2026-01-08')).thenFails('INCOME_DAY_CLOSED', {});
    });

    it('refuses a date before the fund was registered: INCOME_BEFORE_FUND_REGISTERED naming both dates', () => {
      const refusal = spec(fundDecider).given([registered]).when(publish('2026-01-04', 6_543n, '2026-01-05', null)).thenFails('INCOME_BEFORE_FUND_REGISTERED', { registeredOn: '2026-01-05' });
      expect(refusal.message).toContain('2026-01-04');
      expect(refusal.message).toContain('2026-01-05');
      expect(refusal.final).toBe(true);
    });

    it('refuses a date before the ledger started: INCOME_BEFORE_LEDGER_START naming both dates', () => {
      const refusal = spec(fundDecider)
        .given([registered])
        .when(publish('2026-01-04', 6_543n, '2026-01-05', null, '2026-01-05'))
        .thenFails('INCOME_BEFORE_LEDGER_START', { ledgerStartedOn: '2026-01-05' });
      expect(refusal.message).toContain('2026-01-04');
      expect(refusal.message).toContain('2026-01-05');
      expect(refusal.final).toBe(true);
    });

    it('says a day before the ledger or the fund was never one of theirs, rather than that it is closed', () => {
      spec(fundDecider).given([registered]).when(publish('2026-01-01', 6_543n, '2026-01-09', '2026-01-08')).thenFails('INCOME_BEFORE_LEDGER_START');
      spec(fundDecider).given([registered]).when(publish('2026-01-03', 6_543n, '2026-01-09', '2026-01-08')).thenFails('INCOME_BEFORE_FUND_REGISTERED');
    });

    it('accepts the first day of the ledger and of the fund', () => {
      spec(fundDecider).given([registered]).when(publish('2026-01-05', 6_543n, '2026-01-05', null, '2026-01-05')).then([published('2026-01-05', 6_543n)]);
    });

    it('still answers an early income already recorded, as version 1 took them, as published', () => {
      spec(fundDecider).given([registered, published('2026-01-03', 5_120n)]).when(publish('2026-01-03', 5_120n, '2026-01-05', null)).thenNothing();
      spec(fundDecider).given([registered, published('2026-01-03', 5_120n)]).when(publish('2026-01-03', 5_121n, '2026-01-05', null)).thenFails('INCOME_ALREADY_PUBLISHED', { perTenK: '0.5120' });
    });
  });

  describe('DistributeIncome', () => {
    const withIncome = [registered, published('2026-01-05', 6_543n)];

    it('books the residual trunc(holdings·perTenK/10^8) − distributed from fund income to the rounding residual', () => {
      // Holders of 1,000,050 and 2,000,070 fen got 65 and 130 fen (65.43… and 130.86… rounded towards zero); the
      // fund pays trunc(3,000,120 × 6,543 / 10^8) = trunc(196.29…) = 196 fen on the total, leaving 1 fen.
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

    it('rounds a negative total towards zero, and the rounding residual bears the loss no holder was charged', () => {
      // Holders of 666,666, 666,667 and 666,667 fen at −0.6543: −43.61… and −43.62… → −43 fen each, −129 together;
      // the fund loses trunc(2,000,000 × −6,543 / 10^8) = trunc(−130.86) = −130 fen on their total. The fen of
      // loss no holder was charged is the residual's: −1 fen, posted from it to the fund's income.
      spec(fundDecider)
        .given([registered, published('2026-01-05', -6_543n)])
        .when(distribute('2026-01-05', 2_000_000n, -129n))
        .then([
          {
            type: 'IncomeDistributed',
            data: {
              date: '2026-01-05',
              perTenK: -6_543n,
              holdingsFen: 2_000_000n,
              totalFen: -130n,
              distributedFen: -129n,
              residualFen: -1n,
              postings: [{ debit: 'rounding-residual:YEB', credit: 'fund-income:YEB', amountFen: 1n }],
            },
          },
        ]);
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

    it('treats holders charged more of a loss than the fund lost, or paid against its sign, as broken invariants', () => {
      const state = fold(fundDecider, [registered, published('2026-01-05', -6_543n)]);
      // The fund lost trunc(−65.43) = −65 fen on 1,000,000 fen.
      expect(() => fundDecider.decide(distribute('2026-01-05', 1_000_000n, -66n), state)).toThrow(InvariantViolation);
      expect(() => fundDecider.decide(distribute('2026-01-05', 1_000_000n, 1n), state)).toThrow(InvariantViolation);
      expect(() => fundDecider.decide(distribute('2026-01-05', 1_000_000n, -65n), state)).not.toThrow();
      expect(() => fundDecider.decide(distribute('2026-01-05', 1_000_000n, 0n), state)).not.toThrow();
      // A gain paid out as a loss is as wrong.
      expect(() => fundDecider.decide(distribute('2026-01-05', 1_000_000n, -1n), fold(fundDecider, withIncome))).toThrow(InvariantViolation);
    });
  });

  it('lives in the stream fund-<code>', () => {
    expect(fundStream('YEB')).toBe('fund-YEB');
  });
});
