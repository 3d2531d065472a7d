import { Body, Controller, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import { AS_OF_QUERY, AsOfResolver } from '../as-of/as-of';
import { ACCOUNT_TIERS } from '../../domain/rules/rule-set';
import { Staff, WalletOwnerOr } from '../auth/access.decorator';
import type { CommandContext } from '../commands/command-context';
import { Command } from '../commands/command-context.decorator';
import { reply } from '../commands/reply';
import { FUND_CODE_FIELD, defineBody } from '../http/body-schema';
import type { JsonSchema, RouteDoc, RouteResponse } from '../http/openapi';
import { PAGE_LIMITS, PAGE_LIMIT_SCHEMA, parseChoice, parseDateRange, parseMinPosition, parsePage } from '../http/query-params';
import { validateBody, validateParam } from '../http/validate-body';
import { TRANSACTION_KINDS } from '../../projections/read-models/transactions.projection';
import { Transfers } from '../processes/processes.module';
import { GetWalletQuery } from './get-wallet.query';
import { InstantWithdrawals } from './instant-withdrawals';
import { Rebalances } from './rebalances';
import { WalletCommands } from './wallet-commands';
import { CSV_CONTENT_TYPE, prefersCsv, transactionsCsv } from './transactions-csv';
import { CASH_MOVED_SCHEMA, INSTANT_WITHDRAWAL_SCHEMA, PAYMENT_SCHEMA, PURCHASE_SCHEMA, ACCOUNT_TIER_SCHEMA, REBALANCE_SCHEMA, REBALANCING_SCHEMA, REDEMPTION_SCHEMA, TRANSACTION_PAGE_SCHEMA, WALLET_VIEW_SCHEMA } from './wallet-schemas';
import { ListWalletTransactionsQuery, type TransactionPage } from './wallet-transactions.query';
import type { WalletView } from './wallet-view';

/** Switches one request may start: each is a process of its own. */
const MAX_SWITCHES = 10;
const AMOUNT = { kind: 'amount', description: 'CNY, at most 2 decimals', example: '100.00' } as const;
const CASH_BODY = defineBody({ amount: AMOUNT });
const PAYMENT_BODY = defineBody({ toWalletId: { kind: 'id', description: 'the wallet paid' }, amount: AMOUNT });
const PURCHASE_BODY = defineBody({ fundCode: FUND_CODE_FIELD, amount: AMOUNT });
const REBALANCE_BODY = defineBody({
  switches: {
    kind: 'list',
    minItems: 1,
    maxItems: MAX_SWITCHES,
    description: 'the switches to make, each from one fund of the wallet into another',
    item: { fromFund: FUND_CODE_FIELD, toFund: FUND_CODE_FIELD, amount: AMOUNT },
  },
});
const REBALANCING_BODY = defineBody({
  mode: { kind: 'enum', values: ['automatic', 'manual'], description: "automatic: each day close's proposal for the wallet is made as fund switches; manual (the default): proposals are only shown" },
});
const ACCOUNT_TIER_BODY = defineBody({
  tier: { kind: 'enum', values: ACCOUNT_TIERS, description: "the payment-account type the owner's identity is now verified for: raised, never lowered" },
});
const REDEMPTION_BODY = defineBody({
  fundCode: FUND_CODE_FIELD,
  amount: AMOUNT,
  mode: { kind: 'enum', values: ['instant', 'standard'], description: 'instant pays now within the daily cap; standard pays the next business day' },
});

/** The refusals of AsOfResolver, which the as-of reads share. */
const AS_OF_REFUSED: RouteResponse = {
  description: "AS_OF_BEFORE_LOG: asOf is before the log's first event; BUSINESS_DATE_NOT_CLOSED: no close of asOfBusinessDate was recorded",
};

const money = (summary: string, path: string, body: RouteDoc['body'], schema: JsonSchema, extra: Partial<RouteDoc> = {}): RouteDoc => ({
  method: 'post',
  path,
  summary,
  tag: 'wallets',
  roles: ['customer (own wallet)', 'merchant (own wallet)'],
  params: { walletId: 'id' },
  body,
  idempotent: true,
  responses: {
    201: { description: 'written; `position` is the event store position of the write', schema },
    404: { description: 'no such wallet or fund' },
    422: { description: 'a business rule refused it (INSUFFICIENT_FUNDS, INSUFFICIENT_HOLDING, INSTANT_CAP_EXCEEDED, SELF_PAYMENT, ACCOUNT_TIER_LIMIT, ACCOUNT_TIER_FORBIDS_FUNDS)' },
  },
  ...extra,
});

export const WALLET_ROUTES: RouteDoc[] = [
  money('Deposit from the owner\'s bank card', '/wallets/{walletId}/deposits', CASH_BODY, CASH_MOVED_SCHEMA),
  money('Withdraw to the owner\'s bank card', '/wallets/{walletId}/withdrawals', CASH_BODY, CASH_MOVED_SCHEMA),
  money('Pay another wallet', '/wallets/{walletId}/payments', PAYMENT_BODY, PAYMENT_SCHEMA),
  money('Buy a money fund (confirmed the next business day)', '/wallets/{walletId}/purchases', PURCHASE_BODY, PURCHASE_SCHEMA),
  money('Redeem a money fund, instant or standard', '/wallets/{walletId}/redemptions', REDEMPTION_BODY, REDEMPTION_SCHEMA),
  {
    method: 'post',
    path: '/wallets/{walletId}/rebalancing',
    summary: "Opt in to (or out of) automatic rebalancing by the day close's proposals",
    tag: 'wallets',
    roles: ['customer (own wallet)', 'merchant (own wallet)', 'operator'],
    params: { walletId: 'id' },
    body: REBALANCING_BODY,
    idempotent: true,
    responses: { 200: { description: 'the mode recorded', schema: REBALANCING_SCHEMA }, 404: { description: 'no such wallet' } },
  },
  {
    method: 'post',
    path: '/wallets/{walletId}/account-tier',
    summary: "Raise a customer wallet's PBoC payment-account type after further verification of its owner",
    tag: 'wallets',
    roles: ['operator', 'compliance'],
    params: { walletId: 'id' },
    body: ACCOUNT_TIER_BODY,
    idempotent: true,
    responses: {
      200: { description: 'the tier recorded (unchanged when it already was that tier)', schema: ACCOUNT_TIER_SCHEMA },
      404: { description: 'no such wallet' },
      422: { description: 'TIER_NOT_RAISED (a lower tier than the present one) or NO_ACCOUNT_TIER (a merchant wallet)' },
    },
  },
  {
    method: 'post',
    path: '/wallets/{walletId}/instant-withdrawals',
    summary: "Pay a merchant out at once from its cash and its funds' instant quotas, as a process",
    description:
      "The amount is split across the wallet's cash and its funds by what each may still redeem instantly today; each fund is redeemed instantly, then the total is paid to the merchant's bank card. " +
      'When cash and quotas cannot cover it, nothing moves (the process ends `Nothing moved`); when a redemption or the payout is refused, what was redeemed is bought back.',
    tag: 'wallets',
    roles: ['merchant (own wallet)', 'operator'],
    params: { walletId: 'id' },
    body: CASH_BODY,
    idempotent: true,
    responses: {
      202: { description: 'the withdrawal started', schema: INSTANT_WITHDRAWAL_SCHEMA },
      404: { description: 'no such wallet' },
      422: { description: 'NOT_A_MERCHANT' },
    },
  },
  {
    method: 'post',
    path: '/wallets/{walletId}/rebalances',
    summary: 'Switch holdings between money funds, as fund switch processes',
    description:
      'Each switch redeems `amount` from `fromFund` (instantly within what is left of the day\'s cap, else standard, paid at the next close), waits for the cash, buys `toFund` with it and waits for the purchase\'s confirmation. ' +
      'All switches are checked before any starts; a purchase refused after the redemption leaves the cash in the wallet.',
    tag: 'wallets',
    roles: ['customer (own wallet)', 'merchant (own wallet)', 'operator'],
    params: { walletId: 'id' },
    body: REBALANCE_BODY,
    idempotent: true,
    responses: {
      202: { description: 'the fund switches started', schema: REBALANCE_SCHEMA },
      404: { description: 'no such wallet' },
      409: { description: 'UNKNOWN_FUND: a fund not registered (yet), naming the switch and its field' },
      422: { description: 'INSUFFICIENT_HOLDING, naming the switch and its field' },
    },
  },
  {
    method: 'get',
    path: '/wallets/{walletId}',
    summary: "Cash, holdings, pending amounts, income and today's instant quota left per fund",
    description:
      'With `asOf` (a recorded time) or `asOfBusinessDate` (the end of that business day\'s close), the wallet exactly as this route answered then: ' +
      'the same read model code applied to the events recorded up to that moment, with the business date, rule set and instant quota of then. 404 when the wallet was not open then.',
    tag: 'wallets',
    roles: ['customer (own wallet)', 'merchant (own wallet)', 'operator', 'auditor'],
    params: { walletId: 'id' },
    query: AS_OF_QUERY,
    readsProjections: ['wallets', 'calendar'],
    responses: { 200: { description: 'the wallet', schema: WALLET_VIEW_SCHEMA }, 404: { description: 'no such wallet (with asOf: none open then)' }, 422: AS_OF_REFUSED },
  },
  {
    method: 'get',
    path: '/wallets/{walletId}/transactions',
    summary: "The wallet's movements of cash and fund holdings, newest first, as JSON or CSV",
    description:
      'Paged by cursor: pass `nextCursor` back as `cursor` with the same filters; a page after a cursor starts strictly after it, so rows added meanwhile neither repeat nor are skipped. ' +
      'With `Accept: text/csv` the same page comes as RFC 4180 CSV (a header line, then the columns id, kind, asset, amount, fundCode, counterpartyWalletId, reference, businessDate, valueDate, position, recordedAt; ' +
      'money as signed decimal strings, nulls as empty fields), and the next page is named by a `Link: <…>; rel="next"` header (absent on the last page). ' +
      'With `asOf` or `asOfBusinessDate`, the rows recorded up to that moment, paged and filtered the same way; a cursor is bound to its moment, so pass the same one with it.',
    tag: 'wallets',
    roles: ['customer (own wallet)', 'merchant (own wallet)', 'operator', 'auditor'],
    params: { walletId: 'id' },
    query: {
      limit: { description: `Rows per page, 1 to ${PAGE_LIMITS.maxLimit}; default ${PAGE_LIMITS.defaultLimit}.`, schema: PAGE_LIMIT_SCHEMA },
      cursor: { description: '`nextCursor` of the previous page, exactly as received.', schema: { type: 'string' } },
      kind: { description: 'Only rows of this kind.', schema: { type: 'string', enum: [...TRANSACTION_KINDS] } },
      from: { description: 'Only rows of this business date or later.', schema: { type: 'string', format: 'date' } },
      to: { description: 'Only rows of this business date or earlier; not before `from`.', schema: { type: 'string', format: 'date' } },
      ...AS_OF_QUERY,
    },
    readsProjections: ['transactions', 'wallets'],
    responses: {
      200: { description: 'one page of movements (JSON; CSV when asked for with Accept: text/csv)', schema: TRANSACTION_PAGE_SCHEMA },
      404: { description: 'no such wallet (with asOf: none open then)' },
      422: AS_OF_REFUSED,
    },
  },
];

@Controller('wallets/:walletId')
export class WalletsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly wallets: WalletCommands,
    private readonly transfers: Transfers,
    private readonly rebalances: Rebalances,
    private readonly instantWithdrawals: InstantWithdrawals,
    private readonly asOf: AsOfResolver,
  ) {}

  @Get()
  @WalletOwnerOr('walletId', 'operator', 'auditor')
  async view(@Param('walletId') walletIdParam: string, @Query() query: Record<string, unknown>): Promise<WalletView> {
    const walletId = validateParam('walletId', 'id', walletIdParam);
    const minPosition = parseMinPosition(query.minPosition);
    return this.queries.execute(new GetWalletQuery(walletId, minPosition, await this.asOf.resolve(query)));
  }

  @Get('transactions')
  @WalletOwnerOr('walletId', 'operator', 'auditor')
  async transactions(
    @Param('walletId') walletIdParam: string,
    @Query() query: Record<string, unknown>,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<TransactionPage | string> {
    const walletId = validateParam('walletId', 'id', walletIdParam);
    const page = parsePage(query.limit, query.cursor);
    const filters = { kind: parseChoice('kind', query.kind, TRANSACTION_KINDS), ...parseDateRange(query.from, query.to) };
    const minPosition = parseMinPosition(query.minPosition);
    const asOf = await this.asOf.resolve(query);
    const result = await this.queries.execute(new ListWalletTransactionsQuery(walletId, filters, page, minPosition, asOf));
    // The same URL answers JSON or CSV, so a cache must key on Accept.
    response.header('vary', 'Accept');
    if (!prefersCsv(accept)) return result;
    response.header('content-type', CSV_CONTENT_TYPE);
    if (result.nextCursor !== null) {
      const next = new URLSearchParams({ limit: String(page.limit), cursor: result.nextCursor });
      for (const [name, value] of Object.entries(filters)) if (value !== undefined) next.set(name, value);
      if (asOf) next.set(asOf.parameter.name, asOf.parameter.value);
      response.header('link', `</wallets/${walletId}/transactions?${next.toString()}>; rel="next"`);
    }
    return transactionsCsv(result.items);
  }

  @Post('deposits')
  @WalletOwnerOr('walletId')
  async deposit(@Command() context: CommandContext, @Param('walletId') walletId: string, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    const { amount } = validateBody(CASH_BODY, body);
    return reply(response, await this.commands.execute(await this.wallets.moveCash(context, validateParam('walletId', 'id', walletId), 'deposit', amount)));
  }

  @Post('withdrawals')
  @WalletOwnerOr('walletId')
  async withdraw(@Command() context: CommandContext, @Param('walletId') walletId: string, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    const { amount } = validateBody(CASH_BODY, body);
    return reply(response, await this.commands.execute(await this.wallets.moveCash(context, validateParam('walletId', 'id', walletId), 'withdrawal', amount)));
  }

  @Post('payments')
  @WalletOwnerOr('walletId')
  async pay(@Command() context: CommandContext, @Param('walletId') walletId: string, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    const { toWalletId, amount } = validateBody(PAYMENT_BODY, body);
    const command = await this.wallets.sendPayment(context, validateParam('walletId', 'id', walletId), toWalletId, amount);
    return reply(response, await this.transfers.completed(await this.commands.execute(command)));
  }

  @Post('purchases')
  @WalletOwnerOr('walletId')
  async purchase(@Command() context: CommandContext, @Param('walletId') walletId: string, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    const { fundCode, amount } = validateBody(PURCHASE_BODY, body);
    const command = await this.wallets.purchase(context, validateParam('walletId', 'id', walletId), fundCode, amount);
    return reply(response, await this.transfers.completed(await this.commands.execute(command)));
  }

  @Post('account-tier')
  @Staff('operator', 'compliance')
  async accountTier(@Command() context: CommandContext, @Param('walletId') walletId: string, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    const { tier } = validateBody(ACCOUNT_TIER_BODY, body);
    return reply(response, await this.commands.execute(await this.wallets.raiseAccountTier(context, validateParam('walletId', 'id', walletId), tier)));
  }

  @Post('rebalancing')
  @WalletOwnerOr('walletId', 'operator')
  async rebalancing(@Command() context: CommandContext, @Param('walletId') walletId: string, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    const { mode } = validateBody(REBALANCING_BODY, body);
    return reply(response, await this.commands.execute(await this.wallets.setRebalancing(context, validateParam('walletId', 'id', walletId), mode)));
  }

  @Post('instant-withdrawals')
  @WalletOwnerOr('walletId', 'operator')
  async instantWithdrawal(@Command() context: CommandContext, @Param('walletId') walletId: string, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    const { amount } = validateBody(CASH_BODY, body);
    return reply(response, { status: 202, body: await this.instantWithdrawals.start(context, validateParam('walletId', 'id', walletId), amount) });
  }

  @Post('rebalances')
  @WalletOwnerOr('walletId', 'operator')
  async rebalance(@Command() context: CommandContext, @Param('walletId') walletId: string, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    const { switches } = validateBody(REBALANCE_BODY, body);
    const requested = switches.map(({ fromFund, toFund, amount }) => ({ fromFund, toFund, amountFen: amount }));
    const started = await this.rebalances.start(context, validateParam('walletId', 'id', walletId), requested);
    return reply(response, { status: 202, body: started });
  }

  @Post('redemptions')
  @WalletOwnerOr('walletId')
  async redeem(@Command() context: CommandContext, @Param('walletId') walletId: string, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    const { fundCode, amount, mode } = validateBody(REDEMPTION_BODY, body);
    const command = await this.wallets.redeem(context, validateParam('walletId', 'id', walletId), fundCode, amount, mode);
    return reply(response, await this.transfers.completed(await this.commands.execute(command)));
  }
}
