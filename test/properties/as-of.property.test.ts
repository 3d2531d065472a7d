import fc from 'fast-check';
import { type AppendResult, type EventInput, type RecordedEvent, openEventStore } from '../../src/eventstore';
import { isEntityEvent } from '../../src/api/commands/stored-aggregate';
import { AsOfFolds } from '../../src/api/as-of/as-of-folds';
import { type OpenedWalletDoc, walletViewOf } from '../../src/api/wallets/wallet-view';
import { encodeData, decodeData } from '../../src/domain/event-codec';
import { formatFen } from '../../src/domain/money';
import { positionStream } from '../../src/domain/position/position.decider';
import { walletStream } from '../../src/domain/wallet/wallet.decider';
import { CALENDAR_COLLECTION, CALENDAR_DOC_ID, type CalendarDoc, calendarProjection } from '../../src/projections/read-models/calendar.projection';
import { type AccountDoc, LEDGER_COLLECTION, ledgerProjection } from '../../src/projections/read-models/ledger.projection';
import { TRANSACTIONS_COLLECTION, type TransactionDoc, transactionsProjection } from '../../src/projections/read-models/transactions.projection';
import {
  type WalletCheckpointDoc,
  type WalletDoc,
  WALLET_CHECKPOINTS_COLLECTION,
  WALLET_CHECKPOINT_EVERY_EVENTS,
  WALLETS_COLLECTION,
  walletsProjection,
} from '../../src/projections/read-models/wallets.projection';
import { foldCheckpointOf, walletCheckpointQuery } from '../../src/api/wallets/wallet-as-of';
import { versionedCollection } from '../../src/projections/projection';
import { AUDITOR_KEY, type TestApp } from '../api/test-app';
import { projectEvents } from '../projections/project-events';
import { FUNDS, type HistoryWorld, applyOperation, openWorld } from './http-history';

/**
 * As-of reads against the read models built from a prefix of the log. Random histories go through the HTTP
 * API; for random cut-offs among the times the events were recorded, GET /wallets/{id}?asOf=, its
 * transactions and the trial balance must equal what the wallets, calendar, transactions and ledger
 * projections make of only the events up to the first one recorded after the cut-off, run on a read store
 * of their own. A second property drives the folds' checkpoints directly: reads at moments in random order,
 * each resumed from whatever the earlier ones left, equal reads from scratch.
 */
const WALLETS = 3;
const iso = (ms: number) => new Date(ms).toISOString();

const fenAmount = (max: number) => fc.integer({ min: 1, max }).map((fen) => formatFen(BigInt(fen)));
const wallet = fc.integer({ min: 0, max: WALLETS - 1 });
const fund = fc.constantFrom(...FUNDS);
const operation = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('deposit' as const), wallet, amount: fenAmount(2_000_000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('withdraw' as const), wallet, amount: fenAmount(300_000) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pay' as const), wallet, to: wallet, amount: fenAmount(300_000) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('purchase' as const), wallet, fund, amount: fenAmount(500_000) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('redeem' as const), wallet, fund, amount: fenAmount(50_000), mode: fc.constantFrom('instant' as const, 'standard' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), perTenK: fc.integer({ min: -2_000, max: 20_000 }) }) },
);
/** A cut-off: the time an event of the log was recorded (by its index, modulo the log's length), give or take a millisecond. */
const cut = fc.record({ index: fc.nat(), offsetMs: fc.constantFrom(-1, 0, 0, 1) });

async function readLog(world: HistoryWorld): Promise<RecordedEvent[]> {
  const log: RecordedEvent[] = [];
  for await (const event of world.store.readAll()) log.push(event);
  return log;
}

/** The log up to the first event recorded after `atMs`: what the live read models had seen then. */
function prefixAt(log: readonly RecordedEvent[], atMs: number): RecordedEvent[] {
  const end = log.findIndex((event) => event.recordedAt.getTime() > atMs);
  return end < 0 ? [...log] : log.slice(0, end);
}

