import type { JsonObject, RecordedEvent } from '../../eventstore';
import { decodeData } from '../../domain/event-codec';
import { type IsoDate, addDays, isBusinessDay } from '../../domain/iso-date';
import type { Fen } from '../../domain/money';
import type { PartyRegisteredEvent } from '../../domain/party/party.decider';
import type { WalletEvent } from '../../domain/wallet/wallet.decider';
import { invariant } from '../../invariant';
import { type ProjectionDefinition, type ProjectionView, eventData } from '../projection';

/** Business days of history a profile answers from: about a year, what the demand model is fitted on. */
export const HISTORY_BUSINESS_DAYS = 260;
/**
 * 52 weeks hold 260 weekdays, so keeping 364 calendar days back from the newest keeps at most 260 business
 * days; the exchange holidays leave about 243 in a year of the calendar's data.
 */
const RETAINED_CALENDAR_DAYS = 364;

/** The movements of one business day (by the business date commands were decided on). */
export interface ProfileDay {
  date: IsoDate;
  /** Deposits and payments received. */
  inflowFen: Fen;
  /** Withdrawals and payments sent. */
  outflowFen: Fen;
  /** Cash at the end of the day, after every movement decided on that date. */
  closingCashFen: Fen;
  instantRedeemedFen: Fen;
  standardRedeemedFen: Fen;
  withdrawals: number;
}

/** A merchant's wallet and its recent days; days without movements are not stored and count as zeros. */
export interface MerchantProfileDoc {
  walletId: string;
  merchantId: string | null;
  registeredOn: IsoDate | null;
  /** The earliest business date of the wallet's events: the profile's history starts there. */
  firstDate: IsoDate | null;
  cashFen: Fen;
  /** Days before this date were dropped from `days`; null while nothing was. */
  retainedFrom: IsoDate | null;
  /** Cash at the end of the day before `retainedFrom` (0 while nothing was dropped). */
  openingCashFen: Fen;
  /** Days with movements, oldest first, at most RETAINED_CALENDAR_DAYS calendar days back from the newest. */
  days: ProfileDay[];
}

interface Movement {
  cashFen: Fen;
  inflowFen?: Fen;
  outflowFen?: Fen;
  instantRedeemedFen?: Fen;
  standardRedeemedFen?: Fen;
  withdrawals?: number;
}

const PROFILES = 'merchant_profiles';
const WALLET_PREFIX = 'wallet-';
const POSITION_PREFIX = 'position-';
const UUID_LENGTH = 36;

function emptyProfile(walletId: string): MerchantProfileDoc {
  return { walletId, merchantId: null, registeredOn: null, firstDate: null, cashFen: 0n, retainedFrom: null, openingCashFen: 0n, days: [] };
}

function emptyDay(date: IsoDate, closingCashFen: Fen): ProfileDay {
  return { date, inflowFen: 0n, outflowFen: 0n, closingCashFen, instantRedeemedFen: 0n, standardRedeemedFen: 0n, withdrawals: 0 };
}

/**
 * Adds one movement decided on `date`. Every stored day on or after it closes with the cash changed by the
 * movement, so a movement recorded late for an earlier date (a command that read the calendar just before a
 * close) still leaves every closing balance right.
 */
function withMovement(profile: MerchantProfileDoc, date: IsoDate, movement: Movement): MerchantProfileDoc {
  const firstDate = profile.firstDate === null || date < profile.firstDate ? date : profile.firstDate;
  const shifted = profile.days.map((day) => (day.date >= date ? { ...day, closingCashFen: day.closingCashFen + movement.cashFen } : day));
  const base = { ...profile, firstDate, cashFen: profile.cashFen + movement.cashFen };
  if (profile.retainedFrom !== null && date < profile.retainedFrom) return { ...base, openingCashFen: profile.openingCashFen + movement.cashFen, days: shifted };
  let index = shifted.findIndex((day) => day.date >= date);
  if (index === -1) index = shifted.length;
  if (shifted[index]?.date !== date) {
    const before = index > 0 ? shifted[index - 1]!.closingCashFen : profile.openingCashFen;
    shifted.splice(index, 0, emptyDay(date, before + movement.cashFen));
  }
  const day = shifted[index]!;
  shifted[index] = {
    ...day,
    inflowFen: day.inflowFen + (movement.inflowFen ?? 0n),
    outflowFen: day.outflowFen + (movement.outflowFen ?? 0n),
    instantRedeemedFen: day.instantRedeemedFen + (movement.instantRedeemedFen ?? 0n),
    standardRedeemedFen: day.standardRedeemedFen + (movement.standardRedeemedFen ?? 0n),
    withdrawals: day.withdrawals + (movement.withdrawals ?? 0),
  };
  return pruned({ ...base, days: shifted });
}

