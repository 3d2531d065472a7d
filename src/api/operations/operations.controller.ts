import { Body, Controller, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Staff } from '../auth/access.decorator';
import type { CommandContext } from '../commands/command-context';
import { Command } from '../commands/command-context.decorator';
import { reply } from '../commands/reply';
import { defineBody } from '../http/body-schema';
import type { RouteDoc } from '../http/openapi';
import { validateBody } from '../http/validate-body';
import { DayClose } from './day-close';

const DAY_CLOSE_BODY = defineBody({ date: { kind: 'isoDate', description: 'the business date to close: always the current one', example: '2026-01-05' } });

export const OPERATION_ROUTES: RouteDoc[] = [
  {
    method: 'post',
    path: '/operations/day-close',
    summary: 'Close the business day: accrue income, confirm due purchases, pay due redemptions, move the date',
    tag: 'operations',
    roles: ['operator'],
    body: DAY_CLOSE_BODY,
    idempotent: true,
    responses: {
      200: { description: 'closed; the per-fund income, distribution and rounding residual of each day' },
      422: { description: 'DAY_CLOSE_OUT_OF_ORDER, DAY_ALREADY_CLOSED, INCOME_MISSING (names the fund and day)' },
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
