/**
 * One wallet under one strategy over the evaluated days: the day loop of the backtest. Wallets do not
 * interact, so each is simulated on its own (and merchants can be spread over worker threads); everything
 * a wallet needs is in `SimulationInputs` (shared by all wallets, plain data that survives postMessage) and
 * its own `WalletFlows`.
 *
 * Each calendar day t, in order: purchases and redemptions due are settled (FundBook.settle); the day's
 * inflow arrives as cash; the instant capacity is recorded; the day's withdrawal is paid (cash, instant
 * redemptions within the cap, then standard redemptions); the day's income is booked on the confirmed
 * shares; on a business day (not the last day) the strategy decides, from the forecasts made at origin t
 * and the demand bound made at origin t.
 */
import type { IimmfOptimiser } from '../portfolio/iimmf';
import { FundBook } from './fund-book';
import { equalWeights, forecastSwitching, holdOne, iimmf, type IimmfStats, type Order, type Strategy, type StrategyName } from './strategies';

export interface SimulationInputs {
  readonly dates: readonly string[];
  readonly codes: readonly string[];
  /** First evaluated day; the opening allocation is decided at origin e0 − 1. */
  readonly e0: number;
  readonly last: number;
  /** perTenKMicros per fund per day. */
  readonly micros: readonly (readonly number[])[];
  /** Forecast perTenK of day t + 1 made at origin t, per fund (NaN where there is none). */
  readonly forecasts: readonly Float64Array[];
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
  /** The demand bound used by a decision at origin t (withdrawals until the next decision), fen. */
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
  }
}

export function simulateWallet(
  inputs: SimulationInputs,
  strategyName: StrategyName,
  flows: WalletFlows,
  optimiser: IimmfOptimiser | undefined,
  options: { readonly daily?: boolean; readonly record?: boolean } = {},
): WalletOutcome {
  const { e0, last, codes } = inputs;
  const n = codes.length;
  const stats: IimmfStats = { solves: 0 };
  const strategy = makeStrategy(strategyName, inputs, optimiser, stats);
  const book = new FundBook(n);
  const decisions: string[] | undefined = options.record ? [] : undefined;
  const capacities: number[] | undefined = options.record ? [] : undefined;
  const daily = options.daily ? { income: [] as number[], balance: [] as number[] } : undefined;
  const capacityByYear: Record<number, [number, number]> = {};
  const capacityByCap: Record<number, [number, number]> = {};
  const forecast = new Float64Array(n);
  const forecastAt = (t: number) => {
    for (let i = 0; i < n; i += 1) forecast[i] = inputs.forecasts[i]![t]!;
    return forecast;
  };
  const decide = (t: number, initial: boolean) => {
    const t1 = inputs.nextBusiness[t]!;
    const orders: Order[] = strategy.decide(book, {
      t,
      forecast: forecastAt(t),
      codes,
      capFen: inputs.capFen[t + 1]!,
      demandUpperFen: flows.boundFen ? flows.boundFen[t]! : 0,
      horizonDays: inputs.horizonDays,
      switchLostDays: inputs.nextBusiness[t1]! - t1,
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
  const micros = inputs.micros;
  let day = 0;
  const rate = (i: number) => micros[i]![day]!;

  book.cash = flows.openingFen;
  decide(e0 - 1, true);
  for (let t = e0; t <= last; t += 1) {
    day = t;
    const cap = inputs.capFen[t]!;
    book.settle(t);
    if (flows.inflowFen) book.cash += flows.inflowFen[t]!;
    const capacity = book.recordCapacity(cap);
    capacities?.push(capacity);
    const year = inputs.year[t]!;
    const entry = (capacityByYear[year] ??= [0, 0]);
    entry[0] += capacity;
    entry[1] += 1;
    const byCap = (capacityByCap[cap] ??= [0, 0]);
    byCap[0] += capacity;
    byCap[1] += 1;
    if (flows.withdrawalFen) {
      // A standard redemption asked for today is placed today (or on the next business day) and pays the business day after.
      const placed = inputs.business[t] === 1 ? t : inputs.nextBusiness[t]!;
      book.withdraw(flows.withdrawalFen[t]!, cap, capacity, inputs.nextBusiness[placed]!);
    }
    if (daily) daily.balance.push(book.balance());
    const income = book.accrue(rate);
    if (daily) daily.income.push(income);
    if (inputs.business[t] === 1 && t < last) decide(t, false);
  }
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
    capacityByYear,
    capacityByCap,
    iimmf: stats,
    ...(daily ? { daily } : {}),
    ...(decisions ? { decisions } : {}),
    ...(capacities ? { capacity: capacities } : {}),
  };
}
