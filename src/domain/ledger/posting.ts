import type { Fen } from '../money';
import { invariant } from '../../invariant';

/**
 * One leg pair of double entry: `amountFen` moves from the credit account to the debit account. Balances
 * are debit-positive, so every posting adds +amount and −amount and the trial balance stays zero.
 */
export interface Posting {
  debit: string;
  credit: string;
  amountFen: Fen;
}

export function posting(debit: string, credit: string, amountFen: Fen): Posting {
  invariant(debit !== credit, () => `a posting needs two different accounts, got ${debit} twice`);
  invariant(amountFen !== 0n, () => `a posting of zero between ${debit} and ${credit} records nothing`);
  return amountFen > 0n ? { debit, credit, amountFen } : { debit: credit, credit: debit, amountFen: -amountFen };
}
