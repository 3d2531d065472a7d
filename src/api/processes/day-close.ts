import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { createHash, randomUUID } from 'node:crypto';
import { type Subscription, filter, take, timeout } from 'rxjs';
import type { EventStore, JsonObject } from '../../eventstore';
import { CALENDAR_STREAM, type CalendarState, calendarDecider } from '../../domain/calendar/calendar.decider';
import { fold } from '../../domain/decider';
import { DomainError } from '../../domain/domain-error';
import type { IsoDate } from '../../domain/iso-date';
import { invariant } from '../../invariant';
import { LogFeed } from '../../projections/log-feed';
import { eventData } from '../../projections/projection';
import { BusinessCalendar } from '../calendar/business-calendar';
import { CALENDAR } from '../commands/aggregates';
import type { CommandContext } from '../commands/command-context';
import { DecideCommand } from '../commands/decide-command';
import { type CommandResponse, IdempotencyClaims } from '../commands/idempotency-claims';
import { KeyedMutex } from '../commands/keyed-mutex';
import { loadStored } from '../commands/stored-aggregate';
import { EVENT_STORE } from '../event-store.module';
import type { RegisteredFund } from '../funds/fund-loader';
import { DailyForecasts } from '../intelligence/daily-forecasts';
import { Transfers } from './processes.module';
import { PROCESS_ENGINE } from './process-engine.token';
import { recordedUnder } from '../wallets/wallet-commands';
import { BusinessKeyClaimedError, type ProcessEngine } from '../../processes/engine';
import { DAY_CLOSE_PROCESS, type DayCloseBody, type DayCloseVariables, registerDayCloseWorkers, registeredFunds } from './day-close-steps';

export type { DayCloseBody, FundDayBody } from './day-close-steps';

/** The longest wait for the transfers under way before a close begins: more than a lease's time to live. */
const TRANSFERS_WAIT_MS = 30_000;

/** How long a close request waits for the close's last step before it answers 202 (the close goes on). */
const DAY_CLOSE_WAIT_MS = 10 * 60_000;

/** How long a start waits for an interrupted close to complete before it serves anyway (the close goes on). */
const INTERRUPTED_CLOSE_WAIT_MS = 60_000;

/**
 * Close requests that may wait behind the one running; more are refused with 503 at once. A close can take
 * minutes, so an unbounded queue would hold requests for hours instead of telling their clients to come back;
 * a burst of retries of one close (each then answered DAY_ALREADY_CLOSED at once) fits.
 */
export const MAX_WAITING_CLOSES = 16;

/**
 * The request a close was begun for rides in its DayCloseStarted event's metadata: a start that completes an
 * interrupted close records the outcome under that request's key, where a retry of it looks. Only the
 * calendar's idempotency outcomes can follow that event while the close runs; this bounds the read back.
 */
const CLOSE_REQUEST_LOOKBACK_EVENTS = 1_000;

/** What a close request answers when its close is still running past the wait. */
export type DayCloseUnderWayBody = { date: string; processId: string; position: string };

/**
 * The day close: checked and recorded as begun on the calendar here, before any position is touched; its
 * steps then run as the BPMN model day-close.bpmn (day-close-steps.ts), each idempotent per date, and the
 * request waits for the calendar to move. A close interrupted by a crash resumes in the engine; one whose
 * instance was never started (a crash right after it began) is started when the application starts.
 */
