import { Body, Controller, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import type { PartyKind } from '../../domain/party/party.decider';
import { Staff } from '../auth/access.decorator';
import type { CommandContext } from '../commands/command-context';
import { Command } from '../commands/command-context.decorator';
import { reply } from '../commands/reply';
import { NAME_FIELD, defineBody } from '../http/body-schema';
import type { RouteDoc } from '../http/openapi';
import { validateBody } from '../http/validate-body';
import { RegisterPartyCommand } from './register-party.command';

const PARTY_BODY = defineBody({ name: { ...NAME_FIELD, description: 'display name', example: 'Li Wei' } });

const register = (kind: PartyKind): RouteDoc => ({
  method: 'post',
  path: `/${kind}s`,
  summary: `Open a ${kind} with a wallet; the API key is shown once`,
  tag: 'parties',
  roles: ['operator'],
  body: PARTY_BODY,
  idempotent: true,
  responses: { 201: { description: `{ id, walletId, apiKey } — a replay with the same Idempotency-Key omits apiKey` } },
});

export const PARTY_ROUTES: RouteDoc[] = [register('customer'), register('merchant')];

/** Customers and merchants are opened by operators (after identity checks, which happen outside IFW). */
@Controller()
export class PartiesController {
  constructor(private readonly commands: CommandBus) {}

  @Post('customers')
  @Staff('operator')
  customer(@Command() context: CommandContext, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    return this.register(context, 'customer', body, response);
  }

  @Post('merchants')
  @Staff('operator')
  merchant(@Command() context: CommandContext, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    return this.register(context, 'merchant', body, response);
  }

  private async register(context: CommandContext, kind: PartyKind, body: unknown, response: FastifyReply) {
    const { name } = validateBody(PARTY_BODY, body);
    return reply(response, await this.commands.execute(new RegisterPartyCommand(context, kind, name)));
  }
}
