import { type RecordedEvent, openEventStore } from '../../src/eventstore';
import type { SeededRandom } from '../../src/ml/market/seeded-random';
import { lastPosition, ready, watchLog } from './crash-reads';
import type { ServerUnderTest } from './crash-server';
import type { Workload } from './crash-workload';

export type RoundKind = 'random' | 'day-close' | 'fund-switch';

export interface KillPoint {
  round: number;
  kind: RoundKind;
  /** What the kill waited for, as drawn from the seed. */
  plan: string;
  /** The log's last position once the server was dead. */
  position: string;
  /** Where the kill landed, read from the log of the dead server. */
  landed: string;
}

export interface RoundContext {
  server: ServerUnderTest;
  workload: Workload;
  random: SeededRandom;
  /** The store's URL, to read what the dead server left. */
  storeUrl: string;
  /** Requests a round began without waiting for their answers (a close); they finish across the restarts. */
  background: Promise<unknown>[];
  /** Prints a line of the test's output as it happens. */
  say(line: string): void;
}

/** Answered requests after which a random round kills, drawn in this range. */
const RANDOM_KILL_AFTER = { min: 40, max: 220 } as const;
/** The day close's steps the kill of a close waits for, in the order the close writes them. */
const CLOSE_PHASES = [
  ['begun', 'DayCloseStarted'],
  ['positions', 'PositionDayClosed'],
  ['income booked', 'IncomeDistributed'],
] as const;
const SWITCH_PHASES = ['accepted', 'redeemed', 'bought'] as const;

/** Times a round aimed inside a close or a switch is taken again when its kill came after the end of it. */
const MAX_KILL_ATTEMPTS = 4;

/** The kill came too late: what it aimed at had ended. Not a fault of the product: the round is taken again. */
class MissedKill extends Error {}

/** One round: a load of commands, a SIGKILL at the moment the round's plan says, and a start on the same data. */
export async function crashRound(context: RoundContext, round: number, kind: RoundKind): Promise<KillPoint> {
  for (let attempt = 1; ; attempt++) {
    await ready(context.server);
    context.say(`round ${round} (${kind}): the server is ready`);
    const killed = kind === 'random' ? await killAtRandom(context) : kind === 'day-close' ? await killInClose(context) : await killInSwitch(context);
    const point = { round, kind, plan: killed.plan, position: '', landed: '' };
    const store = openEventStore(context.storeUrl);
    try {
      point.position = String(await store.lastPosition());
      point.landed = await killed.landed(store);
    } catch (error) {
      if (!(error instanceof MissedKill) || attempt === MAX_KILL_ATTEMPTS) throw error;
      context.say(`round ${round} (${kind}): ${error.message}; taking the round again`);
    } finally {
      await store.close();
    }
    await context.server.start();
    if (point.landed === '') continue;
    context.say(`round ${round} (${kind}): killed ${point.plan}; log at ${point.position}; ${point.landed}`);
    return point;
  }
}

interface Killed {
  plan: string;
  landed(store: ReturnType<typeof openEventStore>): Promise<string>;
}

/** After a drawn number of answered requests, half the time with a close under way. */
async function killAtRandom({ server, workload, random, background }: RoundContext): Promise<Killed> {
  const after = random.integer(RANDOM_KILL_AFTER.min, RANDOM_KILL_AFTER.max);
  const withClose = random.bernoulli(0.5);
  const answered = workload.log.successesFromNow(after);
  if (withClose) background.push(workload.closeDay());
  await answered;
  await server.kill();
  return { plan: `after ${after} answers${withClose ? ', a close sent' : ''}`, landed: async () => 'amid the load' };
}

/** Inside the day close: once the drawn step of it is in the log. */
async function killInClose({ server, workload, random, background }: RoundContext): Promise<Killed> {
  const [phase, type] = CLOSE_PHASES[random.integer(0, CLOSE_PHASES.length - 1)]!;
  const from = await lastPosition(server);
  let closing: string | undefined;
  background.push(workload.closeDay((date) => (closing = date)));
  const seen = await watchLog(server, from, `the close's ${type}`, (event) => event.type === type && closing !== undefined && event.metadata.businessDate === closing);
  await server.kill();
  return {
    plan: `the close of ${closing} ${phase} (${type} at ${seen.position})`,
    landed: async (store) => {
      const calendar = await collect(store.readStream('calendar'));
      const closed = calendar.some((event) => event.type === 'DayClosed' && dateOf(event) === closing);
      const started = calendar.some((event) => event.type === 'DayCloseStarted' && dateOf(event) === closing);
      if (closed || !started) throw new MissedKill(`the kill missed the close of ${closing}: started ${started}, closed ${closed}`);
      return `inside the close of ${closing}: DayCloseStarted in the log, DayClosed not`;
    },
  };
}

/** Inside a fund switch: on its 202, or once its redemption or its purchase is in the log. */
async function killInSwitch({ server, workload, random }: RoundContext): Promise<Killed> {
  const phase = SWITCH_PHASES[random.integer(0, SWITCH_PHASES.length - 1)]!;
  const from = await lastPosition(server);
  const { walletId, answer } = workload.sendSwitch();
  const accepted = await answer;
  if (accepted.status !== 202) throw new Error(`the fund switch of the round answered ${accepted.status}: ${JSON.stringify(accepted.body)}`);
  const processId = String(accepted.body.processId);
  if (phase !== 'accepted') {
    const types = phase === 'redeemed' ? ['InstantRedemptionMade', 'StandardRedemptionPlaced'] : ['PurchasePaid'];
    await watchLog(server, from, `switch ${processId} ${phase}`, (event) => types.includes(event.type) && event.metadata.correlationId === processId);
  }
  await server.kill();
  return {
    plan: `switch ${processId} ${phase}`,
    landed: async (store) => {
      const streams = [`wallet-${walletId}`, ...['CRA', 'CRB', 'CRC'].map((code) => `position-${walletId}-${code}`)];
      const events = (await Promise.all(streams.map((stream) => collect(store.readStream(stream))))).flat();
      const steps = events.filter((event) => event.metadata.correlationId === processId && event.type !== 'RequestRecorded');
      const bought = new Set(steps.filter((event) => event.type === 'PurchasePaid').map((event) => (event.data as { purchaseId: string }).purchaseId));
      if (events.some((event) => event.type === 'PurchaseConfirmed' && bought.has((event.data as { purchaseId: string }).purchaseId))) {
        throw new MissedKill(`the kill missed switch ${processId}: its purchase was confirmed`);
      }
      return `inside switch ${processId}: ${steps.length === 0 ? 'nothing written yet' : steps.map((event) => event.type).join(', ')} in the log, not confirmed`;
    },
  };
}

function dateOf(event: RecordedEvent): string | undefined {
  const data = event.data as { date?: string; businessDate?: string };
  return data.date ?? data.businessDate;
}

async function collect(events: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}
