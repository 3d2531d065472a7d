/**
 * The strategies of the backtest. Each decides, on a business day t before the 15:00 cut, which redemptions
 * and which purchases to place, from what is known then: the forecasts made at origin t − 1 − lag (a fund
 * publishes a day's income after the close, so day t's is not known yet; `lag` is the backtest's extra
 * information delay), the demand bound made at the same origin, and the wallet's own book. The day loop
 * (wallet-simulation.ts) places them under the business rules of fund-book.ts: purchases from cash only,
 * confirmed at the next business day's close; a redemption as the product's fund switch places it (instant
 * when the quota left covers it, else standard, paid at the day's close).
 */
import type { IimmfOptimiser } from '../portfolio/iimmf';
import type { FundBook } from './fund-book';
import type { NonForecastRuleName } from './non-forecast-rules';

/** The four strategies of the thesis's experiment, reported side by side. */
export type ThesisStrategyName = 'hold-one' | 'equal-weights' | 'forecast-switching' | 'iimmf';

/** The liquidity baseline without a forecasting model, run for the merchants beside the four. */
export type LiquidityBaselineName = 'cap-reserve';

/** What the merchants are run under: the four and the liquidity baseline. */
export type MerchantStrategyName = ThesisStrategyName | LiquidityBaselineName;

/** Everything a wallet can be simulated under: those, the non-forecast rules and the perfect-foresight ceiling. */
export type StrategyName = MerchantStrategyName | NonForecastRuleName | 'ceiling';

export const STRATEGY_NAMES: readonly ThesisStrategyName[] = ['hold-one', 'equal-weights', 'forecast-switching', 'iimmf'];

export const STRATEGY_LABELS: Readonly<Record<ThesisStrategyName, string>> = {
  'hold-one': "hold fund 0 (Yu'E Bao proxy)",
  'equal-weights': 'equal weights, all funds',
  'forecast-switching': 'forecast-driven switching (elastic net)',
  iimmf: 'IIMMF (LP on forecasts and demand bound)',
};

export const MERCHANT_STRATEGY_NAMES: readonly MerchantStrategyName[] = [...STRATEGY_NAMES, 'cap-reserve'];

export const CAP_RESERVE_LABEL = 'rule: best fund by trailing 30-day mean + ⌈bound / cap⌉ funds at the cap';

/** The levels the cap reserve ranks the funds by. */
export const CAP_RESERVE_LEVELS: NonForecastRuleName = 'trailing-mean-30';

export interface DecisionContext {
  /** Day index of the decision. */
  readonly t: number;
  /**
   * Each fund's expected income per 10,000 shares, CNY, from data up to the origin t − 1 − lag: the elastic
   * net's one-day-ahead forecast, or a non-forecast rule's level.
   */
  readonly forecast: ArrayLike<number>;
  /** Fund codes, for the optimiser. */
  readonly codes: readonly string[];
  /** The instant-redemption cap per fund per day of the business date after t (whose withdrawals come next), fen. */
  readonly capFen: number;
  /**
   * Upper bound of the wallet's withdrawals until the next decision (those recorded under the next business
   * date, which share its instant quota), fen, made at the same origin (0 for an investor without withdrawals).
   */
  readonly demandUpperFen: number;
  /** Calendar days over which a switch has to pay for itself. */
  readonly horizonDays: number;
  /**
   * Days of income a switch decided today loses by standard redemption: the days recorded under today (the
   * redeemed shares earn none of them) up to the day before the new fund, bought with the cash under the next
   * business date, earns.
   */
  readonly switchLostDays: number;
  /** The first business day of a calendar quarter (when equal weights may rebalance). */
  readonly quarterStart: boolean;
  /** The opening allocation (all cash, confirmed before the evaluation starts). */
  readonly initial: boolean;
}

export interface Order {
  readonly kind: 'buy' | 'redeem';
  readonly fund: number;
  readonly amount: number;
}

export interface Strategy {
  readonly name: StrategyName;
  readonly label: string;
  decide(book: FundBook, context: DecisionContext): Order[];
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i += 1) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Splits `cash` fen over the funds so that the lowest positions are raised to a common level. */
export function waterFill(positions: readonly number[], cash: number): number[] {
  const n = positions.length;
  const buys = new Array<number>(n).fill(0);
  if (cash <= 0 || n === 0) return buys;
  const order = positions.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p || a.i - b.i);
  // Level L with Σ max(0, L − p_i) = cash.
  let sum = 0;
  let k = 0;
  let level = 0;
  for (; k < n; k += 1) {
    sum += order[k]!.p;
    level = (cash + sum) / (k + 1);
    if (k + 1 === n || level <= order[k + 1]!.p) break;
  }
  let spent = 0;
  for (let j = 0; j <= k; j += 1) {
    const amount = Math.max(0, Math.floor(level - order[j]!.p));
    buys[order[j]!.i] = amount;
    spent += amount;
  }
  buys[order[0]!.i]! += cash - spent; // the fen the floors left over
  return buys;
}

