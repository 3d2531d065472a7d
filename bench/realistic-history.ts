/**
 * A realistic event history written straight into an event store, for benchmarks of the read side. The
 * product's own deciders make every event, so every money event carries its balanced postings; the events
 * are appended in large per-stream batches instead of one command at a time, so a million of them take
 * well under a minute where the HTTP API would need an hour.
 *
 * The mix, business day by business day: merchants and their wallets opened on the first day, customers over
 * the first ten; money funds registered and listed; every fund's income per 10,000 shares (0.30 to 0.80 CNY,
 * a mean-reverting walk per fund) published for every calendar day the coming close covers; customers
 * depositing, paying merchants (the bulk; merchants' popularity follows Zipf's law, customers' activity is
 * lognormal, Mondays carry the weekend), now and then paying each other, buying funds, redeeming them
 * (instant within the cap of the rule set in force, or standard) and withdrawing; one in twenty of customers'
 * cash commands sent with an Idempotency-Key, so their responses are recorded; merchants withdrawing their
 * takings and parking cash in funds; and a day close per business day, in the order the day close writes it.
 * Forecasts are left out: they come from models, not from deciders.
 *
 * Order: within a stream, events are in decision order. The phases of a day (the morning, the day's
 * commands, the start of the close, the close, its end) are each written before the next begins, so across
 * streams the log keeps the order the read side relies on (an income published before it accrues, a close
 * started before any position closes and finished after the last). A phase is written in parts of a few
 * thousand events; within a part, streams follow each other in the order they were first touched. Read
 * models that keep THE RULE of src/projections/projection.ts do not depend on how streams interleave, which
 * is why this shortcut measures what a live log would.
 *
 * Deterministic for a seed: every id, amount and choice comes from one seeded generator (recordedAt comes
 * from the store's clock). The history ends exactly at `events`: the last day stops short of its close and is
 * topped up with deposits.
 */
import { sealDetails, seededNonce } from '../src/personal-data/cipher';
import type { DataKey } from '../src/personal-data/key-store';
import { type AppendResult, type EventInput, type EventStore, LIMITS, canonicalJson } from '../src/eventstore';
import { hashSecret } from '../src/api/auth/api-key';
import { type DecisionMetadata, type DomainEvent, toEventInputs } from '../src/api/commands/stored-aggregate';
import { CALENDAR_STREAM, type CalendarState, calendarDecider } from '../src/domain/calendar/calendar.decider';
import type { Decider } from '../src/domain/decider';
import { type FundState, fundDecider, fundStream } from '../src/domain/fund/fund.decider';
import { type FundHoldersState, fundHoldersDecider, fundHoldersStream } from '../src/domain/fund/fund-holders.decider';
import { type IsoDate, addDays, daysAfterUpTo } from '../src/domain/iso-date';
import { formatFen } from '../src/domain/money';
import { type PartyKind, partyDecider, partyStream } from '../src/domain/party/party.decider';
import { type PositionState, type RedemptionMode, instantQuotaLeftFen, positionDecider, positionStream } from '../src/domain/position/position.decider';
import { REGISTRIES, type RegistryState, registryDecider } from '../src/domain/registry/registry.decider';
import { type RuleSet, ruleSetOn } from '../src/domain/rules/rule-set';
import { type WalletState, walletDecider, walletStream } from '../src/domain/wallet/wallet.decider';
import { invariant } from '../src/invariant';
import { SeededRandom } from '../src/ml/market/seeded-random';

export interface RealisticHistoryOptions {
  /** Exactly this many events are written. */
  events: number;
  customers: number;
  merchants: number;
  funds: number;
  seed: number;
  /** The calendar's start date (the first business day on or after it is the first business date). */
  startDate: IsoDate;
  /** Called after each phase is written, with the number of events written so far. */
  onProgress?: (written: number) => void;
  /**
   * The data key that seals every party's details, with a nonce of its own per party: the benchmarks measure
   * sealing and opening, not erasure, so one key (in the key store of the data folder served) does for all.
   */
  personalDataKey: DataKey;
}

export interface RealisticHistory {
  events: number;
  lastPosition: bigint;
  /** Every wallet opened, merchants' and customers', in the order they were opened. */
  walletIds: string[];
  merchantWalletIds: string[];
  /** The API key of each wallet's owner, by wallet id: the secrets are seeded, so they are known here. */
  apiKeys: ReadonlyMap<string, string>;
}

