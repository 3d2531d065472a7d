/**
 * The backtest's book (src/ml/backtest/fund-book.ts) against the product's deciders: random histories of
 * one merchant's wallet over three funds — deposits, purchases, strategy redemptions, withdrawals paid from
 * cash, instant redemptions within the cap and standard redemptions — with the day closes between the
 * business dates confirming purchases, accruing positive, zero and negative incomes and paying the standard
 * redemptions, on the real exchange calendar (holidays included) and the rule sets in force (the cap falls on
 * 2018-06-01). Each history is booked through the book, as its header says a business date is booked, and
 * through decide/evolve of the wallet and position aggregates in bigint fen, as the product's commands,
 * transfer steps and day close drive them. After every step the two hold the same cash, holdings, shares
 * under redemption, pending purchases, income to date and instant capacity left.
 */
import fc from 'fast-check';
import type { Decider } from '../../../src/domain/decider';
import { type IsoDate, addDays, daysAfterUpTo, nextBusinessDay } from '../../../src/domain/iso-date';
import { type PositionState, instantQuotaLeftFen, positionDecider } from '../../../src/domain/position/position.decider';
import { ruleSetOn } from '../../../src/domain/rules/rule-set';
import { type WalletCommand, type WalletState, walletDecider } from '../../../src/domain/wallet/wallet.decider';
import { FundBook } from '../../../src/ml/backtest/fund-book';

const FUNDS = ['F0', 'F1', 'F2'] as const;
const WALLET_ID = 'w1';
const DAY_MS = 86_400_000;
/** Shares of an amount are drawn in ten-thousandths, so no amount is a float. */
const PER_TEN_K = 10_000;
/** Rates are looked up by calendar day modulo this many. */
const RATE_TABLE_DAYS = 61;

const share = fc.integer({ min: 1, max: PER_TEN_K });
const operation = fc.oneof(
  fc.record({ kind: fc.constant('deposit' as const), fen: fc.integer({ min: 1, max: 30_000_000 }) }),
  fc.record({ kind: fc.constant('buy' as const), fund: fc.nat(FUNDS.length - 1), share }),
  fc.record({ kind: fc.constant('redeem' as const), fund: fc.nat(FUNDS.length - 1), share }),
  // Up to 120 % of what is available: the book pays what it can.
  fc.record({ kind: fc.constant('withdraw' as const), share: fc.integer({ min: 1, max: 12_000 }) }),
);
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

// Income per 10,000 shares in 0.0001 CNY: often positive, sometimes zero or negative (up to −0.9 CNY).
const perTenK = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 30_000 }), weight: 3 }, fc.constant(0), fc.integer({ min: -9_000, max: -1 }));
const history = fc.record({
  start: fc.constantFrom<IsoDate>('2018-04-25', '2018-05-29', '2018-09-26', '2019-01-30'),
  businessDates: fc.array(fc.array(operation, { maxLength: 5 }), { minLength: 1, maxLength: 24 }),
  rates: fc.array(fc.array(perTenK, { minLength: RATE_TABLE_DAYS, maxLength: RATE_TABLE_DAYS }), { minLength: FUNDS.length, maxLength: FUNDS.length }),
});
type History = typeof history extends fc.Arbitrary<infer T> ? T : never;

/** decide, then evolve every event: one command on one aggregate, as the generic command handler runs it. */
function execute<Command, Event extends { type: string }, State>(decider: Decider<Command, Event, State>, state: State, command: Command): { state: State; events: Event[] } {
  const events = decider.decide(command, state);
  return { state: events.reduce(decider.evolve, state), events };
}

/** The product's side: the wallet and its positions, with what the steps around them did. */
class Product {
  wallet: WalletState;
  positions: PositionState[] = FUNDS.map(() => positionDecider.initialState);
  incomeFen = 0n;
  private ids = 0;
  /** Standard redemptions of a withdrawal: their cash leaves the wallet as soon as it arrives. */
  private readonly paidOut = new Set<string>();

