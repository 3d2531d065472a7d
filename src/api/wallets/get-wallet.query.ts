import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ReadModels } from '../../projections';
import { WALLET_VIEW_PROJECTIONS, type WalletView, WalletViewQuery } from './wallet-view';

export class GetWalletQuery extends Query<WalletView> {
  constructor(
    readonly walletId: string,
    readonly minPosition: bigint | undefined,
  ) {
    super();
  }
}

@QueryHandler(GetWalletQuery)
export class GetWalletHandler implements IQueryHandler<GetWalletQuery, WalletView> {
  constructor(
    private readonly readModels: ReadModels,
    private readonly wallets: WalletViewQuery,
  ) {}

  async execute({ walletId, minPosition }: GetWalletQuery): Promise<WalletView> {
    await this.readModels.atLeast(WALLET_VIEW_PROJECTIONS, minPosition);
    return this.wallets.view(walletId);
  }
}