/** Writes the history into `store`, which must be empty. */
export async function writeRealisticHistory(store: EventStore, options: RealisticHistoryOptions): Promise<RealisticHistory> {
  invariant(Number.isSafeInteger(options.events) && options.events > 0, () => `events must be a positive integer, got ${options.events}`);
  invariant(options.customers >= 1 && options.merchants >= 1 && options.funds >= 1, 'a history needs at least one customer, merchant and fund');
  invariant((await store.lastPosition()) === -1n, 'the history is written into an empty store: it tracks every stream revision itself');
  const writer = new HistoryWriter(store, options);
  return writer.run();
}

// ------------------------------------------------------------------------------------------------ behaviour

/** Customers are onboarded over this many business days. */
const ONBOARDING_DAYS = 10;
/** A weekend day carries this share of a business day's payments; they land on Monday's business date. */
const WEEKEND_ACTIVITY = 0.8;
/** Below this much cash a customer tops up; otherwise with P_DEPOSIT a day. */
const LOW_CASH_FEN = 50_00n;
const P_DEPOSIT = 0.08;
const DEPOSIT_MEDIAN_FEN = 800_00;
const PAYMENT_MEDIAN_FEN = 35_00;
/** The share of payments that go to another customer rather than to a merchant. */
const P_PEER_PAYMENT = 0.05;
const P_PURCHASE = 0.05;
const MIN_PURCHASE_FEN = 100_00n;
const P_INSTANT_REDEMPTION = 0.03;
const P_STANDARD_REDEMPTION = 0.01;
const REDEMPTION_MEDIAN_FEN = 300_00;
const P_WITHDRAWAL = 0.02;
const MIN_WITHDRAWAL_FEN = 100_00n;
const P_IDEMPOTENCY_KEY = 0.05;
const P_MERCHANT_WITHDRAWAL = 0.7;
const P_MERCHANT_PURCHASE = 0.3;
const MIN_MERCHANT_PURCHASE_FEN = 1_000_00n;
const P_MERCHANT_REDEMPTION = 0.15;
const MERCHANT_REDEMPTION_MEDIAN_FEN = 5_000_00;
/** Income per 10,000 shares in units of 0.0001 CNY: 3,000 is 0.30 CNY. */
const INCOME_RANGE = { low: 3_000, high: 8_000 } as const;
/**
 * A phase is written in parts of about this many events: streams are still grouped within each part, and
 * the events die young instead of piling up for the garbage collector's old generation.
 */
const FLUSH_EVERY_EVENTS = 5_000;
/** Appends issued before waiting for them; the store refuses more than LIMITS.maxQueuedAppends waiting. */
const MAX_APPENDS_IN_FLIGHT = 10_000;
/** A bound on the days of a history, far beyond any target: the loop must end even on odd options. */
const MAX_BUSINESS_DAYS = 100_000;

const FUND_NAMES: readonly (readonly [string, string])[] = [
  ['000198', "Tianhong Yu'E Bao Money Market Fund"],
  ['000009', 'E Fund Yi Li Bao Money Market Fund'],
  ['000379', 'Ping An Daily Gain Money Market Fund'],
  ['000638', 'Fullgoal Money Market Fund'],
  ['001666', 'China AMC Cash Treasure Money Market Fund'],
  ['002183', 'Bosera Cash Wealth Money Market Fund'],
];

// --------------------------------------------------------------------------------------------- the model

/** One stream as the writer knows it: the folded state and the revision of its last event, written or pending. */
interface Aggregate<S> {
  readonly stream: string;
  state: S;
  revision: number;
}

interface Owner {
  kind: PartyKind;
  partyId: string;
  walletId: string;
  principal: string;
  wallet: Aggregate<WalletState>;
  holdings: Holding[];
  /** Mean payments per business day: a few pay a lot, most a little. */
  activity: number;
}

interface Holding {
  owner: Owner;
  fund: Fund;
  position: Aggregate<PositionState>;
}

interface Fund {
  code: string;
  aggregate: Aggregate<FundState>;
  holderList: Aggregate<FundHoldersState>;
  /** In the order they joined, which is the order the day close visits them. */
  holders: Holding[];
  meanLevel: number;
  level: number;
}

type Metadata = DecisionMetadata & Readonly<Record<string, string>>;
type StartedCalendar = Extract<CalendarState, { started: true }>;

function aggregate<S>(stream: string, state: S): Aggregate<S> {
  return { stream, state, revision: -1 };
}

/** Events waiting to be appended, per stream, in the order the streams were first touched. */
class Outbox {
  private readonly pending = new Map<Aggregate<unknown>, { from: number; events: EventInput[] }>();
  size = 0;

  add(target: Aggregate<unknown>, events: readonly EventInput[]): void {
    let entry = this.pending.get(target);
    if (!entry) this.pending.set(target, (entry = { from: target.revision, events: [] }));
    for (const event of events) entry.events.push(event);
    target.revision += events.length;
    this.size += events.length;
  }

