import { Logger } from '@nestjs/common';
import type { CommandBus } from '@nestjs/cqrs';
import { BehaviorSubject, Subject, filter, firstValueFrom, timeout } from 'rxjs';
import type { EventStore, JsonObject, RecordedEvent } from '../../eventstore';
import { invariant } from '../../invariant';
import type { CommandResponse } from '../commands/idempotency-claims';
import { LogConsumer, type LogBatchHandler, type LogConsumerOptions } from '../../projections/log-consumer';
import type { LogFeed } from '../../projections/log-feed';
import type { ReadStore } from '../../projections/read-store';
import { DomainError, NotFoundError } from '../../domain/domain-error';
import { TRANSFER_TRIGGERS, stepsAfter } from './transfer-steps';
import type { ProcessEngine } from '../../processes/engine';
import { AWAITED_PREFIX, FUND_SWITCH_PROCESS } from './fund-switch-workers';
import { switchesFor } from './proposed-switches';
import { stepContext } from './job-commands';
import { PAYMENT_PROCESS, paymentInstanceStart } from './payment-workers';
import { walletProcessKey } from './wallet-process-keys';
import { WALLET } from '../commands/aggregates';
import { loadStored } from '../commands/stored-aggregate';
import { walletStream } from '../../domain/wallet/wallet.decider';
import { formatFen } from '../../domain/money';
import { eventData } from '../../projections/projection';

/** The transfers have not reached a position in time: a peer holds their lease, or they are far behind. */
export class TransfersBehindError extends Error {
  readonly code = 'TRANSFERS_BEHIND';
  constructor(position: bigint, waitedMs: number) {
    super(`the transfers under way did not complete up to position ${position} within ${waitedMs} ms; try again in a moment`);
  }
}

export interface TransferProcessesOptions {
  owner: string;
  leaseTtlMs: number;
  clock: () => number;
  consumer: LogConsumerOptions;
  /** Transfers whose steps run at once; steps on one stream still queue on its lock. */
  maxConcurrentTransfers: number;
}

/** Where the last transfer completed by this process ended, so a request can answer with it. */
const MAX_REMEMBERED_OUTCOMES = 10_000;
const CHECKPOINT_KEY = 'process:transfers';
const LEASE_NAME = 'process:transfers';
/** The events that end a payment, whichever way it went. */
const PAYMENT_ENDINGS = new Set(['PaymentReceived', 'PaymentReturned']);
/** Events a process may wait for, published to it as messages; the wait may begin after the event (an instant redemption's cash). */
const AWAITED_EVENTS = new Set(['RedemptionCashReceived', 'PurchaseConfirmed']);
const AWAITED_MESSAGE_TTL_MS = 7 * 24 * 3_600_000;
/** A refused step without compensation is recorded under this prefix and the event's id. */
export const INCIDENT_PREFIX = 'process:transfers:incident:';

/** What a transfer begun at `triggerPosition` became, as far as this process has seen. */
interface TransferOutcome {
  triggerPosition: bigint;
  /** The last position a step of it or of an earlier transfer wrote. */
  lastStepPosition: bigint;
  /** A payment runs in the payment model: it is complete once its ending event is in the log. */
  paymentId?: string;
  paymentEndedAt?: bigint;
}

/**
 * Completes every change that spans streams: reads the log from its checkpoint, and for each first step
 * (a purchase paid, a party registered) sends the steps that follow, and for each payment sent starts the
 * payment model; events a process instance waits for are published to the process engine as messages, with
 * the event's id as message id.
 * Each step is a command on one stream with an idempotency key derived from the triggering event and the
 * step. Delivery is at least once (the checkpoint moves after a batch's steps are durable); the keys make
 * each money effect happen once.
 */
export class TransferProcesses implements LogBatchHandler {
  private readonly logger = new Logger(TransferProcesses.name);
  private readonly consumer: LogConsumer;
  private readonly position$ = new BehaviorSubject<bigint | undefined>(undefined);
  /**
   * In log order, per transfer begun: its position, and the last position any step of it or of an earlier
   * transfer wrote. A write's answer waits for the latter, which covers the steps of every event it appended.
   */
  private readonly outcomes: TransferOutcome[] = [];
  private readonly paymentsUnderWay = new Map<string, TransferOutcome>();
  private readonly paymentEnded$ = new Subject<string>();
  private abort: AbortController | undefined;
  private running: Promise<void> | undefined;
  private leased = false;

  constructor(
    private readonly store: EventStore,
    feed: LogFeed,
    private readonly readStore: ReadStore,
    private readonly commands: CommandBus,
    private readonly engine: ProcessEngine,
    private readonly options: TransferProcessesOptions,
  ) {
    this.consumer = new LogConsumer(store, feed, options.consumer);
  }

