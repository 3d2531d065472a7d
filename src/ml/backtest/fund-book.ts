/**
 * One wallet's money across the money funds during a backtest, booked by the rules of the product's deciders
 * (src/domain/position/position.decider.ts, wallet/wallet.decider.ts, income-rate.ts); the property test
 * test/ml/backtest/book-equals-deciders.property.test.ts books random histories both ways, and whole wallet
 * runs of wallet-simulation.ts, and finds the same cash, holdings, pending amounts and income after every
 * step. Amounts are whole fen held as JavaScript numbers (exact below 2^53 fen, far above any balance here);
 * one share = 1.00 CNY = 100 fen.
 *
 * - Income of calendar day t is paid on the shares confirmed by then and not under a redemption, fund by fund,
 *   rounded towards zero to the fen (`incomeFen`, the product's dailyIncomeFen), and reinvested as shares.
 * - A purchase placed on business day D is confirmed at the close of the next business day D′, just before
 *   D′'s income: it earns from D′ on, but on D′ itself it is still pending: it cannot be redeemed and gives
 *   no instant capacity until the next day.
 * - A standard redemption takes its shares out of earning at once (the product's "redeemed shares stop
 *   earning on the day of the redemption"); they pay on their pay day, into cash or, for a withdrawal, out.
 * - An instant (T+0) redemption pays at once from confirmed shares, within the cap per fund for the business
 *   date: `instantToday` counts what was redeemed since the last `settle`.
 * - Instant capacity = Σ_i min(available_i, cap − instantToday_i): what the product's quota still allows.
 *
 * How one business date B of the product is booked, its close covering the calendar days f … B since the
 * previous close (f = B on a weekday after a business day): settle(f); then B's orders, in any order: cash in
 * (receive), buy(fund, amount, D′ = the business day after B), redeem, switchOut and withdraw paying on
 * B + 1 (the product pays a standard redemption at the close of B, so its cash is there the next calendar
 * day); then accrue(rates of d, d) for each day d from f to B. Booked so, the book equals the deciders (the
 * property test); wallet-simulation.ts books every business date so.
 */

import { dailyIncomeFen } from '../../domain/income-rate';
import { invariant } from '../../invariant';

export interface PendingBuy {
  readonly fund: number;
  readonly amount: number;
  /** Day index on which the purchase is confirmed (and starts earning). */
  readonly confirmDay: number;
}

export interface PendingRedemption {
  readonly fund: number;
  readonly amount: number;
  /** Day index on which the cash is paid and the shares leave the fund. */
  readonly payDay: number;
  /** Paid out to the merchant (a withdrawal) rather than back into the wallet's cash. */
  readonly withdrawal: boolean;
}

const TWO_53 = 2 ** 53;
const FEN_PER_INCOME_UNIT = 1e8;

/**
 * holding × perTenK / 10,000 in fen, rounded towards zero as the product's dailyIncomeFen rounds it (no holder
 * is charged more of a negative day than their exact share), with perTenK in 0.0001-CNY units: h·r / 10^8.
 * Exact: in doubles while the product is below 2^53, else by the product's own bigint rule.
 */
export function incomeFen(holdingFen: number, perTenKMicros: number): number {
  const product = holdingFen * perTenKMicros;
  if (!(product > -TWO_53 && product < TWO_53)) return Number(dailyIncomeFen(BigInt(holdingFen), BigInt(perTenKMicros)));
  const magnitude = Math.abs(product);
  let q = Math.floor(magnitude / FEN_PER_INCOME_UNIT);
  // The division may round across an integer; the products below are exact, so correct it.
  if (q * FEN_PER_INCOME_UNIT > magnitude) q -= 1;
  else if ((q + 1) * FEN_PER_INCOME_UNIT <= magnitude) q += 1;
  return product < 0 ? 0 - q : q; // 0 − q, not −q: no negative zero
}

export interface WithdrawalOutcome {
  /** What the merchant asked for. */
  readonly demand: number;
  /** What it could take: at most its cash and available shares. */
  readonly withdrawn: number;
  readonly fromCash: number;
  readonly instant: number;
  /** Paid by standard redemption, the next business day. */
  readonly late: number;
}

export class FundBook {
  /** Confirmed shares per fund, fen (including shares under a standard redemption until it pays). */
  readonly holdings: Float64Array;
  /** Shares under a standard redemption that has not paid yet: they earn nothing. */
  readonly redeeming: Float64Array;
  /** Instant redemptions per fund since the last settle: the business date's use of the cap. */
  readonly instantToday: Float64Array;
  cash = 0;
  /** The calendar day the last settle opened; accrue books it unless told another. */
  today = 0;
  pendingBuys: PendingBuy[] = [];
  pendingRedemptions: PendingRedemption[] = [];

