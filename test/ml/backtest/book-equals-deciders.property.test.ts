/**
 * The backtest books what the product would book. The backtest's book (src/ml/backtest/fund-book.ts) is run
 * as BookOnDeciders (./product-wallet.ts), which books every call on the product's wallet and position
 * deciders too, in bigint fen, as the product's commands, transfer steps and day close drive them, and after
 * every call the two must hold the same cash, holdings, shares under redemption, pending purchases, income to
 * date and instant capacity left; each call's pay day, confirmation day, cap and redemption mode must be the
 * product's. On the real exchange calendar (weekends and holidays recorded under the next business date) and
 * the rule sets in force (the cap falls on 2018-06-01):
 * - random histories of one merchant's wallet over three funds, each business date's orders in any order —
 *   deposits, purchases, strategy redemptions standard and as the fund switch places them, withdrawals paid
 *   from cash, instant redemptions within the cap and standard redemptions — with positive, zero and negative
 *   incomes;
 * - whole wallet runs of the backtest's day loop (wallet-simulation.ts runWallet) over five to six weeks with
 *   weekends and a holiday, with inflows, withdrawals and the switches of every strategy.
 */
import fc from 'fast-check';
import { type IsoDate, addDays } from '../../../src/domain/iso-date';
import { ruleSetOn } from '../../../src/domain/rules/rule-set';
import { backtestCalendar } from '../../../src/ml/backtest/backtest-calendar';
import { SeededRandom } from '../../../src/ml/market';
import { createOptimiser, type IimmfOptimiser } from '../../../src/ml/portfolio/iimmf';
import type { Order, Strategy, StrategyName } from '../../../src/ml/backtest/strategies';
import { businessDateOf, makeStrategy, runWallet, type SimulationInputs } from '../../../src/ml/backtest/wallet-simulation';
import { BookOnDeciders, type MirroredCalendar } from './product-wallet';

const FUNDS = 3;
/** Shares of an amount are drawn in ten-thousandths, so no amount is a float. */
const PER_TEN_K = 10_000;
/** Rates are looked up by calendar day modulo this many. */
const RATE_TABLE_DAYS = 61;
/** Calendar days a random history can span (24 business dates, across a long holiday). */
const HISTORY_SPAN_DAYS = 60;

const sameState = ({ actual, expected }: { actual: unknown; expected: unknown }) => expect(actual).toEqual(expected);
const partOf = (fen: number, ofTenK: number) => Math.floor((fen * ofTenK) / PER_TEN_K);

/** The dates from `start` and the product's business days over them. */
function calendarFrom(start: IsoDate, days: number, micros: (fund: number, day: number) => number): MirroredCalendar & ReturnType<typeof backtestCalendar> {
  // Dates run past the days, as the calendar does, for the settlement after the last close.
  const dates = Array.from({ length: days + 30 }, (_, t) => addDays(start, t));
  return { dates, ...backtestCalendar(start, days, 0), micros: Array.from({ length: FUNDS }, (_, i) => Array.from({ length: days }, (__, t) => micros(i, t))) };
}

const share = fc.integer({ min: 1, max: PER_TEN_K });
const operation = fc.oneof(
  fc.record({ kind: fc.constant('deposit' as const), fen: fc.integer({ min: 1, max: 30_000_000 }) }),
  fc.record({ kind: fc.constant('buy' as const), fund: fc.nat(FUNDS - 1), share }),
  fc.record({ kind: fc.constant('redeem' as const), fund: fc.nat(FUNDS - 1), share }),
  fc.record({ kind: fc.constant('switch' as const), fund: fc.nat(FUNDS - 1), share }),
  // Up to 120 % of what is available: the book pays what it can.
  fc.record({ kind: fc.constant('withdraw' as const), share: fc.integer({ min: 1, max: 12_000 }) }),
);
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

// Income per 10,000 shares in 0.0001 CNY: often positive, sometimes zero or negative (up to −0.9 CNY).
const perTenK = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 30_000 }), weight: 3 }, fc.constant(0), fc.integer({ min: -9_000, max: -1 }));
const history = fc.record({
  // Weekdays, a Saturday before a holiday week, a Sunday before National Day, the eve of the Spring Festival.
  start: fc.constantFrom<IsoDate>('2018-04-25', '2018-05-29', '2018-09-26', '2019-01-30', '2019-04-27', '2019-09-29', '2020-01-23'),
  businessDates: fc.array(fc.array(operation, { maxLength: 5 }), { minLength: 1, maxLength: 24 }),
  rates: fc.array(fc.array(perTenK, { minLength: RATE_TABLE_DAYS, maxLength: RATE_TABLE_DAYS }), { minLength: FUNDS, maxLength: FUNDS }),
});
type History = typeof history extends fc.Arbitrary<infer T> ? T : never;

