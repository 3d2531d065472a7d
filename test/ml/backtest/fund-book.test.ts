/**
 * The business rules of DESIGN.md as the backtest books them: income floored per holding per day,
 * purchases earn from their confirmation (the next business day), redeemed shares earn until paid, instant
 * redemptions within the cap per fund per day, capacity = Σ min(available, cap).
 */
import { FundBook, incomeFen } from '../../../src/ml/backtest/fund-book';

// Day indexes of a week starting on a Monday: 0 Mon … 4 Fri, 5 Sat, 6 Sun, 7 Mon, 8 Tue.
const rate = (micros: number) => () => micros;

describe('incomeFen', () => {
  it('floors holding × perTenK / 10,000, exactly, also for negative rates and huge holdings', () => {
    expect(incomeFen(100_000_000, 6543)).toBe(6543); // 1,000,000 CNY at 0.6543 per 10k: 65.43 CNY
    expect(incomeFen(1_234_567, 6543)).toBe(80); // 80.78 fen → 80
    expect(incomeFen(1_234_567, -6543)).toBe(-81);
    expect(incomeFen(99_999_999, 1)).toBe(0);
    expect(incomeFen(100_000_000, 1)).toBe(1);
    const huge = 9_000_000_000_000; // 90 billion CNY: the product exceeds 2^53
    expect(incomeFen(huge, 6543)).toBe(Number((BigInt(huge) * 6543n) / 100_000_000n));
  });
});

describe('FundBook', () => {
  it('a purchase placed on Friday earns nothing on Friday, Saturday or Sunday, and earns from Monday', () => {
    const book = new FundBook(1);
    book.cash = 100_000_000;
    book.buy(0, 100_000_000, 7); // placed Friday (day 4), confirmed Monday (day 7)
    const incomes: number[] = [];
    for (let t = 4; t <= 8; t += 1) {
      book.settle(t);
      incomes.push(book.accrue(rate(6000)));
    }
    expect(incomes).toEqual([0, 0, 0, 6000, 6000]);
    expect(book.instantCapacity(1_000_000)).toBe(1_000_000);
  });

  it('a switch earns in the old fund until the redemption pays, nothing in between, and in the new fund once confirmed', () => {
    const book = new FundBook(2);
    book.holdings[0] = 100_000_000;
    const income: number[] = [];
    book.redeem(0, 100_000_000, 4); // placed Thursday (day 3), paid Friday (day 4)
    expect(book.instantCapacity(1_000_000)).toBe(0); // shares being redeemed cannot be redeemed again
    for (let t = 3; t <= 8; t += 1) {
      book.settle(t);
      if (t === 4) {
        expect(book.cash).toBe(100_000_000);
        book.buy(1, book.cash, 7); // bought with the cash on Friday, confirmed Monday
      }
      income.push(book.accrue((i) => (i === 0 ? 5000 : 9000)));
    }
    // Thursday in fund 0; Friday to Sunday nothing (3 days lost); Monday and Tuesday in fund 1.
    expect(income).toEqual([5000, 0, 0, 0, 9000, 9000]);
    expect(book.redeemedByStrategy).toBe(100_000_000);
  });

  it('pays a withdrawal from cash, then instant redemptions within the cap per fund per day, then by standard redemption', () => {
    const book = new FundBook(3);
    book.holdings.set([5_000_000, 2_000_000, 300_000]);
    book.cash = 50_000;
    const cap = 1_000_000;
    const capacity = book.recordCapacity(cap);
    expect(capacity).toBe(1_000_000 + 1_000_000 + 300_000);
    const outcome = book.withdraw(4_000_000, cap, capacity, 9);
    expect(outcome).toEqual({ demand: 4_000_000, withdrawn: 4_000_000, fromCash: 50_000, instant: 2_300_000, late: 1_650_000 });
    expect(book.maxInstantShareOfCap).toBeLessThanOrEqual(1);
    expect([...book.instantToday]).toEqual([1_000_000, 1_000_000, 300_000]);
    // A second withdrawal the same day finds the caps used up.
    const again = book.withdraw(500_000, cap, 0, 9);
    expect(again.instant).toBe(0);
    expect(again.late).toBe(500_000);
    expect(book.withdrawalDays).toBe(2);
    expect(book.coveredDays).toBe(0);
    // The standard redemptions pay on day 9: the shares earn until then, and leave the wallet (not into its cash).
    book.settle(9);
    expect(book.cash).toBe(0);
    expect([...book.holdings]).toEqual([5_000_000 - 1_000_000 - 1_650_000 - 500_000, 1_000_000, 0]);
  });

  it('never withdraws more than the wallet has available, and never counts more than the cap per fund', () => {
    const book = new FundBook(2);
    book.holdings.set([30_000_000, 500]);
    book.cash = 0;
    book.pendingBuys.push({ fund: 1, amount: 9_000_000, confirmDay: 99 });
    expect(book.instantCapacity(1_000_000)).toBe(1_000_500);
    const outcome = book.withdraw(80_000_000, 1_000_000, 1_000_500, 5);
    expect(outcome.withdrawn).toBe(30_000_500); // unconfirmed purchases cannot be redeemed
    expect(book.maxFundCapacityShareOfCap).toBeLessThanOrEqual(1);
  });
});
