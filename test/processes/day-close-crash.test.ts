import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEventStore } from '../../src/eventstore';
import { CALENDAR_STREAM } from '../../src/domain/calendar/calendar.decider';
import { type IsoDate, addDays, daysAfterUpTo, nextBusinessDay } from '../../src/domain/iso-date';
import { OPERATOR_KEY, ServerUnderTest, crashEnv } from '../crash/crash-server';

/**
 * `ifw serve` SIGKILLed inside a day close sent with an Idempotency-Key, once the close is recorded as begun and
 * once its positions are being closed, then started again: the start completes the close and records its
 * outcome under the request's key, so the start itself succeeds and the retry is answered 200 with the close,
 * not 422 DAY_ALREADY_CLOSED; on both store modes. (The crash test, test/crash, found both.) A kill that lands
 * after the close has ended (the close of one position is quick) misses the phase: the round is taken again
 * on the next business date, as the crash test retakes its rounds.
 */
/** The close's first event of the phase the kill waits for is looked for this long, reading the log directly. */
const LOG_WATCH_MS = 30_000;
/** Closes a round may aim at before a kill that keeps landing after the close's end fails the test. */
const MAX_KILL_ATTEMPTS = 4;

async function post(server: ServerUnderTest, path: string, body: unknown, key?: string): Promise<{ status: number; replayed: boolean; body: Record<string, unknown> }> {
  const response = await fetch(`${await server.whenUp()}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${OPERATOR_KEY}`, 'content-type': 'application/json', ...(key && { 'idempotency-key': key }) },
    body: JSON.stringify(body),
  });
  return { status: response.status, replayed: response.headers.get('idempotent-replayed') === 'true', body: (await response.json()) as Record<string, unknown> };
}

/** Reads the log file while the server writes it, until an event of `type` recorded under `date` is in it. */
async function untilInLog(storeUrl: string, type: string, date: string): Promise<void> {
  const store = openEventStore(storeUrl);
  const deadlineMs = Date.now() + LOG_WATCH_MS;
  try {
    for (let from = 0n; Date.now() < deadlineMs; await new Promise((resolve) => setImmediate(resolve))) {
      for await (const event of store.readAll({ fromPosition: from, maxCount: 500 })) {
        if (event.type === type && event.metadata.businessDate === date) return;
        from = event.position;
      }
    }
    throw new Error(`no ${type} of ${date} in the log within ${LOG_WATCH_MS} ms`);
  } finally {
    await store.close();
  }
}

async function calendarTypes(storeUrl: string, date: string): Promise<string[]> {
  const store = openEventStore(storeUrl);
  const types: string[] = [];
  for await (const event of store.readStream(CALENDAR_STREAM)) if ((event.data as { date?: string }).date === date) types.push(event.type);
  await store.close();
  return types;
}

describe.each([
  ['the default store', ''],
  ['a store that refuses multi-stream appends', '?multiStreamAppend=false'],
])('a keyed day close across SIGKILL of ifw serve, on %s', (_name, storeOptions) => {
  let dir: string;
  let server: ServerUnderTest;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ifw-close-crash-'));
    server = new ServerUnderTest(dir, crashEnv(dir, storeOptions));
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  let nextDate: IsoDate = '2026-01-05';
  let lastAimedAt: IsoDate | undefined;
  let setUp = false;

  /** Every calendar day the close of `date` accrues, as the calendar counts them: after the last close, through `date`. */
  const publishIncomes = async (date: IsoDate) => {
    for (const day of daysAfterUpTo(lastAimedAt ?? addDays(date, -1), date)) {
      expect((await post(server, '/funds/DCA/incomes', { date: day, perTenK: '0.5000' })).status).toBe(201);
    }
    lastAimedAt = date;
  };

  it.each(['DayCloseStarted', 'PositionDayClosed'])('killed in a close once its %s is in the log: completed at the start, its retry answered 200', async (phase) => {
    const storeUrl = `sqlite:${join(dir, 'ifw.db')}`;
    if (!setUp) {
      setUp = true;
      await server.start();
      await post(server, '/funds', { code: 'DCA', name: 'Day close fund' });
      const ann = (await post(server, '/customers', { name: 'Ann', accountTier: 'III' })).body as { walletId: string; apiKey: string };
      const asAnn = (path: string, body: unknown) => fetch(`${server.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ann.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      await asAnn(`/wallets/${ann.walletId}/deposits`, { amount: '1000.00' });
      expect((await asAnn(`/wallets/${ann.walletId}/purchases`, { fundCode: 'DCA', amount: '1000.00' })).status).toBe(201);
    }
    for (let attempt = 1; ; attempt++) {
      const date = nextDate;
      nextDate = nextBusinessDay(date);
      await publishIncomes(date);
      const key = `close-${date}`;
      const cutOff = post(server, '/operations/day-close', { date }, key).then(
        () => 'answered',
        () => 'cut off',
      );
      await untilInLog(storeUrl, phase, date);
      await server.kill();
      const outcome = await cutOff;
      if ((await calendarTypes(storeUrl, date)).includes('DayClosed') && attempt < MAX_KILL_ATTEMPTS) {
        // The kill came after the close's end: nothing was interrupted, so aim at the next close.
        await server.start();
        continue;
      }
      expect(outcome).toBe('cut off');
      expect(await calendarTypes(storeUrl, date)).toEqual(['DayCloseStarted']);

      await server.start();
      const retried = await post(server, '/operations/day-close', { date }, key);
      expect({ status: retried.status, replayed: retried.replayed, date: retried.body.date }).toEqual({ status: 200, replayed: true, date });
      expect(await calendarTypes(storeUrl, date)).toEqual(['DayCloseStarted', 'DayClosed']);
      return;
    }
  }, 120_000);
});
