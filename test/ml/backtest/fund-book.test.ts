/**
 * The business rules as the backtest books them, those of the product's deciders (the property test
 * book-equals-deciders.property.test.ts books random histories both ways): income rounded towards zero per
 * holding per day, purchases confirmed at the close of the next business day and earning from it, redeemed
 * shares earning nothing from the redemption, instant redemptions within the cap per fund per business date,
 * capacity = Σ min(available, cap left).
 */
import { FundBook, incomeFen } from '../../../src/ml/backtest/fund-book';

// Day indexes of a week starting on a Monday: 0 Mon … 4 Fri, 5 Sat, 6 Sun, 7 Mon, 8 Tue.
const rate = (micros: number) => () => micros;

describe('incomeFen', () => {
  it('rounds holding × perTenK / 10,000 towards zero, exactly, also for negative rates and huge holdings', () => {
    expect(incomeFen(100_000_000, 6543)).toBe(6543); // 1,000,000 CNY at 0.6543 per 10k: 65.43 CNY
    expect(incomeFen(1_234_567, 6543)).toBe(80); // 80.78 fen → 80
    expect(incomeFen(1_234_567, -6543)).toBe(-80); // −80.78 fen → −80, as the ledger posts it
    expect(incomeFen(99_999_999, 1)).toBe(0);
    expect(incomeFen(99_999_999, -1)).toBe(0); // +0, never −0
    expect(Object.is(incomeFen(99_999_999, -1), 0)).toBe(true);
    expect(incomeFen(100_000_000, 1)).toBe(1);
    expect(incomeFen(100_000_000, -1)).toBe(-1);
    const huge = 9_000_000_000_000; // 90 billion CNY: the product exceeds 2^53
    expect(incomeFen(huge, 6543)).toBe(Number((BigInt(huge) * 6543n) / 100_000_000n));
    expect(incomeFen(huge + 1, -6543)).toBe(Number((BigInt(huge + 1) * -6543n) / 100_000_000n));
  });
});

