import { Body, Controller, Delete, Get, Param, Post, Query, Res } from '@nestjs/common';
import { Transfers } from '../processes/processes.module';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import { MAX_ACTIVE_KEYS, type PartyKind } from '../../domain/party/party.decider';
import { ACCOUNT_TIERS } from '../../domain/rules/rule-set';
import { PartyOrStaff, Staff } from '../auth/access.decorator';
import type { CommandContext } from '../commands/command-context';
import { Command } from '../commands/command-context.decorator';
import { reply } from '../commands/reply';
import { NAME_FIELD, defineBody } from '../http/body-schema';
import type { RouteDoc } from '../http/openapi';
import { PAGE_LIMIT_QUERY, parseDate, parseMinPosition, parsePage, parseSearch } from '../http/query-params';
import { validateBody, validateParam } from '../http/validate-body';
import { CALENDAR_PROJECTION } from '../intelligence/last-closed-date';
import { BANK_CARD, ERASED_NAME, PHONE, passesLuhn } from '../../personal-data/personal-details';
import { HttpProblem } from '../http/problem';
import { ERASED_PARTY_SCHEMA, ISSUED_KEY_SCHEMA, PARTY_KEYS_SCHEMA, PARTY_PAGE_SCHEMA, PROFILE_SCHEMA, REGISTERED_PARTY_SCHEMA, REVOKED_KEY_SCHEMA } from './parties.schemas';
import { GetMerchantProfileQuery, ListPartiesQuery, ListPartyKeysQuery, MERCHANT_PROFILES_PROJECTION, PARTIES_PROJECTION } from './parties.queries';
import { PartyCommands } from './party-commands';
import { PartyErasure } from './party-erasure';

const MERCHANT_BODY = defineBody({
  name: { ...NAME_FIELD, description: 'display name', example: 'Li Wei' },
  phone: {
    kind: 'string',
    minLength: 9,
    maxLength: 16,
    pattern: PHONE,
    patternDescription: 'an E.164 number: a plus, the country code and the number, digits only, such as "+8613800138000"',
    optional: true,
    description: 'the phone number, E.164',
    example: '+8613800138000',
  },
  bankCard: {
    kind: 'string',
    minLength: 13,
    maxLength: 19,
    pattern: BANK_CARD,
    patternDescription: 'the card number, 13 to 19 digits without spaces',
    optional: true,
    description: 'the bank card cash is withdrawn to and deposited from, its digits (Luhn-checked); answers show only its last four',
    example: '6222020200000000006',
  },
});
const CUSTOMER_BODY = defineBody({
  ...MERCHANT_BODY,
  accountTier: {
    kind: 'enum',
    values: ACCOUNT_TIERS,
    optional: true,
    description: "the PBoC payment-account type the customer's identity was verified for (default I: 1,000 CNY of payments in total, no fund purchases); raised later by POST /wallets/{walletId}/account-tier",
  },
});

const register = (kind: PartyKind): RouteDoc => ({
  method: 'post',
  path: `/${kind}s`,
  summary: `Open a ${kind} with a wallet; the API key is shown once`,
  tag: 'parties',
  roles: ['operator'],
  body: kind === 'customer' ? CUSTOMER_BODY : MERCHANT_BODY,
  idempotent: true,
  responses: { 201: { description: `the ${kind} and its wallet, opened; a replay with the same Idempotency-Key omits apiKey`, schema: REGISTERED_PARTY_SCHEMA } },
});

const list = (kind: PartyKind): RouteDoc => ({
  method: 'get',
  path: `/${kind}s`,
  summary: `The ${kind}s by name, with their wallet ids, phones and masked bank cards; search by name or by id`,
  tag: 'parties',
  roles: ['operator'],
  query: {
    limit: PAGE_LIMIT_QUERY,
    cursor: { description: 'nextCursor of the previous page, exactly as received, with the same name', schema: { type: 'string' } },
    name: { description: 'only names containing this, ignoring case', schema: { type: 'string', minLength: 1, maxLength: 100 } },
    id: { description: `the ${kind}'s id or its wallet's id: at most one ${kind}, on one page`, schema: { type: 'string', format: 'uuid' } },
  },
  readsProjections: [PARTIES_PROJECTION],
  responses: { 200: { description: `one page of ${kind}s, by name`, schema: PARTY_PAGE_SCHEMA } },
});

const EMPTY_BODY = defineBody({});