  /** Appends everything pending, each stream at the revision it was at, in chunks the store accepts. */
  async flush(store: EventStore): Promise<{ events: number; position: bigint }> {
    let inFlight: Promise<AppendResult>[] = [];
    let position = -1n;
    const settle = async () => {
      const outcomes = await Promise.allSettled(inFlight);
      inFlight = [];
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') throw outcome.reason;
        if (outcome.value.position > position) position = outcome.value.position;
      }
    };
    for (const [target, { from, events }] of this.pending) {
      for (let offset = 0; offset < events.length; offset += LIMITS.maxEventsPerAppend) {
        const expected = from + offset;
        const chunk = events.slice(offset, offset + LIMITS.maxEventsPerAppend);
        inFlight.push(store.append(target.stream, chunk, { expectedRevision: expected < 0 ? 'no_stream' : BigInt(expected) }));
        if (inFlight.length >= MAX_APPENDS_IN_FLIGHT) await settle();
      }
    }
    await settle();
    const events = this.size;
    this.pending.clear();
    this.size = 0;
    return { events, position };
  }
}

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** Where the 32 hex digits of a UUID go in its 36 characters; 14 and 19 are then set to the version and variant. */
const UUID_DIGIT_AT = [...'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx'].flatMap((c, i) => (c === 'x' ? [i] : []));

/**
 * Seeded UUIDs (version 4 layout) and API key secrets. A UUID is written into one buffer and read out as
 * one string: a million events need a few million ids, and building them from pieces made more garbage
 * than the events themselves.
 */
class SeededIds {
  private readonly text = Buffer.from('00000000-0000-4000-8000-000000000000', 'latin1');

  constructor(private readonly random: SeededRandom) {}

  uuid(): string {
    for (let word = 0; word < 4; word++) {
      const bits = this.random.nextUint32();
      for (let nibble = 0; nibble < 8; nibble++) this.text[UUID_DIGIT_AT[word * 8 + nibble]!] = HEX_DIGITS[(bits >>> (28 - nibble * 4)) & 0xf]!;
    }
    this.text[14] = HEX_DIGITS[4]!;
    this.text[19] = HEX_DIGITS[8 + (this.random.nextUint32() & 3)]!;
    return this.text.toString('latin1');
  }

  /** 32 random bytes in base64url, as issueApiKey makes them. */
  secret(): string {
    const bytes = Buffer.alloc(32);
    for (let i = 0; i < 8; i++) bytes.writeUInt32BE(this.random.nextUint32(), i * 4);
    return bytes.toString('base64url');
  }
}

function cashOf(owner: Owner): bigint {
  return owner.wallet.state.open ? owner.wallet.state.cashFen : 0n;
}

function holdingOf(holding: Holding): bigint {
  return holding.position.state.opened ? holding.position.state.holdingFen : 0n;
}

// ---------------------------------------------------------------------------------------------- the writer

class HistoryWriter {
  private readonly random: SeededRandom;
  private readonly income: SeededRandom;
  private readonly ids: SeededIds;
  private readonly outbox = new Outbox();
  private readonly calendar = aggregate<CalendarState>(CALENDAR_STREAM, calendarDecider.initialState);
  private readonly fundRegistry = aggregate<RegistryState>(REGISTRIES.funds, registryDecider.initialState);
  private readonly merchantRegistry = aggregate<RegistryState>(REGISTRIES.merchants, registryDecider.initialState);
  private readonly operator: string;
  private readonly customers: Owner[] = [];
  private readonly merchants: Owner[] = [];
  private readonly funds: Fund[] = [];
  private readonly apiKeys = new Map<string, string>();
  private merchantPopularity: number[] = [];
  private written = 0;
  private lastPosition = -1n;
  /** The calendar days the coming close covers. */
  private closeDays: IsoDate[] = [];
  private ruleSet: RuleSet;
  /** On a full day the close's events are held back from the budget; the last day has no close. */
  private fullDay = false;
  /** The events of the last full day's commands: a day is full only when about half as many fit besides its close. */
  private expectedDaytime = 0;
  private positionCount = 0;
  private pendingPurchases = 0;
  private pendingRedemptions = 0;

  constructor(
    private readonly store: EventStore,
    private readonly options: RealisticHistoryOptions,
  ) {
    const root = SeededRandom.fromSeed(options.seed);
    this.random = root.child('behaviour');
    this.income = root.child('income');
    this.ids = new SeededIds(root.child('ids'));
    this.operator = `operator:${this.ids.uuid().replace(/-/g, '').slice(0, 12)}`;
    this.ruleSet = ruleSetOn(options.startDate);
  }