/** One order of business date `b`, booked with the amounts the book decides. */
function applyOperation(book: BookOnDeciders, calendar: MirroredCalendar & { nextBusiness: Int32Array }, op: Operation, b: number): void {
  const cap = Number(ruleSetOn(calendar.dates[b]!).instantRedemptionCapFen);
  if (op.kind === 'deposit') book.receive(op.fen);
  else if (op.kind === 'buy') book.buy(op.fund, partOf(book.cash, op.share), calendar.nextBusiness[b]!);
  else if (op.kind === 'redeem') book.redeem(op.fund, partOf(book.available(op.fund), op.share), b + 1);
  else if (op.kind === 'switch') book.switchOut(op.fund, partOf(book.available(op.fund), op.share), cap, b + 1);
  else {
    let availableFen = book.cash;
    for (let i = 0; i < FUNDS; i += 1) availableFen += book.available(i);
    book.withdraw(partOf(availableFen, op.share), cap, b + 1);
  }
}

/** Books a history one business date at a time, as fund-book.ts's header says, on the book and the deciders. */
function bookBoth(h: History): BookOnDeciders {
  const calendar = calendarFrom(h.start, HISTORY_SPAN_DAYS, (i, t) => h.rates[i]![t % RATE_TABLE_DAYS]!);
  const book = new BookOnDeciders(calendar, 0, sameState);
  let first = 0;
  for (const operations of h.businessDates) {
    const b = businessDateOf(calendar, first);
    book.settle(first);
    for (const op of operations) applyOperation(book, calendar, op, b);
    for (let d = first; d <= b; d += 1) book.accrue((fund) => calendar.micros[fund]![d]!, d);
    first = b + 1;
  }
  book.settle(first);
  return book;
}

describe('the backtest book books what the product deciders book', () => {
  it('same cash, holdings, pending amounts, income and instant capacity after every step of random histories', () => {
    fc.assert(
      fc.property(history, (h) => {
        bookBoth(h);
      }),
      { seed: 20180601, numRuns: 300 },
    );
  });

  it('rounds a negative income towards zero, as the ledger posts it, not down', () => {
    const h: History = {
      start: '2018-05-29',
      businessDates: [[{ kind: 'deposit', fen: 1_234_567 }, { kind: 'buy', fund: 0, share: PER_TEN_K }], [], []],
      rates: Array.from({ length: FUNDS }, () => Array.from({ length: RATE_TABLE_DAYS }, () => -6_543)),
    };
    // Confirmed at the close of the 30th: 1,234,567 fen × −0.6543 / 10,000 = −80.78 fen, then −80.77 on the 31st.
    expect(bookBoth(h).income).toBe(-160);
  });
});

// Whole wallet runs.

const WALLET_RUN_DAYS = 42;
/** Mondays a few weeks before a holiday: the cap's fall and the Dragon Boat Festival (2018), Qingming and a quarter start (2019), National Day (2019), the Spring Festival (2020). */
const RUN_STARTS: readonly IsoDate[] = ['2018-05-14', '2019-03-18', '2019-09-16', '2020-01-06'];
const RUN_STRATEGIES: readonly StrategyName[] = ['hold-one', 'equal-weights', 'forecast-switching', 'iimmf', 'cap-reserve', 'trailing-mean-1', 'ceiling'];

const daily = <T>(arbitrary: fc.Arbitrary<T>) => fc.array(arbitrary, { minLength: WALLET_RUN_DAYS, maxLength: WALLET_RUN_DAYS });
const sometimes = (max: number) => fc.oneof(fc.constant(0), fc.integer({ min: 1, max }));
const walletRun = fc.record({
  start: fc.constantFrom(...RUN_STARTS),
  openingFen: fc.integer({ min: 0, max: 40_000_000 }),
  inflowFen: daily(sometimes(3_000_000)),
  // Up to three 10,000 CNY caps a day: paid from cash, at once, and late.
  withdrawalFen: daily(sometimes(3_000_000)),
  boundFen: daily(fc.integer({ min: 0, max: 4_000_000 })),
  rates: fc.array(daily(perTenK), { minLength: FUNDS, maxLength: FUNDS }),
  forecasts: fc.array(daily(fc.integer({ min: 1_000, max: 30_000 })), { minLength: FUNDS, maxLength: FUNDS }),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
});
type WalletRun = typeof walletRun extends fc.Arbitrary<infer T> ? T : never;

