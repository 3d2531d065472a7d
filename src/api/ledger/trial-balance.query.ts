import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { decodeData } from '../../domain/event-codec';
import { formatFen } from '../../domain/money';
import { InvariantViolation, invariant } from '../../invariant';
import { READ_STORE_LIMITS, ReadModels } from '../../projections';
import { type AccountDoc, LEDGER_COLLECTION } from '../../projections/read-models/ledger.projection';
import type { AsOf } from '../as-of/as-of';
import { LedgerAsOf } from './ledger-as-of';

export interface TrialBalance {
  /** The ledger read model's checkpoint the totals are as of (as of a moment: the last event at or before it); null before it applied any event. */
  position: string | null;
  /** Accounts ever posted to, those back at zero included. */
  accounts: number;
  totalDebits: string;
  totalCredits: string;
  total: string;
}

export class TrialBalanceQuery extends Query<TrialBalance> {
  constructor(
    readonly minPosition: bigint | undefined,
    /** The trial balance as it was then; undefined for now. */
    readonly asOf: AsOf | undefined = undefined,
  ) {
    super();
  }
}

/** Accounts one trial balance totals: the bound turns a runaway chart of accounts into an error rather than a hung request. */
const MAX_ACCOUNTS = 10_000 * READ_STORE_LIMITS.maxPageSize;

interface Totals {
  accounts: number;
  debitsFen: bigint;
  creditsFen: bigint;
}

/** Debit balances add to the debits, credit balances to the credits, and each account counts once, zero included. */
function addBalance(totals: Totals, balanceFen: bigint): void {
  totals.accounts += 1;
  if (balanceFen > 0n) totals.debitsFen += balanceFen;
  else totals.creditsFen -= balanceFen;
}

function trialBalanceOf(position: bigint | undefined, totals: Totals): TrialBalance {
  invariant(totals.debitsFen === totals.creditsFen, () => `the trial balance is off by ${totals.debitsFen - totals.creditsFen} fen at position ${position}`);
  return {
    position: position === undefined ? null : position.toString(),
    accounts: totals.accounts,
    totalDebits: formatFen(totals.debitsFen),
    totalCredits: formatFen(totals.creditsFen),
    total: formatFen(totals.debitsFen - totals.creditsFen),
  };
}

/**
 * Totals every account document at query time, as of one checkpoint of the ledger projection (a scan torn by
 * a batch is taken again: ReadModels.consistent).
 */
@QueryHandler(TrialBalanceQuery)
export class TrialBalanceHandler implements IQueryHandler<TrialBalanceQuery, TrialBalance> {
  constructor(
    private readonly readModels: ReadModels,
    private readonly ledgerThen: LedgerAsOf,
  ) {}

  async execute({ minPosition, asOf }: TrialBalanceQuery): Promise<TrialBalance> {
    await this.readModels.atLeast(['ledger'], minPosition);
    if (asOf) {
      const { position, accounts } = await this.ledgerThen.accounts(asOf);
      const totals: Totals = { accounts: 0, debitsFen: 0n, creditsFen: 0n };
      for (const account of accounts) addBalance(totals, account.balanceFen);
      return trialBalanceOf(position, totals);
    }
    return this.readModels.consistent('ledger', async (view) => {
      const totals: Totals = { accounts: 0, debitsFen: 0n, creditsFen: 0n };
      const tooMany = () => new InvariantViolation(`the ledger has more than ${MAX_ACCOUNTS} accounts, more than one trial balance request totals`);
      for await (const doc of view.every(LEDGER_COLLECTION, MAX_ACCOUNTS, tooMany)) addBalance(totals, decodeData<AccountDoc>(doc.body).balanceFen);
      return trialBalanceOf(view.position, totals);
    });
  }
}
