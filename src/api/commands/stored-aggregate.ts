import { type EventInput, type EventStore, type JsonObject, type RecordedEvent, type SnapshotPolicy, loadAggregate } from '../../eventstore';
import type { Decider } from '../../domain/decider';
import { decodeData, encodeData } from '../../domain/event-codec';
import { withSchemaVersion } from '../../domain/event-schemas';
import { REQUEST_RECORDED } from './idempotency-claims';

/** A domain event as deciders produce and evolve it: bigint amounts, no ids, no metadata. */
export interface DomainEvent {
  type: string;
  data: object;
}

/** What every stored event's metadata records about the decision that produced it. */
export type DecisionMetadata = {
  correlationId: string;
  causationId: string;
  principal: string;
  ruleSetVersion: string;
  businessDate: string;
};

/** Metadata of a decision, plus whatever else its kind records (a model version, the position of its inputs). */
export function toEventInputs(events: readonly DomainEvent[], metadata: DecisionMetadata & Readonly<Record<string, string>>): EventInput[] {
  return events.map((event) => withSchemaVersion({ type: event.type, data: encodeData(event.data), metadata }));
}

/** False for the recorded outcomes of keyed requests, kept in the streams they guard beside the entity's events. */
export function isEntityEvent(recorded: RecordedEvent): boolean {
  return recorded.type !== REQUEST_RECORDED;
}

export function toDomainEvent<Event extends DomainEvent>(recorded: RecordedEvent): Event {
  return { type: recorded.type, data: decodeData(recorded.data) } as Event;
}

export interface Loaded<State> {
  state: State;
  /** The revision to expect when appending the next decision: -1n for a stream that does not exist yet. */
  revision: bigint;
}

/** Snapshots every this many events, so a busy wallet loads in bounded time however long its history. */
const SNAPSHOT_EVERY_EVENTS = 200;
/** Aggregates kept folded in memory per store; the least recently used is dropped beyond this. */
const MAX_CACHED_AGGREGATES = 50_000;

/** Folded states by schema and stream; states are immutable, so a cached one can be handed out as it is. */
const caches = new WeakMap<EventStore, Map<string, Loaded<unknown>>>();

/**
 * Loads an aggregate from its stream through its decider. A state folded before is reused when the stream's
 * revision says nothing was appended since (one indexed lookup), or brought up to date with only the new
 * events; otherwise it is folded from the latest snapshot. `schema` must change whenever the state's shape does.
 * The outcomes of keyed requests recorded in the stream are not the entity's events and are passed over.
 */
export async function loadStored<Command, Event extends DomainEvent, State>(
  store: EventStore,
  stream: string,
  decider: Decider<Command, Event, State>,
  schema: string,
): Promise<Loaded<State>> {
  let cache = caches.get(store);
  if (!cache) caches.set(store, (cache = new Map()));
  const key = `${schema}|${stream}`;
  const cached = cache.get(key) as Loaded<State> | undefined;
  const current = await store.streamRevision(stream);
  let loaded: Loaded<State>;
  if (cached && cached.revision <= current) {
    loaded = cached;
    if (cached.revision < current) {
      let { state, revision } = cached;
      for await (const event of store.readStream(stream, { fromRevision: revision + 1n })) {
        if (isEntityEvent(event)) state = decider.evolve(state, toDomainEvent<Event>(event));
        revision = event.revision;
      }
      loaded = { state, revision };
    }
  } else {
    const snapshots: SnapshotPolicy<State> = {
      schema,
      everyEvents: SNAPSHOT_EVERY_EVENTS,
      encode: (state) => encodeData(state as object),
      decode: (json) => decodeData<State>(json as JsonObject),
    };
    const fold = {
      initialState: decider.initialState,
      evolve: (state: State, event: RecordedEvent) => (isEntityEvent(event) ? decider.evolve(state, toDomainEvent<Event>(event)) : state),
    };
    const { state, revision } = await loadAggregate(store, stream, fold, snapshots);
    loaded = { state, revision };
  }
  cache.delete(key);
  if (cache.size >= MAX_CACHED_AGGREGATES) cache.delete(cache.keys().next().value!);
  cache.set(key, loaded);
  return loaded;
}

/** `-1n` (no stream yet) becomes `'no_stream'`, as the store expects. */
export function expectedAfter(revision: bigint): bigint | 'no_stream' {
  return revision < 0n ? 'no_stream' : revision;
}
