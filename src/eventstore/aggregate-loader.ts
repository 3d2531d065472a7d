import type { EventStore, JsonValue, RecordedEvent } from './event-store';
import { StoreUnavailableError } from './errors';

/** The read side of a decider: where a stream's state starts and how each event moves it. */
export interface AggregateFold<State> {
  initialState: State;
  evolve(state: State, event: RecordedEvent): State;
}

/** How a long stream's state is cached. `schema` changes whenever the state's shape does. */
export interface SnapshotPolicy<State> {
  schema: string;
  /** Save a new snapshot once this many events have been replayed on top of the last one. */
  everyEvents: number;
  encode(state: State): JsonValue;
  decode(json: JsonValue): State;
}

export interface LoadedAggregate<State> {
  state: State;
  /** The revision of the stream's last event, or -1n for a stream that does not exist: the next expected revision. */
  revision: bigint;
  eventsReplayed: number;
}

/**
 * Folds a stream into its current state. With a snapshot policy it starts from the latest snapshot of the
 * same schema and replays only the events after it, and it saves a fresh snapshot once the replay grew long.
 */
export async function loadAggregate<State>(
  store: EventStore,
  stream: string,
  fold: AggregateFold<State>,
  snapshots?: SnapshotPolicy<State>,
): Promise<LoadedAggregate<State>> {
  let state = fold.initialState;
  let revision = -1n;
  if (snapshots) {
    const snapshot = await store.loadSnapshot(stream);
    if (snapshot && snapshot.schema === snapshots.schema) {
      state = snapshots.decode(snapshot.state);
      revision = snapshot.revision;
    }
  }
  let eventsReplayed = 0;
  for await (const event of store.readStream(stream, { fromRevision: revision + 1n })) {
    state = fold.evolve(state, event);
    revision = event.revision;
    eventsReplayed++;
  }
  if (snapshots && eventsReplayed >= snapshots.everyEvents) {
    // A snapshot only saves work: a disk that refuses it must not refuse the fold it would have saved.
    await store.saveSnapshot(stream, { revision, schema: snapshots.schema, state: snapshots.encode(state) }).catch((error: unknown) => {
      if (!(error instanceof StoreUnavailableError)) throw error;
    });
  }
  return { state, revision, eventsReplayed };
}
