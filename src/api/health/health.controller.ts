import { Controller, Get, Inject } from '@nestjs/common';
import type { EventStore } from '../../eventstore';
import { EVENT_STORE } from '../event-store.module';

@Controller('health')
export class HealthController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** Proves the store answers, and tells how far its log goes. */
  @Get()
  async health(): Promise<{ status: 'ok'; lastPosition: string }> {
    return { status: 'ok', lastPosition: (await this.store.lastPosition()).toString() };
  }
}
