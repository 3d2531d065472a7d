import type { Logger } from '@nestjs/common';
import type { CommandBus } from '@nestjs/cqrs';
import type { EventStore, JsonObject } from '../../eventstore';
import { CALENDAR_STREAM } from '../../domain/calendar/calendar.decider';
import { REGISTRIES } from '../../domain/registry/registry.decider';
import { fundStream } from '../../domain/fund/fund.decider';
import { type FundHoldersEvent, fundHoldersStream } from '../../domain/fund/fund-holders.decider';
import { dailyIncomeFen, formatPerTenK } from '../../domain/income-rate';
import type { IsoDate } from '../../domain/iso-date';
import { formatFen } from '../../domain/money';
import { type PositionEvent, positionStream } from '../../domain/position/position.decider';
import type { BusinessCalendar } from '../calendar/business-calendar';
import { CALENDAR, FUND, POSITION, REGISTRY } from '../commands/aggregates';
import type { CommandContext } from '../commands/command-context';
import { DecideCommand } from '../commands/decide-command';
import type { CommandResponse } from '../commands/idempotency-claims';
import { isEntityEvent, loadStored, toDomainEvent } from '../commands/stored-aggregate';
import { type RegisteredFund, loadRegisteredFund } from '../funds/fund-loader';
import type { DailyForecasts } from '../intelligence/daily-forecasts';
import { recordedUnder } from '../wallets/wallet-commands';
import type { ProcessEngine } from '../../processes/engine';

export const DAY_CLOSE_PROCESS = 'day-close';
export const DAY_CLOSE_TASK_TYPES = ['day-close.close-positions', 'day-close.book-income', 'day-close.forecast', 'day-close.finish'] as const;

export type FundDayBody = { date: string; perTenK: string; holdings: string; income: string; distributed: string; residual: string };
export type FundCloseBody = { code: string; days: FundDayBody[] };
export type DayCloseBody = {
  date: string;
  nextBusinessDate: string;
  days: string[];
  positionsClosed: number;
  funds: FundCloseBody[];
};

/** What an instance of the day close carries: the calendar's record of the close begun, and the request it answers. */
export interface DayCloseVariables extends JsonObject {
  date: IsoDate;
  nextBusinessDate: IsoDate;
  days: IsoDate[];
  begunPosition: string;
  /** The request's context; its idempotency record is where the close's outcome is recorded with its last step. */
  request: CommandContext & JsonObject;
}

/** What the steps before the last one add to the variables, for the close's answer. */
type DayCloseResults = { positionsClosed: number; funds: FundCloseBody[] };

/** Positions closed at once: their appends share the store's commits, and the locks held stay bounded. */
const MAX_CONCURRENT_POSITION_CLOSES = 128;

/** A step may run long for many holders (about 40 s per 100,000 on our machines): its attempt is not cut short. */
const STEP_TIMEOUT_MS = 30 * 60_000;

export interface DayCloseStepDependencies {
  commands: CommandBus;
  calendar: BusinessCalendar;
  forecasts: DailyForecasts;
  store: EventStore;
  /** Waits for the transfers begun up to a position, or throws TransfersBehindError (the job is then retried). */
  requireTransfers(position: bigint): Promise<void>;
  logger: Logger;
}

/**
 * The job workers of the day close. Each step is a command per stream, idempotent per date: a position
 * already closed for the date, an income already booked, forecasts already recorded write nothing again.
 */
export function registerDayCloseWorkers(engine: ProcessEngine, deps: DayCloseStepDependencies): void {
  const steps = new DayCloseSteps(deps);
  const options = { timeoutMs: STEP_TIMEOUT_MS, maxConcurrentJobs: 1 };
  engine.registerWorker('day-close.close-positions', (job) => steps.closePositions(job.variables as DayCloseVariables), options);
  engine.registerWorker('day-close.book-income', (job) => steps.bookIncome(job.variables as DayCloseVariables), options);
  engine.registerWorker('day-close.forecast', (job) => steps.forecast(job.variables as DayCloseVariables), options);
  engine.registerWorker('day-close.finish', (job) => steps.finish(job.variables as DayCloseVariables & Partial<DayCloseResults>), options);
}

class DayCloseSteps {
  constructor(private readonly deps: DayCloseStepDependencies) {}

  /** Confirms, accrues and settles every position of every fund; counts the positions that wrote (a closed one writes nothing). */
  async closePositions(v: DayCloseVariables): Promise<JsonObject> {
    // Every purchase paid and every redemption placed before the close is on its position first.
    await this.deps.requireTransfers(BigInt(v.begunPosition));
    let positionsClosed = 0;
    for (const fund of await registeredFunds(this.deps.store)) {
      const incomeDays = v.days.filter((d) => d >= fund.registeredOn).map((d) => ({ date: d, perTenK: fund.incomesPerTenK[d]! }));
      const command = { type: 'CloseDay' as const, businessDate: v.date, nextBusinessDate: v.nextBusinessDate, days: incomeDays };
      for await (const group of this.holders(fund.code, MAX_CONCURRENT_POSITION_CLOSES)) {
        const answers = await Promise.all(group.map((walletId) => this.decide(v, POSITION, positionStream(walletId, fund.code), command)));
        positionsClosed += answers.filter((answer) => answer.body.wrote === true).length;
      }
    }
    return { positionsClosed };
  }

