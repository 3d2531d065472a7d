import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import { Staff } from '../auth/access.decorator';
import type { CommandContext } from '../commands/command-context';
import { Command } from '../commands/command-context.decorator';
import { reply } from '../commands/reply';
import { FUND_CODE_FIELD, NAME_FIELD, defineBody } from '../http/body-schema';
import type { RouteDoc } from '../http/openapi';
import { validateBody, validateParam } from '../http/validate-body';
import { PublishIncomeCommand } from './publish-income.command';
import { RegisterFundCommand } from './register-fund.command';

const FUND_BODY = defineBody({ code: FUND_CODE_FIELD, name: { ...NAME_FIELD, example: "Tianhong Yu'E Bao" } });
const INCOME_BODY = defineBody({
  date: { kind: 'isoDate', description: 'the calendar day the income is for', example: '2026-01-05' },
  perTenK: { kind: 'perTenK', description: 'income per 10,000 shares in CNY, 4 decimals, may be negative', example: '0.2741' },
});

export const FUND_ROUTES: RouteDoc[] = [
  {
    method: 'post',
    path: '/funds',
    summary: 'Register a money-market fund',
    tag: 'funds',
    roles: ['operator'],
    body: FUND_BODY,
    idempotent: true,
    responses: { 201: { description: 'registered' }, 422: { description: 'FUND_EXISTS' } },
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
      201: { description: 'published (publishing the same figure again changes nothing)' },
      404: { description: 'no such fund' },
      422: { description: 'INCOME_ALREADY_PUBLISHED, INCOME_IN_FUTURE, INCOME_DAY_CLOSED' },
    },
  },
];

@Controller('funds')
export class FundsController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Staff('operator')
  async register(@Command() context: CommandContext, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    const { code, name } = validateBody(FUND_BODY, body);
    return reply(response, await this.commands.execute(new RegisterFundCommand(context, code, name)));
  }

  @Post(':code/incomes')
  @Staff('operator')
  async publishIncome(@Command() context: CommandContext, @Param('code') code: string, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    const fundCode = validateParam('code', FUND_CODE_FIELD, code);
    const { date, perTenK } = validateBody(INCOME_BODY, body);
    return reply(response, await this.commands.execute(new PublishIncomeCommand(context, fundCode, date, perTenK)));
  }
}
