import type { JsonObject, RecordedEvent } from '../../eventstore';
import type { CalendarEvent } from '../../domain/calendar/calendar.decider';
import type { FundEvent } from '../../domain/fund/fund.decider';
import { formatPerTenK } from '../../domain/income-rate';
import { formatFen } from '../../domain/money';
import type { PartyEvent } from '../../domain/party/party.decider';
import type { PersonErasedEvent } from '../../domain/party/person.decider';
import type { PositionEvent } from '../../domain/position/position.decider';
import type { WalletEvent } from '../../domain/wallet/wallet.decider';
import { type ProjectionDefinition, type ProjectionView, eventData } from '../projection';

/** One row of the operators' feed. `order` sorts rows by log position as a fixed-width string. */
export interface ActivityDoc {
  position: string;
  order: string;
  recordedAt: string;
  type: string;
  stream: string;
  summary: string;
  principal: string | null;
  businessDate: string | null;
}

/** The type of the one row a close's forecasts make together. */
export const FORECASTS_RECORDED = 'ForecastsRecorded';

const ACTIVITY = 'activity';
/** Positions are below 2^64, so 20 digits sort every one of them as text. */
const ORDER_DIGITS = 20;
const POSITION_PREFIX = 'position-';
const UUID_LENGTH = 36;
const FORECAST_TYPES = ['FundYieldForecasted', 'MerchantDemandForecasted', 'RebalanceProposed', 'ForecastSkipped'] as const;

export const activityOrder = (position: bigint) => position.toString().padStart(ORDER_DIGITS, '0');

type FeedEvent =
  | PartyEvent
  | PersonErasedEvent
  | Extract<FundEvent, { type: 'FundRegistered' | 'IncomePublished' }>
  | Extract<WalletEvent, { type: 'CashDeposited' | 'CashWithdrawn' | 'PaymentSent' }>
  | Extract<PositionEvent, { type: 'PurchasePlaced' | 'InstantRedemptionMade' | 'StandardRedemptionPlaced' }>
  | Extract<CalendarEvent, { type: 'DayCloseStarted' | 'DayClosed' }>;

/** A wallet or position stream's wallet, and a position stream's fund. */
function walletOf(stream: string): string {
  return stream.startsWith(POSITION_PREFIX) ? stream.slice(POSITION_PREFIX.length, POSITION_PREFIX.length + UUID_LENGTH) : stream.slice('wallet-'.length);
}

function fundOfPosition(stream: string): string {
  return stream.slice(POSITION_PREFIX.length + UUID_LENGTH + 1);
}

function summaryOf(event: FeedEvent, stream: string): string {
  switch (event.type) {
    // No names: the feed is kept for good, and a person's details must be erasable (docs/personal-data.md).
    case 'PartyRegistered':
      return `${event.data.kind} registered as party ${event.data.partyId} with wallet ${event.data.walletId}`;
    case 'PersonErased':
      return `the personal details of party ${event.data.partyId} erased`;
    case 'ApiKeyIssued':
      return `API key ${event.data.keyId} issued to party ${stream.slice('party-'.length)}`;
    case 'ApiKeyRevoked':
      return `API key ${event.data.keyId} of party ${stream.slice('party-'.length)} revoked`;
    case 'FundRegistered':
      return `fund ${event.data.code} "${event.data.name}" registered`;
    case 'IncomePublished':
      return `${stream.slice('fund-'.length)} income for ${event.data.date}: ${formatPerTenK(event.data.perTenK)} CNY per 10,000 shares`;
    case 'CashDeposited':
      return `deposit of ${formatFen(event.data.amountFen)} CNY into wallet ${walletOf(stream)}`;
    case 'CashWithdrawn':
      return `withdrawal of ${formatFen(event.data.amountFen)} CNY from wallet ${walletOf(stream)}`;
    case 'PaymentSent':
      return `payment of ${formatFen(event.data.amountFen)} CNY from wallet ${walletOf(stream)} to wallet ${event.data.toWalletId}`;
    case 'PurchasePlaced':
      return `purchase of ${formatFen(event.data.amountFen)} CNY of ${event.data.fundCode} by wallet ${event.data.walletId}, confirmed on ${event.data.confirmOn}`;
    case 'InstantRedemptionMade':
      return `instant redemption of ${formatFen(event.data.amountFen)} CNY of ${fundOfPosition(stream)} by wallet ${walletOf(stream)}`;
    case 'StandardRedemptionPlaced':
      return `standard redemption of ${formatFen(event.data.amountFen)} CNY of ${fundOfPosition(stream)} by wallet ${walletOf(stream)}, paid on ${event.data.payOn}`;
    case 'DayCloseStarted':
      return `close of ${event.data.date} started, covering ${event.data.days.join(', ')}; next business date ${event.data.nextBusinessDate}`;
    case 'DayClosed':
      return `${event.data.date} closed; the business date is now ${event.data.nextBusinessDate}`;
  }
}

