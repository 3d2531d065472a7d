import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { AS_OF_QUERY, AsOfResolver } from '../as-of/as-of';
import { Staff } from '../auth/access.decorator';
import { HttpProblem } from '../http/problem';
import type { JsonSchema, RouteDoc } from '../http/openapi';
import { PAGE_LIMITS, PAGE_LIMIT_SCHEMA, parseMinPosition, parsePage, parseSearch } from '../http/query-params';
import { type AccountPage, ListLedgerAccountsQuery } from './ledger-accounts.query';
import { type TrialBalance, TrialBalanceQuery } from './trial-balance.query';

const AMOUNT = '^-?(0|[1-9][0-9]*)\\.[0-9]{2}$';
/** Account names are built from these (see src/domain/ledger/accounts.ts), so a prefix of anything else matches nothing. */
const ACCOUNT_PREFIX = /^[A-Za-z0-9:._-]+$/;
const MAX_PREFIX_LENGTH = 100;

const TRIAL_BALANCE_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['position', 'accounts', 'totalDebits', 'totalCredits', 'total'],
  properties: {
    position: { type: 'string', nullable: true, pattern: '^[0-9]+$', description: 'The event store position the ledger read model had applied; null before its first event.' },
    accounts: { type: 'integer', minimum: 0, description: 'How many accounts have been posted to, those back at zero included.' },
    totalDebits: { type: 'string', pattern: AMOUNT, description: 'Sum of the debit (positive) balances, CNY.' },
    totalCredits: { type: 'string', pattern: AMOUNT, description: 'Sum of the credit (negative) balances, as a positive amount of CNY.' },
    total: { type: 'string', pattern: AMOUNT, example: '0.00', description: 'Debits less credits: always 0.00.' },
  },
};

const ACCOUNT_PAGE_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: {
    items: {
      type: 'array',
      description: 'Accounts in name order.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['account', 'balance'],
        properties: {
          account: { type: 'string', example: 'wallet-cash:3f2b8c1e-9a4d-4e5f-8b6a-1c2d3e4f5a6b', description: 'The account name, from the chart of accounts.' },
          balance: { type: 'string', pattern: AMOUNT, description: 'Debit positive, CNY: what IFW owes (wallet cash, fund holdings) is negative.' },
        },
      },
    },
    nextCursor: { type: 'string', nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' },
  },
};

export const LEDGER_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/ledger/trial-balance',
    summary: 'The totals of every account\'s balance (debit positive), which always net to zero',
    description:
      'With `asOf` or `asOfBusinessDate`, the trial balance as of that moment: the ledger read model\'s code applied to the whole log up to the first event recorded after it, ' +
      '`position` being the last event at or before it. Such a read scans the log from its start, so it takes time in proportion to the log (see docs/projections.md, As-of reads).',
    tag: 'ledger',
    roles: ['operator', 'auditor'],
    query: AS_OF_QUERY,
    readsProjections: ['ledger'],
    responses: {
      200: { description: 'the trial balance as of `position`', schema: TRIAL_BALANCE_SCHEMA },
      422: { description: "AS_OF_BEFORE_LOG: asOf is before the log's first event; BUSINESS_DATE_NOT_CLOSED: no close of asOfBusinessDate was recorded" },
      503: { description: 'the ledger read model is behind minPosition, or kept changing while it was totalled; retry after Retry-After' },
    },
  },
  {
    method: 'get',
    path: '/ledger/accounts',
    summary: 'Every account and its balance (debit positive), in name order, paged',
    tag: 'ledger',
    roles: ['operator', 'auditor'],
    query: {
      limit: { description: `Accounts per page, 1 to ${PAGE_LIMITS.maxLimit}; default ${PAGE_LIMITS.defaultLimit}.`, schema: PAGE_LIMIT_SCHEMA },
      cursor: { description: '`nextCursor` of the previous page, exactly as received, with the same prefix.', schema: { type: 'string' } },
      prefix: { description: 'Only accounts whose name starts with this, such as `wallet-cash:` or `fund-holding:`.', schema: { type: 'string', pattern: ACCOUNT_PREFIX.source, maxLength: MAX_PREFIX_LENGTH } },
    },
    readsProjections: ['ledger'],
    responses: { 200: { description: 'one page of accounts', schema: ACCOUNT_PAGE_SCHEMA } },
  },
];

@Controller('ledger')
export class LedgerController {
  constructor(
    private readonly queries: QueryBus,
    private readonly asOf: AsOfResolver,
  ) {}

  @Get('trial-balance')
  @Staff('operator', 'auditor')
  async trialBalance(@Query() query: Record<string, unknown>): Promise<TrialBalance> {
    const minPosition = parseMinPosition(query.minPosition);
    return this.queries.execute(new TrialBalanceQuery(minPosition, await this.asOf.resolve(query)));
  }

  @Get('accounts')
  @Staff('operator', 'auditor')
  accounts(@Query() query: Record<string, unknown>): Promise<AccountPage> {
    const page = parsePage(query.limit, query.cursor);
    const prefix = parseSearch('prefix', query.prefix, MAX_PREFIX_LENGTH);
    if (prefix !== undefined && !ACCOUNT_PREFIX.test(prefix)) {
      throw new HttpProblem(400, 'prefix may hold only letters, digits and the characters : . _ -, as account names do', { code: 'INVALID_PARAMETER', field: 'prefix' });
    }
    return this.queries.execute(new ListLedgerAccountsQuery(prefix, page, parseMinPosition(query.minPosition)));
  }
}
