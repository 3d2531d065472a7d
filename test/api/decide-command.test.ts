import { Metrics } from '../../src/api/metrics/metrics';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventStore, WrongExpectedRevisionError, openEventStore, retryOnConflict } from '../../src/eventstore';
import { WALLET } from '../../src/api/commands/aggregates';
import type { CommandContext } from '../../src/api/commands/command-context';
import { DecideCommand, DecideCommandHandler } from '../../src/api/commands/decide-command';
import { walletStream } from '../../src/domain/wallet/wallet.decider';
import { singleStreamUrl } from './test-app';

/**
 * The one command handler against races it cannot queue: two processes on one store file, each with its own
 * locks, deciding on the same wallet at once. Every deposit lands once, the stream's revisions stay gapless,
 * and the lost races were decided again after a jittered pause (a race lost past the handler's retries is resent,
 * as the 409 it answers asks a client to).
 */
const context: CommandContext = { principal: { role: 'operator', id: 'test' }, correlationId: 'race' };
const recordedUnder = { businessDate: '2026-01-05', ruleSetVersion: 'csrc-pboc-2018-06' };
const WALLET_ID = '00000000-0000-4000-8000-00000000000a';
const CLIENT_RESENDS = 16;

describe('two processes deciding on one wallet at once', () => {
  let dir: string;
  const stores: EventStore[] = [];
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'ifw-race-'))));
  afterAll(async () => {
    for (const store of stores) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('apply every deposit once, with gapless revisions, after retrying the races they lost', async () => {
    const url = singleStreamUrl(`sqlite:${join(dir, 'events.db')}`);
    let conflicts = 0;
    const counting = (store: EventStore): EventStore =>
      new Proxy(store, {
        get(target, property, receiver) {
          if (property !== 'append') return Reflect.get(target, property, receiver);
          return (...args: Parameters<EventStore['append']>) =>
            target.append(...args).catch((error: unknown) => {
              if (error instanceof WrongExpectedRevisionError) conflicts++;
              throw error;
            });
        },
      });
    stores.push(openEventStore(url), openEventStore(url));
    const handlers = stores.map((store) => new DecideCommandHandler(counting(store), new Metrics()));
    const command = (type: 'OpenWallet' | 'Deposit') =>
      new DecideCommand(
        context,
        WALLET,
        walletStream(WALLET_ID),
        type === 'OpenWallet' ? { type, walletId: WALLET_ID, ownerKind: 'customer' as const, ownerId: 'ann', accountTier: 'III' as const } : { type, amountFen: 1n },
        recordedUnder,
        ({ after }) => ({ status: 201, body: { cash: after.open ? after.cashFen.toString() : '0' } }),
        type !== 'OpenWallet',
      );
    await handlers[0]!.execute(command('OpenWallet'));
    const deposits = 40;
    // A race still lost after the handler's own retries answers 409 "send the request again": a client does so.
    const depositUntilDecided = async (handler: DecideCommandHandler) => {
      for (let resend = 0; resend < CLIENT_RESENDS; resend++) {
        try {
          return await handler.execute(command('Deposit'));
        } catch (error) {
          if (!(error instanceof WrongExpectedRevisionError)) throw error;
        }
      }
      throw new Error(`a deposit lost its race ${CLIENT_RESENDS} times over`);
    };
    const answers = await Promise.all(Array.from({ length: deposits }, (_, i) => depositUntilDecided(handlers[i % 2]!)));
    expect(answers.every((answer) => answer.status === 201)).toBe(true);
    const revisions: bigint[] = [];
    for await (const event of stores[0]!.readStream(walletStream(WALLET_ID))) revisions.push(event.revision);
    expect(revisions).toEqual(Array.from({ length: deposits + 1 }, (_, i) => BigInt(i)));
    expect(answers.map((answer) => Number(answer.body.cash)).sort((a, b) => a - b)).toEqual(Array.from({ length: deposits }, (_, i) => i + 1));
    expect(conflicts).toBeGreaterThan(0);
  });
});

describe('retryOnConflict', () => {
  const conflict = () => new WrongExpectedRevisionError('wallet-x', 1n, 2n);

  it('decides again after each lost race, pausing a random share of a doubling ceiling', async () => {
    const draws: number[] = [];
    let attempts = 0;
    const result = await retryOnConflict(
      async () => {
        if (++attempts < 3) throw conflict();
        return 'decided';
      },
      { maxAttempts: 8, firstDelayMs: 1, maxDelayMs: 4, random: () => (draws.push(draws.length), 0.5) },
    );
    expect({ result, attempts, draws: draws.length }).toEqual({ result: 'decided', attempts: 3, draws: 2 });
  });

  it('gives up after its attempts with the last conflict, and never retries another error', async () => {
    let attempts = 0;
    const options = { maxAttempts: 3, firstDelayMs: 1, maxDelayMs: 1, random: () => 0 };
    await expect(retryOnConflict(async () => { attempts++; throw conflict(); }, options)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect(attempts).toBe(3);
    attempts = 0;
    await expect(retryOnConflict(async () => { attempts++; throw new Error('disk full'); }, options)).rejects.toThrow('disk full');
    expect(attempts).toBe(1);
  });
});