function rowOf(event: RecordedEvent, type: string, summary: string): ActivityDoc {
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    position: event.position.toString(),
    order: activityOrder(event.position),
    recordedAt: event.recordedAt.toISOString(),
    type,
    stream: event.stream,
    summary,
    principal: text(event.metadata.principal),
    businessDate: text(event.metadata.businessDate),
  };
}

interface ForecastsRow extends ActivityDoc {
  counts: { funds: number; merchants: number; proposals: number; skipped: number };
}

const FORECAST_COUNTER: Record<(typeof FORECAST_TYPES)[number], keyof ForecastsRow['counts']> = {
  FundYieldForecasted: 'funds',
  MerchantDemandForecasted: 'merchants',
  RebalanceProposed: 'proposals',
  ForecastSkipped: 'skipped',
};

/** A close's forecasts are many events and one row, counted as they come; the row keeps its first event's place. */
async function applyForecast(event: RecordedEvent, view: ProjectionView): Promise<void> {
  const date = event.stream.slice('forecast-'.length);
  const id = `forecasts-${date}`;
  const stored = (await view.get(ACTIVITY, id)) as unknown as ForecastsRow | undefined;
  const row: ForecastsRow = stored ?? { ...rowOf(event, FORECASTS_RECORDED, ''), counts: { funds: 0, merchants: 0, proposals: 0, skipped: 0 } };
  const counter = FORECAST_COUNTER[event.type as (typeof FORECAST_TYPES)[number]];
  const counts = { ...row.counts, [counter]: row.counts[counter] + 1 };
  const summary = `forecasts at the close of ${date}: ${counts.funds} fund yields, ${counts.merchants} merchant demands, ${counts.proposals} proposals, ${counts.skipped} skipped`;
  view.put(ACTIVITY, id, { ...row, counts, summary } as unknown as JsonObject);
}

async function apply(event: RecordedEvent, view: ProjectionView): Promise<void> {
  if ((FORECAST_TYPES as readonly string[]).includes(event.type)) return applyForecast(event, view);
  const feedEvent = { type: event.type, data: eventData(event) } as FeedEvent;
  // Written once: every other row is one event, which never changes.
  view.put(ACTIVITY, activityOrder(event.position), { ...rowOf(event, event.type, summaryOf(feedEvent, event.stream)) });
}

export const activityProjection: ProjectionDefinition = {
  name: 'activity',
  description:
    "The operators' feed: one row per registration (without names), API key issued or revoked, erasure of a person's details, income, deposit, withdrawal, payment, purchase, redemption and day close (a payment, purchase or instant redemption as the side that decided it), and one per close for its forecasts; the per-holder work of a close is left out.",
  collections: [
    {
      name: ACTIVITY,
      indexes: [['order'], ['type', 'order']],
    },
  ],
  eventTypes: [
    'PartyRegistered',
    'PersonErased',
    'ApiKeyIssued',
    'ApiKeyRevoked',
    'FundRegistered',
    'IncomePublished',
    'CashDeposited',
    'CashWithdrawn',
    'PaymentSent',
    'PurchasePlaced',
    'InstantRedemptionMade',
    'StandardRedemptionPlaced',
    'DayCloseStarted',
    'DayClosed',
    ...FORECAST_TYPES,
  ],
  apply,
};

export const ACTIVITY_COLLECTION = ACTIVITY;
/** The row types the feed can be filtered by. */
export const ACTIVITY_TYPES: readonly string[] = [...activityProjection.eventTypes.filter((t) => !(FORECAST_TYPES as readonly string[]).includes(t)), FORECASTS_RECORDED];
