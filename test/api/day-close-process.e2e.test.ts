import { DayClose, MAX_WAITING_CLOSES } from '../../src/api/processes/day-close';
import { KeyQueueFullError } from '../../src/api/commands/keyed-mutex';
import { OPERATOR_KEY, TestApp } from './test-app';

/**
 * The day close runs as the day-close model: its steps in the order of a business day, one instance per
 * date, and the answer read back from the outcome its last step recorded.
 */
describe('the day close as a process', () => {
  let app: TestApp;
  beforeAll(async () => (app = await TestApp.start()));
  afterAll(() => app.stop());

  it('runs its steps in order, once per date, and answers with what its last step recorded', async () => {
    await app.post('/funds', OPERATOR_KEY, { code: 'YEB', name: "Yu'E Bao" });
    const alice = await app.party('customer');
    await app.post(`/wallets/${alice.walletId}/deposits`, alice.key, { amount: '1000.00' });
    await app.post(`/wallets/${alice.walletId}/purchases`, alice.key, { fundCode: 'YEB', amount: '1000.00' });
    await app.post('/funds/YEB/incomes', OPERATOR_KEY, { date: '2026-01-05', perTenK: '0.6543' });

    const close = await app.post('/operations/day-close', OPERATOR_KEY, { date: '2026-01-05' }, { 'idempotency-key': 'close-2026-01-05' });
    expect(close.status).toBe(200);
    expect(close.body).toMatchObject({ date: '2026-01-05', nextBusinessDate: '2026-01-06', positionsClosed: 1, funds: [{ code: 'YEB', days: [{ date: '2026-01-05' }] }] });
    expect(close.body.position).toBe(await app.lastPosition());

    const [instance, ...others] = (await app.get('/processes?model=day-close', OPERATOR_KEY)).body.items as { processId: string; businessKey: string; state: string }[];
    expect(others).toEqual([]);
    expect(instance).toMatchObject({ businessKey: 'day-close:2026-01-05', state: 'completed' });
    const view = await app.get(`/processes/${instance!.processId}`, OPERATOR_KEY);
    expect((view.body.history as { elementId: string }[]).map((entry) => entry.elementId)).toEqual(['DayCloseBegun', 'ClosePositions', 'BookIncome', 'Forecast', 'FinishClose', 'DayClosed']);
    expect(view.body.variables).toMatchObject({ date: '2026-01-05', days: ['2026-01-05'], positionsClosed: 1 });

    // The same request again is answered from the record, byte for byte, and starts nothing.
    const again = await app.post('/operations/day-close', OPERATOR_KEY, { date: '2026-01-05' }, { 'idempotency-key': 'close-2026-01-05' });
    expect({ status: again.status, body: again.body }).toEqual({ status: close.status, body: close.body });
    expect((await app.get('/processes?model=day-close', OPERATOR_KEY)).body.items).toHaveLength(1);
    // Without the key it is a second close of a closed day.
    const second = await app.post('/operations/day-close', OPERATOR_KEY, { date: '2026-01-05' });
    expect({ status: second.status, code: second.body.code }).toEqual({ status: 422, code: 'DAY_ALREADY_CLOSED' });
  });

  it('lets a bounded number of closes wait behind the one running, and refuses more at once as load', async () => {
    await app.post('/funds/YEB/incomes', OPERATOR_KEY, { date: '2026-01-06', perTenK: '0.6543' });
    const closes = app.app.get(DayClose);
    const context = { principal: { role: 'operator' as const, id: 'test' }, correlationId: 'close-burst' };
    // Asked for in one go, before the first has taken a step: one runs, the bound's worth wait (and find the day closed), two are refused.
    const outcomes = await Promise.allSettled(Array.from({ length: MAX_WAITING_CLOSES + 3 }, () => closes.close(context, '2026-01-06')));
    const reasons = outcomes.map((o) => (o.status === 'fulfilled' ? o.value.status : o.reason instanceof KeyQueueFullError ? 'BUSY' : (o.reason as { code?: string }).code));
    expect(reasons).toEqual([200, ...Array<string>(MAX_WAITING_CLOSES).fill('DAY_ALREADY_CLOSED'), 'BUSY', 'BUSY']);
  });
});
