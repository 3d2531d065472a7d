import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { Transfers } from '../processes/processes.module';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import { Staff } from '../auth/access.decorator';
import type { CommandContext } from '../commands/command-context';
import { Command } from '../commands/command-context.decorator';
import { reply } from '../commands/reply';
import { DATE, FUND_CODE, PER_TEN_K_TEXT, writeResponseSchema } from '../commands/write-schemas';
import { FUND_CODE_FIELD, NAME_FIELD, defineBody } from '../http/body-schema';
import type { JsonSchema, RouteDoc } from '../http/openapi';
import { PAGE_LIMIT_QUERY, parseDateRange, parseMinPosition, parsePage } from '../http/query-params';
import { validateBody, validateParam } from '../http/validate-body';
import { FUNDS_PROJECTION, GetFundQuery, GetFundYieldsQuery, ListFundsQuery, MAX_YIELD_RANGE_DAYS } from './funds.queries';
import { FundCommands } from './fund-commands';

const FUND_BODY = defineBody({ code: FUND_CODE_FIELD, name: { ...NAME_FIELD, example: "Tianhong Yu'E Bao" } });
const INCOME_BODY = defineBody({
  date: { kind: 'isoDate', description: 'the calendar day the income is for', example: '2026-01-05' },
  perTenK: { kind: 'perTenK', description: 'income per 10,000 shares in CNY, 4 decimals, may be negative', example: '0.2741' },
});

const PER_TEN_K: JsonSchema = { type: 'string', pattern: '^-?[0-9]+\\.[0-9]{4}$', description: 'income per 10,000 shares in CNY, 4 decimals', example: '0.6543' };
const YIELD_PCT: JsonSchema = {
  type: 'string',
  pattern: '^-?[0-9]+\\.[0-9]{3}$',
  description: '7-day annualised yield in percent, 3 decimals: (sum of the last 7 daily incomes per 10,000 shares / 10,000) × 365 / 7 × 100, rounded half away from zero',
  example: '2.388',
};
const REGISTERED_FUND_SCHEMA: JsonSchema = writeResponseSchema('the fund registered', {
  code: FUND_CODE,
  name: { type: 'string', description: 'the fund name' },
  registeredOn: { ...DATE, description: 'the business date of the registration; income accrues from this day on' },
});
const PUBLISHED_INCOME_SCHEMA: JsonSchema = writeResponseSchema('the income published', {
  fundCode: FUND_CODE,
  date: { ...DATE, description: 'the calendar day the income is for' },
  perTenK: { ...PER_TEN_K_TEXT, description: 'the income per 10,000 shares in CNY as recorded, 4 decimals; may be negative' },
});
const FUND_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['code', 'name', 'registeredOn', 'latestIncomeDate', 'latestPerTenK', 'latestSevenDayYieldPct'],
  properties: {
    code: { type: 'string', description: 'the fund code' },
    name: { type: 'string' },
    registeredOn: { type: 'string', format: 'date', description: 'the business date the fund was registered on' },
    latestIncomeDate: { type: 'string', format: 'date', nullable: true, description: 'the latest calendar day with a published income; null before the first' },
    latestPerTenK: { ...PER_TEN_K, nullable: true, description: 'the income of latestIncomeDate' },
    latestSevenDayYieldPct: { ...YIELD_PCT, nullable: true, description: 'the 7-day yield of latestIncomeDate; null until that day has 7 consecutive days of income' },
  },
};
const PAGE_QUERY: RouteDoc['query'] = {
  limit: PAGE_LIMIT_QUERY,
  cursor: { description: 'nextCursor of the previous page, exactly as received', schema: { type: 'string' } },
};
const ANY_ROLE = ['customer', 'merchant', 'operator', 'auditor', 'compliance'] as const;