async function everyItem(app: TestApp, path: string): Promise<unknown[]> {
  const items: unknown[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const response = await app.get(`${path}&limit=7${cursor ? `&cursor=${cursor}` : ''}`, AUDITOR_KEY);
    expect(response.status).toBe(200);
    items.push(...response.body.items);
    cursor = response.body.nextCursor;
    if (cursor === null) return items;
  }
  throw new Error(`${path} did not end within 50 pages`);
}

async function checkCut(world: HistoryWorld, log: readonly RecordedEvent[], atMs: number): Promise<void> {
  const { app } = world;
  if (atMs < log[0]!.recordedAt.getTime()) {
    const refused = await app.get(`/wallets/${world.wallets[0]!.walletId}?asOf=${iso(atMs)}`, AUDITOR_KEY);
    expect({ status: refused.status, field: refused.body.field }).toEqual({ status: 422, field: 'asOf' });
    return;
  }
  const prefix = prefixAt(log, atMs);
  const [wallets, calendar, transactions, ledger] = await Promise.all([walletsProjection, calendarProjection, transactionsProjection, ledgerProjection].map((definition) => projectEvents(definition, prefix, { oneBatch: true })));
  try {
    const calendarDoc = (await calendar!.get(CALENDAR_COLLECTION, CALENDAR_DOC_ID)) as CalendarDoc | undefined;
    for (const { walletId } of world.wallets) {
      const stored = await wallets!.get(WALLETS_COLLECTION, walletId);
      const doc = stored && decodeData<WalletDoc>(stored);
      const view = await app.get(`/wallets/${walletId}?asOf=${iso(atMs)}`, AUDITOR_KEY);
      const rows = await app.get(`/wallets/${walletId}/transactions?asOf=${iso(atMs)}`, AUDITOR_KEY);
      if (!doc || doc.ownerKind === null) {
        expect([view.status, rows.status]).toEqual([404, 404]);
        continue;
      }
      expect(view.status).toBe(200);
      expect(view.body).toEqual(walletViewOf(doc as OpenedWalletDoc, calendarDoc!));
      const expectedRows = (await transactions!.all(TRANSACTIONS_COLLECTION))
        .map((stored) => ({ id: stored.id, row: decodeData<TransactionDoc>(stored.body) }))
        .filter(({ row }) => row.walletId === walletId)
        .sort((a, b) => (a.id < b.id ? 1 : -1))
        .map(({ id, row: { walletId: _walletId, amountFen, ...row } }) => ({ id, ...row, amount: formatFen(amountFen) }));
      expect(await everyItem(app, `/wallets/${walletId}/transactions?asOf=${iso(atMs)}`)).toEqual(expectedRows);
    }
    const accounts = (await ledger!.all(LEDGER_COLLECTION)).map((doc) => decodeData<AccountDoc>(doc.body).balanceFen);
    const debits = accounts.filter((fen) => fen > 0n).reduce((sum, fen) => sum + fen, 0n);
    const trial = await app.get(`/ledger/trial-balance?asOf=${iso(atMs)}`, AUDITOR_KEY);
    expect(trial.body).toEqual({ position: prefix[prefix.length - 1]!.position.toString(), accounts: accounts.length, totalDebits: formatFen(debits), totalCredits: formatFen(debits), total: '0.00' });
  } finally {
    await Promise.all([wallets, calendar, transactions, ledger].map((model) => model!.store.close()));
  }
}

describe('as-of reads over random histories', () => {
  it('equal the read models built from the log up to each cut-off', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 4, maxLength: 16 }), fc.array(cut, { minLength: 3, maxLength: 6 }), async (operations, cuts) => {
        const world = await openWorld(WALLETS, '2018-05-30');
        try {
          for (const op of operations) await applyOperation(world, op);
          const log = await readLog(world);
          // The cut-off is defined per stream as "up to the first event after it"; over the whole log that is a
          // prefix only while recorded times do not go back, which an in-process clock gives.
          for (let i = 1; i < log.length; i++) expect(log[i]!.recordedAt.getTime()).toBeGreaterThanOrEqual(log[i - 1]!.recordedAt.getTime());
          for (const { index, offsetMs } of cuts) await checkCut(world, log, log[index % log.length]!.recordedAt.getTime() + offsetMs);
        } finally {
          await world.app.stop();
        }
      }),
      { seed: 9_003, numRuns: 8 },
    );
  });
});

