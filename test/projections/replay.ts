import type { RecordedEvent } from '../../src/eventstore';
import { BatchView } from '../../src/projections/batch-view';
import type { ProjectionDefinition } from '../../src/projections/projection';
import { versionedCollection } from '../../src/projections/projection';
import type { ReadStore, StoredDoc } from '../../src/projections/read-store';

/**
 * The MongoDB replay case: events already committed are applied again, all in one fresh BatchView on the
 * same store (as after a crash between the documents and the checkpoint), and committed.
 */
export async function replayOnto(definition: ProjectionDefinition, store: ReadStore, events: readonly RecordedEvent[]): Promise<void> {
  const types = new Set(definition.eventTypes);
  const view = new BatchView(store, 1);
  for (const event of events) {
    if (!types.has(event.type)) continue;
    view.at(event.position);
    await definition.apply(event, view);
  }
  await store.commit({ writes: view.writes(), checkpoints: [] });
}

/** Every document of every collection of a projection, by collection, for comparing whole read models. */
export async function snapshot(definition: ProjectionDefinition, store: ReadStore): Promise<Record<string, StoredDoc[]>> {
  const all: Record<string, StoredDoc[]> = {};
  for (const { name } of definition.collections) all[name] = await store.find(versionedCollection(name, 1), { limit: 1_000 });
  return all;
}
