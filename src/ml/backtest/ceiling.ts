/**
 * The reachable ceiling of the single investor: the most its money can earn over the evaluated days with
 * perfect foresight of every fund's income, under the rules its book applies (fund-book.ts, in the order the
 * day loop of wallet-simulation.ts books them, one business date at a time): the opening purchase is
 * confirmed before the first evaluated day; orders are placed on business dates before the last day, before
 * that date's close; the close of business date B pays the income of the calendar days recorded under it (the
 * weekend or holiday before it, and B) on what B's orders left; redeemed shares earn nothing from the days
 * recorded under their order on and pay cash at that close; cash earns nothing; a purchase placed under B is
 * confirmed at the next business date's close and earns that date's own day. A switch decided on a Tuesday
 * or a Wednesday therefore loses two days; on a Thursday or a Friday four (to Sunday or Monday); on a Monday
 * four too (Saturday to Tuesday), because Monday's close pays the weekend on what Monday's orders left.
 *
 * Dynamic programming backwards over the business dates. Income is linear in the money (a fen earns the same
 * wherever the rest is), so the value of a state is a growth factor per fen and every fen in the same state
 * has the same best action: the optimum over all switching sequences is a plan of whole-holding orders, per
 * fund "keep" or "redeem everything available" and for the cash "keep" or "buy fund k with all of it". States
 * at the decision point of a business date (after its withdrawals, before its close): a fen available in
 * fund i, or a fen of cash; a fen being redeemed or awaiting confirmation has no choice, so it is folded into
 * the order that put it there. The investor's whole holdings are far above the instant cap, so its switches
 * are standard redemptions, as the DP assumes; splitting a switch so that a part within the cap is redeemed
 * at once is not among the sequences it optimises over (docs/backtest.md).
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
  /** First evaluated day; the opening purchase is decided on day e0 − 1 and confirmed before e0. */
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

/** The business dates of the evaluation: the first calendar day recorded under each, the date, its last evaluated day. */
function businessDateBlocks(market: CeilingMarket): { first: number; date: number; end: number }[] {
  const blocks: { first: number; date: number; end: number }[] = [];
  for (let first = market.e0; first <= market.last; ) {
    const date = market.business[first] === 1 ? first : market.nextBusiness[first]!;
    const end = Math.min(date, market.last);
    blocks.push({ first, date, end });
    first = end + 1;
  }
  return blocks;
}

export function perfectForesightPlan(market: CeilingMarket): CeilingPlan {
  const { micros, e0, last } = market;
  if (!(e0 >= 1 && e0 <= last)) throw new RangeError(`the ceiling needs 1 ≤ e0 ≤ last; got e0 ${e0}, last ${last}`);
  const growth = (i: number, d: number) => 1 + micros[i]![d]! / 1e8;
  const blocks = businessDateBlocks(market);
  const count = blocks.length;
  /** available[i][k]: growth of a fen available in fund i at the decision point of block k; cash[k]: of a fen of cash (1 past the end). */
  const available = micros.map(() => new Float64Array(count + 2).fill(1));
  const cash = new Float64Array(count + 2).fill(1);
  const redeem = micros.map(() => new Uint8Array(last + 1));
  const buy = new Int16Array(last + 1).fill(-1);
  for (let k = count - 1; k >= 0; k -= 1) {
    const { first, date, end } = blocks[k]!;
    const decides = date < last;
    for (let i = 0; i < micros.length; i += 1) {
      let earned = 1;
      for (let d = first; d <= end; d += 1) earned *= growth(i, d);
      const hold = earned * available[i]![k + 1]!;
      // Redeemed: no income from the days of this close on; the cash is there at the next decision.
      const redeemed = decides ? cash[k + 1]! : -Infinity;
      redeem[i]![date] = decides && redeemed > hold ? 1 : 0;
      available[i]![k] = Math.max(hold, redeemed);
    }
    // Bought: pending through the next block, confirmed at its close, which pays it that close's own day.
    const confirm = blocks[k + 1]?.date;
    let best = cash[k + 1]!;
    for (let j = 0; decides && confirm !== undefined && confirm <= last && j < micros.length; j += 1) {
      const bought = growth(j, confirm) * available[j]![k + 2]!;
      if (bought > best) {
        best = bought;
        buy[date] = j;
      }
    }
    cash[k] = best;
  }
  // The opening purchase (decided on e0 − 1) is available at the first decision.
  let opening = cash[0]!;
  for (let j = 0; j < micros.length; j += 1) {
    if (available[j]![0]! > opening) {
      opening = available[j]![0]!;
      buy[e0 - 1] = j;
    }
  }
  return { growth: opening, redeem, buy };
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
