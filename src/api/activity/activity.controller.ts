import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ACTIVITY_TYPES } from '../../projections/read-models/activity.projection';
import { Staff } from '../auth/access.decorator';
import type { JsonSchema, RouteDoc } from '../http/openapi';
import { PAGE_LIMIT_QUERY, parseChoice, parseMinPosition, parsePage } from '../http/query-params';
import { ACTIVITY_PROJECTION, ListActivityQuery } from './activity.queries';

const ITEM_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['position', 'recordedAt', 'type', 'stream', 'summary', 'principal', 'businessDate'],
  properties: {
    position: { type: 'string', pattern: '^[0-9]+$', description: "the event store position of the row's event (of the first, for a close's forecasts)" },
    recordedAt: { type: 'string', format: 'date-time', description: 'when the event was recorded' },
    type: { type: 'string', enum: [...ACTIVITY_TYPES], description: 'the event type; ForecastsRecorded stands for all the forecasts of one close' },
    stream: { type: 'string', description: 'the stream of the event, e.g. wallet-<id>, fund-<code>, calendar, forecast-<date>' },
    summary: { type: 'string', description: 'one line saying what happened' },
    principal: { type: 'string', nullable: true, description: 'who decided it, e.g. operator:<key id>, customer:<id>, system:forecasts' },
    businessDate: { type: 'string', format: 'date', nullable: true, description: 'the business date it was decided on' },
  },
};

export const ACTIVITY_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/activity',
    summary: 'The activity feed, newest first: registrations, incomes, cash movements, payments, purchases, redemptions, day closes and forecasts',
    description:
      "One row per event that changes the business; a payment, purchase or instant redemption shows once, as the side that decided it, and the per-holder work of a day close (accruals, confirmations, settlements) is left out. A close's forecasts are one ForecastsRecorded row.",
    tag: 'activity',
    roles: ['operator', 'auditor'],
    query: {
      type: { description: 'only rows of this type', schema: { type: 'string', enum: [...ACTIVITY_TYPES] } },
      limit: PAGE_LIMIT_QUERY,
      cursor: { description: 'nextCursor of the previous page, exactly as received, with the same type', schema: { type: 'string' } },
    },
    readsProjections: [ACTIVITY_PROJECTION],
    responses: {
      200: {
        description: 'one page of the feed, newest first',
        schema: { type: 'object', required: ['items', 'nextCursor'], properties: { items: { type: 'array', items: ITEM_SCHEMA }, nextCursor: { type: 'string', nullable: true, description: 'pass as cursor for the next page; null on the last' } } },
      },
    },
  },
];

@Controller('activity')
export class ActivityController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Staff('operator', 'auditor')
  list(@Query() query: Record<string, unknown>) {
    const type = parseChoice('type', query.type, ACTIVITY_TYPES);
    return this.queries.execute(new ListActivityQuery(type, parsePage(query.limit, query.cursor), parseMinPosition(query.minPosition)));
  }
}
