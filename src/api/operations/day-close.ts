import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type EventStore, type StreamAppend, WrongExpectedRevisionError } from '../../eventstore';
import { CALENDAR_STREAM, type CalendarState, calendarDecider } from '../../domain/calendar/calendar.decider';
import { fold } from '../../domain/decider';
import { DomainError } from '../../domain/domain-error';
import { REGISTRIES, REGISTRY_SCHEMA, registryDecider } from '../../domain/registry/registry.decider';
import { fundDecider, fundStream } from '../../domain/fund/fund.decider';
import { dailyIncomeFen, formatPerTenK } from '../../domain/income-rate';
import type { IsoDate } from '../../domain/iso-date';
import { formatFen } from '../../domain/money';
import { type PositionEvent, positionDecider, positionStream } from '../../domain/position/position.decider';
import { walletDecider, walletStream } from '../../domain/wallet/wallet.decider';
import { invariant } from '../../invariant';
import { describePrincipal } from '../auth/principal';
import { BusinessCalendar, type Today } from '../calendar/business-calendar';
import type { CommandContext } from '../commands/command-context';
import { CommandRunner, type CommandResponse } from '../commands/command-runner';
import { type DecisionMetadata, type DomainEvent, expectedAfter, loadStored, toDomainEvent, toEventInputs } from '../commands/stored-aggregate';
import { EVENT_STORE } from '../event-store.module';
import { type RegisteredFund, loadRegisteredFund } from '../funds/fund-loader';
import { loadPosition } from '../wallets/position-loader';
import { loadWalletToCredit } from '../wallets/wallet-loader';
import { DailyForecasts } from '../intelligence/daily-forecasts';

export type FundDayBody = { date: string; perTenK: string; holdings: string; income: string; distributed: string; residual: string };
export type DayCloseBody = {
  date: string;
  nextBusinessDate: string;
  days: string[];
  positionsClosed: number;
  funds: { code: string; days: FundDayBody[] }[];
};

/** Each internal step that loses a race with a concurrent command is decided again this many times at most. */
const MAX_STEP_ATTEMPTS = 8;

/**
 * The day close: a process over many streams, recorded as started on the calendar before it touches any
 * position and as finished at the end. Every step is idempotent per date (a position or fund already
 * closed for the date decides nothing), so a close interrupted by a crash is completed by running it
 * again, which the application does by itself when it starts.
 */
@Injectable()
export class DayClose implements OnApplicationBootstrap {
  private readonly logger = new Logger(DayClose.name);

  constructor(
    private readonly runner: CommandRunner,
    private readonly calendar: BusinessCalendar,
    private readonly forecasts: DailyForecasts,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Read the stream itself: on a new ledger the calendar may not have been started yet at this point.
    const { state } = await loadStored(this.store, CALENDAR_STREAM, calendarDecider, 'calendar-v1');
    const closing = state.started ? state.closing : null;
    if (!closing) return;
    this.logger.warn(`completing the close of ${closing.date}, interrupted before it finished`);
    const system: CommandContext = { principal: { role: 'operator', id: 'system' }, correlationId: randomUUID() };
    await this.close(system, closing.date);
  }

  close(context: CommandContext, date: IsoDate): Promise<CommandResponse<DayCloseBody>> {
    return this.runner.run(context, [CALENDAR_STREAM], async () => {
      let today = await this.calendar.today();
      const started = calendarDecider.decide({ type: 'BeginDayClose', date }, today.calendar);
      const closing = fold({ initialState: today.calendar as CalendarState, evolve: calendarDecider.evolve }, started);
      invariant(closing.started && closing.closing?.date === date, () => `the close of ${date} did not start`);
      const { days, nextBusinessDate } = closing.closing;
      const funds = await this.registeredFunds();
      requireIncomes(funds, days);
      const metadata = this.metadata(context, today, date);
      if (started.length > 0) {
        await this.store.append(CALENDAR_STREAM, toEventInputs(started, metadata), { expectedRevision: expectedAfter(today.revision) });
        today = await this.calendar.today();
      }
      let positionsClosed = 0;
      const fundBodies: DayCloseBody['funds'] = [];
      for (const fund of funds) {
        for (const walletId of fund.holders) positionsClosed += await this.closePosition(fund, walletId, date, nextBusinessDate, days, metadata);
        fundBodies.push({ code: fund.code, days: await this.distributeIncome(fund, days, metadata) });
      }
      // The daily forecasts come before the calendar moves, so the close's position covers them too; they
      // are recorded once per date, and a failure to forecast is logged without holding up the ledger.
      await this.forecasts.run(date).catch((error: Error) => this.logger.error(`the forecasts at the close of ${date} failed: ${error.message}`, error.stack));
      const finished = calendarDecider.decide({ type: 'FinishDayClose', date }, today.calendar);
      return {
        streams: [{ stream: CALENDAR_STREAM, events: finished, expectedRevision: expectedAfter(today.revision) }],
        status: 200,
        body: { date, nextBusinessDate, days: [...days], positionsClosed, funds: fundBodies },
        businessDate: date,
        ruleSetVersion: today.ruleSet.version,
      };
    });
  }

