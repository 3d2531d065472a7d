import fc from 'fast-check';
import type { RecordedEvent } from '../../src/eventstore';
import { decodeData } from '../../src/domain/event-codec';
import { fold } from '../../src/domain/decider';
import type { Posting } from '../../src/domain/ledger/posting';
import { formatFen } from '../../src/domain/money';
import { type PositionEvent, positionDecider } from '../../src/domain/position/position.decider';
import { type WalletEvent, walletDecider } from '../../src/domain/wallet/wallet.decider';
import { isEntityEvent, toDomainEvent } from '../../src/api/commands/stored-aggregate';
import { OPERATOR_KEY } from '../api/test-app';
import { FUNDS, type HistoryWorld, applyOperation, openWorld } from './http-history';

/**
 * Random histories of every operation, driven through the HTTP API. After every step: the trial balance is
 * zero, no wallet or holding is negative, the instant cap holds, and folding the raw log from scratch gives
 * the same wallets and positions the API reports (which load through snapshots).
 */
const WALLETS = 4;
const INSTANT_CAP_FEN = 1_000_000n;

const amount = fc.integer({ min: 1, max: 600_000 }).map((fen) => formatFen(BigInt(fen)));
const wallet = fc.integer({ min: 0, max: WALLETS - 1 });
const fund = fc.constantFrom(...FUNDS);
const operation = fc.oneof(
  fc.record({ kind: fc.constant('deposit' as const), wallet, amount }),
  fc.record({ kind: fc.constant('withdraw' as const), wallet, amount }),
  fc.record({ kind: fc.constant('pay' as const), wallet, to: wallet, amount }),
  fc.record({ kind: fc.constant('purchase' as const), wallet, fund, amount }),
  fc.record({ kind: fc.constant('redeem' as const), wallet, fund, amount, mode: fc.constantFrom('instant' as const, 'standard' as const) }),
  fc.record({ kind: fc.constant('close' as const), perTenK: fc.integer({ min: -2_000, max: 20_000 }) }),
);
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

interface World extends HistoryWorld {
  /** Instant redemptions answered 201, per wallet, fund and business date. */
  instantFen: Map<string, bigint>;
}

async function open(): Promise<World> {
  return { ...(await openWorld(WALLETS, '2018-05-30')), instantFen: new Map() };
}

async function apply(world: World, op: Operation): Promise<void> {
  const businessDate = world.businessDate;
  const response = await applyOperation(world, op);
  if (op.kind === 'redeem' && op.mode === 'instant' && response.status === 201) {
    const key = `${world.wallets[op.wallet]!.walletId}/${op.fund}/${businessDate}`;
    world.instantFen.set(key, (world.instantFen.get(key) ?? 0n) + BigInt(op.amount.replace('.', '')));
  }
}

async function checkInvariants(world: World): Promise<void> {
  const { app } = world;
  const trial = await app.get('/ledger/trial-balance', OPERATOR_KEY);
  expect(trial.status).toBe(200);
  expect(trial.body.total).toBe('0.00');
  const ledger = new Map<string, string>();
  let cursor: string | null = null;
  for (let page = 0; page < 50 && (page === 0 || cursor !== null); page++) {
    const listing = await app.get(`/ledger/accounts?limit=200${cursor ? `&cursor=${cursor}` : ''}`, OPERATOR_KEY);
    expect(listing.status).toBe(200);
    for (const a of listing.body.items as { account: string; balance: string }[]) ledger.set(a.account, a.balance);
    cursor = listing.body.nextCursor;
  }
  expect({ cursor, accounts: ledger.size }).toEqual({ cursor: null, accounts: trial.body.accounts });
  const negated = (value: string | undefined) => formatFen(-BigInt((value ?? '0.00').replace('.', '')));

  const log: RecordedEvent[] = [];
  for await (const event of world.store.readAll()) if (isEntityEvent(event)) log.push(event);
  // Every payment answered has both sides written: nothing is left between two wallets.
  let inTransitFen = 0n;
  for (const event of log) {
    for (const p of decodeData<{ postings?: Posting[] }>(event.data).postings ?? []) {
      if (p.debit === 'payments-in-transit') inTransitFen += p.amountFen;
      if (p.credit === 'payments-in-transit') inTransitFen -= p.amountFen;
    }
  }
  expect(inTransitFen).toBe(0n);

  for (const { walletId } of world.wallets) {
    const view = await app.get(`/wallets/${walletId}`, OPERATOR_KEY);
    expect(view.status).toBe(200);
    expect(view.body.cash.startsWith('-')).toBe(false);
    expect(negated(ledger.get(`wallet-cash:${walletId}`))).toBe(view.body.cash);
    const replayedWallet = fold(walletDecider, log.filter((e) => e.stream === `wallet-${walletId}`).map((e) => toDomainEvent<WalletEvent>(e)));
    expect(replayedWallet.open && formatFen(replayedWallet.cashFen)).toBe(view.body.cash);
    for (const holding of view.body.holdings) {
      for (const field of ['holding', 'pendingPurchase', 'pendingRedemption', 'instantQuotaLeft']) expect(holding[field].startsWith('-')).toBe(false);
      expect(negated(ledger.get(`fund-holding:${walletId}:${holding.fundCode}`))).toBe(holding.holding);
      const replayed = fold(positionDecider, log.filter((e) => e.stream === `position-${walletId}-${holding.fundCode}`).map((e) => toDomainEvent<PositionEvent>(e)));
      expect(replayed.opened && formatFen(replayed.holdingFen)).toBe(holding.holding);
    }
  }
  for (const [key, redeemedFen] of world.instantFen) {
    const date = key.split('/')[2]!;
    // The cap was 50,000 CNY before 2018-06-01 and 10,000 from then.
    expect(redeemedFen).toBeLessThanOrEqual(date < '2018-06-01' ? 5n * INSTANT_CAP_FEN : INSTANT_CAP_FEN);
  }
}

describe('random histories of every operation', () => {
  it('keep the books balanced, nothing negative, the instant cap, and the log replayable', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 5, maxLength: 25 }), async (operations) => {
        const world = await open();
        try {
          for (const op of operations) {
            await apply(world, op);
            await checkInvariants(world);
          }
        } finally {
          await world.app.stop();
        }
      }),
      { seed: 20181125, numRuns: 30 },
    );
    // Thirty servers started and stopped: about 25 s on an idle machine, past a minute on a busy one.
  }, 180_000);
});