  start(): void {
    invariant(!this.running, 'the transfer processes are already running');
    this.abort = new AbortController();
    this.running = this.consumer.run(this, this.abort.signal);
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.running;
    this.running = undefined;
    if (this.leased) await this.readStore.releaseLease(LEASE_NAME, this.options.owner).catch(() => undefined);
    this.leased = false;
  }

  /**
   * Waits until the transfers begun up to `position` have run their steps, and the payment `paymentId` (begun
   * at `position`, when given) has ended; returns the position of the last step (`position` itself when nothing
   * followed it); undefined when that is not so within `timeoutMs`. Payments run in the payment model: only
   * the one named is waited for.
   */
  async completed(position: bigint, timeoutMs: number, paymentId?: string): Promise<bigint | undefined> {
    const deadlineMs = this.options.clock() + timeoutMs;
    try {
      await firstValueFrom(this.position$.pipe(filter((at) => at !== undefined && at >= position), timeout(timeoutMs)));
    } catch {
      return undefined;
    }
    const outcome = this.outcomeAt(position);
    if (!outcome) return position;
    const waited = paymentId !== undefined && outcome.paymentId === paymentId;
    if (waited && outcome.paymentEndedAt === undefined && !(await this.paymentEnded(paymentId, deadlineMs - this.options.clock()))) return undefined;
    const last = waited && outcome.paymentEndedAt! > outcome.lastStepPosition ? outcome.paymentEndedAt! : outcome.lastStepPosition;
    return last > position ? last : position;
  }