describe('FundBook', () => {
  it('a purchase placed on Friday earns nothing on Friday, Saturday or Sunday, earns from Monday, and is redeemable from Tuesday', () => {
    const book = new FundBook(1);
    book.cash = 100_000_000;
    book.buy(0, 100_000_000, 7); // placed Friday (day 4), confirmed at Monday's close (day 7)
    const incomes: number[] = [];
    const capacities: number[] = [];
    for (let t = 4; t <= 8; t += 1) {
      book.settle(t);
      capacities.push(book.instantCapacity(1_000_000));
      incomes.push(book.accrue(rate(6000)));
    }
    expect(incomes).toEqual([0, 0, 0, 6000, 6000]);
    // Still pending during Monday: the product confirms it at Monday's close.
    expect(capacities).toEqual([0, 0, 0, 0, 1_000_000]);
  });

  it('confirms an order whose confirmation day passed without a close at the next settle (the opening allocation)', () => {
    const book = new FundBook(1);
    book.cash = 5_000_000;
    book.buy(0, 5_000_000, 9);
    book.settle(10);
    expect(book.available(0)).toBe(5_000_000);
    expect(book.pendingBuys).toEqual([]);
  });

  it('a switch: the redeemed shares earn nothing from the redemption, the cash waits, the new fund earns once confirmed', () => {
    const book = new FundBook(2);
    book.holdings[0] = 100_000_000;
    const income: number[] = [];
    book.settle(3);
    book.redeem(0, 100_000_000, 4); // placed Thursday (day 3), paid after Thursday's close
    expect(book.instantCapacity(1_000_000)).toBe(0); // shares being redeemed cannot be redeemed again
    income.push(book.accrue((i) => (i === 0 ? 5000 : 9000)));
    for (let t = 4; t <= 8; t += 1) {
      book.settle(t);
      if (t === 4) {
        expect(book.cash).toBe(100_000_000);
        book.buy(1, book.cash, 7); // bought with the cash on Friday, confirmed Monday
      }
      income.push(book.accrue((i) => (i === 0 ? 5000 : 9000)));
    }
    // Thursday to Sunday nothing (4 days lost); Monday and Tuesday in fund 1.
    expect(income).toEqual([0, 0, 0, 0, 9000, 9000]);
    expect(book.redeemedByStrategy).toBe(100_000_000);
    expect(book.idleBalanceDays).toBe(4 * 100_000_000);
  });

  it('books a close covering several days after that business date\'s orders: a weekend earns on what Monday left', () => {
    const book = new FundBook(1);
    book.holdings[0] = 10_000_000;
    book.settle(5); // Saturday opens Monday's business date (days 5, 6 and 7)
    const outcome = book.withdraw(4_000_000, 1_000_000, 8);
    expect(outcome).toMatchObject({ instant: 1_000_000, late: 3_000_000 });
    const incomes = [5, 6, 7].map((day) => book.accrue(rate(10_000), day));
    expect(incomes).toEqual([600, 600, 600]); // 6,000,000 fen earning on each day
  });

  it('pays a withdrawal from cash, then instant redemptions within the cap per fund per day, then by standard redemption', () => {
    const book = new FundBook(3);
    book.holdings.set([5_000_000, 2_000_000, 300_000]);
    book.cash = 50_000;
    const cap = 1_000_000;
    const capacity = book.recordCapacity(cap);
    expect(capacity).toBe(1_000_000 + 1_000_000 + 300_000);
    const outcome = book.withdraw(4_000_000, cap, 9);
    expect(outcome).toEqual({ demand: 4_000_000, withdrawn: 4_000_000, fromCash: 50_000, instant: 2_300_000, late: 1_650_000 });
    expect(book.maxInstantShareOfCap).toBeLessThanOrEqual(1);
    expect([...book.instantToday]).toEqual([1_000_000, 1_000_000, 300_000]);
    expect(book.instantCapacity(cap)).toBe(0); // the caps of this business date are used up
    // A second withdrawal the same day finds the caps used up.
    const again = book.withdraw(500_000, cap, 9);
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
    const outcome = book.withdraw(80_000_000, 1_000_000, 5);
    expect(outcome.withdrawn).toBe(30_000_500); // unconfirmed purchases cannot be redeemed
    expect(book.maxFundCapacityShareOfCap).toBeLessThanOrEqual(1);
  });

  it('redeems a strategy\'s switch at once when the quota left covers all of it, as the product\'s fund switch, else by standard redemption', () => {
    const book = new FundBook(2);
    book.holdings.set([3_000_000, 500_000]);
    const cap = 1_000_000;
    book.withdraw(700_000, cap, 9); // 700,000 of fund 0's quota used today
    expect(book.switchOut(1, 400_000, cap, 9)).toBe('instant');
    expect(book.cash).toBe(400_000); // the cash is there at once, for a purchase under the same business date
    expect(book.switchOut(0, 400_000, cap, 9)).toBe('standard'); // 300,000 of quota left: not all of it
    expect(book.cash).toBe(400_000);
    expect(book.redeeming[0]).toBe(400_000);
    expect(book.redeemedByStrategy).toBe(800_000);
    expect([...book.instantToday]).toEqual([700_000, 400_000]);
  });

  it('counts a day as covered only when all that was withdrawn was paid at once', () => {
    const book = new FundBook(1);
    book.holdings[0] = 5_000_000;
    book.receive(200_000);
    book.withdraw(1_200_000, 1_000_000, 9); // cash and the whole cap: covered
    book.withdraw(1, 1_000_000, 9); // the cap is used up: paid late
    book.withdraw(0, 1_000_000, 9); // no withdrawal: not a withdrawal day
    expect({ days: book.withdrawalDays, covered: book.coveredDays, atOnce: book.paidAtOnce, late: book.paidLate }).toEqual({ days: 2, covered: 1, atOnce: 1_200_000, late: 1 });
  });

  it('takes instant redemptions from the funds with the most room first, ties by fund index, as the product plans them', () => {
    const book = new FundBook(3);
    book.holdings.set([3_000_000, 5_000_000, 600_000]);
    const cap = 1_000_000;
    book.withdraw(1_500_000, cap, 9);
    expect([...book.instantToday]).toEqual([1_000_000, 500_000, 0]);
    book.withdraw(700_000, cap, 9);
    // Rooms left: 0, 500,000 and 600,000.
    expect([...book.instantToday]).toEqual([1_000_000, 600_000, 600_000]);
  });
});
