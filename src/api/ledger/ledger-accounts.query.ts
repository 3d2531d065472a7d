import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { decodeData } from '../../domain/event-codec';
import { formatFen } from '../../domain/money';
import { ReadModels } from '../../projections';
import { type AccountDoc, LEDGER_COLLECTION } from '../../projections/read-models/ledger.projection';

export interface AccountPage {
  items: { account: string; balance: string }[];
  nextCursor: string | null;
}

export class ListLedgerAccountsQuery extends Query<AccountPage> {
  constructor(
    /** Only accounts whose name starts with this, such as `wallet-cash:`. */
    readonly prefix: string | undefined,
    readonly page: { limit: number; cursor: string | undefined },
    readonly minPosition: bigint | undefined,
  ) {
    super();
  }
}

/** Above every character of an account name, so [prefix, prefix + this] is exactly the names starting with prefix. */
const NAME_CEILING = '\uffff';

@QueryHandler(ListLedgerAccountsQuery)
export class ListLedgerAccountsHandler implements IQueryHandler<ListLedgerAccountsQuery, AccountPage> {
  constructor(private readonly readModels: ReadModels) {}

  async execute({ prefix, page, minPosition }: ListLedgerAccountsQuery): Promise<AccountPage> {
    await this.readModels.atLeast(['ledger'], minPosition);
    const where = prefix === undefined ? undefined : { id: { gte: prefix, lte: `${prefix}${NAME_CEILING}` } };
    const result = await this.readModels.page(
      'ledger',
      LEDGER_COLLECTION,
      { where, orderBy: ['id'], limit: page.limit, cursor: page.cursor, scope: `ledger-accounts:${prefix ?? ''}` },
      (doc) => [doc.id],
    );
    return {
      items: result.docs.map((doc) => ({ account: doc.id, balance: formatFen(decodeData<AccountDoc>(doc.body).balanceFen) })),
      nextCursor: result.nextCursor,
    };
  }
}