const erase = (kind: PartyKind): RouteDoc => ({
  method: 'post',
  path: `/${kind}s/{${kind}Id}/erasure`,
  summary: `Erase a ${kind}'s personal details (PIPL): name, phone and bank card read as erased everywhere`,
  description:
    `Records PersonErased on the party's stream and deletes the key its details were sealed under; the reads answer "${ERASED_NAME}" for the name and leave out phone and bank card. The wallet, its money and its API key are untouched. A second erasure changes nothing and answers the same. See docs/personal-data.md.`,
  tag: 'parties',
  roles: ['compliance'],
  params: { [`${kind}Id`]: 'id' },
  body: EMPTY_BODY,
  idempotent: true,
  responses: { 200: { description: "the person's details erased", schema: ERASED_PARTY_SCHEMA }, 404: { description: `no ${kind} of that id` } },
});

const KEY_ID_PARAM = { kind: 'string', minLength: 16, maxLength: 16, pattern: /^[0-9a-f]{16}$/, patternDescription: "16 lower-case hex digits, the keyId of the party's key listing" } as const;

const keyRoutes = (kind: PartyKind): RouteDoc[] => [
  {
    method: 'post',
    path: `/${kind}s/{${kind}Id}/keys`,
    summary: `Issue the ${kind} a new API key; it is shown once`,
    description: `For a lost registration answer or a new device; the ${kind}'s other keys go on working. At most ${MAX_ACTIVE_KEYS} keys are in use at once (422 TOO_MANY_KEYS: revoke one first).`,
    tag: 'parties',
    roles: ['operator'],
    params: { [`${kind}Id`]: 'id' },
    body: EMPTY_BODY,
    idempotent: true,
    responses: { 201: { description: 'the new key', schema: ISSUED_KEY_SCHEMA }, 404: { description: `no ${kind} of that id` } },
  },
  {
    method: 'get',
    path: `/${kind}s/{${kind}Id}/keys`,
    summary: `The ${kind}'s API keys, by id and dates, without their secrets`,
    tag: 'parties',
    roles: [`${kind} (itself)`, 'operator'],
    params: { [`${kind}Id`]: 'id' },
    readsProjections: [PARTIES_PROJECTION],
    responses: { 200: { description: 'every key issued, oldest first', schema: PARTY_KEYS_SCHEMA }, 404: { description: `no ${kind} of that id` } },
  },
  {
    method: 'delete',
    path: `/${kind}s/{${kind}Id}/keys/{keyId}`,
    summary: `Revoke one of the ${kind}'s API keys, at once`,
    description: 'The next request with the key is 401, in every process. Revoking a revoked key changes nothing and answers the same.',
    tag: 'parties',
    roles: [`${kind} (itself)`, 'operator'],
    params: { [`${kind}Id`]: 'id', keyId: KEY_ID_PARAM },
    idempotent: true,
    responses: { 200: { description: 'the key revoked', schema: REVOKED_KEY_SCHEMA }, 404: { description: `no ${kind} of that id` }, 422: { description: 'UNKNOWN_KEY: the party has no key of that id' } },
  },
];

export const PARTY_ROUTES: RouteDoc[] = [
  register('customer'),
  register('merchant'),
  list('customer'),
  list('merchant'),
  erase('customer'),
  erase('merchant'),
  ...keyRoutes('customer'),
  ...keyRoutes('merchant'),
  {
    method: 'get',
    path: '/merchants/{merchantId}/profile',
    summary: "The merchant's cash-flow profile as of a closed business date",
    description:
      'Daily inflow (deposits, payments received) and outflow (withdrawals, payments sent) over the business days of about the last year through `asOf`, with their weekday pattern, volatility and trend, closing-balance percentiles and withdrawal habits. Takes the merchant\'s id, not its wallet id.',
    tag: 'parties',
    roles: ['merchant (itself)', 'operator', 'auditor'],
    params: { merchantId: 'id' },
    query: { asOf: { description: 'a closed business date, YYYY-MM-DD; default the last closed date', schema: { type: 'string', format: 'date' } } },
    readsProjections: [PARTIES_PROJECTION, MERCHANT_PROFILES_PROJECTION, CALENDAR_PROJECTION],
    responses: { 200: { description: 'the profile', schema: PROFILE_SCHEMA }, 404: { description: 'no such merchant (the detail says which id the route takes), or no day closed yet' } },
  },
];

/**
 * Customers and merchants are opened by operators (after identity checks, which happen outside IFW); their
 * personal details are erased by compliance.
 */