  async run(): Promise<RealisticHistory> {
    this.start();
    for (let day = 0; day < MAX_BUSINESS_DAYS; day++) {
      if (await this.businessDay()) break;
    }
    await this.flush();
    const owners = [...this.merchants, ...this.customers];
    return {
      events: this.written,
      lastPosition: this.lastPosition,
      walletIds: owners.map((o) => o.walletId),
      merchantWalletIds: this.merchants.map((o) => o.walletId),
      apiKeys: this.apiKeys,
    };
  }

  /** The calendar started as `ifw serve` starts it, the funds registered and the merchants onboarded. */
  private start(): void {
    const { startDate } = this.options;
    const metadata: Metadata = { correlationId: 'start', causationId: 'start', principal: 'system', ruleSetVersion: this.ruleSet.version, businessDate: startDate };
    this.record(this.calendar, calendarDecider, { type: 'StartCalendar', startDate }, metadata);
    this.ruleSet = ruleSetOn(this.today().businessDate);
    for (let i = 0; i < this.options.funds && this.room(2); i++) this.registerFund(i);
    for (let i = 0; i < this.options.merchants && this.room(3); i++) this.registerParty('merchant', i);
    this.merchantPopularity = cumulative(this.merchants.map((_, i) => 1 / (i + 1)));
  }

  /** One business day; true once the history is complete. */
  private async businessDay(): Promise<boolean> {
    const today = this.today();
    this.ruleSet = ruleSetOn(today.businessDate);
    this.closeDays = daysAfterUpTo(today.lastClosedDate ?? addDays(today.businessDate, -1), today.businessDate);
    const complete = this.morning();
    await this.flush();
    const left = this.options.events - this.written;
    this.fullDay = complete && left >= this.closeUpperBound() + Math.ceil(this.expectedDaytime / 2);
    const before = this.written;
    await this.daytime();
    if (!this.fullDay) this.topUp();
    await this.flush();
    if (!this.fullDay) return true;
    this.expectedDaytime = this.written - before;
    await this.closeDay();
    return this.written >= this.options.events;
  }

  /** New customers, then every fund's income for the days of the coming close; false when the budget cut it short. */
  private morning(): boolean {
    const onboarded = this.customers.length;
    const today = Math.min(this.options.customers - onboarded, Math.ceil(this.options.customers / ONBOARDING_DAYS));
    for (let i = 0; i < today; i++) {
      if (!this.room(2)) return false;
      this.registerParty('customer', onboarded + i);
    }
    for (const fund of this.funds) {
      for (const date of this.closeDays) {
        if (!this.room(1)) return false;
        this.publishIncome(fund, date);
      }
    }
    return true;
  }

  private async daytime(): Promise<void> {
    const factor = 1 + WEEKEND_ACTIVITY * (this.closeDays.length - 1);
    const count = this.customers.length;
    const first = count > 0 ? this.random.integer(0, count - 1) : 0;
    for (let i = 0; i < count && this.room(1); i++) {
      this.customerDay(this.customers[(first + i) % count]!, factor);
      if (this.outbox.size >= FLUSH_EVERY_EVENTS) await this.flush();
    }
    for (let i = 0; i < this.merchants.length && this.room(1); i++) this.merchantDay(this.merchants[i]!);
  }

  private customerDay(owner: Owner, factor: number): void {
    if (cashOf(owner) < LOW_CASH_FEN || this.random.bernoulli(P_DEPOSIT)) {
      this.deposit(owner, this.randomFen(DEPOSIT_MEDIAN_FEN, 0.9, 10_00, 50_000_00));
    }
    const payments = this.count(owner.activity * factor);
    for (let i = 0; i < payments; i++) {
      const amount = minFen(this.randomFen(PAYMENT_MEDIAN_FEN, 1.1, 1, 20_000_00), cashOf(owner));
      const payee = this.random.bernoulli(P_PEER_PAYMENT) ? this.otherCustomer(owner) : this.popularMerchant();
      if (amount > 0n && payee) this.pay(owner, payee, amount);
    }
    if (this.random.bernoulli(P_PURCHASE) && cashOf(owner) >= MIN_PURCHASE_FEN) {
      this.purchase(owner, this.popularFund(), wholeYuan(this.share(cashOf(owner), 30, 70)));
    }
    this.customerRedemptions(owner);
    if (this.random.bernoulli(P_WITHDRAWAL) && cashOf(owner) >= MIN_WITHDRAWAL_FEN) this.withdraw(owner, this.share(cashOf(owner), 20, 60));
  }

