/**
 * One wallet's money across the money funds during a backtest, under DESIGN.md's business rules. Amounts are
 * whole fen held as JavaScript numbers (exact below 2^53 fen, far above any balance here); one share = 1.00
 * CNY = 100 fen.
 *
 * - Income of calendar day t is paid on the shares confirmed at the start of day t, fund by fund, rounded
 *   down to the fen (as a posting is; `incomeFen`), and reinvested as shares (a money fund's income is).
 * - A purchase placed on business day D is confirmed on the next business day D′ and earns from D′ on; until
 *   then it earns nothing, cannot be redeemed and gives no instant capacity.
 * - A standard redemption placed on business day D (or, asked for on a weekend, on the next business day)
 *   pays cash on the next business day D′; the shares keep earning until then (the fund's "redeemed shares
 *   earn until confirmed") but are no longer available to redeem again.
 * - An instant (T+0) redemption pays at once from confirmed shares, at most `capFen` per fund per day; the
 *   shares leave before the day's income.
 * - Instant capacity = Σ_i min(available_i, cap): confirmed shares not already being redeemed.
 *
 * Switching fund A → B therefore costs the days between the redemption's cash (D′) and the purchase's
 * confirmation (the business day after D′): 1 day, or 3 when D′ is a Friday.
 */

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

