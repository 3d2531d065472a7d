import { type RecordedEvent, openEventStore } from '../../src/eventstore';
import type { RequestKind, SentRequest } from './crash-requests';

/** The event a request of each kind writes first, whose correlation id is the request's own. */
const FIRST_EFFECT: Partial<Record<RequestKind, readonly string[]>> = {
  fund: ['FundRegistered'],
  customer: ['PartyRegistered'],
  merchant: ['PartyRegistered'],
  'party-key': ['ApiKeyIssued'],
  deposit: ['CashDeposited'],
  withdrawal: ['CashWithdrawn'],
  payment: ['PaymentSent'],
  purchase: ['PurchasePaid'],
  redemption: ['InstantRedemptionMade', 'StandardRedemptionPlaced'],
  income: ['IncomePublished'],
  'day-close': ['DayCloseStarted'],
};

/** Events that happen at most once per business id (payment, purchase, redemption) whoever retried what. */
const ONCE_PER_ID = ['PaymentSent', 'PaymentReceived', 'PaymentReturned', 'PurchasePaid', 'PurchasePlaced', 'PurchaseConfirmed', 'InstantRedemptionMade', 'StandardRedemptionPlaced', 'StandardRedemptionSettled', 'RedemptionCashReceived'];
/** Events that happen at most once per stream and day: a close's steps run again after a kill write nothing twice. */
const ONCE_PER_STREAM_AND_DAY = ['PositionDayClosed', 'IncomeAccrued', 'IncomeDistributed', 'IncomePublished', 'DayCloseStarted', 'DayClosed'];

/** The log indexed the ways the checks count it. */
export class LogIndex {
  readonly byCorrelation = new Map<string, RecordedEvent[]>();
  readonly count = new Map<string, number>();
  private readonly idsByType = new Map<string, Set<string>>();
  events = 0;

  add(event: RecordedEvent): void {
    this.events += 1;
    const data = event.data as Record<string, unknown>;
    const correlation = String(event.metadata.correlationId ?? '');
    const correlated = this.byCorrelation.get(correlation);
    if (correlated) correlated.push(event);
    else this.byCorrelation.set(correlation, [event]);
    const id = String(data.paymentId ?? data.purchaseId ?? data.redemptionId ?? data.date);
    if (ONCE_PER_ID.includes(event.type)) this.bump(`${event.type} of ${id}`);
    this.idsByType.set(event.type, (this.idsByType.get(event.type) ?? new Set()).add(id));
    if (ONCE_PER_STREAM_AND_DAY.includes(event.type)) this.bump(`${event.type} on ${event.stream} for ${String(data.date ?? data.businessDate)}`);
    if (event.type === 'RequestRecorded') this.bump(`RequestRecorded under ${String(data.requestKey)}`);
  }

  /** The payment, purchase or redemption ids (or dates) of the events of a type. */
  ids(type: string): ReadonlySet<string> {
    return this.idsByType.get(type) ?? new Set();
  }

  of(key: string): number {
    return this.count.get(key) ?? 0;
  }

  correlated(id: string, types: readonly string[]): RecordedEvent[] {
    return (this.byCorrelation.get(id) ?? []).filter((event) => types.includes(event.type));
  }

  private bump(key: string): void {
    this.count.set(key, this.of(key) + 1);
  }
}

export async function readLog(storeUrl: string): Promise<LogIndex> {
  const store = openEventStore(storeUrl);
  const index = new LogIndex();
  try {
    for await (const event of store.readAll()) index.add(event);
  } finally {
    await store.close();
  }
  return index;
}

/**
 * What the log must show of the requests sent: every request answered 2xx in it exactly once (its first event,
 * and what follows it: the payee credited or the payment returned, the purchase placed, the redemption's cash),
 * no request refused with an effect, and no effect twice anywhere, whichever retry or restarted step wrote it.
 */
export function logViolations(log: LogIndex, sent: readonly SentRequest[]): string[] {
  const violations: string[] = [];
  for (const [key, count] of log.count) if (count > 1) violations.push(`${key}: ${count} times in the log`);
  for (const request of sent) violations.push(...requestViolations(log, request));
  return violations;
}

function requestViolations(log: LogIndex, request: SentRequest): string[] {
  const { status, body } = request.answer;
  const succeeded = status >= 200 && status <= 299;
  const first = FIRST_EFFECT[request.kind];
  const what = `${request.kind} ${request.id} (${status}, sent ${request.answer.attempts} times, ${request.answer.cutOff} cut off)`;
  if (first) {
    const effects = log.correlated(request.id, first).length;
    if (succeeded && effects !== 1) return [`${what}: answered ${status} but its ${first.join('/')} is in the log ${effects} times`];
    if (!succeeded && effects !== 0) return [`${what}: refused (${JSON.stringify(body)}) but its ${first.join('/')} is in the log ${effects} times`];
  }
  if (!succeeded) return [];
  const once = (key: string) => (log.of(key) === 1 ? [] : [`${what}: ${key} is in the log ${log.of(key)} times`]);
  switch (request.kind) {
    case 'payment':
      return log.of(`PaymentReceived of ${body.paymentId}`) + log.of(`PaymentReturned of ${body.paymentId}`) === 1 ? [] : [`${what}: payment ${body.paymentId} was neither received nor returned once`];
    case 'purchase':
      return once(`PurchasePlaced of ${body.purchaseId}`);
    case 'redemption':
      return body.mode === 'instant' || log.of(`StandardRedemptionSettled of ${body.redemptionId}`) === 1 ? once(`RedemptionCashReceived of ${body.redemptionId}`) : [];
    case 'day-close':
      return once(`DayClosed on calendar for ${request.body.date}`);
    case 'rebalance':
      return (body.processes as { processId: string }[]).flatMap(({ processId }) => switchViolations(log, what, processId));
    case 'instant-withdrawal': {
      const payouts = log.correlated(body.processId, ['CashWithdrawn']).length;
      return payouts <= 1 ? [] : [`${what}: withdrawal ${body.processId} paid out ${payouts} times`];
    }
    default:
      return [];
  }
}

/** A switch redeems its source once and buys its target at most once (not at all when the cash stays in the wallet). */
function switchViolations(log: LogIndex, what: string, processId: string): string[] {
  const redemptions = log.correlated(processId, ['InstantRedemptionMade', 'StandardRedemptionPlaced']).length;
  const purchases = log.correlated(processId, ['PurchasePaid']).length;
  return redemptions === 1 && purchases <= 1 ? [] : [`${what}: switch ${processId} redeemed ${redemptions} times and bought ${purchases} times`];
}
