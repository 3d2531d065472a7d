import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { EventStore } from '../eventstore';

/** The injection token of the EventStore port; the adapter behind it is chosen by URL at start-up. */
export const EVENT_STORE = Symbol('EventStore');

/** Makes one already opened store available to every module, and closes it when the application stops. */
@Global()
@Module({})
export class EventStoreModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  static forStore(store: EventStore) {
    return { module: EventStoreModule, providers: [{ provide: EVENT_STORE, useValue: store }], exports: [EVENT_STORE] };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