  constructor() {
    this.wallet = execute(walletDecider, walletDecider.initialState, { type: 'OpenWallet', walletId: WALLET_ID, ownerKind: 'merchant', ownerId: 'm1' }).state;
  }

  onWallet(command: WalletCommand): void {
    this.wallet = execute(walletDecider, this.wallet, command).state;
  }

  buy(fund: number, amountFen: bigint, businessDate: IsoDate): void {
    const purchaseId = `p${this.ids++}`;
    this.onWallet({ type: 'PayForPurchase', purchaseId, fundCode: FUNDS[fund], amountFen, ruleSet: ruleSetOn(businessDate) });
    // The transfer step after PurchasePaid places it on the position.
    const place = { type: 'PlacePurchase' as const, purchaseId, walletId: WALLET_ID, fundCode: FUNDS[fund], amountFen, businessDate };
    this.positions[fund] = execute(positionDecider, this.positions[fund]!, place).state;
  }

  redeem(fund: number, amountFen: bigint, mode: 'instant' | 'standard', businessDate: IsoDate, paidOut: boolean): void {
    const redemptionId = `r${this.ids++}`;
    const command = { type: 'Redeem' as const, redemptionId, amountFen, mode, businessDate, ruleSet: ruleSetOn(businessDate) };
    this.positions[fund] = execute(positionDecider, this.positions[fund]!, command).state;
    if (paidOut) this.paidOut.add(redemptionId);
    // An instant redemption's cash is the transfer step after it.
    if (mode === 'instant') this.onWallet({ type: 'ReceiveRedemption', redemptionId, fundCode: FUNDS[fund], amountFen });
  }

  /** The day close of one business date: every position walks the calendar days, then its redemptions pay. */
  close(businessDate: IsoDate, days: readonly IsoDate[], rate: (fund: number, date: IsoDate) => number): void {
    FUNDS.forEach((fundCode, fund) => {
      const command = { type: 'CloseDay' as const, businessDate, nextBusinessDate: nextBusinessDay(businessDate), days: days.map((date) => ({ date, perTenK: BigInt(rate(fund, date)) })) };
      const { state, events } = execute(positionDecider, this.positions[fund]!, command);
      this.positions[fund] = state;
      for (const event of events) {
        if (event.type === 'IncomeAccrued') this.incomeFen += event.data.amountFen;
        if (event.type !== 'StandardRedemptionSettled') continue;
        const { redemptionId, amountFen } = event.data;
        this.onWallet({ type: 'ReceiveRedemption', redemptionId, fundCode, amountFen });
        if (this.paidOut.has(redemptionId)) this.onWallet({ type: 'Withdraw', amountFen });
      }
    });
  }
}

interface Books {
  readonly book: FundBook;
  readonly product: Product;
  readonly day: (date: IsoDate) => number;
}

/** One order of a business date, booked on both sides with the amounts the book decides. */
function applyOperation({ book, product, day }: Books, op: Operation, businessDate: IsoDate): void {
  const payDay = day(businessDate) + 1;
  const partOf = (fen: number, ofTenK: number) => Math.floor((fen * ofTenK) / PER_TEN_K);
  if (op.kind === 'deposit') {
    book.cash += op.fen;
    product.onWallet({ type: 'Deposit', amountFen: BigInt(op.fen) });
  } else if (op.kind === 'buy') {
    const amount = partOf(book.cash, op.share);
    if (amount === 0) return;
    book.buy(op.fund, amount, day(nextBusinessDay(businessDate)));
    product.buy(op.fund, BigInt(amount), businessDate);
  } else if (op.kind === 'redeem') {
    const amount = partOf(book.available(op.fund), op.share);
    if (amount === 0) return;
    book.redeem(op.fund, amount, payDay);
    product.redeem(op.fund, BigInt(amount), 'standard', businessDate, false);
  } else withdraw({ book, product, day }, op.share, businessDate);
}

