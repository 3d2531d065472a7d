import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { entityOfStream } from '../../src/api/audit/stream-entity';
import { snapshotFoldCheck } from '../../src/api/commands/snapshot-check';
import { isEntityEvent, toDomainEvent } from '../../src/api/commands/stored-aggregate';
import { openForAudit } from '../../src/cli/commands/audit-verify';
import type { WalletState } from '../../src/domain/wallet/wallet.decider';
import type { EventStore, RecordedEvent } from '../../src/eventstore';
import { collect } from './backends';

/**
 * The log as version-1 code wrote it (test/fixtures/v1-log, made by make-v1-log.ts), read by today's code:
 * its chains still verify against the anchor kept when it was written, and every stream folds through
 * today's deciders once its old events are upcast.
 */
const FIXTURE = join(process.cwd(), 'test', 'fixtures', 'v1-log');
const anchorJson = JSON.parse(readFileSync(join(FIXTURE, 'anchor.json'), 'utf8')) as { position: string; hash: string };
const anchor = { position: BigInt(anchorJson.position), hash: anchorJson.hash };

describe('a version-1 log under today\'s code', () => {
  let dir: string;
  let store: EventStore;
  let events: RecordedEvent[];
  beforeAll(async () => {
    // The store is opened as `ifw audit verify` opens it; on a copy, since even a read may leave WAL files beside it.
    dir = mkdtempSync(join(tmpdir(), 'ifw-v1-log-'));
    copyFileSync(join(FIXTURE, 'ifw.sqlite'), join(dir, 'ifw.db'));
    store = openForAudit(dir);
    events = await collect(store.readAll());
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies intact, its head the anchor kept when it was written', async () => {
    const report = await store.verifyAll({ anchor, checkSnapshot: snapshotFoldCheck(store) });
    expect({ ok: report.ok, firstBreak: report.firstBreak, head: report.head }).toEqual({ ok: true, firstBreak: undefined, head: anchor });
    expect(report.eventsChecked).toBe(events.length);
  });

  it('folds every stream through its entity\'s decider of today', async () => {
    const folded = new Map<string, unknown>();
    for (const stream of new Set(events.map((event) => event.stream))) {
      const aggregate = entityOfStream(stream);
      expect([stream, aggregate !== undefined]).toEqual([stream, true]);
      let state = aggregate!.decider.initialState;
      for await (const event of store.readStream(stream)) {
        if (isEntityEvent(event)) state = aggregate!.decider.evolve(state, toDomainEvent(event));
      }
      folded.set(stream, state);
    }
    const wallets = [...folded.values()].flatMap((state) => ((state as WalletState).open ? [state as Extract<WalletState, { open: true }>] : []));
    // The customer deposited 1,250.00, paid 35.50 and bought 500.00 of the fund; the merchant deposited 50.00 and was paid.
    expect(wallets.map((wallet) => wallet.cashFen)).toEqual([714_50n, 85_50n]);
    // Today's tier rules read the old wallets: the customer's payment counts against the limit of its year.
    expect(wallets.map((wallet) => [wallet.accountTier, wallet.paid])).toEqual([
      ['III', { lifetimeFen: 35_50n, year: 2026, yearFen: 35_50n }],
      [null, { lifetimeFen: 0n, year: 0, yearFen: 0n }],
    ]);
  });

  it('reads its wallets opened with the tier version 2 gives them: III for the customer, none for the merchant', () => {
    const opened = events.filter((event) => event.type === 'WalletOpened').map((event) => [event.data.ownerKind, event.data.accountTier]);
    expect(opened).toEqual([['customer', 'III'], ['merchant', undefined]]);
  });

  it('reads its payment with the business date its metadata recorded', () => {
    const payments = events.filter((event) => event.type === 'PaymentSent');
    expect(payments.map((event) => [event.data.businessDate, event.metadata.businessDate])).toEqual([['2026-01-05', '2026-01-05']]);
  });

  it('tells every event read was stored in version 1', () => {
    expect(events.length).toBeGreaterThan(10);
    expect(events.filter((event) => event.metadata.schemaVersion !== 1)).toEqual([]);
  });
});
