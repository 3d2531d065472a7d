import type { JsonObject, RecordedEvent } from '../../eventstore';
import { formatFen, parseAmount } from '../../domain/money';
import { type WalletEvent, walletStream } from '../../domain/wallet/wallet.decider';
import { invariant } from '../../invariant';
import { WALLET } from '../commands/aggregates';
import { DecideCommand } from '../commands/decide-command';
import { toDomainEvent } from '../commands/stored-aggregate';
import { type Job, type ProcessEngine } from '../../processes/engine';
import { type WorkerDependencies, refusedAs, stepContext } from './job-commands';
import { walletProcessKey } from './wallet-process-keys';

export const PAYMENT_PROCESS = 'payment';
export const PAYMENT_TASK_TYPES = ['payment.credit-payee', 'payment.return'] as const;

/** What a payment instance starts with, from its PaymentSent event: money as a decimal string, as BPMN variables carry it. */
export interface PaymentVariables extends JsonObject {
  paymentId: string;
  fromWalletId: string;
  toWalletId: string;
  amount: string;
  /** The PaymentSent event: its id keys the steps, so they apply once however often the instance is started. */
  sentEventId: string;
  correlationId: string;
  businessDate: string;
  ruleSetVersion: string;
}

/** The instance of the payment model that completes the payment begun by `event`, a PaymentSent. */
export function paymentInstanceStart(event: RecordedEvent): { variables: PaymentVariables; businessKey: string } {
  invariant(event.type === 'PaymentSent' && event.stream.startsWith('wallet-'), () => `${event.type} on ${event.stream} begins no payment`);
  const { data } = toDomainEvent<Extract<WalletEvent, { type: 'PaymentSent' }>>(event);
  const fromWalletId = event.stream.slice('wallet-'.length);
  const variables: PaymentVariables = {
    paymentId: data.paymentId,
    fromWalletId,
    toWalletId: data.toWalletId,
    amount: formatFen(data.amountFen),
    sentEventId: event.id,
    correlationId: String(event.metadata.correlationId ?? event.id),
    businessDate: String(event.metadata.businessDate),
    ruleSetVersion: String(event.metadata.ruleSetVersion),
  };
  return { variables, businessKey: walletProcessKey(fromWalletId, PAYMENT_PROCESS, data.paymentId) };
}

/**
 * The job workers of the payment: credit the payee, and when its wallet refuses (closed, gone), return the
 * amount to the payer. Both move the amount out of payments in transit, so the ledger balances whichever is
 * written, and both are keyed by the PaymentSent event and the step.
 */
export function registerPaymentWorkers(engine: ProcessEngine, deps: WorkerDependencies): void {
  engine.registerWorker('payment.credit-payee', (job) => creditPayee(job, deps));
  engine.registerWorker('payment.return', (job) => returnPayment(job, deps));
}

async function creditPayee(job: Job, deps: WorkerDependencies): Promise<JsonObject> {
  const v = job.variables as PaymentVariables;
  const command = { type: 'ReceivePayment' as const, paymentId: v.paymentId, fromWalletId: v.fromWalletId, amountFen: parseAmount(v.amount) };
  const sent = new DecideCommand(stepContext({ eventId: v.sentEventId, correlationId: v.correlationId }, 'credit-payee'), WALLET, walletStream(v.toWalletId), command, recordedUnder(v), noBody);
  await refusedAs('PAYMENT_REFUSED', () => deps.commands.execute(sent));
  return { outcome: 'received' };
}

async function returnPayment(job: Job, deps: WorkerDependencies): Promise<JsonObject> {
  const v = job.variables as PaymentVariables & { refusal?: string };
  const reason = v.refusal ?? 'the payee refused the payment';
  deps.log.warn(`payment ${v.paymentId} was refused by wallet ${v.toWalletId} (${reason}); returning it to ${v.fromWalletId}`);
  const command = { type: 'ReturnPayment' as const, paymentId: v.paymentId, toWalletId: v.toWalletId, amountFen: parseAmount(v.amount), reason };
  await deps.commands.execute(new DecideCommand(stepContext({ eventId: v.sentEventId, correlationId: v.correlationId }, 'return-payment'), WALLET, walletStream(v.fromWalletId), command, recordedUnder(v), noBody));
  return { outcome: 'returned' };
}

function recordedUnder(v: PaymentVariables): { businessDate: string; ruleSetVersion: string } {
  return { businessDate: v.businessDate, ruleSetVersion: v.ruleSetVersion };
}

const noBody = () => ({ status: 200, body: {} });
