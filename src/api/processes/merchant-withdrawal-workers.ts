import type { JsonObject } from '../../eventstore';
import { type Fen, formatFen, parseAmount } from '../../domain/money';
import { instantQuotaLeftFen, positionStream } from '../../domain/position/position.decider';
import { walletStream } from '../../domain/wallet/wallet.decider';
import { POSITION, WALLET } from '../commands/aggregates';
import { newId } from '../commands/command-context';
import { DecideCommand } from '../commands/decide-command';
import type { CommandResponse } from '../commands/idempotency-claims';
import { loadPosition } from '../wallets/position-loader';
import { loadOpenWallet } from '../wallets/wallet-loader';
import { recordedUnder } from '../wallets/wallet-commands';
import { BpmnError, type Job, type ProcessEngine } from '../../processes/engine';
import { type WorkerDependencies, jobContext, refusedAs } from './job-commands';

export const MERCHANT_WITHDRAWAL_PROCESS = 'merchant-withdrawal';
export const MERCHANT_WITHDRAWAL_TASK_TYPES = ['withdrawal.plan', 'withdrawal.redeem', 'withdrawal.pay-out', 'withdrawal.undo'] as const;

/** The longest a redemption's cash may take to reach the wallet (the transfer step after it) before the job fails and is retried. */
const CASH_WAIT_MS = 10_000;

export interface MerchantWithdrawalDependencies extends WorkerDependencies {
  /** Resolves with the position of the last transfer step after `position`, or undefined past `timeoutMs`. */
  transfersCompleted(position: bigint, timeoutMs: number): Promise<bigint | undefined>;
}

type Portion = { fundCode: string; amount: string };
type Redeemed = Portion & { redemptionId: string };

/**
 * The job workers of a merchant's instant withdrawal: split the amount across the cash and the funds by each
 * fund's remaining instant quota, redeem instantly from each, pay out; buy back what was redeemed when a
 * redemption or the payout is refused. Each command's idempotency key derives from the job key and the fund.
 */
export function registerMerchantWithdrawalWorkers(engine: ProcessEngine, deps: MerchantWithdrawalDependencies): void {
  engine.registerWorker('withdrawal.plan', (job) => plan(job, deps));
  engine.registerWorker('withdrawal.redeem', (job) => redeem(job, deps));
  engine.registerWorker('withdrawal.pay-out', (job) => payOut(job, deps));
  engine.registerWorker('withdrawal.undo', (job) => undo(job, deps));
}

async function plan(job: Job, deps: MerchantWithdrawalDependencies): Promise<JsonObject> {
  const walletId = String(job.variables.walletId);
  const amountFen = parseAmount(job.variables.amount);
  const wallet = await loadOpenWallet(deps.store, walletId);
  const today = await deps.calendar.today();
  const available: { fundCode: string; fen: Fen }[] = [];
  for (const fundCode of wallet.state.fundCodes) {
    const position = await loadPosition(deps.store, walletId, fundCode);
    const holdingFen = position.state.opened ? position.state.holdingFen : 0n;
    const quotaFen = instantQuotaLeftFen(position.state, today.businessDate, today.ruleSet);
    available.push({ fundCode, fen: holdingFen < quotaFen ? holdingFen : quotaFen });
  }
  available.sort((a, b) => (a.fen === b.fen ? a.fundCode.localeCompare(b.fundCode) : a.fen > b.fen ? -1 : 1));
  const fromCashFen = wallet.state.cashFen < amountFen ? wallet.state.cashFen : amountFen;
  let missingFen = amountFen - fromCashFen;
  const portions: Portion[] = [];
  for (const { fundCode, fen } of available) {
    if (missingFen === 0n || fen === 0n) continue;
    const takenFen = fen < missingFen ? fen : missingFen;
    portions.push({ fundCode, amount: formatFen(takenFen) });
    missingFen -= takenFen;
  }
  if (missingFen > 0n) {
    throw new BpmnError('CANNOT_MEET', `the wallet can pay at most ${formatFen(amountFen - missingFen)} CNY at once today, less than ${formatFen(amountFen)}`);
  }
  return { plan: portions, fromCash: formatFen(fromCashFen) };
}

async function redeem(job: Job, deps: MerchantWithdrawalDependencies): Promise<JsonObject> {
  const walletId = String(job.variables.walletId);
  const today = await deps.calendar.today();
  const redeemed: Redeemed[] = [];
  let lastPosition = -1n;
  for (const [index, { fundCode, amount }] of (job.variables.plan as Portion[]).entries()) {
    const context = jobContext(job, `redeem-${index}`);
    const redemptionId = newId(context, 'redemption');
    const command = { type: 'Redeem' as const, redemptionId, amountFen: parseAmount(amount), mode: 'instant' as const, businessDate: today.businessDate, ruleSet: today.ruleSet };
    const answer: CommandResponse<JsonObject> = await refusedAs(
      'REDEMPTION_FAILED',
      () => deps.commands.execute(new DecideCommand(context, POSITION, positionStream(walletId, fundCode), command, recordedUnder(today), () => ({ status: 200, body: {} }), false)),
      { redeemed },
    );
    lastPosition = BigInt(answer.body.position);
    redeemed.push({ fundCode, amount, redemptionId });
  }
  // The cash of an instant redemption is the transfer step after it: the payout needs it in the wallet.
  if (lastPosition >= 0n && (await deps.transfersCompleted(lastPosition, CASH_WAIT_MS)) === undefined) {
    throw new Error(`the cash of the redemptions did not reach the wallet within ${CASH_WAIT_MS} ms`);
  }
  return { redeemed };
}

async function payOut(job: Job, deps: MerchantWithdrawalDependencies): Promise<JsonObject> {
  const walletId = String(job.variables.walletId);
  const amountFen = parseAmount(job.variables.amount);
  const today = await deps.calendar.today();
  await refusedAs('PAYOUT_REFUSED', () =>
    deps.commands.execute(new DecideCommand(jobContext(job, 'pay-out'), WALLET, walletStream(walletId), { type: 'Withdraw', amountFen }, recordedUnder(today), () => ({ status: 200, body: {} }))),
  );
  return { paidOut: formatFen(amountFen) };
}

/** Buys back every fund redeemed, so the money ends in its funds again (confirmed, as any purchase, the next business day). */
async function undo(job: Job, deps: MerchantWithdrawalDependencies): Promise<JsonObject> {
  const walletId = String(job.variables.walletId);
  const today = await deps.calendar.today();
  const redeemed = (job.variables.redeemed as Redeemed[] | undefined) ?? [];
  for (const [index, { fundCode, amount }] of redeemed.entries()) {
    const context = jobContext(job, `buy-back-${index}`);
    const command = { type: 'PayForPurchase' as const, purchaseId: newId(context, 'purchase'), fundCode, amountFen: parseAmount(amount), ruleSet: today.ruleSet };
    await deps.commands.execute(new DecideCommand(context, WALLET, walletStream(walletId), command, recordedUnder(today), () => ({ status: 200, body: {} })));
  }
  deps.log.warn(`merchant withdrawal ${job.instanceId} was undone: ${redeemed.length} redemption(s) bought back`);
  return { boughtBack: redeemed.length };
}