  /** The latest transfer begun at or before `position`. */
  private outcomeAt(position: bigint): TransferOutcome | undefined {
    let low = 0;
    let high = this.outcomes.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.outcomes[middle]!.triggerPosition <= position) low = middle + 1;
      else high = middle;
    }
    return this.outcomes[low - 1];
  }

  private async paymentEnded(paymentId: string, timeoutMs: number): Promise<boolean> {
    if (!this.paymentsUnderWay.has(paymentId)) return true;
    if (timeoutMs <= 0) return false;
    return firstValueFrom(this.paymentEnded$.pipe(filter((id) => id === paymentId), timeout(timeoutMs))).then(() => true, () => false);
  }

  async prepare(): Promise<boolean> {
    const lease = await this.readStore.claimLease(LEASE_NAME, this.options.owner, this.options.clock(), this.options.leaseTtlMs);
    this.leased = lease.owner === this.options.owner;
    if (this.leased && this.position$.value === undefined) {
      const checkpoint = await this.readStore.checkpoint(CHECKPOINT_KEY);
      if (checkpoint !== undefined) this.position$.next(checkpoint);
    }
    return this.leased;
  }

  position(): bigint | undefined {
    return this.position$.value;
  }

  async handle(events: readonly RecordedEvent[]): Promise<void> {
    const triggers = events.filter((e) => e.type === 'PaymentSent' || (TRANSFER_TRIGGERS as readonly string[]).includes(e.type));
    for (let at = 0; at < triggers.length; at += this.options.maxConcurrentTransfers) {
      const group = triggers.slice(at, at + this.options.maxConcurrentTransfers);
      const lastSteps = await Promise.all(group.map((event) => (event.type === 'PaymentSent' ? this.startPayment(event) : this.complete(event))));
      group.forEach((event, i) => this.remember(event, lastSteps[i]!));
    }
    for (const [index, event] of events.entries()) {
      if (PAYMENT_ENDINGS.has(event.type)) this.paymentEnds(event, endOfAppend(events, index));
      if (AWAITED_EVENTS.has(event.type)) await this.publishAwaited(event);
      if (event.type === 'RebalanceProposed') await this.startProposedSwitches(event);
    }
    const last = events.at(-1)!.position;
    await this.readStore.commit({ writes: [], checkpoints: [{ key: CHECKPOINT_KEY, position: last }], leases: [{ name: LEASE_NAME, owner: this.options.owner }] });
    this.position$.next(last);
  }

  async caughtUp(): Promise<void> {}

  /**
   * A wallet that rebalances automatically gets the close's proposal for it made as fund switches, each started
   * once (its business key is the proposal's event id and the switch's place in it).
   */
  private async startProposedSwitches(event: RecordedEvent): Promise<void> {
    const { walletId, targets } = eventData<{ walletId: string; targets: { fundCode: string; currentFen: bigint; targetFen: bigint }[] }>(event);
    const wallet = await loadStored(this.store, walletStream(walletId), WALLET.decider, WALLET.schema);
    if (!wallet.state.open || wallet.state.rebalancing !== 'automatic') return;
    for (const [index, { fromFund, toFund, amountFen }] of switchesFor(targets).entries()) {
      const variables = { walletId, fromFund, toFund, amount: formatFen(amountFen) };
      await this.engine.startInstance(FUND_SWITCH_PROCESS, variables, { businessKey: walletProcessKey(walletId, FUND_SWITCH_PROCESS, `proposal:${event.id}:${index}`) });
    }
  }

  /** The cash of a redemption or the confirmation of a purchase a process waits for, as a message to it. */
  private async publishAwaited(event: RecordedEvent): Promise<void> {
    const data = eventData<{ redemptionId?: string; purchaseId?: string }>(event);
    const id = data.redemptionId ?? data.purchaseId;
    invariant(id !== undefined, () => `${event.type} at ${event.position} names no redemption or purchase`);
    const awaited = await this.readStore.getRecord(`${AWAITED_PREFIX}${id}`);
    if (!awaited) return;
    await this.engine.publishMessage({ name: String(awaited.message), correlationKey: id, messageId: event.id, timeToLiveMs: AWAITED_MESSAGE_TTL_MS });
  }

  failed(error: Error): void {
    this.logger.error(`transfer steps failed; the batch is read again after a pause: ${error.message}`, error.stack);
  }

  /** Starts the payment model for a payment sent, once (its business key is the payment's); returns the event's position. */
  private async startPayment(event: RecordedEvent): Promise<bigint> {
    const { variables, businessKey } = paymentInstanceStart(event);
    await this.engine.startInstance(PAYMENT_PROCESS, variables, { businessKey });
    return event.position;
  }

  private paymentEnds(event: RecordedEvent, endPosition: bigint): void {
    const { paymentId } = eventData<{ paymentId: string }>(event);
    const outcome = this.paymentsUnderWay.get(paymentId);
    if (!outcome) return;
    outcome.paymentEndedAt = endPosition;
    this.paymentsUnderWay.delete(paymentId);
    this.paymentEnded$.next(paymentId);
  }

  /**
   * Runs the steps after `event` in order; returns the position of the last one written. A step a business
   * rule refuses is recorded as an incident (its amount stays, visibly, in its in-transit account); an
   * operating error fails the batch, which is read again.
   */
  private async complete(event: RecordedEvent): Promise<bigint> {
    let lastPosition = event.position;
    let previous: JsonObject = {};
    for (const step of stepsAfter(event)) {
      if (step.onlyIf && !step.onlyIf(previous)) break;
      try {
        const context = stepContext({ eventId: event.id, correlationId: String(event.metadata.correlationId ?? event.id) }, step.name);
        const response: CommandResponse<JsonObject> = await this.commands.execute(step.command(context));
        const position = BigInt(response.body.position);
        if (position > lastPosition) lastPosition = position;
        previous = response.body;
      } catch (error) {
        if (!(error instanceof DomainError || error instanceof NotFoundError)) throw error;
        await this.recordIncident(event, step.name, error);
        break;
      }
    }
    return lastPosition;
  }

  private async recordIncident(event: RecordedEvent, stepName: string, error: Error): Promise<void> {
    this.logger.error(`${stepName} after ${event.type} at ${event.position} was refused and has no compensation: ${error.message}`);
    const incident = { eventId: event.id, eventType: event.type, stream: event.stream, position: event.position.toString(), step: stepName, error: error.message };
    await this.readStore.setRecord(`${INCIDENT_PREFIX}${event.id}`, incident);
  }

  private remember(trigger: RecordedEvent, lastStepPosition: bigint): void {
    const previous = this.outcomes.at(-1);
    invariant(previous === undefined || previous.triggerPosition < trigger.position, 'transfers are remembered in log order');
    const covering = previous && previous.lastStepPosition > lastStepPosition ? previous.lastStepPosition : lastStepPosition;
    if (this.outcomes.length >= MAX_REMEMBERED_OUTCOMES) {
      const dropped = this.outcomes.shift()!;
      if (dropped.paymentId !== undefined) this.paymentsUnderWay.delete(dropped.paymentId);
    }
    const outcome: TransferOutcome = { triggerPosition: trigger.position, lastStepPosition: covering };
    if (trigger.type === 'PaymentSent') {
      outcome.paymentId = eventData<{ paymentId: string }>(trigger).paymentId;
      this.paymentsUnderWay.set(outcome.paymentId, outcome);
    }
    this.outcomes.push(outcome);
  }
}

/**
 * The position of the last event appended with `events[index]`: a keyed step's outcome record follows its
 * event in the same append, and a read after the answer must find both.
 */
function endOfAppend(events: readonly RecordedEvent[], index: number): bigint {
  let end = index;
  while (events[end + 1]?.stream === events[index]!.stream && events[end + 1]!.type === 'RequestRecorded') end += 1;
  return events[end]!.position;
}
