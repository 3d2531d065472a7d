/**
 * The product's side of the book-equals-deciders property tests: one merchant's wallet and its positions,
 * driven through decide/evolve of the wallet and position deciders in bigint fen as the product's commands,
 * transfer steps and day close drive them; and a FundBook that books every call it gets on those deciders
 * too, so that a whole wallet run of the backtest can be booked both ways.
 */
import type { Decider } from '../../../src/domain/decider';
import { type IsoDate, nextBusinessDay } from '../../../src/domain/iso-date';
import { type PositionState, instantQuotaLeftFen, positionDecider } from '../../../src/domain/position/position.decider';
import { ruleSetOn } from '../../../src/domain/rules/rule-set';
import { type WalletCommand, type WalletState, walletDecider } from '../../../src/domain/wallet/wallet.decider';
import { FundBook, type WithdrawalOutcome } from '../../../src/ml/backtest/fund-book';

const WALLET_ID = 'w1';

/** decide, then evolve every event: one command on one aggregate, as the generic command handler runs it. */
function execute<Command, Event extends { type: string }, State>(decider: Decider<Command, Event, State>, state: State, command: Command): { state: State; events: Event[] } {
  const events = decider.decide(command, state);
  return { state: events.reduce(decider.evolve, state), events };
}

/** The product's side: the wallet and its positions, with what the steps around them did. */
export class ProductWallet {
  wallet: WalletState;
  readonly positions: PositionState[];
  incomeFen = 0n;
  private ids = 0;
  /** Standard redemptions of a withdrawal: their cash leaves the wallet as soon as it arrives. */
  private readonly paidOut = new Set<string>();

  constructor(readonly funds: readonly string[]) {
    this.positions = funds.map(() => positionDecider.initialState);
    this.wallet = execute(walletDecider, walletDecider.initialState, { type: 'OpenWallet', walletId: WALLET_ID, ownerKind: 'merchant', ownerId: 'm1' }).state;
  }

  onWallet(command: WalletCommand): void {
    this.wallet = execute(walletDecider, this.wallet, command).state;
  }

  buy(fund: number, amountFen: bigint, businessDate: IsoDate): void {
    const purchaseId = `p${this.ids++}`;
    this.onWallet({ type: 'PayForPurchase', purchaseId, fundCode: this.funds[fund]!, amountFen, ruleSet: ruleSetOn(businessDate) });
    // The transfer step after PurchasePaid places it on the position.
    const place = { type: 'PlacePurchase' as const, purchaseId, walletId: WALLET_ID, fundCode: this.funds[fund]!, amountFen, businessDate };
    this.positions[fund] = execute(positionDecider, this.positions[fund]!, place).state;
  }

  redeem(fund: number, amountFen: bigint, mode: 'instant' | 'standard', businessDate: IsoDate, paidOut: boolean): void {
    const redemptionId = `r${this.ids++}`;
    const command = { type: 'Redeem' as const, redemptionId, amountFen, mode, businessDate, ruleSet: ruleSetOn(businessDate) };
    this.positions[fund] = execute(positionDecider, this.positions[fund]!, command).state;
    if (paidOut) this.paidOut.add(redemptionId);
    // An instant redemption's cash is the transfer step after it.
    if (mode === 'instant') this.onWallet({ type: 'ReceiveRedemption', redemptionId, fundCode: this.funds[fund]!, amountFen });
  }

  /** The mode the product's fund switch would redeem `amountFen` of a fund in on `businessDate`. */
  switchMode(fund: number, amountFen: bigint, businessDate: IsoDate): 'instant' | 'standard' {
    return instantQuotaLeftFen(this.positions[fund]!, businessDate, ruleSetOn(businessDate)) >= amountFen ? 'instant' : 'standard';
  }

  /**
   * A withdrawal as the book paid it: the part paid at once as the merchant-withdrawal process pays it (instant
   * redemptions, then the payout), the rest by standard redemptions paid out when they pay.
   */
  withdraw(outcome: WithdrawalOutcome, instantByFund: readonly number[], lateByFund: readonly number[], businessDate: IsoDate): void {
    instantByFund.forEach((instant, i) => {
      if (instant > 0) this.redeem(i, BigInt(instant), 'instant', businessDate, false);
    });
    if (outcome.fromCash + outcome.instant > 0) this.onWallet({ type: 'Withdraw', amountFen: BigInt(outcome.fromCash + outcome.instant) });
    lateByFund.forEach((late, i) => {
      if (late > 0) this.redeem(i, BigInt(late), 'standard', businessDate, true);
    });
  }