  private async registeredFunds(): Promise<RegisteredFund[]> {
    const registry = await loadStored(this.store, REGISTRIES.funds, registryDecider, REGISTRY_SCHEMA);
    const funds: RegisteredFund[] = [];
    for (const code of registry.state.ids) funds.push((await loadRegisteredFund(this.store, code)).state);
    return funds;
  }

  /** Confirms, accrues and settles one position for the close; returns 1 when it wrote, 0 when already closed. */
  private async closePosition(fund: RegisteredFund, walletId: string, date: IsoDate, nextBusinessDate: IsoDate, days: readonly IsoDate[], metadata: DecisionMetadata): Promise<number> {
    const stream = positionStream(walletId, fund.code);
    const incomeDays = days.filter((d) => d >= fund.registeredOn).map((d) => ({ date: d, perTenK: fund.incomesPerTenK[d]! }));
    return this.runner.withLocks([stream], () =>
      this.appendWithRetry(async () => {
        const position = await loadPosition(this.store, walletId, fund.code);
        const closed = positionDecider.decide({ type: 'CloseDay', businessDate: date, nextBusinessDate, days: incomeDays }, position.state);
        const credits: DomainEvent[] = [];
        for (const event of closed) {
          if (event.type !== 'StandardRedemptionSettled') continue;
          const wallet = await loadWalletToCredit(this.store, walletId);
          credits.push(...walletDecider.decide({ type: 'ReceiveRedemption', redemptionId: event.data.redemptionId, fundCode: fund.code, amountFen: event.data.amountFen }, wallet));
        }
        return [
          { stream, events: closed, expectedRevision: expectedAfter(position.revision) },
          { stream: walletStream(walletId), events: credits, expectedRevision: 'stream_exists' as const },
        ];
      }, metadata),
    );
  }

  /**
   * Books the fund's income for each day of the close against what its holders accrued, read back from
   * their streams so that positions closed by an earlier, interrupted attempt count too.
   */
  private async distributeIncome(fund: RegisteredFund, days: readonly IsoDate[], metadata: DecisionMetadata): Promise<FundDayBody[]> {
    const accrued = new Map<IsoDate, { holdingsFen: bigint; distributedFen: bigint }>(days.map((d) => [d, { holdingsFen: 0n, distributedFen: 0n }]));
    for (const walletId of fund.holders) {
      for await (const recorded of this.store.readStream(positionStream(walletId, fund.code), { direction: 'backwards' })) {
        const event = toDomainEvent<PositionEvent>(recorded);
        if (event.type === 'PositionDayClosed' && event.data.businessDate < days[0]!) break;
        if (event.type !== 'IncomeAccrued') continue;
        const day = accrued.get(event.data.date);
        if (!day) continue;
        day.holdingsFen += event.data.holdingFen;
        day.distributedFen += event.data.amountFen;
      }
    }
    const bodies: FundDayBody[] = [];
    for (const date of days.filter((d) => d >= fund.registeredOn)) {
      const { holdingsFen, distributedFen } = accrued.get(date)!;
      await this.runner.withLocks([fundStream(fund.code)], () =>
        this.appendWithRetry(async () => {
          const current = await loadRegisteredFund(this.store, fund.code);
          const events = fundDecider.decide({ type: 'DistributeIncome', date, holdingsFen, distributedFen }, current.state);
          return [{ stream: fundStream(fund.code), events, expectedRevision: expectedAfter(current.revision) }];
        }, metadata),
      );
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

  private async appendWithRetry(decide: () => Promise<{ stream: string; events: readonly DomainEvent[]; expectedRevision: StreamAppend['expectedRevision'] }[]>, metadata: DecisionMetadata): Promise<number> {
    for (let attempt = 1; attempt <= MAX_STEP_ATTEMPTS; attempt++) {
      const appends = (await decide()).filter((a) => a.events.length > 0).map((a) => ({ ...a, events: toEventInputs(a.events, metadata) }));
      if (appends.length === 0) return 0;
      try {
        await this.store.appendMany(appends);
        return 1;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
      }
    }
    throw new DomainError('DAY_CLOSE_CONTENDED', `a step of the day close lost ${MAX_STEP_ATTEMPTS} races with concurrent commands; run the close again`);
  }

  private metadata(context: CommandContext, today: Today, date: IsoDate): DecisionMetadata {
    return { correlationId: context.correlationId, causationId: context.correlationId, principal: describePrincipal(context.principal), ruleSetVersion: today.ruleSet.version, businessDate: date };
  }
}

/** Refuses the close before anything is written when a fund lacks the income of a day it must accrue. */
function requireIncomes(funds: readonly RegisteredFund[], days: readonly IsoDate[]): void {
  const missing = funds.flatMap((fund) => days.filter((d) => d >= fund.registeredOn && fund.incomesPerTenK[d] === undefined).map((d) => `${fund.code} on ${d}`));
  if (missing.length > 0) {
    throw new DomainError('INCOME_MISSING', `publish the income per 10,000 shares first: missing for ${missing.join(', ')}`, { missing: missing.join(', ') });
  }
}
