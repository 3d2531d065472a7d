import type { CommandBus } from '@nestjs/cqrs';
import { createHash } from 'node:crypto';
import type { EventStore, JsonObject } from '../eventstore';
import { DomainError, NotFoundError } from '../domain/domain-error';
import { parseAmount } from '../domain/money';
import { type RedemptionMode, instantQuotaLeftFen, positionStream } from '../domain/position/position.decider';
import { walletStream } from '../domain/wallet/wallet.decider';
import type { BusinessCalendar } from '../api/calendar/business-calendar';
import { POSITION, WALLET } from '../api/commands/aggregates';
import { type CommandContext, newId } from '../api/commands/command-context';
import { DecideCommand } from '../api/commands/decide-command';
import { loadRegisteredFund } from '../api/funds/fund-loader';
import { loadPosition } from '../api/wallets/position-loader';
import { recordedUnder } from '../api/wallets/wallet-commands';
import type { ReadStore } from '../projections/read-store';
import { BpmnError, type Job, type ProcessEngine } from './engine';

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

export interface FundSwitchDependencies {
  commands: CommandBus;
  calendar: BusinessCalendar;
  store: EventStore;
  readStore: ReadStore;
  log: { warn(line: string): void };
}

/**
 * The job workers of the fund switch. Each sends one command on one stream under an idempotency key derived
 * from the job key, so a job run again after a crash finds its first outcome; a business refusal becomes a
 * BPMN error the model routes (nothing moved, or the cash kept in the wallet).
 */
export function registerFundSwitchWorkers(engine: ProcessEngine, deps: FundSwitchDependencies): void {
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

async function redeem(job: Job, deps: FundSwitchDependencies): Promise<JsonObject> {
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

async function purchase(job: Job, deps: FundSwitchDependencies): Promise<JsonObject> {
  const { walletId, toFund, amount } = job.variables as FundSwitchVariables;
  const today = await deps.calendar.today();
  const context = jobContext(job);
  const purchaseId = newId(context, 'purchase');
  await deps.readStore.setRecord(`${AWAITED_PREFIX}${purchaseId}`, { instanceId: job.instanceId, message: 'purchase-confirmed' });
  const command = { type: 'PayForPurchase' as const, purchaseId, fundCode: toFund, amountFen: parseAmount(amount) };
  await refusedAs('PURCHASE_REFUSED', async () => {
    await loadRegisteredFund(deps.store, toFund);
    return deps.commands.execute(new DecideCommand(context, WALLET, walletStream(walletId), command, recordedUnder(today), () => ({ status: 200, body: {} })));
  });
  return { purchaseId };
}

async function refusedAs(code: string, send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
  } catch (error) {
    if (error instanceof DomainError || error instanceof NotFoundError) throw new BpmnError(code, error.message);
    throw error;
  }
}

/**
 * A job's command acts for the system under an idempotency key derived from the job key (and, for a job that
 * sends several commands, the part it sends), so a job run again after a crash finds its first outcomes.
 */
export function jobContext(job: Job, part = ''): CommandContext {
  const key = createHash('sha256').update(`${job.bpmnProcessId}\n${job.key}\n${part}`).digest('hex');
  return { principal: { role: 'operator', id: 'process' }, correlationId: job.instanceId, causationId: job.key, idempotency: { stream: `idempotency-job-${key}`, requestHash: key } };
}
