import type { EventStore } from '../../eventstore';
import type { ReadModels } from '../../projections';

/**
 * Resolves once a read model has applied every event recorded at or before `atMs`: at once when the first
 * event it has not applied was recorded after that (the usual case, unless the moment is the last instant),
 * else once it reaches the end of the log as it is now, within the wait ReadModels allows (then 503).
 */
export async function readModelThrough(readModels: ReadModels, store: EventStore, projection: string, atMs: number): Promise<void> {
  const applied = await readModels.position(projection);
  for await (const event of store.readAll({ fromPosition: applied ?? 'start', maxCount: 2 })) {
    if (applied !== undefined && event.position <= applied) continue;
    if (event.recordedAt.getTime() > atMs) return;
    await readModels.atLeast([projection], await store.lastPosition());
    return;
  }
}