/** Drops the days older than the retained window, keeping the cash they closed with as the opening balance. */
function pruned(profile: MerchantProfileDoc): MerchantProfileDoc {
  const newest = profile.days[profile.days.length - 1];
  if (!newest) return profile;
  const cutoff = addDays(newest.date, -(RETAINED_CALENDAR_DAYS - 1));
  const dropped = profile.days.filter((day) => day.date < cutoff);
  if (dropped.length === 0) return profile;
  return { ...profile, retainedFrom: cutoff, openingCashFen: dropped[dropped.length - 1]!.closingCashFen, days: profile.days.filter((day) => day.date >= cutoff) };
}

/** The movement a wallet event makes, or undefined for events that move no cash. */
function walletMovement(event: WalletEvent): Movement | undefined {
  switch (event.type) {
    case 'CashDeposited':
    case 'PaymentReceived':
      return { cashFen: event.data.amountFen, inflowFen: event.data.amountFen };
    case 'CashWithdrawn':
      return { cashFen: -event.data.amountFen, outflowFen: event.data.amountFen, withdrawals: 1 };
    case 'PaymentSent':
      return { cashFen: -event.data.amountFen, outflowFen: event.data.amountFen };
    case 'PurchasePaid':
      return { cashFen: -event.data.amountFen };
    case 'RedemptionCashReceived':
    case 'PaymentReturned':
      return { cashFen: event.data.amountFen };
    case 'WalletOpened':
    case 'RebalancingSet':
      return undefined;
  }
}

function positionMovement(event: RecordedEvent): Movement {
  const { amountFen } = eventData<{ amountFen: Fen }>(event);
  return event.type === 'InstantRedemptionMade' ? { cashFen: 0n, instantRedeemedFen: amountFen } : { cashFen: 0n, standardRedeemedFen: amountFen };
}

/** The wallet an event belongs to: wallet-<walletId> or position-<walletId>-<fundCode>. */
function walletIdOf(event: RecordedEvent): string {
  if (event.stream.startsWith(WALLET_PREFIX)) return event.stream.slice(WALLET_PREFIX.length);
  invariant(event.stream.startsWith(POSITION_PREFIX), () => `${event.type} on stream ${event.stream}, neither a wallet's nor a position's`);
  return event.stream.slice(POSITION_PREFIX.length, POSITION_PREFIX.length + UUID_LENGTH);
}

async function load(view: ProjectionView, walletId: string): Promise<MerchantProfileDoc | undefined> {
  return view.read<MerchantProfileDoc>(PROFILES, walletId);
}

function save(view: ProjectionView, profile: MerchantProfileDoc): void {
  view.write(PROFILES, profile.walletId, profile);
}

async function apply(event: RecordedEvent, view: ProjectionView): Promise<void> {
  const businessDate = typeof event.metadata.businessDate === 'string' ? event.metadata.businessDate : undefined;
  if (event.type === 'PartyRegistered') {
    const { data } = { data: eventData(event) } as PartyRegisteredEvent;
    if (data.kind !== 'merchant') return;
    const profile = (await load(view, data.walletId)) ?? emptyProfile(data.walletId);
    // No name: the profile API takes it from the parties read model, which erasure reaches.
    save(view, { ...profile, merchantId: data.partyId, registeredOn: businessDate ?? null });
    return;
  }
  const walletId = walletIdOf(event);
  if (event.type === 'WalletOpened') {
    const { data } = { data: eventData(event) } as Extract<WalletEvent, { type: 'WalletOpened' }>;
    if (data.ownerKind !== 'merchant') return;
    const profile = (await load(view, walletId)) ?? emptyProfile(walletId);
    save(view, businessDate === undefined ? profile : withMovement(profile, businessDate, { cashFen: 0n }));
    return;
  }
  // Customers' wallets have no profile: their events find no document and change nothing.
  const profile = await load(view, walletId);
  if (!profile || businessDate === undefined) return;
  const movement = event.stream.startsWith(POSITION_PREFIX) ? positionMovement(event) : walletMovement({ type: event.type, data: eventData(event) } as WalletEvent);
  if (movement) save(view, withMovement(profile, businessDate, movement));
}