  // Running totals for the metrics.
  income = 0;
  /** Σ over days of the balance that day's income was computed on (fen·days). */
  balanceDays = 0;
  /** Σ over days of the part of the balance that earned nothing: cash, purchases not yet confirmed, shares under redemption. */
  idleBalanceDays = 0;
  days = 0;
  /** Σ of redemptions the strategy chose (not withdrawals): the money it moved. */
  redeemedByStrategy = 0;
  /** Σ of purchases. */
  bought = 0;
  capacityDays = 0;
  withdrawalDays = 0;
  /** Days with a withdrawal that was paid entirely at once (from cash and by instant redemptions). */
  coveredDays = 0;
  demanded = 0;
  withdrawn = 0;
  paidAtOnce = 0;
  paidLate = 0;
  /** Largest instant redemption from one fund on one day as a share of the cap (≤ 1 by the rules). */
  maxInstantShareOfCap = 0;
  /** Largest min(available_i, cap left_i) / cap seen (≤ 1 by definition). */
  maxFundCapacityShareOfCap = 0;

  constructor(readonly funds: number) {
    this.holdings = new Float64Array(funds);
    this.redeeming = new Float64Array(funds);
    this.instantToday = new Float64Array(funds);
  }

  available(fund: number): number {
    return this.holdings[fund]! - this.redeeming[fund]!;
  }

  pendingBuyFen(fund?: number): number {
    let sum = 0;
    for (const b of this.pendingBuys) if (fund === undefined || b.fund === fund) sum += b.amount;
    return sum;
  }

  /** What the wallet holds: cash, confirmed shares (also those under a redemption, until it pays) and purchases in flight. */
  balance(): number {
    let sum = this.cash + this.pendingBuyFen();
    for (let i = 0; i < this.funds; i += 1) sum += this.holdings[i]!;
    return sum;
  }

  /**
   * Start of calendar day t: pays the standard redemptions due (pay day ≤ t), confirms the purchases whose
   * confirmation day has passed without an accrue to confirm them (the opening allocation), and opens a new
   * business date for the instant cap.
   */
  settle(t: number): void {
    this.today = t;
    this.instantToday.fill(0);
    this.confirmPurchases(t - 1);
    if (this.pendingRedemptions.length > 0) {
      const keep: PendingRedemption[] = [];
      for (const r of this.pendingRedemptions) {
        if (r.payDay <= t) {
          this.holdings[r.fund]! -= r.amount;
          this.redeeming[r.fund]! -= r.amount;
          if (!r.withdrawal) this.cash += r.amount;
        } else keep.push(r);
      }
      this.pendingRedemptions = keep;
    }
  }

  private confirmPurchases(throughDay: number): void {
    if (this.pendingBuys.length === 0) return;
    const keep: PendingBuy[] = [];
    for (const b of this.pendingBuys) {
      if (b.confirmDay <= throughDay) this.holdings[b.fund]! += b.amount;
      else keep.push(b);
    }
    this.pendingBuys = keep;
  }

  /** Σ_i min(available_i, cap left today_i). */
  instantCapacity(capFen: number): number {
    let sum = 0;
    for (let i = 0; i < this.funds; i += 1) {
      const fundCapacity = this.instantRoom(i, capFen);
      sum += fundCapacity;
      if (capFen > 0) this.maxFundCapacityShareOfCap = Math.max(this.maxFundCapacityShareOfCap, fundCapacity / capFen);
    }
    return sum;
  }

  /** What fund i can still pay at once today: its available shares within what is left of the cap. */
  private instantRoom(fund: number, capFen: number): number {
    return Math.max(0, Math.min(this.available(fund), capFen - this.instantToday[fund]!));
  }

  /** Records the day's capacity (before any withdrawal) and returns it. */
  recordCapacity(capFen: number): number {
    const capacity = this.instantCapacity(capFen);
    this.capacityDays += capacity;
    return capacity;
  }

  /** Money paid into the wallet (a merchant's takings): cash, which earns nothing until it buys a fund. */
  receive(amount: number): void {
    this.cash += amount;
  }

  /**
   * A withdrawal asked for on a day of the business date: the demand, limited to what the wallet has available,
   * from cash, then by instant redemptions (as the product's merchant withdrawal plans them: the funds with the
   * most instant room first, ties by fund index, each up to its room), then by standard redemptions paying on
   * `payDay` (paid out to the merchant, not into the wallet's cash).
   */
  withdraw(demand: number, capFen: number, payDay: number): WithdrawalOutcome {
    let availableTotal = this.cash;
    for (let i = 0; i < this.funds; i += 1) availableTotal += Math.max(0, this.available(i));
    const withdrawn = Math.min(demand, availableTotal);
    let left = withdrawn;
    const fromCash = Math.min(this.cash, left);
    this.cash -= fromCash;
    left -= fromCash;
    let instant = 0;
    for (const i of this.fundsByInstantRoom(capFen)) {
      if (left <= 0) break;
      const take = Math.min(left, this.instantRoom(i, capFen));
      this.redeemInstantly(i, take, capFen);
      instant += take;
      left -= take;
    }
    let late = 0;
    for (const i of this.fundsByAvailable()) {
      if (left <= 0) break;
      const take = Math.min(left, Math.max(0, this.available(i)));
      if (take <= 0) continue;
      this.placeStandardRedemption(i, take, payDay, true);
      late += take;
      left -= take;
    }
    if (demand > 0) {
      this.withdrawalDays += 1;
      if (late === 0) this.coveredDays += 1;
    }
    this.demanded += demand;
    this.withdrawn += withdrawn;
    this.paidAtOnce += fromCash + instant;
    this.paidLate += late;
    return { demand, withdrawn, fromCash, instant, late };
  }