/** A withdrawal: cash, instant redemptions and the payout as the merchant-withdrawal process runs them, then standard redemptions paid out when they pay. */
function withdraw({ book, product, day }: Books, ofTenK: number, businessDate: IsoDate): void {
  const cap = Number(ruleSetOn(businessDate).instantRedemptionCapFen);
  let availableFen = book.cash;
  for (let i = 0; i < FUNDS.length; i += 1) availableFen += book.available(i);
  const instantBefore = Array.from(book.instantToday);
  const redeemingBefore = Array.from(book.redeeming);
  const outcome = book.withdraw(Math.floor((availableFen * ofTenK) / PER_TEN_K), cap, book.instantCapacity(cap), day(businessDate) + 1);
  FUNDS.forEach((_, i) => {
    const instant = book.instantToday[i]! - instantBefore[i]!;
    if (instant > 0) product.redeem(i, BigInt(instant), 'instant', businessDate, false);
  });
  if (outcome.fromCash + outcome.instant > 0) product.onWallet({ type: 'Withdraw', amountFen: BigInt(outcome.fromCash + outcome.instant) });
  FUNDS.forEach((_, i) => {
    const late = book.redeeming[i]! - redeemingBefore[i]!;
    if (late > 0) product.redeem(i, BigInt(late), 'standard', businessDate, true);
  });
}

function expectSameState({ book, product }: Books, businessDate: IsoDate, step: string): void {
  const ruleSet = ruleSetOn(businessDate);
  const sum = (amounts: readonly { amountFen: bigint }[]) => Number(amounts.reduce((total, p) => total + p.amountFen, 0n));
  const expected = {
    step,
    cash: product.wallet.open ? Number(product.wallet.cashFen) : NaN,
    funds: product.positions.map((p) => (p.opened ? { earning: Number(p.holdingFen), redeeming: sum(p.pendingRedemptions), pending: sum(p.pendingPurchases) } : { earning: 0, redeeming: 0, pending: 0 })),
    income: Number(product.incomeFen),
    instantCapacity: product.positions.reduce((total, p) => {
      const quota = instantQuotaLeftFen(p, businessDate, ruleSet);
      const holding = p.opened ? p.holdingFen : 0n;
      return total + Number(holding < quota ? holding : quota);
    }, 0),
  };
  const actual = {
    step,
    cash: book.cash,
    funds: FUNDS.map((_, i) => ({ earning: book.available(i), redeeming: book.redeeming[i]!, pending: book.pendingBuyFen(i) })),
    income: book.income,
    instantCapacity: book.instantCapacity(Number(ruleSet.instantRedemptionCapFen)),
  };
  expect(actual).toEqual(expected);
}

function bookBoth(h: History): Books {
  const startMs = Date.parse(`${h.start}T00:00:00Z`);
  const day = (date: IsoDate) => (Date.parse(`${date}T00:00:00Z`) - startMs) / DAY_MS;
  const rate = (fund: number, date: IsoDate) => h.rates[fund]![day(date) % RATE_TABLE_DAYS]!;
  const books: Books = { book: new FundBook(FUNDS.length), product: new Product(), day };
  let closedThrough = addDays(h.start, -1);
  let businessDate = h.start;
  books.book.settle(day(businessDate));
  h.businessDates.forEach((operations, k) => {
    operations.forEach((op, j) => {
      applyOperation(books, op, businessDate);
      expectSameState(books, businessDate, `${businessDate} order ${j}: ${JSON.stringify(op)}`);
    });
    const days = daysAfterUpTo(closedThrough, businessDate);
    books.product.close(businessDate, days, rate);
    for (const date of days) books.book.accrue((fund) => rate(fund, date), day(date));
    // The next business date opens on the calendar day after the close.
    books.book.settle(day(businessDate) + 1);
    closedThrough = businessDate;
    businessDate = nextBusinessDay(businessDate);
    expectSameState(books, businessDate, `after close ${k} (${days.join(', ')})`);
  });
  return books;
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
      rates: FUNDS.map(() => Array.from({ length: RATE_TABLE_DAYS }, () => -6_543)),
    };
    // Confirmed on the 30th: 1,234,567 fen × −0.6543 / 10,000 = −80.78 fen, then −80.77 on the 31st.
    expect(bookBoth(h).book.income).toBe(-160);
  });
});
