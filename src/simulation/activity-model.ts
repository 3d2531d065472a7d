import type { Fen } from '../domain/money';
import type { AccountTier } from '../domain/rules/rule-set';
import { type SeededRandom, detExp, detLog } from '../ml/market';

/**
 * How simulated customers and merchants behave: every rate is a chance per calendar day, every amount a
 * lognormal (median, log-sd) bounded by what the actor has; docs/simulate.md states and explains them.
 * They are bounded so that the product's command path, not the simulator, sets the pace.
 */
export const ACTIVITY = {
  customer: {
    /** Shares of the PBoC payment-account types; only type III may buy funds. */
    tiers: [
      { tier: 'III', share: 0.6 },
      { tier: 'II', share: 0.3 },
      { tier: 'I', share: 0.1 },
    ] as const,
    /** The first deposit, on day 1. */
    opening: { medianFen: 2_000_00, logSd: 1.0 },
    deposit: { perDay: 0.03, medianFen: 800_00, logSd: 0.8 },
    /** Paying a merchant, chosen by popularity (Zipf's law, exponent 0.8). */
    payment: { perDay: 0.05, medianFen: 60_00, logSd: 1.0, zipfExponent: 0.8 },
    /** Buying the customer's preferred fund (fund 0 for half of them) with a share of the cash. */
    purchase: { perDay: 0.02, cashShare: 0.6, minFen: 100_00, preferFund0: 0.5 },
    /** Redeeming a share of the largest holding; instant (within the day's cap) with this chance, else standard. */
    redemption: { perDay: 0.01, holdingShare: 0.4, instantShare: 0.7, minFen: 10_00 },
    withdrawal: { perDay: 0.01, cashShare: 0.5, minFen: 100_00 },
  },
  merchant: {
    /** Merchants whose wallets rebalance automatically by the day close's proposals (the others: manual). */
    automaticShare: 0.25,
    /** The opening float, in days of the merchant's median takings. */
    openingFloatDays: 20,
    /** Cash kept back from investing, in days of the merchant's median takings. */
    cashBufferDays: 3,
    /** Surplus cash below this is not invested. */
    minPurchaseFen: 1_000_00,
  },
} as const;

/** What each draw of a day is for: drawn every day whatever happens, so outcomes never shift later draws. */
export interface CustomerDraws {
  depositFen: Fen | undefined;
  payment: { merchantUniform: number; amountFen: Fen } | undefined;
  purchase: boolean;
  redemption: { instant: boolean } | undefined;
  withdrawal: boolean;
}

export function customerDraws(random: SeededRandom): CustomerDraws {
  const c = ACTIVITY.customer;
  const deposit = random.bernoulli(c.deposit.perDay);
  const depositFen = lognormalFen(random, c.deposit);
  const pays = random.bernoulli(c.payment.perDay);
  const merchantUniform = random.uniform();
  const paymentFen = lognormalFen(random, c.payment);
  const purchase = random.bernoulli(c.purchase.perDay);
  const redeems = random.bernoulli(c.redemption.perDay);
  const instant = random.bernoulli(c.redemption.instantShare);
  const withdrawal = random.bernoulli(c.withdrawal.perDay);
  return {
    depositFen: deposit ? depositFen : undefined,
    payment: pays ? { merchantUniform, amountFen: paymentFen } : undefined,
    purchase,
    redemption: redeems ? { instant } : undefined,
    withdrawal,
  };
}

export interface CustomerProfile {
  tier: AccountTier;
  /** Index of the fund the customer buys. */
  preferredFund: number;
  openingDepositFen: Fen;
}

export function customerProfile(random: SeededRandom, funds: number): CustomerProfile {
  const c = ACTIVITY.customer;
  const tier = c.tiers[random.pick(c.tiers.map((t) => t.share))]!.tier;
  const preferredFund = random.bernoulli(c.purchase.preferFund0) ? 0 : random.integer(0, funds - 1);
  return { tier, preferredFund, openingDepositFen: lognormalFen(random, c.opening) };
}

export function lognormalFen(random: SeededRandom, law: { medianFen: number; logSd: number }): Fen {
  return BigInt(Math.max(1, Math.round(law.medianFen * random.lognormal(0, law.logSd))));
}

/** A share of an amount in whole fen, rounded down. */
export function shareOfFen(amountFen: Fen, share: number): Fen {
  return (amountFen * BigInt(Math.round(share * 1_000))) / 1_000n;
}

/** Picks a merchant by Zipf's law from a uniform draw: the cumulative weights, searched by halving. */
export class MerchantPopularity {
  private readonly cumulative: number[] = [];

  constructor(merchants: number, exponent: number) {
    let total = 0;
    // detExp and detLog, not `**`: they give the same bits on every engine, so the same seed picks the same merchants.
    for (let rank = 1; rank <= merchants; rank++) this.cumulative.push((total += detExp(-exponent * detLog(rank))));
  }

  pick(uniform: number): number {
    const target = uniform * this.cumulative[this.cumulative.length - 1]!;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.cumulative[mid]! > target) high = mid;
      else low = mid + 1;
    }
    return low;
  }
}
