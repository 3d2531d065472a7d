import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { EventStore, JsonObject } from '../eventstore';
import { CALENDAR_STREAM, type CalendarState, calendarDecider } from '../domain/calendar/calendar.decider';
import { fold } from '../domain/decider';
import { DomainError } from '../domain/domain-error';
import { REGISTRIES } from '../domain/registry/registry.decider';
import { fundStream } from '../domain/fund/fund.decider';
import { type FundHoldersEvent, fundHoldersStream } from '../domain/fund/fund-holders.decider';
import { dailyIncomeFen, formatPerTenK } from '../domain/income-rate';
import type { IsoDate } from '../domain/iso-date';
import { formatFen } from '../domain/money';
import { type PositionEvent, positionStream } from '../domain/position/position.decider';
import { invariant } from '../invariant';
import { BusinessCalendar } from '../api/calendar/business-calendar';
import { CALENDAR, FUND, POSITION, REGISTRY } from '../api/commands/aggregates';
import type { CommandContext } from '../api/commands/command-context';
import { DecideCommand } from '../api/commands/decide-command';
import { type CommandResponse, IdempotencyClaims } from '../api/commands/idempotency-claims';
import { isEntityEvent, loadStored, toDomainEvent } from '../api/commands/stored-aggregate';
import { EVENT_STORE } from '../api/event-store.module';
import { type RegisteredFund, loadRegisteredFund } from '../api/funds/fund-loader';
import { DailyForecasts } from '../api/intelligence/daily-forecasts';
import { Transfers } from '../api/processes/processes.module';
import { TransfersBehindError } from './transfer-processes';
import { recordedUnder } from '../api/wallets/wallet-commands';

export type FundDayBody = { date: string; perTenK: string; holdings: string; income: string; distributed: string; residual: string };
export type DayCloseBody = {
  date: string;
  nextBusinessDate: string;
  days: string[];
  positionsClosed: number;
  funds: { code: string; days: FundDayBody[] }[];
};

/** The longest wait for the transfers under way before a close begins: more than a lease's time to live. */
const TRANSFERS_WAIT_MS = 30_000;

/** Positions closed at once: their appends share the store's commits, and the locks held stay bounded. */
const MAX_CONCURRENT_POSITION_CLOSES = 128;

/**
 * The day close: the steps of a business day in order, each a command on one stream and each idempotent per
 * date. It is recorded as begun on the calendar before it touches any position and as finished at the end,
 * so a close interrupted by a crash is completed by running it again, which the application does by itself
 * when it starts. Transfers under way are completed first, so every purchase paid today is on its position.
 */
@Injectable()
export class DayClose implements OnApplicationBootstrap {
  private readonly logger = new Logger(DayClose.name);
  private readonly claims: IdempotencyClaims;
  /** One close at a time in this process; across processes the calendar's expected revision decides. */
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly commands: CommandBus,
    private readonly calendar: BusinessCalendar,
    private readonly forecasts: DailyForecasts,
    private readonly transfers: Transfers,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {
    this.claims = new IdempotencyClaims(store);
  }

  async onApplicationBootstrap(): Promise<void> {
    // Read the stream itself: on a new ledger the calendar may not have been started yet at this point.
    const { state } = await loadStored(this.store, CALENDAR_STREAM, calendarDecider, CALENDAR.schema);
    const closing = state.started ? state.closing : null;
    if (!closing) return;
    this.logger.warn(`completing the close of ${closing.date}, interrupted before it finished`);
    const system: CommandContext = { principal: { role: 'operator', id: 'system' }, correlationId: randomUUID() };
    await this.close(system, closing.date).catch((error: unknown) => {
      if (!(error instanceof TransfersBehindError)) throw error;
      this.logger.error(`the close of ${closing.date} stays in progress (${error.message}): repeat POST /operations/day-close`);
    });
  }

  close(context: CommandContext, date: IsoDate): Promise<CommandResponse<DayCloseBody>> {
    const next = this.running.then(() => this.closeNow(context, date));
    this.running = next.catch(() => undefined);
    return next;
  }

