import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { upcastToCurrent } from '../domain/event-schemas';
import { type EventStore, type OpenEventStoreOptions, openEventStore } from '../eventstore';

/** The injection token of the EventStore port; the adapter behind it is chosen by URL at start-up. */
export const EVENT_STORE = Symbol('EventStore');

/** The log as the product reads it, whoever opens it (server, projector, CLI): every event in today's shape. */
export function openProductEventStore(url: string, options: Omit<OpenEventStoreOptions, 'upcast'> = {}): EventStore {
  return openEventStore(url, { ...options, upcast: upcastToCurrent });
}

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
