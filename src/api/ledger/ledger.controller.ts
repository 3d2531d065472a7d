import { Controller, Get, Inject } from '@nestjs/common';
import type { EventStore } from '../../eventstore';
import { formatFen } from '../../domain/money';
import { invariant } from '../../invariant';
import { Staff } from '../auth/access.decorator';
import { EVENT_STORE } from '../event-store.module';
import { HttpProblem } from '../http/problem';
import type { RouteDoc } from '../http/openapi';
import { LedgerBalances } from './ledger-balances';

export const LEDGER_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/ledger/trial-balance',
    summary: 'Every account\'s balance (debit positive) and their total, which is always zero',
    tag: 'ledger',
    roles: ['operator', 'auditor'],
    responses: { 200: { description: 'the trial balance as of `position`, which includes every write answered before the request' } },
  },
];

const CATCH_UP_TIMEOUT_MS = 10_000;

export interface TrialBalance {
  position: string;
  accounts: { account: string; balance: string }[];
  totalDebits: string;
  totalCredits: string;
  total: string;
}

@Controller('ledger')
export class LedgerController {
  constructor(
    private readonly ledger: LedgerBalances,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get('trial-balance')
  @Staff('operator', 'auditor')
  async trialBalance(): Promise<TrialBalance> {
    const target = await this.store.lastPosition();
    await this.ledger.reach(target, CATCH_UP_TIMEOUT_MS).catch((error: Error) => {
      throw new HttpProblem(503, `the ledger is still catching up with the log: ${error.message}; retry shortly`, { code: 'PROJECTION_BEHIND' });
    });
    const { position, balances } = this.ledger.snapshot();
    const accounts = [...balances].filter(([, balance]) => balance !== 0n).sort(([a], [b]) => (a < b ? -1 : 1));
    let debits = 0n;
    let credits = 0n;
    for (const [, balance] of accounts) if (balance > 0n) debits += balance; else credits -= balance;
    invariant(debits === credits, () => `the trial balance is off by ${debits - credits} fen at position ${position}`);
    return {
      position: position.toString(),
      accounts: accounts.map(([account, balance]) => ({ account, balance: formatFen(balance) })),
      totalDebits: formatFen(debits),
      totalCredits: formatFen(credits),
      total: formatFen(debits - credits),
    };
  }
}