@Injectable()
export class DayClose implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(DayClose.name);
  private readonly claims: IdempotencyClaims;
  /** One close at a time in this process, in the order they came; across processes the calendar's expected revision decides. */
  private readonly oneAtATime = new KeyedMutex({ maxKeys: 1, maxWaitingPerKey: MAX_WAITING_CLOSES });

  constructor(
    private readonly commands: CommandBus,
    private readonly calendar: BusinessCalendar,
    private readonly forecasts: DailyForecasts,
    private readonly transfers: Transfers,
    private readonly feed: LogFeed,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROCESS_ENGINE) private readonly engine: ProcessEngine,
  ) {
    this.claims = new IdempotencyClaims(store);
  }

  onModuleInit(): void {
    const requireTransfers = (position: bigint) => this.transfers.require(position, TRANSFERS_WAIT_MS);
    registerDayCloseWorkers(this.engine, { commands: this.commands, calendar: this.calendar, forecasts: this.forecasts, store: this.store, requireTransfers, logger: this.logger });
  }

  async onApplicationBootstrap(): Promise<void> {
    // Read the stream itself: on a new ledger the calendar may not have been started yet at this point.
    const { state } = await loadStored(this.store, CALENDAR_STREAM, calendarDecider, CALENDAR.schema);
    const closing = state.started ? state.closing : null;
    if (!closing) return;
    this.logger.warn(`completing the close of ${closing.date}, interrupted before it finished`);
    const system: CommandContext = { principal: { role: 'operator', id: 'system' }, correlationId: randomUUID() };
    const request = (await this.begunRequest(closing.date)) ?? closeRequest(system, closing.date);
    const variables = closeVariables(request, closing, await this.store.lastPosition());
    const answer = await this.startAndWait(variables, INTERRUPTED_CLOSE_WAIT_MS);
    if (answer.status === 202) {
      const { processId } = answer.body as DayCloseUnderWayBody;
      this.logger.warn(`the close of ${closing.date} is still running: follow it at GET /processes/${processId}`);
    }
  }

  close(context: CommandContext, date: IsoDate): Promise<CommandResponse<DayCloseBody | DayCloseUnderWayBody>> {
    return this.oneAtATime.run([CALENDAR_STREAM], () => this.closeNow(context, date));
  }

  private async closeNow(context: CommandContext, date: IsoDate): Promise<CommandResponse<DayCloseBody | DayCloseUnderWayBody>> {
    if (context.idempotency) {
      const earlier = await this.claims.claim(context, CALENDAR_STREAM);
      if (earlier) return earlier as CommandResponse<DayCloseBody>;
    }
    try {
      return await this.startAndWait(await this.begin(context, date), DAY_CLOSE_WAIT_MS);
    } catch (error) {
      if (error instanceof DomainError && context.idempotency) await this.claims.recordRefusal(context, error);
      throw error;
    }
  }

  /** Refuses a close that cannot run before anything is written, then records it as begun on the calendar. */
  private async begin(context: CommandContext, date: IsoDate): Promise<DayCloseVariables> {
    const today = await this.calendar.today();
    // Decided here first without writing, so a close that cannot run is refused before the calendar records it.
    const closing = fold({ initialState: today.calendar as CalendarState, evolve: calendarDecider.evolve }, calendarDecider.decide({ type: 'BeginDayClose', date }, today.calendar));
    invariant(closing.started && closing.closing?.date === date, () => `the close of ${date} did not begin`);
    requireIncomes(await registeredFunds(this.store), closing.closing.days);
    // Every purchase paid and every redemption placed before the close is on its position first (after a
    // restart, once the killed server's lease on the transfers has expired); until then nothing is written.
    await this.transfers.require(await this.store.lastPosition(), TRANSFERS_WAIT_MS);
    const request = closeRequest(context, date);
    const steps: CommandContext = { principal: context.principal, correlationId: context.correlationId };
    const metadata = { ...recordedUnder(today), closeRequest: request };
    const begun = await this.commands.execute(new DecideCommand(steps, CALENDAR, CALENDAR_STREAM, { type: 'BeginDayClose', date }, metadata, () => ({ status: 200, body: {} })));
    return closeVariables(request, closing.closing, BigInt(begun.body.position));
  }

  /** The request recorded with the close's DayCloseStarted event; undefined for a close begun before requests rode there. */
  private async begunRequest(date: IsoDate): Promise<DayCloseVariables['request'] | undefined> {
    const events = this.store.readStream(CALENDAR_STREAM, { direction: 'backwards', maxCount: CLOSE_REQUEST_LOOKBACK_EVENTS });
    for await (const event of events) {
      // Read backwards, the first start or end of a close met is the latest: this close's start, or none.
      if (event.type === 'DayClosed') return undefined;
      if (event.type !== 'DayCloseStarted') continue;
      return eventData<{ date: string }>(event).date === date ? (event.metadata.closeRequest as DayCloseVariables['request'] | undefined) : undefined;
    }
    return undefined;
  }

  /** Starts the close's instance (once per date) and waits, bounded, for the calendar to move. */
  private async startAndWait(variables: DayCloseVariables, waitMs: number): Promise<CommandResponse<DayCloseBody | DayCloseUnderWayBody>> {
    const closed = this.dayClosed(variables.date, waitMs);
    try {
      const businessKey = `day-close:${variables.date}`;
      const started = await this.engine.startInstance(DAY_CLOSE_PROCESS, variables, { businessKey }).catch((error: unknown) => {
        // Zeebe, after a restart: the close's instance was started before it and goes on there.
        if (error instanceof BusinessKeyClaimedError) return undefined;
        throw error;
      });
      if (!(await this.isClosed(variables.date)) && !(await closed.promise)) {
        return { status: 202, body: { date: variables.date, processId: started?.instanceId ?? businessKey, position: variables.begunPosition } };
      }
    } finally {
      closed.cancel();
    }
    const recorded = await this.claims.claim(variables.request, CALENDAR_STREAM);
    invariant(recorded !== undefined, () => `the close of ${variables.date} finished without recording its outcome`);
    // The outcome was recorded by this close's own last step, so it is no replay to the request waiting here.
    const { replayed: _, ...outcome } = recorded;
    // Standard redemptions settled by the close reach their wallets' cash before the answer.
    return this.transfers.completed(outcome as CommandResponse<DayCloseBody>);
  }

  /** Armed before the instance starts, so a close that finishes at once is not missed. */
  private dayClosed(date: IsoDate, timeoutMs: number): { promise: Promise<boolean>; cancel(): void } {
    let subscription: Subscription | undefined;
    const promise = new Promise<boolean>((resolve) => {
      subscription = this.feed.events$
        .pipe(filter((event) => event.type === 'DayClosed' && eventData<{ date: string }>(event).date === date), take(1), timeout(timeoutMs))
        .subscribe({ next: () => resolve(true), error: () => resolve(false) });
    });
    return { promise, cancel: () => subscription?.unsubscribe() };
  }

  private async isClosed(date: IsoDate): Promise<boolean> {
    const { state } = await loadStored(this.store, CALENDAR_STREAM, calendarDecider, CALENDAR.schema);
    return state.started && state.lastClosedDate !== null && state.lastClosedDate >= date;
  }
}

