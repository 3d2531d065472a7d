import type { SimulatedMerchant as MerchantFlows } from '../ml/market';
import { ACTIVITY } from './activity-model';
import type { CommandOutcome } from './product-session';
import type { DayContext, PartyActor } from './simulated-customer';
import { fenOfFormatted } from '../domain/money';

/**
 * One merchant: its takings and its withdrawal demand of each calendar day come from the merchant simulator
 * (src/ml/market, docs/simulator.md). It deposits the day's takings (card and cash takings outside the
 * wallet; its customers' payments through IFW come on top), pays the day's demand out to its bank card at
 * once (a withdrawal of cash when the cash covers it, else the instant-withdrawal process across its funds,
 * after reading what today's capacity is), and invests the cash above a buffer in fund 0.
 */
export class SimulatedMerchant {
  private cashFen = 0n;
  private cashKnown = true;
  /** The position of this merchant's last write: a read of its wallet waits for it. */
  private lastPosition = 0n;
  private readonly bufferFen: bigint;

  constructor(
    readonly actor: PartyActor,
    readonly automatic: boolean,
    private readonly flows: MerchantFlows,
  ) {
    this.bufferFen = BigInt(Math.round(flows.scaleFen * ACTIVITY.merchant.cashBufferDays));
  }

  async openingFloat(day: DayContext): Promise<void> {
    this.note(day.tally.count('deposit', await day.session.moveCash(this.actor, 'deposit', BigInt(Math.round(this.flows.scaleFen * ACTIVITY.merchant.openingFloatDays)))));
    await this.invest(day);
  }

  /** The merchant's day `t` (an index into the simulator's days). */
  async act(day: DayContext, t: number): Promise<void> {
    const takingsFen = BigInt(this.flows.inflowFen[t]!);
    const demandFen = BigInt(this.flows.withdrawalFen[t]!);
    if (takingsFen > 0n) this.note(day.tally.count('deposit', await day.session.moveCash(this.actor, 'deposit', takingsFen)));
    else if (!this.cashKnown) await this.readCash(day, day.phaseStartPosition);
    if (demandFen > 0n && demandFen <= this.cashFen) this.note(day.tally.count('withdrawal', await day.session.moveCash(this.actor, 'withdrawal', demandFen)));
    else if (demandFen > 0n) return this.withdrawInstantly(day, demandFen);
    await this.invest(day);
  }

  /** Asks for what today's capacity (cash and each fund's instant quota left) covers of the demand. */
  private async withdrawInstantly(day: DayContext, demandFen: bigint): Promise<void> {
    const view = await day.session.wallet(this.actor.walletId, this.lastPosition > day.phaseStartPosition ? this.lastPosition : day.phaseStartPosition);
    let capacityFen = fenOfFormatted(view.cash);
    for (const holding of view.holdings) {
      const holdingFen = fenOfFormatted(holding.holding);
      const quotaFen = fenOfFormatted(holding.instantQuotaLeft);
      capacityFen += holdingFen < quotaFen ? holdingFen : quotaFen;
    }
    day.tally.instantUses.push({ demandFen, capacityFen });
    const amountFen = demandFen < capacityFen ? demandFen : capacityFen;
    if (amountFen > 0n) day.tally.count('instantWithdrawal', await day.session.instantWithdrawal(this.actor, amountFen));
    // The process moves the cash later: read it before acting again.
    this.cashKnown = false;
  }

  private async invest(day: DayContext): Promise<void> {
    const surplusFen = this.cashFen - this.bufferFen;
    if (surplusFen < BigInt(ACTIVITY.merchant.minPurchaseFen)) return;
    this.note(day.tally.count('purchase', await day.session.purchase(this.actor, day.fundCodes[0]!, surplusFen)));
  }

  private async readCash(day: DayContext, minPosition: bigint): Promise<void> {
    this.cashFen = fenOfFormatted((await day.session.wallet(this.actor.walletId, minPosition)).cash);
    this.cashKnown = true;
  }

  private note(outcome: CommandOutcome): void {
    if (!outcome.ok) return;
    if (typeof outcome.body.cash === 'string') {
      this.cashFen = fenOfFormatted(outcome.body.cash);
      this.cashKnown = true;
    }
    if (typeof outcome.body.position === 'string') this.lastPosition = BigInt(outcome.body.position);
  }
}