  /**
   * Books each fund's income for each day of the close against what its holders accrued, read back from
   * their streams so that positions closed by an earlier, interrupted attempt count too.
   */
  async bookIncome(v: DayCloseVariables): Promise<JsonObject> {
    const funds: FundCloseBody[] = [];
    for (const fund of await registeredFunds(this.deps.store)) {
      const accrued = new Map<IsoDate, Accrued>(v.days.map((d) => [d, { holdingsFen: 0n, distributedFen: 0n }]));
      for await (const group of this.holders(fund.code, MAX_CONCURRENT_POSITION_CLOSES)) {
        for (const walletId of group) await this.addAccruals(accrued, positionStream(walletId, fund.code), v.days[0]!);
      }
      funds.push({ code: fund.code, days: await this.distribute(v, fund, accrued) });
    }
    return { funds };
  }

  /** Recorded once per date; a failure to forecast is logged without holding up the ledger. */
  async forecast(v: DayCloseVariables): Promise<JsonObject> {
    await this.deps.forecasts.run(v.date).catch((error: Error) => this.deps.logger.error(`the forecasts at the close of ${v.date} failed: ${error.message}`, error.stack));
    return {};
  }

  /** Moves the calendar; the close's outcome is recorded with it under the request's idempotency record. */
  async finish(v: DayCloseVariables & Partial<DayCloseResults>): Promise<JsonObject> {
    const today = await this.deps.calendar.today();
    const body: DayCloseBody = { date: v.date, nextBusinessDate: v.nextBusinessDate, days: [...v.days], positionsClosed: v.positionsClosed ?? 0, funds: v.funds ?? [] };
    const command = new DecideCommand(v.request, CALENDAR, CALENDAR_STREAM, { type: 'FinishDayClose', date: v.date }, { businessDate: v.date, ruleSetVersion: today.ruleSet.version }, () => ({ status: 200, body }));
    await this.deps.commands.execute(command);
    return {};
  }

  private async decide<Command>(v: DayCloseVariables, aggregate: DecideCommand<Command>['aggregate'], stream: string, command: Command): Promise<CommandResponse<JsonObject>> {
    const today = await this.deps.calendar.today();
    const context: CommandContext = { principal: v.request.principal, correlationId: v.request.correlationId };
    // `wrote` tells a step that changed something from one already done by an earlier, interrupted close.
    return this.deps.commands.execute(new DecideCommand(context, aggregate, stream, command, recordedUnder(today), ({ events }) => ({ status: 200, body: { wrote: events.length > 0 } }), false));
  }

  /** The fund's holders in the order they joined, `size` at a time, read from their list without holding it all. */
  private async *holders(fundCode: string, size: number): AsyncGenerator<string[]> {
    let group: string[] = [];
    for await (const recorded of this.deps.store.readStream(fundHoldersStream(fundCode))) {
      if (!isEntityEvent(recorded)) continue;
      group.push(toDomainEvent<FundHoldersEvent>(recorded).data.walletId);
      if (group.length === size) {
        yield group;
        group = [];
      }
    }
    if (group.length > 0) yield group;
  }

  private async addAccruals(accrued: Map<IsoDate, Accrued>, stream: string, firstDay: IsoDate): Promise<void> {
    for await (const recorded of this.deps.store.readStream(stream, { direction: 'backwards' })) {
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

  private async distribute(v: DayCloseVariables, fund: RegisteredFund, accrued: Map<IsoDate, Accrued>): Promise<FundDayBody[]> {
    const bodies: FundDayBody[] = [];
    for (const date of v.days.filter((d) => d >= fund.registeredOn)) {
      const { holdingsFen, distributedFen } = accrued.get(date)!;
      await this.decide(v, FUND, fundStream(fund.code), { type: 'DistributeIncome', date, holdingsFen, distributedFen });
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

type Accrued = { holdingsFen: bigint; distributedFen: bigint };

/** Every registered fund, in the order they were listed. */
export async function registeredFunds(store: EventStore): Promise<RegisteredFund[]> {
  const registry = await loadStored(store, REGISTRIES.funds, REGISTRY.decider, REGISTRY.schema);
  const funds: RegisteredFund[] = [];
  for (const code of registry.state.ids) funds.push((await loadRegisteredFund(store, code)).state);
  return funds;
}
