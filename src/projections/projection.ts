import { decodeData } from '../domain/event-codec';
import type { JsonObject, RecordedEvent } from '../eventstore';
import type { CollectionSpec } from './read-store';

/**
 * A read model: the event types it reads and how one event changes its documents. `apply` must be a pure
 * function of the event and the documents it reads, and every document it writes must follow from that
 * document's own previous body and the event (a running total lives in the document it totals). That rule is
 * what lets a store without transactions replay a half-written batch: a document already at the event's
 * position ignores the write, and nothing else was derived from it.
 */
export interface ProjectionDefinition {
  /** Lower-case letters and underscores; it names the collections' versions and the checkpoint. */
  name: string;
  description: string;
  collections: readonly CollectionSpec[];
  /** The types `apply` is called for; the checkpoint moves past every other event too. */
  eventTypes: readonly string[];
  apply(event: RecordedEvent, view: ProjectionView): Promise<void>;
}

/** What `apply` sees: documents by logical collection name, with the batch's own writes visible. */
export interface ProjectionView {
  get(collection: string, id: string): Promise<JsonObject | undefined>;
  /** Writes a document as of the event being applied. Read it first unless it is written once and never changed. */
  put(collection: string, id: string, body: JsonObject): void;
  /**
   * A document decoded by the codec's naming rule (fields ending in Fen or PerTenK are bigint). A document read
   * and written by several events of a batch is decoded once and encoded once, so treat it as immutable.
   */
  read<T extends object>(collection: string, id: string): Promise<T | undefined>;
  /** Writes a decoded document, encoded when the batch is written. */
  write(collection: string, id: string, value: object): void;
}

const decodedData = new WeakMap<RecordedEvent, unknown>();

/** An event's data decoded once however many projections read it (the same RecordedEvent reaches them all). */
export function eventData<T>(event: RecordedEvent): T {
  let data = decodedData.get(event);
  if (data === undefined) decodedData.set(event, (data = decodeData(event.data)));
  return data as T;
}

/** The physical name of a collection in one version of its projection, so a rebuild can write beside the served one. */
export function versionedCollection(collection: string, version: number): string {
  return `${collection}_v${version}`;
}

/** The checkpoint key of one version of a projection. */
export function checkpointKey(projection: string, version: number): string {
  return `${projection}@v${version}`;
}
