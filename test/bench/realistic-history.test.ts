import { isEntityEvent } from '../../src/api/commands/stored-aggregate';
import { type JsonObject, type RecordedEvent, SqliteEventStore } from '../../src/eventstore';
import { hashSecret, parseApiKey } from '../../src/api/auth/api-key';
import { decodeData } from '../../src/domain/event-codec';
import { fold } from '../../src/domain/decider';
import type { Posting } from '../../src/domain/ledger/posting';
import { type WalletEvent, walletDecider } from '../../src/domain/wallet/wallet.decider';
import { type RealisticHistory, writeRealisticHistory } from '../../bench/realistic-history';

const OPTIONS = { events: 20_000, customers: 400, merchants: 15, funds: 3, startDate: '2026-01-05' } as const;

/** A fixed data key: these tests read the events, never the sealed details. */
const TEST_KEY = { keyId: '00000000-0000-4000-8000-00000000beef', key: Buffer.alloc(32, 7) };

interface Generated {
  history: RealisticHistory;
  events: RecordedEvent[];
}

async function generate(seed: number): Promise<Generated> {
  let now = Date.UTC(2026, 0, 5);
  const store = SqliteEventStore.open(':memory:', { clock: () => now++ });
  try {
    const history = await writeRealisticHistory(store, { ...OPTIONS, seed, personalDataKey: TEST_KEY });
    const events: RecordedEvent[] = [];
    for await (const event of store.readAll()) events.push(event);
    return { history, events };
  } finally {
    await store.close();
  }
}

function postingsOf(event: RecordedEvent): Posting[] {
  const data = decodeData<{ postings?: Posting[] }>(event.data);
  return data.postings ?? [];
}

/** Folds every posting in log order, calling `check` with each account's balance (debit-positive) as it moves. */
function foldPostings(events: readonly RecordedEvent[], check: (account: string, balance: bigint, event: RecordedEvent) => void = () => undefined): Map<string, bigint> {
  const balances = new Map<string, bigint>();
  for (const event of events) {
    for (const { debit, credit, amountFen } of postingsOf(event)) {
      const debited = (balances.get(debit) ?? 0n) + amountFen;
      const credited = (balances.get(credit) ?? 0n) - amountFen;
      balances.set(debit, debited);
      balances.set(credit, credited);
      check(debit, debited, event);
      check(credit, credited, event);
    }
  }
  return balances;
}

const MONEY_TYPES = [
  'CashDeposited',
  'CashWithdrawn',
  'PaymentSent',
  'PaymentReceived',
  'PurchasePaid',
  'RedemptionCashReceived',
  'PurchasePlaced',
  'PurchaseConfirmed',
  'InstantRedemptionMade',
  'StandardRedemptionPlaced',
  'StandardRedemptionSettled',
];