  private customerRedemptions(owner: Owner): void {
    for (const holding of owner.holdings) {
      const held = holdingOf(holding);
      if (held === 0n) continue;
      const draw = this.random.uniform();
      if (draw < P_INSTANT_REDEMPTION) {
        const amount = minFen(minFen(this.randomFen(REDEMPTION_MEDIAN_FEN, 1, 1_00, 50_000_00), held), this.quotaLeft(holding));
        if (amount > 0n) this.redeem(holding, amount, 'instant');
      } else if (draw < P_INSTANT_REDEMPTION + P_STANDARD_REDEMPTION) {
        const amount = this.share(held, 20, 100);
        if (amount > 0n) this.redeem(holding, amount, 'standard');
      }
    }
  }

  /** Merchants take most of the day's takings to the bank, park some in funds, and draw on them. */
  private merchantDay(owner: Owner): void {
    if (cashOf(owner) > 0n && this.random.bernoulli(P_MERCHANT_WITHDRAWAL)) {
      const amount = this.share(cashOf(owner), 50, 90);
      if (amount > 0n) this.withdraw(owner, amount);
    }
    if (cashOf(owner) >= MIN_MERCHANT_PURCHASE_FEN && this.random.bernoulli(P_MERCHANT_PURCHASE)) {
      this.purchase(owner, this.popularFund(), wholeYuan(this.share(cashOf(owner), 40, 60)));
    }
    for (const holding of owner.holdings) {
      if (!this.random.bernoulli(P_MERCHANT_REDEMPTION)) continue;
      const amount = minFen(minFen(this.randomFen(MERCHANT_REDEMPTION_MEDIAN_FEN, 0.8, 100_00, 100_000_00), holdingOf(holding)), this.quotaLeft(holding));
      if (amount > 0n) this.redeem(holding, amount, 'instant');
    }
  }

  /** The last day: deposits until the history has exactly the events asked for. */
  private topUp(): void {
    const left = this.options.events - this.written - this.outbox.size;
    for (let i = 0; i < left && this.customers.length > 0; i++) {
      const owner = this.customers[this.random.integer(0, this.customers.length - 1)]!;
      this.deposit(owner, this.randomFen(DEPOSIT_MEDIAN_FEN, 0.9, 10_00, 50_000_00), false);
    }
  }

  // ------------------------------------------------------------------------------------------- the budget

  /** Whether `events` more fit, leaving room for the close of a full day and for what the command adds to it. */
  private room(events: number, addedToClose = 0): boolean {
    const reserve = this.fullDay ? this.closeUpperBound() + addedToClose : 0;
    return this.written + this.outbox.size + events + reserve <= this.options.events;
  }

  /** At most this many events in the coming close: per position a day's income each, its close, confirmations and settlements. */
  private closeUpperBound(): number {
    const days = this.closeDays.length;
    return 2 + this.funds.length * days + this.positionCount * (days + 1) + this.pendingPurchases + 2 * this.pendingRedemptions;
  }

  // ------------------------------------------------------------------------------------------- the commands

  private registerFund(index: number): void {
    const [code, name] = FUND_NAMES[index] ?? [`MMF${String(index + 1).padStart(3, '0')}`, `Money Market Fund ${index + 1}`];
    const fund: Fund = { code, aggregate: aggregate(fundStream(code), fundDecider.initialState), holderList: aggregate(fundHoldersStream(code), fundHoldersDecider.initialState), holders: [], meanLevel: 0, level: 0 };
    fund.meanLevel = this.income.uniformIn(4_500, 6_500);
    fund.level = fund.meanLevel;
    const metadata = this.operatorMetadata();
    this.record(fund.aggregate, fundDecider, { type: 'RegisterFund', code, name, businessDate: this.today().businessDate }, metadata);
    this.record(this.fundRegistry, registryDecider, { type: 'ListMember', id: code }, metadata);
    this.funds.push(fund);
  }