@Controller()
export class PartiesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly parties: PartyCommands,
    private readonly erasure: PartyErasure,
    private readonly transfers: Transfers,
  ) {}

  @Get('customers')
  @Staff('operator')
  customers(@Query() query: Record<string, unknown>) {
    return this.list('customer', query);
  }

  @Get('merchants')
  @Staff('operator')
  merchants(@Query() query: Record<string, unknown>) {
    return this.list('merchant', query);
  }

  @Get('merchants/:merchantId/profile')
  @PartyOrStaff('merchantId', 'operator', 'auditor')
  profile(@Param('merchantId') merchantIdParam: string, @Query() query: Record<string, unknown>) {
    const merchantId = validateParam('merchantId', 'id', merchantIdParam);
    return this.queries.execute(new GetMerchantProfileQuery(merchantId, parseDate('asOf', query.asOf), parseMinPosition(query.minPosition)));
  }

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

  @Post('customers/:customerId/erasure')
  @Staff('compliance')
  eraseCustomer(@Command() context: CommandContext, @Param('customerId') id: string, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    return this.erase(context, 'customer', validateParam('customerId', 'id', id), body, response);
  }

  @Post('merchants/:merchantId/erasure')
  @Staff('compliance')
  eraseMerchant(@Command() context: CommandContext, @Param('merchantId') id: string, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    return this.erase(context, 'merchant', validateParam('merchantId', 'id', id), body, response);
  }

  @Post('customers/:customerId/keys')
  @Staff('operator')
  issueCustomerKey(@Command() context: CommandContext, @Param('customerId') id: string, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    return this.issueKey(context, 'customer', validateParam('customerId', 'id', id), body, response);
  }

  @Post('merchants/:merchantId/keys')
  @Staff('operator')
  issueMerchantKey(@Command() context: CommandContext, @Param('merchantId') id: string, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    return this.issueKey(context, 'merchant', validateParam('merchantId', 'id', id), body, response);
  }

  @Get('customers/:customerId/keys')
  @PartyOrStaff('customerId', 'operator')
  customerKeys(@Param('customerId') id: string, @Query() query: Record<string, unknown>) {
    return this.queries.execute(new ListPartyKeysQuery('customer', validateParam('customerId', 'id', id), parseMinPosition(query.minPosition)));
  }

  @Get('merchants/:merchantId/keys')
  @PartyOrStaff('merchantId', 'operator')
  merchantKeys(@Param('merchantId') id: string, @Query() query: Record<string, unknown>) {
    return this.queries.execute(new ListPartyKeysQuery('merchant', validateParam('merchantId', 'id', id), parseMinPosition(query.minPosition)));
  }

  @Delete('customers/:customerId/keys/:keyId')
  @PartyOrStaff('customerId', 'operator')
  revokeCustomerKey(@Command() context: CommandContext, @Param('customerId') id: string, @Param('keyId') keyId: string, @Res({ passthrough: true }) response: FastifyReply) {
    return this.revokeKey(context, 'customer', validateParam('customerId', 'id', id), keyId, response);
  }

  @Delete('merchants/:merchantId/keys/:keyId')
  @PartyOrStaff('merchantId', 'operator')
  revokeMerchantKey(@Command() context: CommandContext, @Param('merchantId') id: string, @Param('keyId') keyId: string, @Res({ passthrough: true }) response: FastifyReply) {
    return this.revokeKey(context, 'merchant', validateParam('merchantId', 'id', id), keyId, response);
  }

  private async issueKey(context: CommandContext, kind: PartyKind, partyId: string, body: unknown, response: FastifyReply) {
    validateBody(EMPTY_BODY, body ?? {});
    return reply(response, await this.commands.execute(await this.parties.issueKey(context, kind, partyId)));
  }

  private async revokeKey(context: CommandContext, kind: PartyKind, partyId: string, keyIdParam: string, response: FastifyReply) {
    const keyId = validateParam('keyId', KEY_ID_PARAM, keyIdParam);
    return reply(response, await this.commands.execute(await this.parties.revokeKey(context, kind, partyId, keyId)));
  }

  private async erase(context: CommandContext, kind: PartyKind, partyId: string, body: unknown, response: FastifyReply) {
    validateBody(EMPTY_BODY, body ?? {});
    return reply(response, await this.erasure.erase(context, kind, partyId));
  }

  private list(kind: PartyKind, query: Record<string, unknown>) {
    const page = parsePage(query.limit, query.cursor);
    const name = parseSearch('name', query.name);
    const id = query.id === undefined ? undefined : validateParam('id', 'id', query.id);
    return this.queries.execute(new ListPartiesQuery(kind, page, { name, id }, parseMinPosition(query.minPosition)));
  }

  private async register(context: CommandContext, kind: PartyKind, body: unknown, response: FastifyReply) {
    const registration = kind === 'customer' ? { accountTier: 'I' as const, ...validateBody(CUSTOMER_BODY, body) } : validateBody(MERCHANT_BODY, body);
    if (registration.bankCard !== undefined && !passesLuhn(registration.bankCard)) {
      throw HttpProblem.badRequest('bankCard', 'bankCard fails the Luhn check of card numbers: a digit is mistyped or missing');
    }
    const registered = await this.transfers.completed(await this.commands.execute(await this.parties.register(context, kind, registration)));
    return reply(response, await this.parties.withDetails(registered));
  }
}
