import type { IsoDate } from '../domain/iso-date';
import type { PerTenKMicros } from '../domain/income-rate';
import { type MarketSimulation, type Seed, type SimulatedFund, simulateMarket } from '../ml/market';
import { invariant } from '../invariant';

/**
 * The simulated market (src/ml/market) as a feed of published incomes: each fund's income per 10,000 shares
 * for a calendar day, in the ledger's unit (0.0001 CNY), from `from` to `to`.
 */
export class MarketFeed {
  private readonly market: MarketSimulation;
  private readonly dayIndex: ReadonlyMap<IsoDate, number>;

  constructor(seed: Seed, funds: number, from: IsoDate, to: IsoDate) {
    this.market = simulateMarket({ seed, startDate: from, endDate: to, funds });
    this.dayIndex = new Map(this.market.dates.map((date, t) => [date, t]));
  }

  get funds(): readonly SimulatedFund[] {
    return this.market.funds;
  }

  perTenK(fund: number, date: IsoDate): PerTenKMicros {
    const t = this.dayIndex.get(date);
    invariant(t !== undefined, () => `the simulated market has no ${date}`);
    return BigInt(this.market.funds[fund]!.perTenKMicros[t]!);
  }

  /** Every calendar day of the feed from `from` through `to`, oldest first. */
  datesBetween(from: IsoDate, to: IsoDate): IsoDate[] {
    return this.market.dates.filter((date) => date >= from && date <= to);
  }
}
