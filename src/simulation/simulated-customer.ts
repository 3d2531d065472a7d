import type { WalletView } from '../api/wallets/wallet-view';
import type { SeededRandom } from '../ml/market';
import { ACTIVITY, type CustomerDraws, type CustomerProfile, type MerchantPopularity, customerDraws, shareOfFen } from './activity-model';
import type { Actor, CommandOutcome, ProductSession } from './product-session';
import { fenOfFormatted } from '../domain/money';
import type { SimulationTally } from './simulation-tally';

export type PartyActor = Extract<Actor, { walletId: string }>;

/** What every actor of a day shares: the product, the tally, and the log position the day's phase began at. */
export interface DayContext {
  session: ProductSession;
  tally: SimulationTally;
  /** Reads of the wallet view wait for the read models to reach it: everything settled before the phase. */
  phaseStartPosition: bigint;
  fundCodes: readonly string[];
}

/**
 * One customer: deposits, pays merchants, buys its preferred fund, redeems and withdraws, as the draws of
 * its own seeded stream say, one command after another (so its wallet sees them in the order decided). It
 * knows its cash from the answers it gets, as an app shows it; after a redemption (whose cash comes later)
 * it reads its wallet before it acts again.
 */
export class SimulatedCustomer {
  private cashFen = 0n;
  private cashKnown = true;

  constructor(
    readonly actor: PartyActor,
    readonly profile: CustomerProfile,
    private readonly random: SeededRandom,
  ) {}

  async openingDeposit(day: DayContext): Promise<void> {
    this.note(day.tally.count('deposit', await day.session.moveCash(this.actor, 'deposit', this.profile.openingDepositFen)));
  }

  async act(day: DayContext, merchantWalletIds: readonly string[], popularity: MerchantPopularity): Promise<void> {
    const draws = customerDraws(this.random);
    // Read before this day's first write, so the view is the wallet as the phase began, whatever the timing.
    const view = draws.redemption || (!this.cashKnown && hasCashUse(draws)) ? await day.session.wallet(this.actor.walletId, day.phaseStartPosition) : undefined;
    if (view) {
      this.cashFen = fenOfFormatted(view.cash);
      this.cashKnown = true;
    }
    if (draws.depositFen !== undefined) this.note(day.tally.count('deposit', await day.session.moveCash(this.actor, 'deposit', draws.depositFen)));
    if (draws.payment && draws.payment.amountFen <= this.cashFen) {
      const payee = merchantWalletIds[popularity.pick(draws.payment.merchantUniform)]!;
      this.note(day.tally.count('payment', await day.session.pay(this.actor, payee, draws.payment.amountFen)));
    }
    if (draws.purchase) await this.purchase(day);
    if (draws.withdrawal) await this.withdraw(day);
    if (draws.redemption && view) await this.redeem(day, view, draws.redemption.instant);
  }

  private async purchase(day: DayContext): Promise<void> {
    const law = ACTIVITY.customer.purchase;
    const amountFen = shareOfFen(this.cashFen, law.cashShare);
    if (this.profile.tier !== 'III' || amountFen < BigInt(law.minFen)) return;
    this.note(day.tally.count('purchase', await day.session.purchase(this.actor, day.fundCodes[this.profile.preferredFund]!, amountFen)));
  }

  private async withdraw(day: DayContext): Promise<void> {
    const law = ACTIVITY.customer.withdrawal;
    const amountFen = shareOfFen(this.cashFen, law.cashShare);
    if (amountFen < BigInt(law.minFen)) return;
    this.note(day.tally.count('withdrawal', await day.session.moveCash(this.actor, 'withdrawal', amountFen)));
  }

  /** The largest confirmed holding, partly; instant when drawn so and the day's quota covers it. */
  private async redeem(day: DayContext, view: WalletView, instant: boolean): Promise<void> {
    const law = ACTIVITY.customer.redemption;
    const largest = view.holdings.reduce<WalletView['holdings'][number] | undefined>((best, h) => (best && fenOfFormatted(best.holding) >= fenOfFormatted(h.holding) ? best : h), undefined);
    if (!largest) return;
    const amountFen = shareOfFen(fenOfFormatted(largest.holding), law.holdingShare);
    if (amountFen < BigInt(law.minFen)) return;
    const mode = instant && amountFen <= fenOfFormatted(largest.instantQuotaLeft) ? 'instant' : 'standard';
    const outcome = day.tally.count('redemption', await day.session.redeem(this.actor, largest.fundCode, amountFen, mode));
    // The cash comes by a transfer step (instant) or at the next close (standard): read it before acting again.
    if (outcome.ok) this.cashKnown = false;
  }

  private note(outcome: CommandOutcome): void {
    if (outcome.ok && typeof outcome.body.cash === 'string') this.cashFen = fenOfFormatted(outcome.body.cash);
  }
}

function hasCashUse(draws: CustomerDraws): boolean {
  return draws.payment !== undefined || draws.purchase || draws.withdrawal;
}
