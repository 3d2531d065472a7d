/**
 * One wallet under one strategy over the evaluated days: the day loop of the backtest. Wallets do not
 * interact, so each is simulated on its own (and merchants can be spread over worker threads); everything
 * a wallet needs is in `SimulationInputs` (shared by all wallets, plain data that survives postMessage) and
 * its own `WalletFlows`.
 *
 * Each calendar day t, in order: purchases and redemptions due are settled (FundBook.settle); the day's
 * inflow arrives as cash; the instant capacity is recorded; the day's withdrawal is paid (cash, instant
 * redemptions within the cap, then standard redemptions); the day's income is booked on the confirmed
 * shares; on a business day (not the last day) the strategy places its orders. The orders count as placed
 * before that day's 15:00 cut, so they settle as orders of day t; what the strategy knows is dated
 * accordingly: the forecasts and the demand bound it reads were made at origin t − forecastOriginLagDays
 * (at least 1: a day's income is published after the close). The order amounts are read off the book as it
 * stands after the day's income, as an order for "everything available" is filled.
 */
import type { IimmfOptimiser } from '../portfolio/iimmf';
import { ceilingStrategy, perfectForesightPlan } from './ceiling';
import { FundBook } from './fund-book';
import { isNonForecastRule, nonForecastLevels, nonForecastRule } from './non-forecast-rules';
import { equalWeights, forecastSwitching, holdOne, iimmf, type IimmfStats, type Order, type Strategy, type StrategyName } from './strategies';

export interface SimulationInputs {
  readonly dates: readonly string[];
  readonly codes: readonly string[];
  /** First evaluated day; the opening allocation is decided on day e0 − 1. */
  readonly e0: number;
  readonly last: number;
  /** perTenKMicros per fund per day. */
  readonly micros: readonly (readonly number[])[];
  /** Forecast perTenK of day t + 1 made at origin t, per fund (NaN where there is none). */
  readonly forecasts: readonly Float64Array[];
  /** The decision of day t reads the forecasts made at origin t − forecastOriginLagDays (1 + the decision lag). */
  readonly forecastOriginLagDays: number;
  /** The instant cap in force on day t, fen (from e0 on, and a week beyond the last day). */
  readonly capFen: Float64Array;
  readonly business: Uint8Array;
  readonly nextBusiness: Int32Array;
  /** 1 on the first business day of January, April, July and October. */
  readonly quarterStart: Uint8Array;
  /** Calendar year of each day. */
  readonly year: Uint16Array;
  readonly horizonDays: number;
  readonly rebalanceBand: number;
  readonly iimmfExtraFunds: number;
}

export interface WalletFlows {
  /** Cash at the start (placed by the opening allocation, confirmed before day e0). */
  readonly openingFen: number;
  readonly inflowFen?: readonly number[];
  readonly withdrawalFen?: readonly number[];
  /** The demand bound the decision of day t uses (withdrawals until the next decision, made at its origin), fen. */
  readonly boundFen?: ArrayLike<number>;
}

export interface WalletOutcome {
  readonly income: number;
  readonly balanceDays: number;
  readonly idleBalanceDays: number;
  readonly days: number;
  readonly redeemedByStrategy: number;
  readonly bought: number;
  readonly capacityDays: number;
  readonly withdrawalDays: number;
  readonly coveredDays: number;
  readonly demanded: number;
  readonly withdrawn: number;
  readonly paidAtOnce: number;
  readonly paidLate: number;
  readonly maxInstantShareOfCap: number;
  readonly maxFundCapacityShareOfCap: number;
  /** Σ capacity and days, per calendar year (year → [sum, days]). */
  readonly capacityByYear: Record<number, [number, number]>;
  /** Σ capacity and days, per cap in force (cap in fen → [sum, days]). */
  readonly capacityByCap: Record<number, [number, number]>;
  readonly iimmf: IimmfStats;
  /** Daily income and balance (when asked for). */
  readonly daily?: { readonly income: number[]; readonly balance: number[] };
  /** Every order as "date kind code amount" (when recorded). */
  readonly decisions?: string[];
  /** The capacity of every evaluated day (when recorded). */
  readonly capacity?: number[];
}

export function makeStrategy(name: StrategyName, inputs: SimulationInputs, optimiser: IimmfOptimiser | undefined, stats: IimmfStats): Strategy {
  switch (name) {
    case 'hold-one':
      return holdOne();
    case 'equal-weights':
      return equalWeights(inputs.rebalanceBand);
    case 'forecast-switching':
      return forecastSwitching();
    case 'iimmf':
      if (!optimiser) throw new Error('the IIMMF strategy needs an optimiser');
      return iimmf(optimiser, inputs.iimmfExtraFunds, stats);
    case 'ceiling':
      return ceilingStrategy(perfectForesightPlan(inputs));
    default: {
      const rule = nonForecastRule(name);
      return forecastSwitching(rule.name, rule.label);
    }
  }
}

export function simulateWallet(
  inputs: SimulationInputs,
  strategyName: StrategyName,
  flows: WalletFlows,
  optimiser: IimmfOptimiser | undefined,
  options: { readonly daily?: boolean; readonly record?: boolean } = {},
): WalletOutcome {
  const stats: IimmfStats = { solves: 0 };
  const strategy = makeStrategy(strategyName, inputs, optimiser, stats);
  const levels = isNonForecastRule(strategyName) ? nonForecastLevels(inputs.micros, nonForecastRule(strategyName)) : inputs.forecasts;
  return runWallet(inputs, strategy, flows, { ...options, levels, stats });
}

