import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import { WalletOwnerOr } from '../auth/access.decorator';
import type { CommandContext } from '../commands/command-context';
import { Command } from '../commands/command-context.decorator';
import { reply } from '../commands/reply';
import { FUND_CODE_FIELD, defineBody } from '../http/body-schema';
import type { RouteDoc } from '../http/openapi';
import { validateBody, validateParam } from '../http/validate-body';
import { MoveCashCommand } from './move-cash.command';
import { PurchaseFundCommand } from './purchase-fund.command';
import { RedeemFundCommand } from './redeem-fund.command';
import { SendPaymentCommand } from './send-payment.command';
import { type WalletView, WalletViewQuery } from './wallet-view';

const AMOUNT = { kind: 'amount', description: 'CNY, at most 2 decimals', example: '100.00' } as const;
const CASH_BODY = defineBody({ amount: AMOUNT });
const PAYMENT_BODY = defineBody({ toWalletId: { kind: 'id', description: 'the wallet paid' }, amount: AMOUNT });
const PURCHASE_BODY = defineBody({ fundCode: FUND_CODE_FIELD, amount: AMOUNT });
const REDEMPTION_BODY = defineBody({
  fundCode: FUND_CODE_FIELD,
  amount: AMOUNT,
  mode: { kind: 'enum', values: ['instant', 'standard'], description: 'instant pays now within the daily cap; standard pays the next business day' },
});

const money = (summary: string, path: string, body: RouteDoc['body'], extra: Partial<RouteDoc> = {}): RouteDoc => ({
  method: 'post',
  path,
  summary,
  tag: 'wallets',
  roles: ['customer (own wallet)', 'merchant (own wallet)'],
  params: { walletId: 'id' },
  body,
  idempotent: true,
  responses: {
    201: { description: 'written; `position` is the event store position of the write' },
    404: { description: 'no such wallet or fund' },
    422: { description: 'a business rule refused it (INSUFFICIENT_FUNDS, INSUFFICIENT_HOLDING, INSTANT_CAP_EXCEEDED, SELF_PAYMENT)' },
  },
  ...extra,
});

export const WALLET_ROUTES: RouteDoc[] = [
  money('Deposit from the owner\'s bank card', '/wallets/{walletId}/deposits', CASH_BODY),
  money('Withdraw to the owner\'s bank card', '/wallets/{walletId}/withdrawals', CASH_BODY),
  money('Pay another wallet', '/wallets/{walletId}/payments', PAYMENT_BODY),
  money('Buy a money fund (confirmed the next business day)', '/wallets/{walletId}/purchases', PURCHASE_BODY),
  money('Redeem a money fund, instant or standard', '/wallets/{walletId}/redemptions', REDEMPTION_BODY),
  {
    method: 'get',
    path: '/wallets/{walletId}',
    summary: 'Cash, holdings, pending amounts and today\'s instant quota left per fund',
    tag: 'wallets',
    roles: ['customer (own wallet)', 'merchant (own wallet)', 'operator', 'auditor'],
    params: { walletId: 'id' },
    responses: { 200: { description: 'the wallet' }, 404: { description: 'no such wallet' } },
  },
];

@Controller('wallets/:walletId')
export class WalletsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly wallets: WalletViewQuery,
  ) {}

  @Get()
  @WalletOwnerOr('walletId', 'operator', 'auditor')
  view(@Param('walletId') walletId: string): Promise<WalletView> {
    return this.wallets.view(validateParam('walletId', 'id', walletId));
  }

  @Post('deposits')
  @WalletOwnerOr('walletId')
  async deposit(@Command() context: CommandContext, @Param('walletId') walletId: string, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    const { amount } = validateBody(CASH_BODY, body);
    return reply(response, await this.commands.execute(new MoveCashCommand(context, validateParam('walletId', 'id', walletId), 'deposit', amount)));
  }

  @Post('withdrawals')
  @WalletOwnerOr('walletId')
  async withdraw(@Command() context: CommandContext, @Param('walletId') walletId: string, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    const { amount } = validateBody(CASH_BODY, body);
    return reply(response, await this.commands.execute(new MoveCashCommand(context, validateParam('walletId', 'id', walletId), 'withdrawal', amount)));
  }

  @Post('payments')
  @WalletOwnerOr('walletId')
  async pay(@Command() context: CommandContext, @Param('walletId') walletId: string, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    const { toWalletId, amount } = validateBody(PAYMENT_BODY, body);
    return reply(response, await this.commands.execute(new SendPaymentCommand(context, validateParam('walletId', 'id', walletId), toWalletId, amount)));
  }

  @Post('purchases')
  @WalletOwnerOr('walletId')
  async purchase(@Command() context: CommandContext, @Param('walletId') walletId: string, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    const { fundCode, amount } = validateBody(PURCHASE_BODY, body);
    return reply(response, await this.commands.execute(new PurchaseFundCommand(context, validateParam('walletId', 'id', walletId), fundCode, amount)));
  }

  @Post('redemptions')
  @WalletOwnerOr('walletId')
  async redeem(@Command() context: CommandContext, @Param('walletId') walletId: string, @Body() body: unknown, @Res({ passthrough: true }) response: FastifyReply) {
    const { fundCode, amount, mode } = validateBody(REDEMPTION_BODY, body);
    return reply(response, await this.commands.execute(new RedeemFundCommand(context, validateParam('walletId', 'id', walletId), fundCode, amount, mode)));
  }
}
