import type { Decider } from '../decider';
import { DomainError } from '../domain-error';
import { type PerTenKMicros, dailyIncomeFen, formatPerTenK } from '../income-rate';
import type { IsoDate } from '../iso-date';
import { ACCOUNTS } from '../ledger/accounts';
import { type Posting, posting } from '../ledger/posting';
import type { Fen } from '../money';
import { invariant } from '../../invariant';

/**
 * A money-market fund: its daily income per 10,000 shares, the wallets that hold it, and the daily
 * distribution of its income, whose rounding remainder is booked here.
 */
export type FundCommand =
  | { type: 'RegisterFund'; code: string; name: string; businessDate: IsoDate }
  | { type: 'PublishIncome'; date: IsoDate; perTenK: PerTenKMicros; businessDate: IsoDate; lastClosedDate: IsoDate | null; ledgerStartedOn: IsoDate }
  | { type: 'DistributeIncome'; date: IsoDate; holdingsFen: Fen; distributedFen: Fen };

export type FundEvent =
  | { type: 'FundRegistered'; data: { code: string; name: string; registeredOn: IsoDate } }
  | { type: 'IncomePublished'; data: { date: IsoDate; perTenK: PerTenKMicros } }
  | {
      type: 'IncomeDistributed';
      data: { date: IsoDate; perTenK: PerTenKMicros; holdingsFen: Fen; totalFen: Fen; distributedFen: Fen; residualFen: Fen; postings: Posting[] };
    };

export type FundState =
  | { registered: false }
  | {
      registered: true;
      code: string;
      name: string;
      registeredOn: IsoDate;
      incomesPerTenK: Readonly<Record<IsoDate, PerTenKMicros>>;
      distributedThrough: IsoDate | null;
    };

type RegisteredFund = Extract<FundState, { registered: true }>;

/** Six-digit Chinese fund codes ("000198") and short upper-case tickers for simulated funds. */
export const FUND_CODE = /^[A-Z0-9]{2,12}$/;

export const fundDecider: Decider<FundCommand, FundEvent, FundState> = {
  initialState: { registered: false },

  decide(command, state) {
    if (command.type === 'RegisterFund') {
      if (state.registered) throw new DomainError('FUND_EXISTS', `fund ${command.code} is already registered`);
      return [{ type: 'FundRegistered', data: { code: command.code, name: command.name, registeredOn: command.businessDate } }];
    }
    if (!state.registered) throw new DomainError('UNKNOWN_FUND', 'the fund is not registered');
    switch (command.type) {
      case 'PublishIncome': {
        const published = state.incomesPerTenK[command.date];
        if (published === command.perTenK) return [];
        if (published !== undefined) {
          throw new DomainError('INCOME_ALREADY_PUBLISHED', `fund ${state.code} already has income ${formatPerTenK(published)} for ${command.date}`, {
            perTenK: formatPerTenK(published),
          });
        }
        refuseBeforeItCounts(command, state);
        if (command.date > command.businessDate) {
          throw new DomainError('INCOME_IN_FUTURE', `income for ${command.date} cannot be published before that day; the business date is ${command.businessDate}`);
        }
        if (command.lastClosedDate !== null && command.date <= command.lastClosedDate) {
          throw new DomainError('INCOME_DAY_CLOSED', `${command.date} is already closed (through ${command.lastClosedDate}); its income can no longer change`);
        }
        return [{ type: 'IncomePublished', data: { date: command.date, perTenK: command.perTenK } }];
      }
      case 'DistributeIncome': {
        if (state.distributedThrough !== null && command.date <= state.distributedThrough) return [];
        const perTenK = state.incomesPerTenK[command.date];
        if (perTenK === undefined) throw new DomainError('INCOME_MISSING', `fund ${state.code} has no income for ${command.date}`, { fund: state.code, date: command.date });
        // The fund pays income on IFW's total holding; holders each got their share rounded towards zero.
        const totalFen = dailyIncomeFen(command.holdingsFen, perTenK);
        const residualFen = totalFen - command.distributedFen;
        invariant(
          liesFromZeroTo(residualFen, totalFen),
          () => `holders of ${state.code} got ${command.distributedFen} fen on ${command.date}, beyond the ${totalFen} the fund paid or against its sign`,
        );
        const postings = residualFen === 0n ? [] : [posting(ACCOUNTS.fundIncome(state.code), ACCOUNTS.roundingResidual(state.code), residualFen)];
        return [
          {
            type: 'IncomeDistributed',
            data: { date: command.date, perTenK, holdingsFen: command.holdingsFen, totalFen, distributedFen: command.distributedFen, residualFen, postings },
          },
        ];
      }
    }
  },

  evolve(state, event) {
    if (event.type === 'FundRegistered') {
      return { registered: true, ...event.data, incomesPerTenK: {}, distributedThrough: null };
    }
    if (!state.registered) return state;
    switch (event.type) {
      case 'IncomePublished':
        return { ...state, incomesPerTenK: { ...state.incomesPerTenK, [event.data.date]: event.data.perTenK } };
      case 'IncomeDistributed':
        return { ...state, distributedThrough: event.data.date };
    }
  },
};

/**
 * A day before the ledger's first was never one of its days, and a fund earns nothing before it is
 * registered: the day close books no income for either, so an income for one would stand unused.
 */
function refuseBeforeItCounts(command: Extract<FundCommand, { type: 'PublishIncome' }>, state: RegisteredFund): void {
  if (command.date < command.ledgerStartedOn) {
    throw new DomainError('INCOME_BEFORE_LEDGER_START', `income for ${command.date} is dated before the ledger's first day, ${command.ledgerStartedOn}`, {
      ledgerStartedOn: command.ledgerStartedOn,
    });
  }
  if (command.date < state.registeredOn) {
    throw new DomainError('INCOME_BEFORE_FUND_REGISTERED', `income for ${command.date} is dated before fund ${state.code} was registered, on ${state.registeredOn}`, {
      registeredOn: state.registeredOn,
    });
  }
}

/**
 * Each holder's share, rounded towards zero, has the sign of the fund's income and at most its magnitude, and
 * so has their sum (truncations summed never exceed the truncation of the sum): the remainder lies between
 * zero and the fund's income, bounds included (all of it when every holder's share rounds to zero).
 */
function liesFromZeroTo(remainderFen: Fen, totalFen: Fen): boolean {
  return totalFen >= 0n ? remainderFen >= 0n && remainderFen <= totalFen : remainderFen <= 0n && remainderFen >= totalFen;
}

export const fundStream = (code: string) => `fund-${code}`;
