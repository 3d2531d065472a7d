import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
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
import type { RouteDoc } from '../http/openapi';
import { defineBody } from '../http/body-schema';
import { parseMinPosition } from '../http/query-params';
import { validateBody, validateParam } from '../http/validate-body';
import { REPORT_WAIT_MS, type RuleChangeJob, RuleChangeJobs } from './rule-change-jobs';
import { RULE_DEPENDENT_PROJECTIONS } from './rule-change-rebuild';
import { recordedUnder } from '../wallets/wallet-commands';
import { RULE_SET_BODY, parseRuleSet, ruleSetBody } from './rule-set-body';
import { JOB_SCHEMA, LISTING_SCHEMA, RULE_SET_PROPERTIES } from './compliance.schemas';
import { ListRuleSetsQuery, RULE_SET_PROJECTIONS } from './rule-sets.queries';

const REBUILD_BODY = defineBody({
  rules: { ...RULE_SET_BODY.version, description: 'the version of a proposed (or adopted) rule set' },
  projections: {
    kind: 'choices',
    values: RULE_DEPENDENT_PROJECTIONS,
    minItems: 1,
    optional: true,
    description: 'the read models to rebuild, among those whose content depends on the rules (today compliance alone, whose report is the diff; default: all of them)',
  },
  appliesFrom: {
    kind: 'isoDate',
    optional: true,
    description: "the date the shadow applies the set from (default: its effective date); an earlier date shows what the set would have refused since, and such a rebuild cannot be promoted",
  },
});


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
  {
    method: 'post',
    path: '/compliance/rebuilds',
    summary: 'Rebuild the rule-dependent read models under a rule set, beside the served ones, and report what it changes',
    description: `Builds a shadow of the compliance read model with the set in force from \`appliesFrom\`, and compares, on the evaluation date, every wallet's standing (payment limit and what it leaves, fund purchases, instant quotas) under the rules in force and under the set, and lists the past events the set would have refused. Nothing is written to the log. Answers when the report is in, or 202 after ${REPORT_WAIT_MS / 1000} s.`,
    tag: 'compliance',
    roles: ['compliance'],
    body: REBUILD_BODY,
    responses: {
      201: { description: 'the report', schema: JOB_SCHEMA },
      202: { description: 'still running: follow it in GET /compliance/rebuilds/{rebuildId}', schema: JOB_SCHEMA },
      404: { description: 'no such rule set' },
      409: { description: 'REBUILD_IN_PROGRESS (one runs already) or REBUILD_FAILED (the shadow halted)' },
    },
  },
  {
    method: 'get',
    path: '/compliance/rebuilds/{rebuildId}',
    summary: 'A rebuild under a rule set: its state and report',
    tag: 'compliance',
    roles: ['compliance', 'auditor'],
    params: { rebuildId: 'id' },
    responses: { 200: { description: 'the rebuild', schema: JOB_SCHEMA }, 404: { description: 'no such rebuild' } },
  },
  {
    method: 'post',
    path: '/compliance/rebuilds/{rebuildId}/promote',
    summary: 'Adopt the rule set of a rebuild and serve its shadow',
    description: 'Records the adoption in the rule book (in force from its effective date) and switches readers to the shadow, caught up. History is not re-decided: only a rebuild that applied the set from its own effective date, still ahead, can be promoted.',
    tag: 'compliance',
    roles: ['compliance'],
    params: { rebuildId: 'id' },
    idempotent: true,
    responses: {
      200: { description: 'adopted and served (again: already promoted)', schema: JOB_SCHEMA },
      404: { description: 'no such rebuild' },
      409: { description: 'REBUILD_NOT_BUILT, REBUILD_NOT_PROMOTABLE (applied from another date) or SHADOW_REPLACED (a later rebuild took its place)' },
      422: { description: 'RULES_EFFECTIVE_IN_PAST: the effective date is no longer ahead' },
    },
  },
];

@Controller('compliance')
export class ComplianceController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly calendar: BusinessCalendar,
    private readonly ruleChanges: RuleChangeJobs,
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

  @Post('rebuilds')
  @Staff('compliance')
  async rebuild(@Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply): Promise<RuleChangeJob> {
    const { rules, appliesFrom, projections } = validateBody(REBUILD_BODY, body);
    const job = await this.ruleChanges.start(rules, appliesFrom, projections ?? RULE_DEPENDENT_PROJECTIONS);
    response.status(job.state === 'running' ? 202 : 201);
    return job;
  }

  @Get('rebuilds/:rebuildId')
  @Staff('compliance', 'auditor')
  rebuildJob(@Param('rebuildId') rebuildId: string): Promise<RuleChangeJob> {
    return this.ruleChanges.job(validateParam('rebuildId', 'id', rebuildId));
  }

  @Post('rebuilds/:rebuildId/promote')
  @Staff('compliance')
  async promote(@Command() context: CommandContext, @Param('rebuildId') rebuildId: string, @Res({ passthrough: true }) response: FastifyReply): Promise<RuleChangeJob> {
    const job = await this.ruleChanges.promote(context, validateParam('rebuildId', 'id', rebuildId));
    response.status(200);
    return job;
  }
}
