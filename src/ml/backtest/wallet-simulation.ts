/**
 * One wallet under one strategy over the evaluated days: the day loop of the backtest. Wallets do not
 * interact, so each is simulated on its own (and merchants can be spread over worker threads); everything
 * a wallet needs is in `SimulationInputs` (shared by all wallets, plain data that survives postMessage) and
 * its own `WalletFlows`.
 *
 * The loop books the product's order (fund-book.ts's header), one business date B at a time, B covering the
 * calendar days f … B since the previous business date (a weekend or a holiday is recorded under the business
 * date after it): the redemptions paid at the previous close are settled and B's instant quota opens; on each
 * day of f … B the inflow arrives as cash, the instant capacity is recorded and the withdrawal is paid (cash,
 * instant redemptions within what is left of B's quota, then standard redemptions paid at B's close); on B
 * (not the last day) the strategy places its orders, counted as placed before B's 15:00 cut; then B's close
 * books the income of f … B on what the orders left, day by day, confirming the purchases due. So a
 * redemption earns nothing on its day, a purchase confirmed at a close can be redeemed only from the day
 * after, and the weekend's income is paid at Monday's close on what Monday's orders left.
 *
 * What the strategy knows is dated accordingly: the forecasts and the demand bound it reads were made at
 * origin B − forecastOriginLagDays (at least 1: a day's income is published after the close), and the order
 * amounts are read off the book as it stands at the cut.
 */
import type { IimmfOptimiser } from '../portfolio/iimmf';
import { ceilingStrategy, perfectForesightPlan } from './ceiling';
import { FundBook } from './fund-book';
import { isNonForecastRule, nonForecastLevels, nonForecastRule } from './non-forecast-rules';
import { CAP_RESERVE_LEVELS, capReserve, equalWeights, forecastSwitching, holdOne, iimmf, type DecisionContext, type IimmfStats, type Order, type Strategy, type StrategyName } from './strategies';

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
  /** The instant cap in force on day t, fen (from e0 on, and beyond the last day). */
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
  /**
   * The demand bound the decision of business date t uses, fen: of the withdrawals until the next decision,
   * those recorded under the next business date (t + 1 … nextBusiness[t]), made at the decision's origin.
   */
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
  /** Every order as "date kind code amount", " instant" after a redemption paid at once (when recorded). */
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
    case 'cap-reserve':
      return capReserve();
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
  const levels = strategyLevels(inputs, strategyName);
  return runWallet(inputs, strategy, flows, { ...options, levels, stats });
}

/** What a strategy reads as the funds' levels: a non-forecast rule its own, the cap reserve the trailing 30-day mean, the rest the elastic net's forecasts. */
function strategyLevels(inputs: SimulationInputs, name: StrategyName): readonly Float64Array[] {
  if (name === 'cap-reserve') return nonForecastLevels(inputs.micros, nonForecastRule(CAP_RESERVE_LEVELS));
  return isNonForecastRule(name) ? nonForecastLevels(inputs.micros, nonForecastRule(name)) : inputs.forecasts;
}

export interface WalletRunOptions {
  readonly daily?: boolean;
  readonly record?: boolean;
  /** What the strategy reads as each fund's forecast, per origin (default: the elastic net's, inputs.forecasts). */
  readonly levels?: readonly Float64Array[];
  readonly stats?: IimmfStats;
  /** The book to run on (default a new one; a test passes one that books every call on the product's deciders too). */
  readonly book?: FundBook;
}

/** The business date a calendar day is recorded under: itself on a business day, else the next business day. */
export function businessDateOf(inputs: Pick<SimulationInputs, 'business' | 'nextBusiness'>, day: number): number {
  return inputs.business[day] === 1 ? day : inputs.nextBusiness[day]!;
}

/** The day loop for any strategy (simulateWallet makes the backtest's own from their names). */
export function runWallet(inputs: SimulationInputs, strategy: Strategy, flows: WalletFlows, options: WalletRunOptions = {}): WalletOutcome {
  const { e0, last } = inputs;
  const book = options.book ?? new FundBook(inputs.codes.length);
  const tally = newTally(options);
  const decide = decider(inputs, strategy, flows, book, options.levels ?? inputs.forecasts, tally.decisions);
  let day = 0;
  const rate = (i: number) => inputs.micros[i]![day]!;
  book.receive(flows.openingFen);
  decide(e0 - 1, e0 - 1, true);
  for (let first = e0; first <= last; ) {
    const businessDate = businessDateOf(inputs, first);
    const end = Math.min(businessDate, last);
    const cap = inputs.capFen[businessDate]!; // the rule set of the business date the days are recorded under
    book.settle(first);
    for (let u = first; u <= end; u += 1) {
      if (flows.inflowFen) book.receive(flows.inflowFen[u]!);
      tally.record(cap, book.recordCapacity(cap), inputs.year[u]!);
      if (flows.withdrawalFen) book.withdraw(flows.withdrawalFen[u]!, cap, businessDate + 1);
    }
    if (businessDate < last) decide(businessDate, first, false);
    for (let u = first; u <= end; u += 1) {
      day = u;
      tally.daily?.balance.push(book.balance());
      const income = book.accrue(rate, u);
      tally.daily?.income.push(income);
    }
    first = end + 1;
  }
  return outcomeOf(book, tally, options.stats ?? { solves: 0 });
}

/**
 * The decision of business date t, whose days began on `first` (or the opening one on day e0 − 1): the
 * strategy's orders, placed on the book. A redemption is placed as the product's fund switch places it
 * (instant when the fund's quota left covers it); when one was instant, its cash is in the wallet before the
 * cut, so the strategy is asked once more and its purchases are placed too, as the switch buys at once.
 */
function decider(inputs: SimulationInputs, strategy: Strategy, flows: WalletFlows, book: FundBook, levels: readonly Float64Array[], decisions: string[] | undefined) {
  const { codes, e0 } = inputs;
  const forecast = new Float64Array(codes.length);
  return (t: number, first: number, initial: boolean) => {
    const origin = t - inputs.forecastOriginLagDays;
    for (let i = 0; i < codes.length; i += 1) forecast[i] = levels[i]![origin]!;
    const t1 = inputs.nextBusiness[t]!;
    const context: DecisionContext = {
      t,
      forecast,
      codes,
      // The withdrawals until the next decision are those recorded under t1, within its rule set's cap.
      capFen: inputs.capFen[t1]!,
      demandUpperFen: flows.boundFen ? flows.boundFen[t]! : 0,
      horizonDays: inputs.horizonDays,
      // Redeemed shares earn nothing for the days recorded under t; the cash, paid at t's close, buys under t1 a
      // fund that earns from the business day after t1 on.
      switchLostDays: inputs.nextBusiness[t1]! - first,
      quarterStart: inputs.quarterStart[t] === 1,
      initial,
    };
    const place = (orders: Order[], buysOnly: boolean): boolean => {
      let instant = false;
      for (const order of orders) {
        let mode = '';
        if (order.kind === 'redeem') {
          if (buysOnly) continue;
          if (book.switchOut(order.fund, order.amount, inputs.capFen[t]!, t + 1) === 'instant') {
            instant = true;
            mode = ' instant';
          }
        } else book.buy(order.fund, order.amount, initial ? e0 - 1 : t1);
        decisions?.push(`${inputs.dates[t]} ${order.kind} ${codes[order.fund]} ${order.amount}${mode}`);
      }
      return instant;
    };
    if (place(strategy.decide(book, context), false) && book.cash > 0) place(strategy.decide(book, context), true);
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
