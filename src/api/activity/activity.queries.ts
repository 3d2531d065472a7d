import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ReadModels } from '../../projections';
import { ACTIVITY_COLLECTION, type ActivityDoc } from '../../projections/read-models/activity.projection';

export const ACTIVITY_PROJECTION = 'activity';

export type ActivityItem = Omit<ActivityDoc, 'order'>;

export interface ActivityPageBody {
  items: ActivityItem[];
  nextCursor: string | null;
}

export class ListActivityQuery extends Query<ActivityPageBody> {
  constructor(
    readonly type: string | undefined,
    readonly page: { limit: number; cursor: string | undefined },
    readonly minPosition: bigint | undefined,
  ) {
    super();
  }
}

@QueryHandler(ListActivityQuery)
export class ListActivityHandler implements IQueryHandler<ListActivityQuery, ActivityPageBody> {
  constructor(private readonly readModels: ReadModels) {}

  async execute({ type, page, minPosition }: ListActivityQuery): Promise<ActivityPageBody> {
    await this.readModels.atLeast([ACTIVITY_PROJECTION], minPosition);
    const found = await this.readModels.page(
      ACTIVITY_PROJECTION,
      ACTIVITY_COLLECTION,
      { where: type === undefined ? undefined : { type: { eq: type } }, orderBy: ['order'], direction: 'desc', limit: page.limit, cursor: page.cursor, scope: `activity:${type ?? ''}` },
      (doc) => [String(doc.body.order), doc.id],
    );
    return {
      items: found.docs.map((doc) => {
        const { position, recordedAt, type: rowType, stream, summary, principal, businessDate } = doc.body as unknown as ActivityDoc;
        return { position, recordedAt, type: rowType, stream, summary, principal, businessDate };
      }),
      nextCursor: found.nextCursor,
    };
  }
}