export function merchantProfileDoc(body: JsonObject): MerchantProfileDoc {
  return decodeData<MerchantProfileDoc>(body);
}

/** A profile's daily series over business days, oldest first; days without movements are zeros. */
export interface DailySeries {
  dates: IsoDate[];
  inflowFen: Fen[];
  outflowFen: Fen[];
  closingCashFen: Fen[];
  instantRedeemedFen: Fen[];
  standardRedeemedFen: Fen[];
  withdrawals: number[];
}

/**
 * The business days from the start of the profile's history (or of what it retains) through `through`, at
 * most `maxDays` of them, ending at `through` whether or not that day had movements.
 */
export function dailySeries(profile: MerchantProfileDoc, through: IsoDate, maxDays = HISTORY_BUSINESS_DAYS): DailySeries {
  const series: DailySeries = { dates: [], inflowFen: [], outflowFen: [], closingCashFen: [], instantRedeemedFen: [], standardRedeemedFen: [], withdrawals: [] };
  if (profile.firstDate === null) return series;
  const start = profile.retainedFrom !== null && profile.retainedFrom > profile.firstDate ? profile.retainedFrom : profile.firstDate;
  const dates: IsoDate[] = [];
  // Seven calendar days hold five business days; the bound is generous and only stops a runaway walk.
  for (let day = through, steps = 0; day >= start && dates.length < maxDays && steps < maxDays * 2 + 7; day = addDays(day, -1), steps++) {
    if (isBusinessDay(day)) dates.unshift(day);
  }
  const byDate = new Map(profile.days.map((day) => [day.date, day]));
  let closing = openingBalance(profile, dates[0]);
  for (const date of dates) {
    const day = byDate.get(date);
    if (day) closing = day.closingCashFen;
    series.dates.push(date);
    series.inflowFen.push(day?.inflowFen ?? 0n);
    series.outflowFen.push(day?.outflowFen ?? 0n);
    series.closingCashFen.push(closing);
    series.instantRedeemedFen.push(day?.instantRedeemedFen ?? 0n);
    series.standardRedeemedFen.push(day?.standardRedeemedFen ?? 0n);
    series.withdrawals.push(day?.withdrawals ?? 0);
  }
  return series;
}

/** Cash at the end of the last day before `date`: the last stored day before it, else the retained opening. */
function openingBalance(profile: MerchantProfileDoc, date: IsoDate | undefined): Fen {
  let balance = profile.openingCashFen;
  if (date === undefined) return balance;
  for (const day of profile.days) {
    if (day.date >= date) break;
    balance = day.closingCashFen;
  }
  return balance;
}

export const merchantProfilesProjection: ProjectionDefinition = {
  name: 'merchant_profiles',
  description: "Each merchant's wallet by business day: inflow, outflow, closing cash, instant and standard redemptions and withdrawals, about a year back.",
  collections: [{ name: PROFILES, indexes: [['merchantId'], ['name']] }],
  eventTypes: [
    'PartyRegistered',
    'WalletOpened',
    'CashDeposited',
    'CashWithdrawn',
    'PaymentSent',
    'PaymentReceived',
    'PaymentReturned',
    'PurchasePaid',
    'RedemptionCashReceived',
    'InstantRedemptionMade',
    'StandardRedemptionPlaced',
  ],
  apply,
};

export const MERCHANT_PROFILES_COLLECTION = PROFILES;
