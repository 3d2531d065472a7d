import { Body, Controller, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Staff } from '../auth/access.decorator';
import type { CommandContext } from '../commands/command-context';
import { Command } from '../commands/command-context.decorator';
import { reply } from '../commands/reply';
import { CNY, DATE, FUND_CODE, PER_TEN_K_TEXT, SIGNED_CNY, writeResponseSchema } from '../commands/write-schemas';
import { defineBody } from '../http/body-schema';
import type { JsonSchema, RouteDoc } from '../http/openapi';
import { validateBody } from '../http/validate-body';
import { DayClose } from '../processes/day-close';

const DAY_CLOSE_BODY = defineBody({ date: { kind: 'isoDate', description: 'the business date to close: always the current one', example: '2026-01-05' } });

const cny = (schema: JsonSchema, description: string): JsonSchema => ({ ...schema, description });

const FUND_DAY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['date', 'perTenK', 'holdings', 'income', 'distributed', 'residual'],
  properties: {
    date: { ...DATE, description: 'a calendar day of the close on or after the fund was registered' },
    perTenK: { ...PER_TEN_K_TEXT, description: "the fund's published income per 10,000 shares for the day" },
    holdings: cny(CNY, 'CNY as a decimal string: the holdings that accrued income for the day, summed over the holders'),
    income: cny(SIGNED_CNY, 'CNY as a decimal string: the income of those holdings taken together, rounded once towards zero; may be negative'),
    distributed: cny(SIGNED_CNY, "CNY as a decimal string: the sum of the holders' own accruals, each rounded towards zero; may be negative"),
    residual: cny(SIGNED_CNY, 'CNY as a decimal string: income minus distributed, the rounding the fund keeps; negative (a loss no holder was charged) when the income is'),
  },
};

const DAY_CLOSE_SCHEMA: JsonSchema = writeResponseSchema('the close done', {
  date: { ...DATE, description: 'the business date closed' },
  nextBusinessDate: { ...DATE, description: 'the business date now current' },
  days: { type: 'array', items: DATE, description: 'the calendar days whose income the close accrued: those after the previous closed date up to and including this one (a Monday close accrues the weekend too), oldest first' },
  positionsClosed: { type: 'integer', minimum: 0, description: 'fund positions this call wrote to; 0 for one already closed (a close run again after an interruption counts only what it completed)' },
  funds: {
    type: 'array',
    description: 'each registered fund with its income booked per day of the close',
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['code', 'days'],
      properties: { code: FUND_CODE, days: { type: 'array', items: FUND_DAY_SCHEMA, description: 'one entry per day of `days` on or after the fund was registered' } },
    },
  },
});

const DAY_CLOSE_UNDER_WAY_SCHEMA: JsonSchema = writeResponseSchema('the close begun', {
  date: { ...DATE, description: 'the business date being closed' },
  processId: { type: 'string', description: 'the day-close process instance running its steps' },
});

export const OPERATION_ROUTES: RouteDoc[] = [
  {
    method: 'post',
    path: '/operations/day-close',
    summary: 'Close the business day: accrue income, confirm due purchases, pay due redemptions, forecast, move the date (the day-close process)',
    tag: 'operations',
    roles: ['operator'],
    body: DAY_CLOSE_BODY,
    idempotent: true,
    responses: {
      200: { description: 'closed; the per-fund income, distribution and rounding residual of each day', schema: DAY_CLOSE_SCHEMA },
      202: { description: 'begun, and still running after 10 minutes: follow the day-close process at GET /processes/{processId}', schema: DAY_CLOSE_UNDER_WAY_SCHEMA },
      409: { description: 'INCOME_MISSING (names the fund and day) or DAY_CLOSE_IN_PROGRESS: not yet, and not recorded under the Idempotency-Key' },
      422: { description: 'DAY_CLOSE_OUT_OF_ORDER or DAY_ALREADY_CLOSED' },
    },
  },
];

@Controller('operations')
export class OperationsController {
  constructor(private readonly dayClose: DayClose) {}

  @Post('day-close')
  @Staff('operator')
  async close(@Command() context: CommandContext, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    const { date } = validateBody(DAY_CLOSE_BODY, body);
    return reply(response, await this.dayClose.close(context, date));
  }
}