export const FUND_ROUTES: RouteDoc[] = [
  {
    method: 'post',
    path: '/funds',
    summary: 'Register a money-market fund',
    tag: 'funds',
    roles: ['operator'],
    body: FUND_BODY,
    idempotent: true,
    responses: { 201: { description: 'registered', schema: REGISTERED_FUND_SCHEMA }, 422: { description: 'FUND_EXISTS' } },
  },
  {
    method: 'post',
    path: '/funds/{code}/incomes',
    summary: "Publish a fund's income per 10,000 shares for a day",
    tag: 'funds',
    roles: ['operator'],
    params: { code: FUND_CODE_FIELD },
    body: INCOME_BODY,
    idempotent: true,
    responses: {
      201: { description: 'published (publishing the same figure again changes nothing)', schema: PUBLISHED_INCOME_SCHEMA },
      404: { description: 'no such fund' },
      409: { description: 'INCOME_IN_FUTURE: not yet, and not recorded under the Idempotency-Key' },
      422: { description: "INCOME_ALREADY_PUBLISHED, INCOME_DAY_CLOSED, INCOME_BEFORE_LEDGER_START or INCOME_BEFORE_FUND_REGISTERED (a date before the ledger's first day or the fund's registration; names both dates)" },
    },
  },
  {
    method: 'get',
    path: '/funds',
    summary: 'The funds on offer, by code, with their latest income and 7-day yield',
    tag: 'funds',
    roles: [...ANY_ROLE],
    query: PAGE_QUERY,
    readsProjections: [FUNDS_PROJECTION],
    responses: {
      200: {
        description: 'one page of funds',
        schema: { type: 'object', required: ['items', 'nextCursor'], properties: { items: { type: 'array', items: FUND_SCHEMA }, nextCursor: { type: 'string', nullable: true, description: 'pass as cursor for the next page; null on the last' } } },
      },
    },
  },
  {
    method: 'get',
    path: '/funds/{code}',
    summary: 'One fund with its latest income and 7-day yield',
    tag: 'funds',
    roles: [...ANY_ROLE],
    params: { code: FUND_CODE_FIELD },
    readsProjections: [FUNDS_PROJECTION],
    responses: { 200: { description: 'the fund', schema: FUND_SCHEMA }, 404: { description: 'no such fund' } },
  },
  {
    method: 'get',
    path: '/funds/{code}/yields',
    summary: "A fund's daily income and 7-day annualised yield over a range of calendar days",
    description: `Days without a published income are left out. Without \`to\`, up to the latest income; without \`from\`, the 30 days up to \`to\`; at most ${MAX_YIELD_RANGE_DAYS} days.`,
    tag: 'funds',
    roles: [...ANY_ROLE],
    params: { code: FUND_CODE_FIELD },
    query: {
      from: { description: 'first calendar day, YYYY-MM-DD', schema: { type: 'string', format: 'date' } },
      to: { description: 'last calendar day, YYYY-MM-DD, not before from', schema: { type: 'string', format: 'date' } },
    },
    readsProjections: [FUNDS_PROJECTION],
    responses: {
      200: {
        description: 'the days of the range that have an income, oldest first',
        schema: {
          type: 'object',
          required: ['fundCode', 'from', 'to', 'items'],
          properties: {
            fundCode: { type: 'string' },
            from: { type: 'string', format: 'date' },
            to: { type: 'string', format: 'date' },
            items: {
              type: 'array',
              items: {
                type: 'object',
                required: ['date', 'perTenK', 'sevenDayYieldPct'],
                properties: {
                  date: { type: 'string', format: 'date' },
                  perTenK: PER_TEN_K,
                  sevenDayYieldPct: { ...YIELD_PCT, nullable: true, description: `${String(YIELD_PCT.description)}; null unless the day and the 6 before it all have an income` },
                },
              },
            },
          },
        },
      },
      404: { description: 'no such fund' },
    },
  },
];

@Controller('funds')
export class FundsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly funds: FundCommands,
    private readonly transfers: Transfers,
  ) {}

  @Get()
  @Staff(...ANY_ROLE)
  list(@Query() query: Record<string, unknown>) {
    const { limit, cursor } = parsePage(query.limit, query.cursor);
    return this.queries.execute(new ListFundsQuery(limit, cursor, parseMinPosition(query.minPosition)));
  }

  @Get(':code')
  @Staff(...ANY_ROLE)
  fund(@Param('code') code: string, @Query() query: Record<string, unknown>) {
    const fundCode = validateParam('code', FUND_CODE_FIELD, code);
    return this.queries.execute(new GetFundQuery(fundCode, parseMinPosition(query.minPosition)));
  }

  @Get(':code/yields')
  @Staff(...ANY_ROLE)
  yields(@Param('code') code: string, @Query() query: Record<string, unknown>) {
    const fundCode = validateParam('code', FUND_CODE_FIELD, code);
    const range = parseDateRange(query.from, query.to);
    return this.queries.execute(new GetFundYieldsQuery(fundCode, range, parseMinPosition(query.minPosition)));
  }

  @Post()
  @Staff('operator')
  async register(@Command() context: CommandContext, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    const { code, name } = validateBody(FUND_BODY, body);
    return reply(response, await this.transfers.completed(await this.commands.execute(await this.funds.register(context, code, name))));
  }

  @Post(':code/incomes')
  @Staff('operator')
  async publishIncome(@Command() context: CommandContext, @Param('code') code: string, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    const fundCode = validateParam('code', FUND_CODE_FIELD, code);
    const { date, perTenK } = validateBody(INCOME_BODY, body);
    return reply(response, await this.commands.execute(await this.funds.publishIncome(context, fundCode, date, perTenK)));
  }
}