  private registerParty(kind: PartyKind, index: number): void {
    const partyId = this.ids.uuid();
    const walletId = this.ids.uuid();
    const secret = this.ids.secret();
    const name = `${kind === 'merchant' ? 'Merchant' : 'Customer'} ${String(index + 1).padStart(6, '0')}`;
    const owner: Owner = {
      kind,
      partyId,
      walletId,
      principal: `${kind}:${partyId}`,
      wallet: aggregate(walletStream(walletId), walletDecider.initialState),
      holdings: [],
      activity: Math.min(6, this.random.lognormal(-0.32, 0.8)),
    };
    const metadata = this.operatorMetadata();
    const party = aggregate(partyStream(partyId), partyDecider.initialState);
    // Customers here buy funds, which only type III accounts may.
    const tier = kind === 'customer' ? { accountTier: 'III' as const } : {};
    const { keyId, key } = this.options.personalDataKey;
    const sealedPersonalData = sealDetails({ name }, key, keyId, partyId, seededNonce(`${this.options.seed}:${partyId}`));
    this.record(party, partyDecider, { type: 'RegisterParty', partyId, kind, sealedPersonalData, walletId, apiKeyHash: hashSecret(secret), ...tier }, metadata);
    this.record(owner.wallet, walletDecider, { type: 'OpenWallet', walletId, ownerKind: kind, ownerId: partyId, ...tier }, metadata);
    if (kind === 'merchant') this.record(this.merchantRegistry, registryDecider, { type: 'ListMember', id: partyId }, metadata);
    (kind === 'merchant' ? this.merchants : this.customers).push(owner);
    this.apiKeys.set(walletId, `ifw_${partyId}_${secret}`);
  }

  private publishIncome(fund: Fund, date: IsoDate): void {
    // A mean-reverting walk, clamped to the range money funds paid in recent years.
    fund.level += 0.08 * (fund.meanLevel - fund.level) + this.income.gaussian(0, 90);
    fund.level = Math.min(INCOME_RANGE.high, Math.max(INCOME_RANGE.low, fund.level));
    const today = this.today();
    const lastClosedDate = today.closing?.date ?? today.lastClosedDate;
    const command = { type: 'PublishIncome', date, perTenK: BigInt(Math.round(fund.level)), businessDate: today.businessDate, lastClosedDate, ledgerStartedOn: today.startedOn } as const;
    this.record(fund.aggregate, fundDecider, command, this.operatorMetadata());
  }

  private deposit(owner: Owner, amountFen: bigint, mayUseKey = true): void {
    const keyed = mayUseKey && owner.kind === 'customer' && this.random.bernoulli(P_IDEMPOTENCY_KEY);
    if (!this.room(keyed ? 3 : 1)) return;
    const metadata = this.ownerMetadata(owner);
    this.record(owner.wallet, walletDecider, { type: 'Deposit', amountFen }, metadata);
    if (keyed) this.recordRequest(owner, `/wallets/${owner.walletId}/deposits`, { amount: formatFen(amountFen) }, { walletId: owner.walletId, amount: formatFen(amountFen), cash: formatFen(cashOf(owner)) }, metadata);
  }

  private withdraw(owner: Owner, amountFen: bigint): void {
    const keyed = owner.kind === 'customer' && this.random.bernoulli(P_IDEMPOTENCY_KEY);
    if (!this.room(keyed ? 3 : 1)) return;
    const metadata = this.ownerMetadata(owner);
    this.record(owner.wallet, walletDecider, { type: 'Withdraw', amountFen }, metadata);
    if (keyed) this.recordRequest(owner, `/wallets/${owner.walletId}/withdrawals`, { amount: formatFen(amountFen) }, { walletId: owner.walletId, amount: formatFen(amountFen), cash: formatFen(cashOf(owner)) }, metadata);
  }

  private pay(from: Owner, to: Owner, amountFen: bigint): void {
    const keyed = from.kind === 'customer' && this.random.bernoulli(P_IDEMPOTENCY_KEY);
    if (!this.room(keyed ? 4 : 2)) return;
    const metadata = this.ownerMetadata(from);
    const paymentId = this.ids.uuid();
    this.record(from.wallet, walletDecider, { type: 'SendPayment', paymentId, toWalletId: to.walletId, amountFen, businessDate: this.today().businessDate, ruleSet: this.ruleSet }, metadata);
    this.record(to.wallet, walletDecider, { type: 'ReceivePayment', paymentId, fromWalletId: from.walletId, amountFen }, metadata);
    if (!keyed) return;
    const amount = formatFen(amountFen);
    const body = { paymentId, fromWalletId: from.walletId, toWalletId: to.walletId, amount, cash: formatFen(cashOf(from)) };
    this.recordRequest(from, `/wallets/${from.walletId}/payments`, { toWalletId: to.walletId, amount }, body, metadata);
  }

