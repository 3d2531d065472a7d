import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ReadModels } from '../../projections';
import type { AsOf } from '../as-of/as-of';
import { WalletAsOf } from './wallet-as-of';
import { WALLET_VIEW_PROJECTIONS, type WalletView, WalletViewQuery } from './wallet-view';

export class GetWalletQuery extends Query<WalletView> {
  constructor(
    readonly walletId: string,
    readonly minPosition: bigint | undefined,
    /** The wallet as it was then; undefined for now. */
    readonly asOf: AsOf | undefined = undefined,
  ) {
    super();
  }
}

@QueryHandler(GetWalletQuery)
export class GetWalletHandler implements IQueryHandler<GetWalletQuery, WalletView> {
  constructor(
    private readonly readModels: ReadModels,
    private readonly wallets: WalletViewQuery,
    private readonly walletsThen: WalletAsOf,
  ) {}

  async execute({ walletId, minPosition, asOf }: GetWalletQuery): Promise<WalletView> {
    await this.readModels.atLeast(WALLET_VIEW_PROJECTIONS, minPosition);
    return asOf ? this.walletsThen.view(walletId, asOf) : this.wallets.view(walletId);
  }
}