export interface WalletRunOptions {
  readonly daily?: boolean;
  readonly record?: boolean;
  /** What the strategy reads as each fund's forecast, per origin (default: the elastic net's, inputs.forecasts). */
  readonly levels?: readonly Float64Array[];
  readonly stats?: IimmfStats;
}

/** The day loop for any strategy (simulateWallet makes the backtest's own from their names). */
export function runWallet(inputs: SimulationInputs, strategy: Strategy, flows: WalletFlows, options: WalletRunOptions = {}): WalletOutcome {
  const { e0, last } = inputs;
  const book = new FundBook(inputs.codes.length);
  const tally = newTally(options);
  const decide = decider(inputs, strategy, flows, book, options.levels ?? inputs.forecasts, tally.decisions);
  let day = 0;
  const rate = (i: number) => inputs.micros[i]![day]!;
  book.cash = flows.openingFen;
  decide(e0 - 1, true);
  for (let t = e0; t <= last; t += 1) {
    day = t;
    const cap = inputs.capFen[t]!;
    book.settle(t);
    if (flows.inflowFen) book.cash += flows.inflowFen[t]!;
    const capacity = book.recordCapacity(cap);
    tally.record(cap, capacity, inputs.year[t]!);
    if (flows.withdrawalFen) {
      // A standard redemption asked for today is placed today (or on the next business day) and pays the business day after.
      const placed = inputs.business[t] === 1 ? t : inputs.nextBusiness[t]!;
      book.withdraw(flows.withdrawalFen[t]!, cap, capacity, inputs.nextBusiness[placed]!);
    }
    tally.daily?.balance.push(book.balance());
    const income = book.accrue(rate);
    tally.daily?.income.push(income);
    if (inputs.business[t] === 1 && t < last) decide(t, false);
  }
  return outcomeOf(book, tally, options.stats ?? { solves: 0 });
}

/** The decision of day t (or the opening one on day e0 − 1): the strategy's orders, placed on the book. */
function decider(inputs: SimulationInputs, strategy: Strategy, flows: WalletFlows, book: FundBook, levels: readonly Float64Array[], decisions: string[] | undefined) {
  const { codes, e0 } = inputs;
  const forecast = new Float64Array(codes.length);
  return (t: number, initial: boolean) => {
    const origin = t - inputs.forecastOriginLagDays;
    for (let i = 0; i < codes.length; i += 1) forecast[i] = levels[i]![origin]!;
    const t1 = inputs.nextBusiness[t]!;
    const orders: Order[] = strategy.decide(book, {
      t,
      forecast,
      codes,
      capFen: inputs.capFen[t + 1]!,
      demandUpperFen: flows.boundFen ? flows.boundFen[t]! : 0,
      horizonDays: inputs.horizonDays,
      // Redeemed shares stop earning at once; the cash, paid on t1, buys a fund that earns from the next business day on.
      switchLostDays: inputs.nextBusiness[t1]! - t - 1,
      quarterStart: inputs.quarterStart[t] === 1,
      initial,
    });
    const settleOn = initial ? e0 : t1;
    for (const order of orders) {
      if (order.kind === 'redeem') book.redeem(order.fund, order.amount, t1);
      else book.buy(order.fund, order.amount, settleOn);
      decisions?.push(`${inputs.dates[t]} ${order.kind} ${codes[order.fund]} ${order.amount}`);
    }
  };
}

interface Tally {
  readonly capacityByYear: Record<number, [number, number]>;
  readonly capacityByCap: Record<number, [number, number]>;
  readonly daily: { readonly income: number[]; readonly balance: number[] } | undefined;
  readonly decisions: string[] | undefined;
  readonly capacities: number[] | undefined;
  record(cap: number, capacity: number, year: number): void;
}

function newTally(options: { readonly daily?: boolean; readonly record?: boolean }): Tally {
  const capacityByYear: Record<number, [number, number]> = {};
  const capacityByCap: Record<number, [number, number]> = {};
  const capacities: number[] | undefined = options.record ? [] : undefined;
  return {
    capacityByYear,
    capacityByCap,
    daily: options.daily ? { income: [], balance: [] } : undefined,
    decisions: options.record ? [] : undefined,
    capacities,
    record(cap, capacity, year) {
      capacities?.push(capacity);
      const entry = (capacityByYear[year] ??= [0, 0]);
      entry[0] += capacity;
      entry[1] += 1;
      const byCap = (capacityByCap[cap] ??= [0, 0]);
      byCap[0] += capacity;
      byCap[1] += 1;
    },
  };
}

function outcomeOf(book: FundBook, tally: Tally, stats: IimmfStats): WalletOutcome {
  return {
    income: book.income,
    balanceDays: book.balanceDays,
    idleBalanceDays: book.idleBalanceDays,
    days: book.days,
    redeemedByStrategy: book.redeemedByStrategy,
    bought: book.bought,
    capacityDays: book.capacityDays,
    withdrawalDays: book.withdrawalDays,
    coveredDays: book.coveredDays,
    demanded: book.demanded,
    withdrawn: book.withdrawn,
    paidAtOnce: book.paidAtOnce,
    paidLate: book.paidLate,
    maxInstantShareOfCap: book.maxInstantShareOfCap,
    maxFundCapacityShareOfCap: book.maxFundCapacityShareOfCap,
    capacityByYear: tally.capacityByYear,
    capacityByCap: tally.capacityByCap,
    iimmf: stats,
    ...(tally.daily ? { daily: tally.daily } : {}),
    ...(tally.decisions ? { decisions: tally.decisions } : {}),
    ...(tally.capacities ? { capacity: tally.capacities } : {}),
  };
}
