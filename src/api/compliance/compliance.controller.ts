import { Body, Controller, Get, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import { RULE_BOOK_STREAM } from '../../domain/rules/rule-book.decider';
import { Staff } from '../auth/access.decorator';
import { BusinessCalendar } from '../calendar/business-calendar';
import { RULE_BOOK } from '../commands/aggregates';
import type { CommandContext } from '../commands/command-context';
import { Command } from '../commands/command-context.decorator';
import { DecideCommand } from '../commands/decide-command';
import { reply } from '../commands/reply';
import { writeResponseSchema } from '../commands/write-schemas';
import type { JsonSchema, RouteDoc } from '../http/openapi';
import { parseMinPosition } from '../http/query-params';
import { recordedUnder } from '../wallets/wallet-commands';
import { RULE_SET_BODY, RULE_SET_PROPERTIES, parseRuleSet, ruleSetBody } from './rule-set-body';
import { ListRuleSetsQuery, RULE_SET_PROJECTIONS } from './rule-sets.queries';

const LISTING_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['businessDate', 'inForce', 'ruleSets'],
  properties: {
    businessDate: { type: 'string', format: 'date', description: "today's business date" },
    inForce: { type: 'string', description: 'the version in force on it' },
    ruleSets: {
      type: 'array',
      description: 'every version, by effective date',
      items: {
        type: 'object',
        required: [...Object.keys(RULE_SET_PROPERTIES), 'status', 'applies', 'proposedOn', 'proposedBy', 'adoptedOn'],
        properties: {
          ...RULE_SET_PROPERTIES,
          status: { type: 'string', enum: ['built-in', 'proposed', 'adopted'], description: 'built-in: shipped with IFW; proposed: recorded, in force nowhere; adopted: in force from its effective date' },
          applies: { type: 'string', enum: ['now', 'before', 'later'], nullable: true, description: 'now: in force today; before: in force on earlier dates; later: takes effect ahead; null: a proposal' },
          proposedOn: { type: 'string', format: 'date', nullable: true },
          proposedBy: { type: 'string', nullable: true, description: 'the principal who proposed it' },
          adoptedOn: { type: 'string', format: 'date', nullable: true },
        },
      },
    },
  },
};

export const COMPLIANCE_ROUTES: RouteDoc[] = [
  {
    method: 'post',
    path: '/compliance/rules',
    summary: 'Propose a rule set: the instant-redemption cap and the payment-account tiers, with the date it takes effect',
    description:
      'A proposal changes nothing in force. Rebuild under it (POST /compliance/rebuilds) to see what it would change and which past commands it would have refused; promoting that rebuild adopts it, which needs an effective date after today.',
    tag: 'compliance',
    roles: ['compliance'],
    body: RULE_SET_BODY,
    idempotent: true,
    responses: {
      201: { description: 'the set, proposed', schema: writeResponseSchema('the rule set proposed', { ...RULE_SET_PROPERTIES, status: { type: 'string', enum: ['proposed'] } }) },
      422: { description: 'RULE_SET_EXISTS (the version is taken), EFFECTIVE_DATE_TAKEN (another set takes effect that day) or RULE_BOOK_FULL' },
    },
  },
  {
    method: 'get',
    path: '/compliance/rules',
    summary: 'Every rule set version: built in, proposed and adopted, and the one in force today',
    tag: 'compliance',
    roles: ['compliance', 'operator', 'auditor'],
    readsProjections: RULE_SET_PROJECTIONS,
    responses: { 200: { description: 'the versions by effective date', schema: LISTING_SCHEMA } },
  },
];

@Controller('compliance')
export class ComplianceController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly calendar: BusinessCalendar,
  ) {}

  @Post('rules')
  @Staff('compliance')
  async propose(@Command() context: CommandContext, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    const ruleSet = parseRuleSet(body);
    const today = await this.calendar.today();
    const command = new DecideCommand(context, RULE_BOOK, RULE_BOOK_STREAM, { type: 'ProposeRuleSet', ruleSet }, recordedUnder(today), () => ({
      status: 201,
      body: { ...ruleSetBody(ruleSet), status: 'proposed' },
    }));
    return reply(response, await this.commands.execute(command));
  }

  @Get('rules')
  @Staff('compliance', 'operator', 'auditor')
  list(@Query() query: Record<string, unknown>) {
    return this.queries.execute(new ListRuleSetsQuery(parseMinPosition(query.minPosition)));
  }
}
