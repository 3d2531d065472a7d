/**
 * The reachable ceiling of the single investor: the most its money can earn over the evaluated days with
 * perfect foresight of every fund's income, under the rules its book applies (fund-book.ts, and the day loop
 * of wallet-simulation.ts): the opening purchase is confirmed on the first evaluated day; orders are placed
 * on business days before the last day, after that day's income; redeemed shares earn nothing from then on
 * and pay cash on the next business day; cash earns nothing; a purchase is confirmed on the next business
 * day and earns that day's income. A switch decided on Monday therefore loses one day (Tuesday), one decided
 * on Thursday or Friday three (to Sunday or to Monday).
 *
 * Dynamic programming backwards over the days. Income is linear in the money (a fen earns the same wherever
 * the rest is), so the value of a state is a growth factor per fen and every fen in the same state has the
 * same best action: the optimum over all switching sequences is a plan of whole-holding orders, per fund
 * "keep" or "redeem everything available" and for the cash "keep" or "buy fund k with all of it". States at
 * the decision point of day t (after its income): a fen available in fund i, or a fen of cash; a fen being
 * redeemed or awaiting confirmation has no choice, so it is folded into the order that put it there.
 *
 * The book rounds each holding's income to the fen every day; the DP does not, so its value bounds the
 * booked income of every switching sequence from above and the booked income of its own plan from below, up
 * to that rounding (a fen per holding per day at most); test/ml/backtest/ceiling.test.ts checks both against
 * a brute force over every sequence on small markets.
 */
import type { Order, Strategy } from './strategies';

export const CEILING_LABEL = 'ceiling: perfect foresight, same rules';

/** What the DP reads: the funds' daily incomes and the calendar, as in SimulationInputs. */
export interface CeilingMarket {
  /** perTenKMicros per fund per day: a fen held on day d earns micros / 10^8 fen. */
  readonly micros: readonly (readonly number[])[];
  readonly business: Uint8Array;
  readonly nextBusiness: Int32Array;
  /** First evaluated day; the opening purchase is decided on day e0 − 1 and confirmed on e0. */
  readonly e0: number;
  readonly last: number;
}

export interface CeilingPlan {
  /** What one fen of cash at the opening decision grows to, at best, by the end of the last day. */
  readonly growth: number;
  /** redeem[i][t] = 1: on decision day t, redeem every available share of fund i. */
  readonly redeem: readonly Uint8Array[];
  /** buy[t]: the fund that all the cash buys on decision day t; −1 keeps the cash. */
  readonly buy: Int16Array;
}

export function perfectForesightPlan(market: CeilingMarket): CeilingPlan {
  const { micros, e0, last } = market;
  if (!(e0 >= 1 && e0 <= last)) throw new RangeError(`the ceiling needs 1 ≤ e0 ≤ last; got e0 ${e0}, last ${last}`);
  const growth = (i: number, d: number) => 1 + micros[i]![d]! / 1e8;
  /** available[i][t]: growth of a fen available in fund i at the decision point of day t; cash[t]: of a fen of cash. */
  const available = micros.map(() => new Float64Array(last + 1).fill(1));
  const cash = new Float64Array(last + 1).fill(1);
  const redeem = micros.map(() => new Uint8Array(last + 1));
  const buy = new Int16Array(last + 1).fill(-1);
  for (let t = last - 1; t >= e0 - 1; t -= 1) {
    const decides = t === e0 - 1 || market.business[t] === 1;
    // A redemption pays on the next business day; one paying after the last day earns nothing to the end.
    const pay = market.nextBusiness[t]!;
    const redeemed = decides && t >= e0 ? (pay <= last ? cash[pay]! : 1) : -Infinity;
    for (let i = 0; t >= e0 && i < micros.length; i += 1) {
      const hold = growth(i, t + 1) * available[i]![t + 1]!;
      redeem[i]![t] = redeemed > hold ? 1 : 0;
      available[i]![t] = Math.max(hold, redeemed);
    }
    let best = cash[t + 1]!;
    const confirm = t === e0 - 1 ? e0 : pay;
    for (let k = 0; decides && confirm <= last && k < micros.length; k += 1) {
      const bought = growth(k, confirm) * available[k]![confirm]!;
      if (bought > best) {
        best = bought;
        buy[t] = k;
      }
    }
    cash[t] = best;
  }
  return { growth: cash[e0 - 1]!, redeem, buy };
}

/** Carries out a plan on the book: the orders the DP chose, for whatever the book holds that day. */
export function ceilingStrategy(plan: CeilingPlan): Strategy {
  return {
    name: 'ceiling',
    label: CEILING_LABEL,
    decide(book, context) {
      const orders: Order[] = [];
      for (let j = 0; j < book.funds; j += 1) {
        const amount = book.available(j);
        if (amount > 0 && plan.redeem[j]![context.t] === 1) orders.push({ kind: 'redeem', fund: j, amount });
      }
      const fund = plan.buy[context.t]!;
      if (book.cash > 0 && fund >= 0) orders.push({ kind: 'buy', fund, amount: book.cash });
      return orders;
    },
  };
}
