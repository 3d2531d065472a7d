import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEventStore } from '../../src/eventstore';
import { CALENDAR_STREAM } from '../../src/domain/calendar/calendar.decider';
import { toEventInputs } from '../../src/api/commands/stored-aggregate';
import { OPERATOR_KEY, TestApp } from './test-app';

/**
 * A day close that crashed after it was recorded as started is completed by the next start of the server:
 * the business date moves, the due purchase is confirmed and the day's income is accrued exactly once.
 */
describe('a day close interrupted by a crash', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'ifw-recovery-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is completed when the server starts again', async () => {
    const url = `sqlite:${join(dir, 'ifw.db')}`;
    let app = await TestApp.start({ eventStoreUrl: url });
    await app.post('/funds', OPERATOR_KEY, { code: 'YEB', name: "Yu'E Bao" });
    const alice = await app.party('customer');
    await app.post(`/wallets/${alice.walletId}/deposits`, alice.key, { amount: '10000.00' });
    expect((await app.post(`/wallets/${alice.walletId}/purchases`, alice.key, { fundCode: 'YEB', amount: '10000.00' })).status).toBe(201);
    await app.post('/funds/YEB/incomes', OPERATOR_KEY, { date: '2026-01-05', perTenK: '0.6543' });
    expect((await app.post('/operations/day-close', OPERATOR_KEY, { date: '2026-01-05' })).status).toBe(200);
    await app.post('/funds/YEB/incomes', OPERATOR_KEY, { date: '2026-01-06', perTenK: '0.6543' });
    await app.stop();

    // The process died right after recording that the close of the 6th had started.
    const store = openEventStore(url);
    const started = [{ type: 'DayCloseStarted', data: { date: '2026-01-06', days: ['2026-01-06'], nextBusinessDate: '2026-01-07' } }];
    const metadata = { correlationId: 'crash', causationId: 'crash', principal: 'operator:test', ruleSetVersion: 'csrc-pboc-2018-06', businessDate: '2026-01-06' };
    await store.append(CALENDAR_STREAM, toEventInputs(started, metadata), { expectedRevision: await store.streamRevision(CALENDAR_STREAM) });
    await store.close();

    app = await TestApp.start({ eventStoreUrl: url });
    try {
      // A restarted server's read models catch up from the log: wait for them to include the completed close.
      const wallet = await app.get(`/wallets/${alice.walletId}?minPosition=${await app.lastPosition()}`, OPERATOR_KEY);
      expect(wallet.body.businessDate).toBe('2026-01-07');
      // Confirmed on the 6th and earned that day's income once: floor(1,000,000 × 6543 / 10^8) = 65 fen.
      expect(wallet.body.holdings).toEqual([expect.objectContaining({ fundCode: 'YEB', holding: '10000.65', pendingPurchase: '0.00' })]);
      // The close's outcome is recorded with its last step, for whoever asks for it again.
      expect((await app.eventTypes(CALENDAR_STREAM)).slice(-3)).toEqual(['DayCloseStarted', 'DayClosed', 'RequestRecorded']);
      const closes = (await app.get('/processes?model=day-close', OPERATOR_KEY)).body.items as { businessKey: string; state: string }[];
      expect(closes.map((close) => [close.businessKey, close.state])).toEqual([['day-close:2026-01-06', 'completed']]);
      const again = await app.post('/operations/day-close', OPERATOR_KEY, { date: '2026-01-06' });
      expect(again.status).toBe(422);
      expect(again.body.code).toBe('DAY_ALREADY_CLOSED');
      expect((await app.get('/ledger/trial-balance', OPERATOR_KEY)).body.total).toBe('0.00');
    } finally {
      await app.stop();
    }
  });
});
