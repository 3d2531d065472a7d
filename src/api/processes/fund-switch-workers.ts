import type { JsonObject } from '../../eventstore';
import { parseAmount } from '../../domain/money';
import { type RedemptionMode, instantQuotaLeftFen, positionStream } from '../../domain/position/position.decider';
import { walletStream } from '../../domain/wallet/wallet.decider';
import { POSITION, WALLET } from '../commands/aggregates';
import { newId } from '../commands/command-context';
import { DecideCommand } from '../commands/decide-command';
import { loadRegisteredFund } from '../funds/fund-loader';
import { loadPosition } from '../wallets/position-loader';
import { recordedUnder } from '../wallets/wallet-commands';
import type { Job, ProcessEngine } from '../../processes/engine';
import { type WorkerDependencies, jobContext, refusedAs } from './job-commands';

export const FUND_SWITCH_PROCESS = 'fund-switch';
export const FUND_SWITCH_TASK_TYPES = ['fund-switch.redeem', 'fund-switch.purchase', 'fund-switch.escalate', 'fund-switch.keep-in-wallet'] as const;

/** What an instance of the fund switch starts with: money as a decimal string, as BPMN variables carry it. */
export interface FundSwitchVariables extends JsonObject {
  walletId: string;
  fromFund: string;
  toFund: string;
  amount: string;
}

/**
 * The log events a fund switch waits for are published to it only when a record under this prefix names
 * their id: the consumer of the log would otherwise publish a message for every redemption and purchase.
 */
export const AWAITED_PREFIX = 'process:awaited:';

/**
 * The job workers of the fund switch. Each sends one command on one stream under an idempotency key derived
 * from the job key, so a job run again after a crash finds its first outcome; a business refusal becomes a
 * BPMN error the model routes (nothing moved, or the cash kept in the wallet).
 */
export function registerFundSwitchWorkers(engine: ProcessEngine, deps: WorkerDependencies): void {
  engine.registerWorker('fund-switch.redeem', (job) => redeem(job, deps));
  engine.registerWorker('fund-switch.purchase', (job) => purchase(job, deps));
  engine.registerWorker('fund-switch.escalate', (job) => {
    deps.log.warn(`fund switch ${job.instanceId} is late at ${job.elementId}: ${JSON.stringify(job.variables)}`);
    return { escalations: Number(job.variables.escalations ?? 0) + 1 };
  });
  engine.registerWorker('fund-switch.keep-in-wallet', (job) => {
    deps.log.warn(`fund switch ${job.instanceId} could not buy ${String(job.variables.toFund)}: the redeemed cash stays in wallet ${String(job.variables.walletId)}`);
    return { outcome: 'cash-kept-in-wallet' };
  });
}

async function redeem(job: Job, deps: WorkerDependencies): Promise<JsonObject> {
  const { walletId, fromFund, amount } = job.variables as FundSwitchVariables;
  const amountFen = parseAmount(amount);
  const today = await deps.calendar.today();
  const position = await loadPosition(deps.store, walletId, fromFund);
  // Instant within what is left of today's cap on this fund, so the cash is there at once; else standard.
  const mode: RedemptionMode = instantQuotaLeftFen(position.state, today.businessDate, today.ruleSet) >= amountFen ? 'instant' : 'standard';
  const context = jobContext(job);
  const redemptionId = newId(context, 'redemption');
  await deps.readStore.setRecord(`${AWAITED_PREFIX}${redemptionId}`, { instanceId: job.instanceId, message: 'redemption-paid' });
  const command = { type: 'Redeem' as const, redemptionId, amountFen, mode, businessDate: today.businessDate, ruleSet: today.ruleSet };
  await refusedAs('REDEMPTION_REFUSED', () =>
    deps.commands.execute(new DecideCommand(context, POSITION, positionStream(walletId, fromFund), command, recordedUnder(today), () => ({ status: 200, body: {} }), false)),
  );
  return { redemptionId, mode };
}

async function purchase(job: Job, deps: WorkerDependencies): Promise<JsonObject> {
  const { walletId, toFund, amount } = job.variables as FundSwitchVariables;
  const today = await deps.calendar.today();
  const context = jobContext(job);
  const purchaseId = newId(context, 'purchase');
  await deps.readStore.setRecord(`${AWAITED_PREFIX}${purchaseId}`, { instanceId: job.instanceId, message: 'purchase-confirmed' });
  const command = { type: 'PayForPurchase' as const, purchaseId, fundCode: toFund, amountFen: parseAmount(amount), ruleSet: today.ruleSet };
  await refusedAs('PURCHASE_REFUSED', async () => {
    await loadRegisteredFund(deps.store, toFund);
    return deps.commands.execute(new DecideCommand(context, WALLET, walletStream(walletId), command, recordedUnder(today), () => ({ status: 200, body: {} })));
  });
  return { purchaseId };
}
