import type { JsonObject, RecordedEvent } from '../../src/eventstore';
import { encodeData } from '../../src/domain/event-codec';
import { BatchView } from '../../src/projections/batch-view';
import type { ProjectionDefinition } from '../../src/projections/projection';
import { physicalSpecs } from '../../src/projections/projection-catalog';
import { versionedCollection } from '../../src/projections/projection';
import { SqliteReadStore } from '../../src/projections/sqlite/sqlite-read-store';
import type { StoredDoc } from '../../src/projections/read-store';

/** A recorded event as the store would deliver it, for projection specifications: given these events… */
export function recorded(position: number, stream: string, type: string, data: object, metadata: JsonObject = {}, recordedAt = new Date('2026-01-05T08:00:00Z')): RecordedEvent {
  return { id: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`, stream, type, revision: 0n, position: BigInt(position), data: encodeData(data), metadata, recordedAt, hash: '' };
}

/**
 * …then these documents: applies events through the same BatchView the runner uses, into an in-memory SQLite
 * read store, one event per batch (or all in one with `oneBatch`), and returns a reader of the result.
 */
export async function projectEvents(definition: ProjectionDefinition, events: readonly RecordedEvent[], options: { oneBatch?: boolean; path?: string } = {}) {
  const store = SqliteReadStore.open(options.path ?? ':memory:');
  await store.ensureCollections(physicalSpecs(definition, 1));
  const types = new Set(definition.eventTypes);
  let view = new BatchView(store, 1);
  for (const event of events) {
    if (types.has(event.type)) {
      view.at(event.position);
      await definition.apply(event, view);
    }
    if (!options.oneBatch) {
      await store.commit({ writes: view.writes(), checkpoints: [] });
      view = new BatchView(store, 1);
    }
  }
  await store.commit({ writes: view.writes(), checkpoints: [] });
  return {
    store,
    get: async (collection: string, id: string): Promise<JsonObject | undefined> => (await store.get(versionedCollection(collection, 1), id))?.body,
    all: async (collection: string): Promise<StoredDoc[]> => store.find(versionedCollection(collection, 1), { limit: 1_000 }),
  };
}