  /** The wallet pays, the position records the purchase, and a first purchase adds the wallet to the fund's holders, as the purchase and its steps do. */
  private purchase(owner: Owner, fund: Fund, amountFen: bigint): void {
    if (amountFen <= 0n) return;
    const existing = owner.holdings.find((h) => h.fund === fund);
    if (!this.room(existing ? 2 : 3, 1 + (existing ? 0 : this.closeDays.length + 1))) return;
    const metadata = this.ownerMetadata(owner);
    const purchaseId = this.ids.uuid();
    const { walletId } = owner;
    const holding = existing ?? { owner, fund, position: aggregate(positionStream(walletId, fund.code), positionDecider.initialState) };
    this.record(owner.wallet, walletDecider, { type: 'PayForPurchase', purchaseId, fundCode: fund.code, amountFen, ruleSet: this.ruleSet }, metadata);
    this.record(holding.position, positionDecider, { type: 'PlacePurchase', purchaseId, walletId, fundCode: fund.code, amountFen, businessDate: this.today().businessDate }, metadata);
    // Only a position's first purchase adds the wallet to the fund's list of holders.
    if (!existing) {
      this.record(fund.holderList, fundHoldersDecider, { type: 'JoinHolders', walletId }, metadata);
      fund.holders.push(holding);
      owner.holdings.push(holding);
      this.positionCount++;
    }
    this.pendingPurchases++;
  }

  /** Instant redemptions credit the wallet at once; standard ones are paid by the close, as RedeemFundHandler decides. */
  private redeem(holding: Holding, amountFen: bigint, mode: RedemptionMode): void {
    if (!this.room(mode === 'instant' ? 2 : 1, mode === 'instant' ? 0 : 2)) return;
    const metadata = this.ownerMetadata(holding.owner);
    const redemptionId = this.ids.uuid();
    const businessDate = this.today().businessDate;
    this.record(holding.position, positionDecider, { type: 'Redeem', redemptionId, amountFen, mode, businessDate, ruleSet: this.ruleSet }, metadata);
    if (mode === 'instant') this.record(holding.owner.wallet, walletDecider, { type: 'ReceiveRedemption', redemptionId, fundCode: holding.fund.code, amountFen }, metadata);
    else this.pendingRedemptions++;
  }

  /**
   * A request sent with an Idempotency-Key, as the command handler records it: the key claimed in its own
   * stream, the outcome appended to the owner's wallet after the request's events.
   */
  private recordRequest(owner: Owner, path: string, request: Record<string, string>, body: Record<string, string>, metadata: Metadata): void {
    const key = this.ids.uuid();
    const keyStream = `idempotency-${hashSecret(`${owner.principal}\n${key}`)}`;
    const requestHash = hashSecret(`POST ${path}\n${canonicalJson(request)}`);
    const fromRevision = String(owner.wallet.revision + 1);
    this.outbox.add(aggregate(keyStream, null), [{ id: this.ids.uuid(), type: 'RequestAccepted', data: { requestHash, stream: owner.wallet.stream, fromRevision }, metadata: { ...metadata } }]);
    this.outbox.add(owner.wallet, [{ id: this.ids.uuid(), type: 'RequestRecorded', data: { requestKey: keyStream, requestHash, status: 201, body }, metadata: { ...metadata } }]);
  }

  // ---------------------------------------------------------------------------------------------- the close

  /** The day close as DayClose writes it: started on the calendar, every position of every fund, each fund's income, finished. */
  private async closeDay(): Promise<void> {
    const date = this.today().businessDate;
    const metadata = this.operatorMetadata();
    this.record(this.calendar, calendarDecider, { type: 'BeginDayClose', date }, metadata);
    const closing = this.today().closing;
    invariant(closing?.date === date, () => `the close of ${date} did not start`);
    await this.flush();
    for (const fund of this.funds) await this.closeFund(fund, date, closing.nextBusinessDate, metadata);
    await this.flush();
    this.record(this.calendar, calendarDecider, { type: 'FinishDayClose', date }, metadata);
    await this.flush();
    this.pendingPurchases = 0;
    this.pendingRedemptions = 0;
    for (const fund of this.funds) {
      for (const { position } of fund.holders) {
        if (!position.state.opened) continue;
        this.pendingPurchases += position.state.pendingPurchases.length;
        this.pendingRedemptions += position.state.pendingRedemptions.length;
      }
    }
  }