/** (a) Everything in fund 0, the Yu'E Bao proxy. */
export function holdOne(): Strategy {
  return {
    name: 'hold-one',
    label: STRATEGY_LABELS['hold-one'],
    decide: (book) => (book.cash > 0 ? [{ kind: 'buy', fund: 0, amount: book.cash }] : []),
  };
}

/**
 * (b) Equal weights across all funds. New cash goes to the funds furthest below the common weight; on the
 * first business day of a quarter, when some fund is more than `band` (relative) away from its weight, the
 * funds above it are redeemed down to it (their cash is spread over the others when it arrives).
 */
export function equalWeights(band = 0.2): Strategy {
  return {
    name: 'equal-weights',
    label: STRATEGY_LABELS['equal-weights'],
    decide(book, context) {
      const n = book.funds;
      const positions = Array.from({ length: n }, (_, i) => Math.max(0, book.available(i)) + book.pendingBuyFen(i));
      const orders: Order[] = [];
      const total = positions.reduce((a, b) => a + b, 0) + book.cash;
      const target = total / n;
      if (!context.initial && context.quarterStart && target > 0) {
        const drift = Math.max(...positions.map((p) => Math.abs(p - target))) / target;
        if (drift > band) {
          positions.forEach((p, i) => {
            const amount = Math.floor(Math.min(Math.max(0, book.available(i)), p - target));
            if (amount > 0) orders.push({ kind: 'redeem', fund: i, amount });
          });
        }
      }
      waterFill(positions, book.cash).forEach((amount, i) => {
        if (amount > 0) orders.push({ kind: 'buy', fund: i, amount });
      });
      return orders;
    },
  };
}

/** Whether moving a holding from fund j to `best` pays for the days the switch loses over the horizon. */
function switchPays(f: ArrayLike<number>, best: number, j: number, context: DecisionContext): boolean {
  return (f[best]! - f[j]!) * context.horizonDays > Math.max(0, f[best]!) * context.switchLostDays;
}

/**
 * (c) Forecast-driven switching: hold the fund with the highest forecast. New cash buys it; a holding in
 * another fund j is redeemed (and bought into the best fund when its cash arrives) when the forecast gain
 * over the horizon pays for the days the switch loses: (f_best − f_j)·H > f_best·lost. The one-day-ahead
 * forecast stands for the whole horizon (the forecaster makes no longer forecasts). The non-forecast rules
 * run this same rule on their own levels, under their own name.
 */
export function forecastSwitching(name: StrategyName = 'forecast-switching', label = STRATEGY_LABELS['forecast-switching']): Strategy {
  return {
    name,
    label,
    decide(book, context) {
      const f = context.forecast;
      const best = argmax(f);
      const orders: Order[] = [];
      if (!context.initial) {
        for (let j = 0; j < book.funds; j += 1) {
          const amount = Math.max(0, book.available(j));
          if (j !== best && amount > 0 && switchPays(f, best, j, context)) orders.push({ kind: 'redeem', fund: j, amount });
        }
      }
      if (book.cash > 0) orders.push({ kind: 'buy', fund: best, amount: book.cash });
      return orders;
    },
  };
}

/**
 * The liquidity baseline, a rule without a forecasting model: hold the fund with the best level (the trailing
 * 30-day mean the engine passes as the forecast) and keep ⌈bound / cap⌉ other funds, k, each at the cap, so
 * that the instant quota of k funds stands ready for the withdrawals the demand bound expects. The reserve is
 * the funds other than the best already held (the best level first), then the best of the rest by level, up
 * to k. New cash tops the reserve up to the cap, then buys the best fund; a holding outside the reserve, and a
 * reserve fund's excess over the cap, moves to the best fund when (c)'s switching rule says it pays.
 */
export function capReserve(): Strategy {
  return {
    name: 'cap-reserve',
    label: CAP_RESERVE_LABEL,
    decide(book, context) {
      const f = context.forecast;
      const n = book.funds;
      const best = argmax(f);
      const cap = context.capFen;
      const position = (i: number) => Math.max(0, book.available(i)) + book.pendingBuyFen(i);
      const wanted = cap > 0 ? Math.min(n - 1, Math.ceil(Math.max(0, context.demandUpperFen) / cap)) : 0;
      const others = [...Array(n).keys()].filter((i) => i !== best);
      others.sort((a, b) => Number(position(b) > 0) - Number(position(a) > 0) || f[b]! - f[a]! || a - b);
      const reserve = others.slice(0, wanted);
      const orders: Order[] = [];
      for (let j = 0; !context.initial && j < n; j += 1) {
        const excess = Math.max(0, book.available(j)) - (reserve.includes(j) ? cap : 0);
        if (j !== best && excess > 0 && switchPays(f, best, j, context)) orders.push({ kind: 'redeem', fund: j, amount: Math.floor(excess) });
      }
      let cash = book.cash;
      for (const j of reserve) {
        const amount = Math.min(cash, Math.max(0, cap - position(j)));
        if (amount <= 0) continue;
        orders.push({ kind: 'buy', fund: j, amount });
        cash -= amount;
      }
      if (cash > 0) orders.push({ kind: 'buy', fund: best, amount: cash });
      return orders;
    },
  };
}