  /** The day close of one business date: every position walks the calendar days, then its redemptions pay. */
  close(businessDate: IsoDate, days: readonly IsoDate[], rate: (fund: number, date: IsoDate) => number): void {
    this.funds.forEach((fundCode, fund) => {
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

/** Cash, holdings, shares under redemption, pending purchases, income and instant capacity, on both sides, as plain numbers. */
export function bothStates(book: FundBook, product: ProductWallet, businessDate: IsoDate, step: string) {
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
    funds: product.funds.map((_, i) => ({ earning: book.available(i), redeeming: book.redeeming[i]!, pending: book.pendingBuyFen(i) })),
    income: book.income,
    instantCapacity: book.instantCapacity(Number(ruleSet.instantRedemptionCapFen)),
  };
  return { actual, expected };
}

/** What the mirrored book needs of the backtest's calendar and market: the dates, the business dates and the incomes. */
export interface MirroredCalendar {
  readonly dates: readonly string[];
  readonly business: Uint8Array;
  readonly nextBusiness: Int32Array;
  readonly micros: readonly (readonly number[])[];
}

/**
 * A FundBook that books every call it gets on the product's deciders too, as the product books the same
 * business date (the calendar day's, or the next business day's on a weekend or holiday), checks that each
 * call's pay day, confirmation day, cap and redemption mode are the product's, and hands both states to
 * `check` after each call. Purchases made before the first settle (an opening allocation) are placed on the
 * business date `openingDay`; the product closes it and every business date after it up to the first settle
 * with the calendar's incomes, which must be zero there, as the book accrues none of them.
 */
export class BookOnDeciders extends FundBook {
  readonly product: ProductWallet;
  private businessDay: number;
  private closedThrough: number;
  private opened = false;

  constructor(
    private readonly calendar: MirroredCalendar,
    openingDay: number,
    private readonly check: (states: ReturnType<typeof bothStates>) => void,
  ) {
    super(calendar.micros.length);
    this.product = new ProductWallet(calendar.micros.map((_, i) => `F${i}`));
    this.businessDay = openingDay;
    this.closedThrough = openingDay - 1;
  }

  private date(day: number): IsoDate {
    return this.calendar.dates[day]!;
  }

  private readonly rate = (fund: number, date: IsoDate) => this.calendar.micros[fund]![this.calendar.dates.indexOf(date)]!;

  private get businessDate(): IsoDate {
    return this.date(this.businessDay);
  }

  private compare(step: string): void {
    this.check(bothStates(this, this.product, this.businessDate, `${this.businessDate}: ${step}`));
  }

  private expectCap(capFen: number): void {
    expect(capFen).toBe(Number(ruleSetOn(this.businessDate).instantRedemptionCapFen));
  }

  override settle(t: number): void {
    super.settle(t);
    if (!this.opened) {
      // The opening allocation's business dates, closed as the product closes them.
      for (let b = this.closedThrough + 1; b < t; b += 1) if (this.calendar.business[b] === 1) this.closeDay(b);
      this.opened = true;
    }
    this.businessDay = this.calendar.business[t] === 1 ? t : this.calendar.nextBusiness[t]!;
    this.compare(`settle day ${t}`);
  }

  private closeDay(b: number): void {
    const days: IsoDate[] = [];
    for (let d = this.closedThrough + 1; d <= b; d += 1) days.push(this.date(d));
    this.product.close(this.date(b), days, this.rate);
    this.closedThrough = b;
  }

  override receive(amount: number): void {
    super.receive(amount);
    if (amount > 0) this.product.onWallet({ type: 'Deposit', amountFen: BigInt(amount) });
    this.compare(`receive ${amount}`);
  }

  override withdraw(demand: number, capFen: number, payDay: number): WithdrawalOutcome {
    expect(payDay).toBe(this.businessDay + 1);
    this.expectCap(capFen);
    const instantBefore = Array.from(this.instantToday);
    const redeemingBefore = Array.from(this.redeeming);
    const outcome = super.withdraw(demand, capFen, payDay);
    const instantByFund = instantBefore.map((before, i) => this.instantToday[i]! - before);
    const lateByFund = redeemingBefore.map((before, i) => this.redeeming[i]! - before);
    this.product.withdraw(outcome, instantByFund, lateByFund, this.businessDate);
    this.compare(`withdraw ${demand}`);
    return outcome;
  }

  override buy(fund: number, amount: number, confirmDay: number): void {
    super.buy(fund, amount, confirmDay);
    if (!(amount > 0)) return;
    if (this.opened) expect(this.date(confirmDay)).toBe(nextBusinessDay(this.businessDate));
    this.product.buy(fund, BigInt(amount), this.businessDate);
    this.compare(`buy ${amount} of F${fund}`);
  }

  override redeem(fund: number, amount: number, payDay: number): void {
    super.redeem(fund, amount, payDay);
    if (!(amount > 0)) return;
    expect(payDay).toBe(this.businessDay + 1);
    this.product.redeem(fund, BigInt(amount), 'standard', this.businessDate, false);
    this.compare(`redeem ${amount} of F${fund}`);
  }

  override switchOut(fund: number, amount: number, capFen: number, payDay: number): 'instant' | 'standard' {
    this.expectCap(capFen);
    const expected = amount > 0 ? this.product.switchMode(fund, BigInt(amount), this.businessDate) : 'standard';
    const mode = super.switchOut(fund, amount, capFen, payDay);
    if (!(amount > 0)) return mode;
    expect(payDay).toBe(this.businessDay + 1);
    expect(mode).toBe(expected);
    this.product.redeem(fund, BigInt(amount), mode, this.businessDate, false);
    this.compare(`switch out ${amount} of F${fund} (${mode})`);
    return mode;
  }

  /** Accrues the day on the book; on the business date's own day, the product's close covers every day since the last one. */
  override accrue(perTenKMicros: (fund: number) => number, day = this.today): number {
    const income = super.accrue(perTenKMicros, day);
    if (day === this.businessDay) this.closeDay(day);
    return income;
  }
}