/** A strategy of random orders: random parts of what is available redeemed or switched out, random parts of the cash bought. */
function randomOrders(seed: number): Strategy {
  const random = SeededRandom.fromSeed(`random-orders-${seed}`);
  return {
    name: 'ceiling',
    label: 'random orders',
    decide(book) {
      const orders: Order[] = [];
      for (let i = 0; i < book.funds; i += 1) {
        if (book.available(i) > 0 && random.uniform() < 0.3) orders.push({ kind: 'redeem', fund: i, amount: Math.max(1, Math.floor(book.available(i) * random.uniform())) });
      }
      let cash = book.cash;
      for (let k = 0; k < 2 && cash > 0; k += 1) {
        const amount = Math.max(1, Math.floor(cash * random.uniform()));
        orders.push({ kind: 'buy', fund: Math.floor(random.uniform() * book.funds), amount });
        cash -= amount;
      }
      return orders;
    },
  };
}

/**
 * The day loop's inputs: day 0 is the opening allocation's business date P, the next business day Q = e0 − 1
 * its confirmation and the opening decision, e0 the day after; the last day is a business day, so that every
 * business date is closed. No income before e0.
 */
function runInputs(run: WalletRun): SimulationInputs {
  const base = calendarFrom(run.start, WALLET_RUN_DAYS, () => 0);
  const e0 = base.nextBusiness[0]! + 1;
  let last = WALLET_RUN_DAYS - 1;
  while (base.business[last] !== 1) last -= 1;
  const calendar = calendarFrom(run.start, WALLET_RUN_DAYS, (i, t) => (t < e0 ? 0 : run.rates[i]![t]!));
  return {
    ...calendar,
    codes: calendar.micros.map((_, i) => `F${i}`),
    e0,
    last,
    forecasts: run.forecasts.map((series) => Float64Array.from(series, (v) => v / 10_000)),
    forecastOriginLagDays: 1,
    horizonDays: 14,
    rebalanceBand: 0.2,
    iimmfExtraFunds: 1,
  };
}

let optimiser: IimmfOptimiser;
beforeAll(async () => {
  optimiser = await createOptimiser();
});
afterAll(() => optimiser.dispose());

describe('a whole wallet run of the backtest books what the product deciders book', () => {
  it('for every strategy, over weeks with weekends and a holiday, inflows, withdrawals and switches', () => {
    let instantSwitches = 0;
    let standardSwitches = 0;
    let paidLate = 0;
    fc.assert(
      fc.property(walletRun, (run) => {
        const inputs = runInputs(run);
        const flows = { openingFen: run.openingFen, inflowFen: run.inflowFen, withdrawalFen: run.withdrawalFen, boundFen: run.boundFen };
        const strategies = [...RUN_STRATEGIES.map((name) => makeStrategy(name, inputs, optimiser, { solves: 0 })), randomOrders(run.seed)];
        for (const strategy of strategies) {
          const book = new BookOnDeciders(inputs, 0, sameState);
          const outcome = runWallet(inputs, strategy, flows, { book, record: true });
          book.settle(inputs.last + 1); // the last close's redemptions paid, on both sides
          const switches = outcome.decisions!.filter((line) => line.includes(' redeem '));
          instantSwitches += switches.filter((line) => line.endsWith(' instant')).length;
          standardSwitches += switches.filter((line) => !line.endsWith(' instant')).length;
          paidLate += outcome.paidLate;
        }
      }),
      { seed: 20190401, numRuns: 12 },
    );
    // The runs take every path the product has: switches at once and by standard redemption, withdrawals paid late.
    expect(instantSwitches).toBeGreaterThan(10);
    expect(standardSwitches).toBeGreaterThan(10);
    expect(paidLate).toBeGreaterThan(0);
  }, 120_000);
});