/**
 * The request a close answers, with the record its outcome goes to. A request sent without an Idempotency-Key
 * gets a record of the close's own, so the answer is read back from the calendar whichever process ran the
 * last step.
 */
function closeRequest(context: CommandContext, date: IsoDate): DayCloseVariables['request'] {
  const hash = createHash('sha256').update(`day-close\n${date}`).digest('hex');
  const idempotency = context.idempotency ?? { stream: `idempotency-day-close-${date}`, requestHash: hash };
  return { ...context, idempotency } as CommandContext & JsonObject;
}

function closeVariables(request: DayCloseVariables['request'], closing: { date: IsoDate; days: readonly IsoDate[]; nextBusinessDate: IsoDate }, begunPosition: bigint): DayCloseVariables {
  return { date: closing.date, nextBusinessDate: closing.nextBusinessDate, days: [...closing.days], begunPosition: begunPosition.toString(), request };
}

/** Refuses the close before anything is written when a fund lacks the income of a day it must accrue. */
function requireIncomes(funds: readonly RegisteredFund[], days: readonly IsoDate[]): void {
  const missing = funds.flatMap((fund) => days.filter((d) => d >= fund.registeredOn && fund.incomesPerTenK[d] === undefined).map((d) => `${fund.code} on ${d}`));
  if (missing.length > 0) {
    throw new DomainError('INCOME_MISSING', `publish the income per 10,000 shares first: missing for ${missing.join(', ')}`, { missing: missing.join(', ') });
  }
}