/**
 * A wallet's streams written straight into a store whose clock the test sets, busy enough that folds take
 * checkpoints (every 512 events) and a fund bought late adds a stream the early checkpoints do not know. The
 * clock now and then steps back, as a wall clock may, so a stream can stop at an event that sits before
 * events of other streams still in.
 */
async function writeWallet(events: number, seed: number) {
  let nowMs = Date.parse('2026-01-05T08:00:00Z');
  const store = openEventStore('sqlite::memory:', { clock: () => nowMs });
  const walletId = '00000000-0000-4000-8000-000000000001';
  const metadata = { businessDate: '2026-01-05' };
  const append = (stream: string, type: string, data: object): Promise<AppendResult> => store.append(stream, [{ type, data: encodeData(data), metadata } satisfies EventInput]);
  await append(walletStream(walletId), 'WalletOpened', { walletId, ownerKind: 'customer', ownerId: 'c1' });
  const random = fc.sample(fc.array(fc.record({ pick: fc.nat({ max: 99 }), fen: fc.integer({ min: 1, max: 10_000 }), stepMs: fc.constantFrom(0, 1, 1, 2, 2, -3) }), { minLength: events, maxLength: events }), { seed, numRuns: 1 })[0]!;
  let cashFen = 0n;
  const bought: string[] = [];
  for (const [i, { pick, fen, stepMs }] of random.entries()) {
    nowMs += stepMs;
    const amountFen = BigInt(fen);
    const fundCode = i < events / 2 ? 'YEB' : FUNDS[pick % 2]!;
    if (pick < 50 || cashFen < amountFen) {
      cashFen += amountFen;
      await append(walletStream(walletId), 'CashDeposited', { amountFen, postings: [] });
    } else if (pick < 70) {
      cashFen -= amountFen;
      await append(walletStream(walletId), 'CashWithdrawn', { amountFen, postings: [] });
    } else {
      cashFen -= amountFen;
      const purchaseId = `p${i}`;
      if (!bought.includes(fundCode)) bought.push(fundCode);
      await append(walletStream(walletId), 'PurchasePaid', { purchaseId, fundCode, amountFen, postings: [] });
      await append(positionStream(walletId, fundCode), 'PurchasePlaced', { purchaseId, walletId, fundCode, amountFen, placedOn: '2026-01-05', confirmOn: '2026-01-06', postings: [] });
      if (pick % 3 === 0) await append(positionStream(walletId, fundCode), 'PurchaseConfirmed', { purchaseId, amountFen, postings: [] });
    }
  }
  const log: RecordedEvent[] = [];
  for await (const event of store.readAll()) log.push(event);
  return { store, walletId, log, streams: [walletStream(walletId), ...bought.map((code) => positionStream(walletId, code))] };
}

/** Per stream, the events before its first one recorded after `atMs`, in log order: what a fold must apply. */
function cutPerStream(log: readonly RecordedEvent[], atMs: number): RecordedEvent[] {
  const stopped = new Set<string>();
  return log.filter((event) => {
    if (stopped.has(event.stream)) return false;
    if (event.recordedAt.getTime() <= atMs) return true;
    stopped.add(event.stream);
    return false;
  });
}

