import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { decodeData } from '../../domain/event-codec';
import { formatFen } from '../../domain/money';
import { type Condition, ReadModels } from '../../projections';
import { TRANSACTIONS_COLLECTION, type TransactionDoc, type TransactionKind, transactionId } from '../../projections/read-models/transactions.projection';
import { WALLETS_COLLECTION } from '../../projections/read-models/wallets.projection';
import type { AsOf } from '../as-of/as-of';
import { HttpProblem } from '../http/problem';
import { WalletAsOf } from './wallet-as-of';

export interface TransactionView {
  id: string;
  kind: TransactionKind;
  asset: TransactionDoc['asset'];
  /** Signed CNY: positive adds to the asset. */
  amount: string;
  fundCode: string | null;
  counterpartyWalletId: string | null;
  reference: string | null;
  businessDate: string;
  valueDate: string;
  position: string;
  recordedAt: string;
}

export interface TransactionPage {
  items: TransactionView[];
  nextCursor: string | null;
}

export interface TransactionFilters {
  kind?: TransactionKind;
  /** Business dates, inclusive. */
  from?: string;
  to?: string;
}

export class ListWalletTransactionsQuery extends Query<TransactionPage> {
  constructor(
    readonly walletId: string,
    readonly filters: TransactionFilters,
    readonly page: { limit: number; cursor: string | undefined },
    readonly minPosition: bigint | undefined,
    /** The rows recorded up to then; undefined for now. */
    readonly asOf: AsOf | undefined = undefined,
  ) {
    super();
  }
}

/** Above the id of every row of the event at `position` (`<position>:<index>`), below those of any later event. */
function idCeilingAt(position: bigint): string {
  return `${transactionId(position, 0).split(':')[0]}:\uffff`;
}

/** Newest first, by id (the log position): a page after a cursor starts strictly after it, so rows added meanwhile never shift a page. */
@QueryHandler(ListWalletTransactionsQuery)
export class ListWalletTransactionsHandler implements IQueryHandler<ListWalletTransactionsQuery, TransactionPage> {
  constructor(
    private readonly readModels: ReadModels,
    private readonly walletsThen: WalletAsOf,
  ) {}

  async execute({ walletId, filters, page, minPosition, asOf }: ListWalletTransactionsQuery): Promise<TransactionPage> {
    await this.readModels.atLeast(['transactions', 'wallets'], minPosition);
    const where: Record<string, Condition> = { walletId: { eq: walletId } };
    let scope = `wallet-transactions:${walletId}:${filters.kind ?? ''}:${filters.from ?? ''}:${filters.to ?? ''}`;
    if (asOf) {
      // Rows are written once and never changed, so the rows then are the rows now up to the wallet's last
      // event then; the cursor is bound to the moment, so a page of one moment never continues another.
      const { lastPosition } = await this.walletsThen.wallet(walletId, asOf);
      await this.readModels.atLeast(['transactions'], lastPosition);
      where.id = { lte: idCeilingAt(lastPosition) };
      scope += `:as-of:${asOf.atMs}`;
    } else {
      const wallet = await this.readModels.get('wallets', WALLETS_COLLECTION, walletId);
      if (!wallet || wallet.ownerKind === null) throw HttpProblem.notFound(`wallet ${walletId} does not exist`);
    }
    if (filters.kind) where.kind = { eq: filters.kind };
    if (filters.from || filters.to) where.businessDate = { ...(filters.from ? { gte: filters.from } : {}), ...(filters.to ? { lte: filters.to } : {}) };
    const result = await this.readModels.page('transactions', TRANSACTIONS_COLLECTION, { where, orderBy: ['id'], direction: 'desc', limit: page.limit, cursor: page.cursor, scope }, (doc) => [doc.id]);
    return { items: result.docs.map((doc) => transactionView(doc.id, decodeData<TransactionDoc>(doc.body))), nextCursor: result.nextCursor };
  }
}

function transactionView(id: string, row: TransactionDoc): TransactionView {
  return {
    id,
    kind: row.kind,
    asset: row.asset,
    amount: formatFen(row.amountFen),
    fundCode: row.fundCode,
    counterpartyWalletId: row.counterpartyWalletId,
    reference: row.reference,
    businessDate: row.businessDate,
    valueDate: row.valueDate,
    position: row.position,
    recordedAt: row.recordedAt,
  };
}