  private async closeNow(context: CommandContext, date: IsoDate): Promise<CommandResponse<DayCloseBody>> {
    if (context.idempotency) {
      const earlier = await this.claims.claim(context, CALENDAR_STREAM);
      if (earlier) return earlier as CommandResponse<DayCloseBody>;
    }
    try {
      return await this.runSteps(context, date);
    } catch (error) {
      if (error instanceof DomainError && context.idempotency) await this.claims.recordRefusal(context, error);
      throw error;
    }
  }

  private async runSteps(context: CommandContext, date: IsoDate): Promise<CommandResponse<DayCloseBody>> {
    const today = await this.calendar.today();
    // Decided here first without writing, so a close that cannot run is refused before the calendar records it.
    const closing = fold({ initialState: today.calendar as CalendarState, evolve: calendarDecider.evolve }, calendarDecider.decide({ type: 'BeginDayClose', date }, today.calendar));
    invariant(closing.started && closing.closing?.date === date, () => `the close of ${date} did not begin`);
    const { days, nextBusinessDate } = closing.closing;
    const funds = await this.registeredFunds();
    requireIncomes(funds, days);
    // Every purchase paid and every redemption placed before the close is on its position first (after a
    // restart, once the killed server's lease on the transfers has expired); until then nothing is written.
    await this.transfers.require(await this.store.lastPosition(), TRANSFERS_WAIT_MS);
    const steps: CommandContext = { principal: context.principal, correlationId: context.correlationId };
    const begun = await this.decide(steps, CALENDAR, CALENDAR_STREAM, { type: 'BeginDayClose', date });
    await this.transfers.require(BigInt(begun.body.position), TRANSFERS_WAIT_MS);
    let positionsClosed = 0;
    const fundBodies: DayCloseBody['funds'] = [];
    for (const fund of funds) {
      positionsClosed += await this.closePositions(steps, fund, date, nextBusinessDate, days);
      fundBodies.push({ code: fund.code, days: await this.distributeIncome(steps, fund, days) });
    }
    // The daily forecasts come before the calendar moves, so the close's position covers them too; they
    // are recorded once per date, and a failure to forecast is logged without holding up the ledger.
    await this.forecasts.run(date).catch((error: Error) => this.logger.error(`the forecasts at the close of ${date} failed: ${error.message}`, error.stack));
    const body: DayCloseBody = { date, nextBusinessDate, days: [...days], positionsClosed, funds: fundBodies };
    const finished = await this.commands.execute(
      new DecideCommand(context, CALENDAR, CALENDAR_STREAM, { type: 'FinishDayClose', date }, { businessDate: date, ruleSetVersion: today.ruleSet.version }, () => ({ status: 200, body })),
    );
    // Standard redemptions settled by the close reach their wallets' cash before the answer.
    return this.transfers.completed(finished as CommandResponse<DayCloseBody>);
  }

  private async decide<Command>(context: CommandContext, aggregate: DecideCommand<Command>['aggregate'], stream: string, command: Command): Promise<CommandResponse<JsonObject>> {
    const today = await this.calendar.today();
    // `wrote` tells a step that changed something from one already done by an earlier, interrupted close.
    return this.commands.execute(new DecideCommand(context, aggregate, stream, command, recordedUnder(today), ({ events }) => ({ status: 200, body: { wrote: events.length > 0 } }), false));
  }

  private async registeredFunds(): Promise<RegisteredFund[]> {
    const registry = await loadStored(this.store, REGISTRIES.funds, REGISTRY.decider, REGISTRY.schema);
    const funds: RegisteredFund[] = [];
    for (const code of registry.state.ids) funds.push((await loadRegisteredFund(this.store, code)).state);
    return funds;
  }

