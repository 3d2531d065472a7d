import type { IfwConfig } from '../config';
import { openProductEventStore } from '../api/event-store.module';
import type { EventStore } from '../eventstore';
import { LogFeed, ProjectionCatalog, READ_MODELS, type ReadStore } from '../projections';
import { openReadStore } from '../projections/open-read-store';

export interface ReadSide {
  store: EventStore;
  readStore: ReadStore;
  catalog: ProjectionCatalog;
  feed: LogFeed;
  close(): Promise<void>;
}

/** Opens the event store and the read store named by the configuration, for commands that run projections. */
export async function openReadSide(config: IfwConfig): Promise<ReadSide> {
  const store = openProductEventStore(config.eventStoreUrl);
  let readStore: ReadStore;
  try {
    readStore = await openReadStore(config.readStoreUrl);
  } catch (error) {
    await store.close();
    throw error;
  }
  const catalog = new ProjectionCatalog(readStore, READ_MODELS);
  await catalog.init();
  const feed = new LogFeed(store);
  feed.start();
  return {
    store,
    readStore,
    catalog,
    feed,
    async close() {
      await feed.stop();
      await readStore.close();
      await store.close();
    },
  };
}
