import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '../../eventstore';
import { formatFen } from '../../domain/money';
import { instantQuotaLeftFen } from '../../domain/position/position.decider';
import { BusinessCalendar } from '../calendar/business-calendar';
import { EVENT_STORE } from '../event-store.module';
import { loadPosition } from './position-loader';
import { loadOpenWallet } from './wallet-loader';

export interface HoldingView {
  fundCode: string;
  /** Confirmed, earning shares (CNY, NAV 1.00). */
  holding: string;
  pendingPurchase: string;
  pendingPurchases: { purchaseId: string; amount: string; confirmOn: string }[];
  pendingRedemption: string;
  pendingRedemptions: { redemptionId: string; amount: string; payOn: string }[];
  instantQuotaLeft: string;
}

export interface WalletView {
  walletId: string;
  ownerKind: string;
  ownerId: string;
  businessDate: string;
  ruleSetVersion: string;
  cash: string;
  holdings: HoldingView[];
}

/** A wallet as its owner sees it, read from its own streams, so it reflects every write that was answered. */
@Injectable()
export class WalletViewQuery {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly calendar: BusinessCalendar,
  ) {}

  async view(walletId: string): Promise<WalletView> {
    const today = await this.calendar.today();
    const { state: wallet } = await loadOpenWallet(this.store, walletId);
    const holdings: HoldingView[] = [];
    for (const fundCode of wallet.fundCodes) {
      const { state } = await loadPosition(this.store, walletId, fundCode);
      if (!state.opened) continue;
      const sum = (items: readonly { amountFen: bigint }[]) => formatFen(items.reduce((total, item) => total + item.amountFen, 0n));
      holdings.push({
        fundCode,
        holding: formatFen(state.holdingFen),
        pendingPurchase: sum(state.pendingPurchases),
        pendingPurchases: state.pendingPurchases.map((p) => ({ purchaseId: p.purchaseId, amount: formatFen(p.amountFen), confirmOn: p.confirmOn })),
        pendingRedemption: sum(state.pendingRedemptions),
        pendingRedemptions: state.pendingRedemptions.map((r) => ({ redemptionId: r.redemptionId, amount: formatFen(r.amountFen), payOn: r.payOn })),
        instantQuotaLeft: formatFen(instantQuotaLeftFen(state, today.businessDate, today.ruleSet)),
      });
    }
    return {
      walletId,
      ownerKind: wallet.ownerKind,
      ownerId: wallet.ownerId,
      businessDate: today.businessDate,
      ruleSetVersion: today.ruleSet.version,
      cash: formatFen(wallet.cashFen),
      holdings,
    };
  }
}
