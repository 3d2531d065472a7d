import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { JsonValue } from '../../eventstore';
import { decodeData } from '../../domain/event-codec';
import { formatFen } from '../../domain/money';
import { invariant } from '../../invariant';
import { READ_STORE_LIMITS, ReadModels } from '../../projections';
import { type AccountDoc, LEDGER_COLLECTION } from '../../projections/read-models/ledger.projection';
import type { AsOf } from '../as-of/as-of';
import { HttpProblem } from '../http/problem';
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

/** Pages of the account scan; the bound turns a runaway chart of accounts into an error rather than a hung request. */
const MAX_PAGES = 10_000;
/** A batch written between pages makes a scan torn; it is retried this many times before answering 503. */
const MAX_ATTEMPTS = 5;

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
 * Totals every account document at query time. The scan is consistent when no document it read is newer
 * than the checkpoint read before it (a batch commits its documents no later than its checkpoint), so a scan
 * that met a newer one is thrown away and retried.
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
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const position = await this.readModels.position('ledger');
      const totals = await this.scan(position ?? -1n);
      if (totals) return trialBalanceOf(position, totals);
    }
    throw new HttpProblem(503, `the ledger kept changing while it was totalled (${MAX_ATTEMPTS} attempts); retry shortly`, { code: 'PROJECTION_BUSY', headers: { 'retry-after': '1' } });
  }

  /** Undefined when a document newer than `position` was met. */
  private async scan(position: bigint): Promise<Totals | undefined> {
    const totals: Totals = { accounts: 0, debitsFen: 0n, creditsFen: 0n };
    const limit = READ_STORE_LIMITS.maxPageSize;
    let after: JsonValue[] | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const docs = await this.readModels.find('ledger', LEDGER_COLLECTION, { orderBy: ['id'], after, limit });
      for (const doc of docs) {
        if (doc.position > position) return undefined;
        addBalance(totals, decodeData<AccountDoc>(doc.body).balanceFen);
      }
      if (docs.length < limit) return totals;
      after = [docs[docs.length - 1]!.id];
    }
    invariant(false, `the ledger has more than ${MAX_PAGES * limit} accounts, more than one trial balance request totals`);
  }
}