  /** Confirms, accrues and settles every position of the fund; returns how many wrote (a closed one writes nothing). */
  private async closePositions(context: CommandContext, fund: RegisteredFund, date: IsoDate, nextBusinessDate: IsoDate, days: readonly IsoDate[]): Promise<number> {
    const incomeDays = days.filter((d) => d >= fund.registeredOn).map((d) => ({ date: d, perTenK: fund.incomesPerTenK[d]! }));
    const command = { type: 'CloseDay' as const, businessDate: date, nextBusinessDate, days: incomeDays };
    let closed = 0;
    for await (const group of this.holders(fund.code, MAX_CONCURRENT_POSITION_CLOSES)) {
      const answers = await Promise.all(group.map((walletId) => this.decide(context, POSITION, positionStream(walletId, fund.code), command)));
      closed += answers.filter((answer) => answer.body.wrote === true).length;
    }
    return closed;
  }

  /** The fund's holders in the order they joined, `size` at a time, read from their list without holding it all. */
  private async *holders(fundCode: string, size: number): AsyncGenerator<string[]> {
    let group: string[] = [];
    for await (const recorded of this.store.readStream(fundHoldersStream(fundCode))) {
      if (!isEntityEvent(recorded)) continue;
      group.push(toDomainEvent<FundHoldersEvent>(recorded).data.walletId);
      if (group.length === size) {
        yield group;
        group = [];
      }
    }
    if (group.length > 0) yield group;
  }

  /**
   * Books the fund's income for each day of the close against what its holders accrued, read back from
   * their streams so that positions closed by an earlier, interrupted attempt count too.
   */
  private async distributeIncome(context: CommandContext, fund: RegisteredFund, days: readonly IsoDate[]): Promise<FundDayBody[]> {
    const accrued = new Map<IsoDate, { holdingsFen: bigint; distributedFen: bigint }>(days.map((d) => [d, { holdingsFen: 0n, distributedFen: 0n }]));
    for await (const group of this.holders(fund.code, MAX_CONCURRENT_POSITION_CLOSES)) {
      for (const walletId of group) await this.addAccruals(accrued, positionStream(walletId, fund.code), days[0]!);
    }
    return this.bookIncome(context, fund, days, accrued);
  }

  private async addAccruals(accrued: Map<IsoDate, { holdingsFen: bigint; distributedFen: bigint }>, stream: string, firstDay: IsoDate): Promise<void> {
    for await (const recorded of this.store.readStream(stream, { direction: 'backwards' })) {
      if (!isEntityEvent(recorded)) continue;
      const event = toDomainEvent<PositionEvent>(recorded);
      if (event.type === 'PositionDayClosed' && event.data.businessDate < firstDay) break;
      if (event.type !== 'IncomeAccrued') continue;
      const day = accrued.get(event.data.date);
      if (!day) continue;
      day.holdingsFen += event.data.holdingFen;
      day.distributedFen += event.data.amountFen;
    }
  }

  private async bookIncome(context: CommandContext, fund: RegisteredFund, days: readonly IsoDate[], accrued: Map<IsoDate, { holdingsFen: bigint; distributedFen: bigint }>): Promise<FundDayBody[]> {
    const bodies: FundDayBody[] = [];
    for (const date of days.filter((d) => d >= fund.registeredOn)) {
      const { holdingsFen, distributedFen } = accrued.get(date)!;
      await this.decide(context, FUND, fundStream(fund.code), { type: 'DistributeIncome', date, holdingsFen, distributedFen });
      const perTenK = fund.incomesPerTenK[date]!;
      const incomeFen = dailyIncomeFen(holdingsFen, perTenK);
      bodies.push({
        date,
        perTenK: formatPerTenK(perTenK),
        holdings: formatFen(holdingsFen),
        income: formatFen(incomeFen),
        distributed: formatFen(distributedFen),
        residual: formatFen(incomeFen - distributedFen),
      });
    }
    return bodies;
  }
}

/** Refuses the close before anything is written when a fund lacks the income of a day it must accrue. */
function requireIncomes(funds: readonly RegisteredFund[], days: readonly IsoDate[]): void {
  const missing = funds.flatMap((fund) => days.filter((d) => d >= fund.registeredOn && fund.incomesPerTenK[d] === undefined).map((d) => `${fund.code} on ${d}`));
  if (missing.length > 0) {
    throw new DomainError('INCOME_MISSING', `publish the income per 10,000 shares first: missing for ${missing.join(', ')}`, { missing: missing.join(', ') });
  }
}
