import { Controller, Get, Inject } from '@nestjs/common';
import type { EventStore } from '../../eventstore';
import { Public } from '../auth/access.decorator';
import { EVENT_STORE } from '../event-store.module';
import type { RouteDoc } from '../http/openapi';

export const HEALTH_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/health',
    summary: 'The store answers; how far its log goes',
    tag: 'operations',
    roles: [],
    responses: {
      200: {
        description: 'the store answers',
        schema: {
          type: 'object',
          additionalProperties: false,
          required: ['status', 'lastPosition'],
          properties: {
            status: { type: 'string', enum: ['ok'] },
            lastPosition: { type: 'string', pattern: '^(0|[1-9][0-9]*)$', description: 'the global position of the last event in the log; 0 for an empty log' },
          },
        },
      },
    },
  },
];

@Controller('health')
export class HealthController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** Proves the store answers, and tells how far its log goes. */
  @Get()
  @Public()
  async health(): Promise<{ status: 'ok'; lastPosition: string }> {
    return { status: 'ok', lastPosition: (await this.store.lastPosition()).toString() };
  }
}