  private redeemInstantly(fund: number, amount: number, capFen: number): void {
    // A day before the rule book's first cap has none (NaN): no comparison with it may read as room.
    invariant(capFen >= 0, () => `an instant redemption needs the day's cap; got ${capFen} fen`);
    this.holdings[fund]! -= amount;
    this.instantToday[fund]! += amount;
    if (capFen > 0) this.maxInstantShareOfCap = Math.max(this.maxInstantShareOfCap, this.instantToday[fund]! / capFen);
  }

  /** Funds with instant room left, the most first (ties: lower index first), as the product's plan orders them. */
  private fundsByInstantRoom(capFen: number): number[] {
    const order: number[] = [];
    const room: number[] = [];
    for (let i = 0; i < this.funds; i += 1) {
      room.push(this.instantRoom(i, capFen));
      if (room[i]! > 0) order.push(i);
    }
    if (order.length > 1) order.sort((a, b) => room[b]! - room[a]! || a - b);
    return order;
  }

  /** Funds with shares available, largest first (ties: lower index first). */
  private fundsByAvailable(): number[] {
    const order: number[] = [];
    for (let i = 0; i < this.funds; i += 1) if (this.available(i) > 0) order.push(i);
    if (order.length > 1) order.sort((a, b) => this.available(b) - this.available(a) || a - b);
    return order;
  }

  /**
   * The close of calendar day `day` (default: the one the last settle opened): confirms the purchases due by
   * then, then books the day's income on the shares that earn (confirmed, not under a redemption), reinvested;
   * the balance it was earned on is recorded.
   */
  accrue(perTenKMicros: (fund: number) => number, day = this.today): number {
    this.confirmPurchases(day);
    this.balanceDays += this.balance();
    let redeemingFen = 0;
    for (let i = 0; i < this.funds; i += 1) redeemingFen += this.redeeming[i]!;
    this.idleBalanceDays += this.cash + this.pendingBuyFen() + redeemingFen;
    this.days += 1;
    let total = 0;
    for (let i = 0; i < this.funds; i += 1) {
      const earning = this.available(i);
      if (earning === 0) continue;
      const income = incomeFen(earning, perTenKMicros(i));
      this.holdings[i]! += income;
      total += income;
    }
    this.income += total;
    return total;
  }

  buy(fund: number, amount: number, confirmDay: number): void {
    if (!(amount > 0)) return;
    if (amount > this.cash) throw new RangeError(`cannot buy ${amount} fen with ${this.cash} fen of cash`);
    this.cash -= amount;
    this.bought += amount;
    this.pendingBuys.push({ fund, amount, confirmDay });
  }

  /** A standard redemption the strategy places, paying into the wallet's cash on `payDay`. */
  redeem(fund: number, amount: number, payDay: number): void {
    if (!(amount > 0)) return;
    this.redeemForStrategy(fund, amount, payDay);
  }

  private redeemForStrategy(fund: number, amount: number, payDay: number): void {
    this.placeStandardRedemption(fund, amount, payDay, false);
    this.redeemedByStrategy += amount;
  }

  /**
   * A strategy's redemption as the product's fund switch places it: instant when what is left of the fund's
   * quota for the business date covers all of it (the cash is in the wallet at once), else standard, paying on
   * `payDay`. Returns the mode used.
   */
  switchOut(fund: number, amount: number, capFen: number, payDay: number): 'instant' | 'standard' {
    if (!(amount > 0)) return 'standard';
    invariant(capFen >= 0, () => `a switch needs the day's cap; got ${capFen} fen`);
    if (capFen - this.instantToday[fund]! < amount) {
      this.redeemForStrategy(fund, amount, payDay);
      return 'standard';
    }
    if (amount > this.available(fund)) throw new RangeError(`cannot redeem ${amount} fen of fund ${fund}: ${this.available(fund)} fen available`);
    this.redeemInstantly(fund, amount, capFen);
    this.cash += amount;
    this.redeemedByStrategy += amount;
    return 'instant';
  }

  private placeStandardRedemption(fund: number, amount: number, payDay: number, withdrawal: boolean): void {
    if (amount > this.available(fund)) throw new RangeError(`cannot redeem ${amount} fen of fund ${fund}: ${this.available(fund)} fen available`);
    this.redeeming[fund]! += amount;
    this.pendingRedemptions.push({ fund, amount, payDay, withdrawal });
  }
}