describe('as-of folds resumed from checkpoints', () => {
  it('equal folds from the start, at moments asked in any order', async () => {
    const { store, walletId, log, streams } = await writeWallet(1_500, 77);
    try {
      const resumed = new AsOfFolds(store);
      const times = log.map((event) => event.recordedAt.getTime());
      await fc.assert(
        fc.asyncProperty(fc.array(fc.record({ index: fc.nat({ max: times.length - 1 }), offsetMs: fc.constantFrom(-1, 0, 1), stale: fc.boolean() }), { minLength: 5, maxLength: 12 }), async (moments) => {
          for (const { index, offsetMs, stale } of moments) {
            const atMs = times[index]! + offsetMs;
            const expected = await projectEvents(walletsProjection, cutPerStream(log, atMs).filter(isEntityEvent), { oneBatch: true });
            try {
              const wanted = await expected.get(WALLETS_COLLECTION, walletId);
              // A wallet's fund list grows: a read of early moments may list only the funds it had bought by then.
              const known = streams.filter((stream, i) => i === 0 || log.some((e) => e.stream === stream && e.recordedAt.getTime() <= atMs));
              // A list missing a fund the wallet had (a read model behind) folds wrong, but must not spoil later folds.
              if (stale && known.length > 1) await resumed.fold(walletsProjection, known.slice(0, -1), atMs);
              const fromCheckpoint = await resumed.fold(walletsProjection, known, atMs);
              const fromScratch = await new AsOfFolds(store).fold(walletsProjection, streams, atMs);
              expect(fromCheckpoint.view.body(WALLETS_COLLECTION, walletId)).toEqual(wanted);
              expect(fromScratch.view.body(WALLETS_COLLECTION, walletId)).toEqual(wanted);
              expect(fromCheckpoint.lastPosition).toEqual(fromScratch.lastPosition);
              expect(fromCheckpoint.eventsRead).toBeLessThanOrEqual(fromScratch.eventsRead);
            } finally {
              await expected.store.close();
            }
          }
        }),
        { seed: 4_242, numRuns: 20 },
      );
    } finally {
      await store.close();
    }
  });
});

describe('as-of folds begun at the checkpoints the wallets projection stores', () => {
  it('equal folds from the start, and read fewer events once a checkpoint precedes the moment', async () => {
    const { store, walletId, log, streams } = await writeWallet(1_500, 78);
    const live = await projectEvents(walletsProjection, log.filter(isEntityEvent), { oneBatch: true });
    try {
      expect((await live.all(WALLET_CHECKPOINTS_COLLECTION)).length).toBeGreaterThanOrEqual(Math.floor(log.length / WALLET_CHECKPOINT_EVERY_EVENTS) - 1);
      const times = log.map((event) => event.recordedAt.getTime());
      let shortened = 0;
      await fc.assert(
        fc.asyncProperty(fc.record({ index: fc.nat({ max: times.length - 1 }), offsetMs: fc.constantFrom(-1, 0, 1) }), async ({ index, offsetMs }) => {
          const atMs = times[index]! + offsetMs;
          const known = streams.filter((stream, i) => i === 0 || log.some((e) => e.stream === stream && e.recordedAt.getTime() <= atMs));
          const [doc] = await live.store.find(versionedCollection(WALLET_CHECKPOINTS_COLLECTION, 1), walletCheckpointQuery(walletId, atMs));
          const stored = doc && foldCheckpointOf(doc.body as unknown as WalletCheckpointDoc);
          const fromStored = await new AsOfFolds(store).fold(walletsProjection, known, atMs, { stored, collections: [WALLETS_COLLECTION] });
          const fromScratch = await new AsOfFolds(store).fold(walletsProjection, streams, atMs);
          expect(fromStored.view.body(WALLETS_COLLECTION, walletId)).toEqual(fromScratch.view.body(WALLETS_COLLECTION, walletId));
          expect(fromStored.lastPosition).toEqual(fromScratch.lastPosition);
          expect(fromStored.view.size).toBeLessThanOrEqual(1);
          if (stored) {
            expect(fromStored.eventsRead).toBeLessThan(fromScratch.eventsRead);
            shortened++;
          }
        }),
        { seed: 5_151, numRuns: 40 },
      );
      expect(shortened).toBeGreaterThan(20);
    } finally {
      await live.store.close();
      await store.close();
    }
  });
});