  private async closeFund(fund: Fund, date: IsoDate, nextBusinessDate: IsoDate, metadata: Metadata): Promise<void> {
    const state = fund.aggregate.state;
    invariant(state.registered, () => `fund ${fund.code} is not registered`);
    const days = this.closeDays.filter((d) => d >= state.registeredOn).map((d) => ({ date: d, perTenK: state.incomesPerTenK[d]! }));
    invariant(days.every((d) => d.perTenK !== undefined), () => `fund ${fund.code} lacks an income the close of ${date} needs`);
    const accrued = new Map(days.map((d) => [d.date, { holdingsFen: 0n, distributedFen: 0n }]));
    for (const holding of fund.holders) {
      const closed = this.record(holding.position, positionDecider, { type: 'CloseDay', businessDate: date, nextBusinessDate, days }, metadata);
      for (const event of closed) {
        if (event.type === 'IncomeAccrued') {
          const day = accrued.get(event.data.date)!;
          day.holdingsFen += event.data.holdingFen;
          day.distributedFen += event.data.amountFen;
        } else if (event.type === 'StandardRedemptionSettled') {
          const { redemptionId, amountFen } = event.data;
          this.record(holding.owner.wallet, walletDecider, { type: 'ReceiveRedemption', redemptionId, fundCode: fund.code, amountFen }, metadata);
        }
      }
      if (this.outbox.size >= FLUSH_EVERY_EVENTS) await this.flush();
    }
    for (const { date: day } of days) {
      const { holdingsFen, distributedFen } = accrued.get(day)!;
      this.record(fund.aggregate, fundDecider, { type: 'DistributeIncome', date: day, holdingsFen, distributedFen }, metadata);
    }
  }

  // ------------------------------------------------------------------------------------------- the plumbing

  /** Decides on the aggregate's state, folds the events into it, and queues them as the command path encodes them. */
  private record<C, E extends DomainEvent, S>(target: Aggregate<S>, decider: Decider<C, E, S>, command: C, metadata: Metadata): E[] {
    const events = decider.decide(command, target.state);
    if (events.length === 0) return events;
    for (const event of events) target.state = decider.evolve(target.state, event);
    const inputs = toEventInputs(events, metadata);
    for (const input of inputs) input.id = this.ids.uuid();
    this.outbox.add(target, inputs);
    return events;
  }

  private async flush(): Promise<void> {
    if (this.outbox.size === 0) return;
    const { events, position } = await this.outbox.flush(this.store);
    this.written += events;
    this.lastPosition = position;
    this.options.onProgress?.(this.written);
  }

  private today(): StartedCalendar {
    const state = this.calendar.state;
    invariant(state.started, 'the calendar has not started');
    return state;
  }

  private operatorMetadata(): Metadata {
    return this.metadata(this.operator);
  }

  private ownerMetadata(owner: Owner): Metadata {
    return this.metadata(owner.principal);
  }

  private metadata(principal: string): Metadata {
    const correlationId = this.ids.uuid();
    return { correlationId, causationId: correlationId, principal, ruleSetVersion: this.ruleSet.version, businessDate: this.today().businessDate };
  }

  private quotaLeft(holding: Holding): bigint {
    return instantQuotaLeftFen(holding.position.state, this.today().businessDate, this.ruleSet);
  }

  // ------------------------------------------------------------------------------------------ the draws

  /** A lognormal amount around `medianFen`, clamped; a draw for a simulation, turned into whole fen at once. */
  private randomFen(medianFen: number, sigma: number, minFen: number, maxFen: number): bigint {
    return BigInt(Math.min(maxFen, Math.max(minFen, Math.round(medianFen * this.random.lognormal(0, sigma)))));
  }

  /** A uniformly drawn share of `amount`, from minPct to maxPct percent, in whole fen. */
  private share(amount: bigint, minPct: number, maxPct: number): bigint {
    return (amount * BigInt(this.random.integer(minPct, maxPct))) / 100n;
  }

  /** A binomial count with the given mean: how many payments a customer makes today. */
  private count(mean: number): number {
    const trials = Math.min(30, Math.max(1, Math.ceil(mean * 3)));
    const p = Math.min(1, mean / trials);
    let successes = 0;
    for (let i = 0; i < trials; i++) if (this.random.bernoulli(p)) successes++;
    return successes;
  }

  private popularMerchant(): Owner | undefined {
    const weights = this.merchantPopularity;
    if (weights.length === 0) return undefined;
    const target = this.random.uniform() * weights[weights.length - 1]!;
    let low = 0;
    let high = weights.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (weights[middle]! > target) high = middle;
      else low = middle + 1;
    }
    return this.merchants[low];
  }

  private otherCustomer(owner: Owner): Owner | undefined {
    if (this.customers.length < 2) return undefined;
    const other = this.customers[this.random.integer(0, this.customers.length - 1)]!;
    return other === owner ? undefined : other;
  }

  /** The first funds are the big ones: weights 1, 1/2, 1/3, … */
  private popularFund(): Fund {
    return this.funds[this.random.pick(this.funds.map((_, i) => 1 / (i + 1)))]!;
  }
}

function cumulative(weights: readonly number[]): number[] {
  let total = 0;
  return weights.map((w) => (total += w));
}

function minFen(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function wholeYuan(fen: bigint): bigint {
  return (fen / 100n) * 100n;
}