describe('writeRealisticHistory', () => {
  let first: Generated;

  beforeAll(async () => {
    first = await generate(42);
  });

  it('writes exactly the events asked for, with gapless revisions per stream and increasing positions', () => {
    const { history, events } = first;
    expect(history.events).toBe(OPTIONS.events);
    expect(events).toHaveLength(OPTIONS.events);
    expect(history.lastPosition).toBe(events[events.length - 1]!.position);
    const nextRevision = new Map<string, bigint>();
    const out: string[] = [];
    let previous = -1n;
    for (const event of events) {
      if (event.revision !== (nextRevision.get(event.stream) ?? 0n)) out.push(`${event.stream} revision ${event.revision} at ${event.position}`);
      if (event.position <= previous) out.push(`position ${event.position} after ${previous}`);
      nextRevision.set(event.stream, event.revision + 1n);
      previous = event.position;
    }
    expect(out).toEqual([]);
    expect(nextRevision.size).toBeGreaterThan(OPTIONS.customers);
  });

  it('balances every posting: the trial balance is zero and every payment has landed', () => {
    const balances = foldPostings(first.events);
    let total = 0n;
    for (const balance of balances.values()) total += balance;
    expect(total).toBe(0n);
    expect(balances.get('payments-in-transit')).toBe(0n);
    const malformed: string[] = [];
    for (const event of first.events) {
      const postings = postingsOf(event);
      if (MONEY_TYPES.includes(event.type) && postings.length === 0) malformed.push(`${event.type} at ${event.position} has no postings`);
      for (const p of postings) if (p.amountFen <= 0n || p.debit === p.credit) malformed.push(`${event.type} at ${event.position}: ${JSON.stringify(event.data)}`);
    }
    expect(malformed).toEqual([]);
  });

  it('never takes a wallet cash account or a fund holding to a debit balance, and agrees with the wallets folded', () => {
    const overdrawn: string[] = [];
    const balances = foldPostings(first.events, (account, balance, event) => {
      if ((account.startsWith('wallet-cash:') || account.startsWith('fund-holding:')) && balance > 0n) overdrawn.push(`${account} at ${event.position}`);
    });
    expect(overdrawn).toEqual([]);
    const walletEvents = new Map<string, WalletEvent[]>();
    for (const event of first.events) {
      if (!event.stream.startsWith('wallet-') || !isEntityEvent(event)) continue;
      const list = walletEvents.get(event.stream.slice('wallet-'.length)) ?? [];
      list.push({ type: event.type, data: decodeData(event.data) } as WalletEvent);
      walletEvents.set(event.stream.slice('wallet-'.length), list);
    }
    expect([...walletEvents.keys()].sort()).toEqual([...first.history.walletIds].sort());
    const disagreeing = [...walletEvents].filter(([walletId, events]) => {
      const wallet = fold(walletDecider, events);
      return !wallet.open || -wallet.cashFen !== (balances.get(`wallet-cash:${walletId}`) ?? 0n);
    });
    expect(disagreeing.map(([walletId]) => walletId)).toEqual([]);
  });

  it('holds the whole mix, payments the bulk, with every event carrying the metadata of its decision', () => {
    const counts = new Map<string, number>();
    for (const event of first.events) counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
    const expected = [
      'CalendarStarted', 'FundRegistered', 'MemberListed', 'PartyRegistered', 'WalletOpened', 'IncomePublished', 'HolderJoined', 'RequestAccepted', 'RequestRecorded',
      'DayCloseStarted', 'DayClosed', 'IncomeAccrued', 'PositionDayClosed', 'IncomeDistributed', ...MONEY_TYPES,
    ];
    expect(expected.filter((type) => !counts.has(type))).toEqual([]);
    for (const type of MONEY_TYPES.filter((t) => t !== 'PaymentSent' && t !== 'PaymentReceived')) expect(counts.get('PaymentSent')!).toBeGreaterThan(counts.get(type)!);
    expect(counts.get('DayClosed')).toBeGreaterThanOrEqual(10);
    const keys = ['correlationId', 'causationId', 'principal', 'ruleSetVersion', 'businessDate'];
    expect(first.events.filter((e) => keys.some((key) => typeof e.metadata[key] !== 'string')).map((e) => e.position)).toEqual([]);
    const incomes = first.events.filter((e) => e.type === 'IncomePublished').map((e) => decodeData<{ perTenK: bigint }>(e.data).perTenK);
    expect(incomes.filter((perTenK) => perTenK < 3_000n || perTenK > 8_000n)).toEqual([]);
  });

  it('writes each day close as the day close does: started, every position of that date, then finished', () => {
    const events = first.events;
    const closes = events.flatMap((e, i) => (e.type === 'DayCloseStarted' ? [{ start: i, data: e.data as { date: string; days: string[] } }] : []));
    expect(closes.length).toBeGreaterThanOrEqual(10);
    for (const { start, data } of closes) {
      const end = events.findIndex((e, i) => i > start && e.type === 'DayClosed');
      expect((events[end]!.data as JsonObject).date).toBe(data.date);
      const inside = events.slice(start + 1, end);
      expect(inside.every((e) => e.metadata.businessDate === data.date)).toBe(true);
      expect(inside.some((e) => e.type === 'PositionDayClosed')).toBe(true);
      const published = new Set(events.slice(0, start).filter((e) => e.type === 'IncomePublished').map((e) => `${e.stream}|${(e.data as JsonObject).date}`));
      const funds = new Set(events.filter((e) => e.type === 'FundRegistered').map((e) => e.stream));
      for (const fund of funds) for (const day of data.days) expect(published.has(`${fund}|${day}`)).toBe(true);
      expect(events.slice(end + 1).some((e) => e.type === 'PositionDayClosed' && e.metadata.businessDate === data.date)).toBe(false);
    }
  });

  it('gives every wallet owner an API key whose secret matches the hash registered for the party', () => {
    const { history, events } = first;
    expect(history.walletIds).toHaveLength(OPTIONS.customers + OPTIONS.merchants);
    expect(history.merchantWalletIds.every((id) => history.walletIds.includes(id))).toBe(true);
    const hashes = new Map(events.filter((e) => e.type === 'PartyRegistered').map((e) => [(e.data as JsonObject).walletId, (e.data as JsonObject).apiKeyHash]));
    for (const walletId of history.walletIds) {
      const parsed = parseApiKey(history.apiKeys.get(walletId)!);
      expect(parsed && hashSecret(parsed.secret)).toBe(hashes.get(walletId));
    }
  });

  it('is deterministic for a seed and different for another', async () => {
    const shape = ({ events }: Generated) => events.map((e) => [e.id, e.stream, e.type, e.data, e.metadata]);
    const again = await generate(42);
    expect(shape(again)).toEqual(shape(first));
    const other = await generate(43);
    expect(other.events.map((e) => [e.type, e.data])).not.toEqual(first.events.map((e) => [e.type, e.data]));
  });
});