/** Below this (100 CNY), a holding is dust that IIMMF's LP does not need to see. */
export const DUST_FEN = 10_000;

/**
 * The funds IIMMF's LP needs: those held (beyond dust) and the best ⌈bound / cap⌉ + `extra` of the others by
 * forecast (extra ≥ 1). Exact: a fund bought outside them could be swapped, fen for fen, for one of them that
 * is below its cap (if all of them were at their caps they alone would cover the bound), which keeps both
 * capacities and does not lower the income, because the income a fen bought earns over the horizon net of
 * the days it is unconfirmed, p·(H − d) (p·H for p < 0), does not fall as the forecast p rises. A test
 * compares the LP's optimum on the candidates with the LP on every fund.
 */
export function iimmfCandidates(available: readonly number[], forecast: ArrayLike<number>, demandUpperFen: number, capFen: number, extra = 1): number[] {
  const n = available.length;
  const chosen: number[] = [];
  const others: number[] = [];
  // Holdings of a few CNY (the income earned by shares while their redemption was pending) count as not
  // held: they would only make the LP bigger.
  for (let i = 0; i < n; i += 1) (available[i]! >= DUST_FEN ? chosen : others).push(i);
  others.sort((a, b) => forecast[b]! - forecast[a]! || a - b);
  const wanted = (capFen > 0 ? Math.ceil(Math.max(0, demandUpperFen) / capFen) : 0) + extra;
  for (let k = 0; k < Math.min(others.length, wanted); k += 1) chosen.push(others[k]!);
  return chosen.sort((a, b) => a - b);
}

/**
 * (d) IIMMF: each business day the wallet's cash and available shares are allocated by the optimiser
 * (src/ml/portfolio/iimmf.ts) with the day's yield forecasts, the demand bound, the cap and the switch
 * cost. For speed the LP is given only the funds that an optimal allocation can use (iimmfCandidates;
 * `extra: Infinity` gives it every fund). Redemptions the allocation asks for are placed today; purchases
 * are made from today's cash, best forecasts first, and the rest is bought when the redemptions' cash
 * arrives (by the next day's allocation).
 */
export function iimmf(optimiser: IimmfOptimiser, extra = 1, stats: IimmfStats = { solves: 0 }): Strategy {
  return {
    name: 'iimmf',
    label: STRATEGY_LABELS.iimmf,
    decide(book, context) {
      const n = book.funds;
      const f = context.forecast;
      const available = Array.from({ length: n }, (_, i) => Math.max(0, book.available(i)));
      const candidates = iimmfCandidates(available, f, context.demandUpperFen, context.capFen, extra);
      const balance = candidates.reduce((sum, i) => sum + available[i]!, 0) + book.cash;
      if (balance <= 0) return [];
      stats.solves += 1;
      stats.funds = (stats.funds ?? 0) + candidates.length;
      const changes = optimiser
        .optimise({
          balanceFen: balance,
          demandUpperFen: Math.ceil(context.demandUpperFen),
          horizonDays: context.horizonDays,
          switchCostDays: context.switchLostDays,
          funds: candidates.map((i) => ({ code: context.codes[i]!, forecastPerTenK: f[i]!, currentFen: available[i]!, instantCapFen: context.capFen })),
        })
        .allocation.map((a) => Number(a.changeFen));
      const orders: Order[] = [];
      const buys: { fund: number; amount: number }[] = [];
      changes.forEach((change, k) => {
        const fund = candidates[k]!;
        if (change < 0) orders.push({ kind: 'redeem', fund, amount: -change });
        else if (change > 0) buys.push({ fund, amount: change });
      });
      let cash = book.cash;
      buys.sort((a, b) => f[b.fund]! - f[a.fund]! || a.fund - b.fund);
      for (const b of buys) {
        const amount = Math.min(b.amount, cash);
        if (amount <= 0) break;
        orders.push({ kind: 'buy', fund: b.fund, amount });
        cash -= amount;
      }
      return orders;
    },
  };
}

export interface IimmfStats {
  /** LPs solved. */
  solves: number;
  /** Σ over the LPs of the funds each was given. */
  funds?: number;
}