/** ⌊holding × perTenK / 10,000⌋ in fen, with perTenK in 0.0001-CNY units: ⌊h·r / 10^8⌋, exact. */
export function incomeFen(holdingFen: number, perTenKMicros: number): number {
  const product = holdingFen * perTenKMicros;
  if (product > -TWO_53 && product < TWO_53) {
    let q = Math.floor(product / 1e8);
    // The division may round across an integer; the products below are exact, so correct it.
    if (q * 1e8 > product) q -= 1;
    else if ((q + 1) * 1e8 <= product) q += 1;
    return q;
  }
  const n = BigInt(holdingFen) * BigInt(perTenKMicros);
  const d = 100_000_000n;
  const quotient = n / d;
  return Number(n % d !== 0n && n < 0n ? quotient - 1n : quotient);
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
  /** Shares under a standard redemption that has not paid yet. */
  readonly redeeming: Float64Array;
  /** Instant redemptions per fund today (reset by settle). */
  readonly instantToday: Float64Array;
  cash = 0;
  pendingBuys: PendingBuy[] = [];
  pendingRedemptions: PendingRedemption[] = [];

  // Running totals for the metrics.
  income = 0;
  /** Σ over days of the balance that day's income was computed on (fen·days). */
  balanceDays = 0;
  /** Σ over days of the part of the balance that earned nothing: cash and purchases not yet confirmed. */
  idleBalanceDays = 0;
  days = 0;
  /** Σ of redemptions the strategy chose (not withdrawals): the money it moved. */
  redeemedByStrategy = 0;
  /** Σ of purchases. */
  bought = 0;
  capacityDays = 0;
  withdrawalDays = 0;
  coveredDays = 0;
  demanded = 0;
  withdrawn = 0;
  paidAtOnce = 0;
  paidLate = 0;
  /** Largest instant redemption from one fund on one day as a share of the cap (≤ 1 by the rules). */
  maxInstantShareOfCap = 0;
  /** Largest min(available_i, cap) / cap seen (≤ 1 by definition). */
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

  /**
   * What the wallet holds: cash, confirmed shares (also those being redeemed, which earn until paid) and
   * purchases in flight.
   */
  balance(): number {
    let sum = this.cash + this.pendingBuyFen();
    for (let i = 0; i < this.funds; i += 1) sum += this.holdings[i]!;
    return sum;
  }

  /** Start of day t: confirm purchases and pay redemptions due. */
  settle(t: number): void {
    this.instantToday.fill(0);
    if (this.pendingBuys.length > 0) {
      const keep: PendingBuy[] = [];
      for (const b of this.pendingBuys) {
        if (b.confirmDay <= t) this.holdings[b.fund]! += b.amount;
        else keep.push(b);
      }
      this.pendingBuys = keep;
    }
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

  /** Σ_i min(available_i, cap). */
  instantCapacity(capFen: number): number {
    let sum = 0;
    for (let i = 0; i < this.funds; i += 1) {
      const fundCapacity = Math.min(Math.max(0, this.available(i)), capFen);
      sum += fundCapacity;
      if (capFen > 0) this.maxFundCapacityShareOfCap = Math.max(this.maxFundCapacityShareOfCap, fundCapacity / capFen);
    }
    return sum;
  }

  /** Records the day's capacity (before any withdrawal) and returns it. */
  recordCapacity(capFen: number): number {
    const capacity = this.instantCapacity(capFen);
    this.capacityDays += capacity;
    return capacity;
  }

  /**
   * A withdrawal asked for on day t: from cash, then instant redemptions (largest available holdings first,
   * each up to the cap left today), then standard redemptions paying on `payDay`.
   */
  withdraw(demand: number, capFen: number, capacityBefore: number, payDay: number): WithdrawalOutcome {
    let availableTotal = this.cash;
    for (let i = 0; i < this.funds; i += 1) availableTotal += Math.max(0, this.available(i));
    const withdrawn = Math.min(demand, availableTotal);
    let left = withdrawn;
    const fromCash = Math.min(this.cash, left);
    this.cash -= fromCash;
    left -= fromCash;
    let instant = 0;
    const order = this.fundsByAvailable();
    for (const i of order) {
      if (left <= 0) break;
      const take = Math.min(left, Math.max(0, this.available(i)), capFen - this.instantToday[i]!);
      if (take <= 0) continue;
      this.holdings[i]! -= take;
      this.instantToday[i]! += take;
      if (capFen > 0) this.maxInstantShareOfCap = Math.max(this.maxInstantShareOfCap, this.instantToday[i]! / capFen);
      instant += take;
      left -= take;
    }
    let late = 0;
    for (const i of this.fundsByAvailable()) {
      if (left <= 0) break;
      const take = Math.min(left, Math.max(0, this.available(i)));
      if (take <= 0) continue;
      this.redeem(i, take, payDay, true);
      late += take;
      left -= take;
    }
    if (demand > 0) {
      this.withdrawalDays += 1;
      if (capacityBefore >= withdrawn) this.coveredDays += 1;
    }
    this.demanded += demand;
    this.withdrawn += withdrawn;
    this.paidAtOnce += fromCash + instant;
    this.paidLate += late;
    return { demand, withdrawn, fromCash, instant, late };
  }

  /** Funds with shares available, largest first (ties: lower index first). */
  private fundsByAvailable(): number[] {
    const order: number[] = [];
    for (let i = 0; i < this.funds; i += 1) if (this.available(i) > 0) order.push(i);
    if (order.length > 1) order.sort((a, b) => this.available(b) - this.available(a) || a - b);
    return order;
  }

  /** Day t's income on the confirmed shares, reinvested; the balance it was earned on is recorded. */
  accrue(perTenKMicros: (fund: number) => number): number {
    this.balanceDays += this.balance();
    this.idleBalanceDays += this.cash + this.pendingBuyFen();
    this.days += 1;
    let total = 0;
    for (let i = 0; i < this.funds; i += 1) {
      const h = this.holdings[i]!;
      if (h === 0) continue;
      const income = incomeFen(h, perTenKMicros(i));
      this.holdings[i] = h + income;
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

  redeem(fund: number, amount: number, payDay: number, withdrawal = false): void {
    if (!(amount > 0)) return;
    if (amount > this.available(fund)) throw new RangeError(`cannot redeem ${amount} fen of fund ${fund}: ${this.available(fund)} fen available`);
    this.redeeming[fund]! += amount;
    this.pendingRedemptions.push({ fund, amount, payDay, withdrawal });
    if (!withdrawal) this.redeemedByStrategy += amount;
  }
}
