/**
 * The parts of the EventStoreDB adapter that need no server: how an IFW event and its hash-chain link are
 * laid out in EventStoreDB's event and metadata, how the port's expected revisions and filters map onto the
 * client's, and how a stored event is checked against its chain. Kept apart so they can be unit-tested.
 */
import { CHAIN_METADATA_KEY, type PreparedEvent, SNAPSHOT_STREAM_PREFIX } from '../append-validation';
export { SNAPSHOT_STREAM_PREFIX };
import { canonicalJson } from '../canonical-json';
import type { ChainBreak, EventFilter, ExpectedRevision, JsonObject, JsonValue, RecordedEvent, Snapshot } from '../event-store';
import { InvalidEventError, InvalidRevisionError } from '../errors';
import { GENESIS_HASH, chainHash } from '../hash-chain';
import { LIMITS } from '../limits';

/** The metadata key under which the adapter keeps an event's chain link; callers may not use it. */
export const IFW_METADATA_KEY = CHAIN_METADATA_KEY;
export const SNAPSHOT_EVENT_TYPE = 'Snapshot';

/**
 * What servers before 22.6 put in the position of an event read from a stream (the index does not know it);
 * the gRPC field is an unsigned 64-bit integer, so "none" arrives as its maximum.
 */
const NO_POSITION = 2n ** 64n - 1n;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The fields of the client's recorded event this module reads; the client's own type is a wider union. */
export interface StoredEvent {
  streamId: string;
  id: string;
  type: string;
  revision: bigint;
  isJson: boolean;
  data: unknown;
  metadata: unknown;
  position?: { commit: bigint; prepare: bigint };
}

/** An event about to be written: `metadata` is the caller's metadata plus the chain link. */
export interface OutgoingEvent {
  id: string;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
}

/** A prepared event with its JSON parsed once, so retries of an append do not parse it again. */
export interface ParsedEvent extends PreparedEvent {
  data: JsonObject;
  userMetadata: JsonObject;
}

export interface StreamTail {
  /** -1n when the stream does not exist. */
  revision: bigint;
  hash: string;
}

export function isSnapshotStream(stream: string): boolean {
  return stream.startsWith(SNAPSHOT_STREAM_PREFIX);
}

export function snapshotStreamOf(stream: string): string {
  return SNAPSHOT_STREAM_PREFIX + stream;
}

/** Streams whose events are part of IFW's log: not EventStoreDB's own ($…, $$… metadata) and not snapshots. */
export function isLogStream(stream: string): boolean {
  return !stream.startsWith('$') && !isSnapshotStream(stream);
}

export function parseForEsdb(events: readonly PreparedEvent[]): ParsedEvent[] {
  return events.map((event) => {
    // prepareAppend already refused CHAIN_METADATA_KEY in caller metadata.
    const userMetadata = JSON.parse(event.metadataJson) as JsonObject;
    return { ...event, data: JSON.parse(event.dataJson) as JsonObject, userMetadata };
  });
}

/** Links the events to the stream's current tail; the hashes cover exactly what the SQLite adapter hashes. */
export function chainOutgoing(stream: string, tail: StreamTail, recordedAtMs: number, events: readonly ParsedEvent[]): OutgoingEvent[] {
  let previousHash = tail.revision < 0n ? GENESIS_HASH : tail.hash;
  return events.map((event, i) => {
    const hash = chainHash(previousHash, {
      stream,
      revision: tail.revision + 1n + BigInt(i),
      id: event.id,
      type: event.type,
      recordedAtMs,
      dataJson: event.dataJson,
      metadataJson: event.metadataJson,
    });
    previousHash = hash;
    return {
      id: event.id,
      type: event.type,
      data: event.data,
      metadata: { ...event.userMetadata, [IFW_METADATA_KEY]: { hash, recordedAtMs } },
    };
  });
}

export type Decoded = { ok: true; event: RecordedEvent } | { ok: false; reason: string };

/** Turns a stored event back into the port's shape, or says why it is not an event IFW wrote. */
export function decodeStored(raw: StoredEvent, position: bigint): Decoded {
  if (!raw.isJson) return { ok: false, reason: 'the event is not JSON' };
  if (!isPlainObject(raw.data)) return { ok: false, reason: 'the event data is not a JSON object' };
  if (!isPlainObject(raw.metadata)) return { ok: false, reason: 'the event carries no IFW hash metadata' };
  const { [IFW_METADATA_KEY]: link, ...metadata } = raw.metadata;
  if (!isPlainObject(link)) return { ok: false, reason: 'the event carries no IFW hash metadata' };
  const { hash, recordedAtMs } = link;
  if (typeof hash !== 'string' || !SHA256_HEX.test(hash)) return { ok: false, reason: 'the event\'s stored hash is malformed' };
  if (typeof recordedAtMs !== 'number' || !Number.isSafeInteger(recordedAtMs)) {
    return { ok: false, reason: 'the event\'s recorded time is malformed' };
  }
  return {
    ok: true,
    event: {
      id: raw.id.toLowerCase(),
      stream: raw.streamId,
      type: raw.type,
      revision: raw.revision,
      position,
      data: raw.data,
      metadata,
      recordedAt: new Date(recordedAtMs),
      hash,
    },
  };
}

/** The event's global position, or undefined when the server did not report one. */
export function positionOf(raw: StoredEvent): bigint | undefined {
  const commit = raw.position?.commit;
  return commit === undefined || commit === NO_POSITION ? undefined : commit;
}

/** EventStoreDB reads $all from a (commit, prepare) pair; for every event it writes today the two are equal. */
export function toReadPosition(position: bigint): { commit: bigint; prepare: bigint } {
  return { commit: position, prepare: position };
}

/** Where a stream's chain has got to while it is being verified. */
export interface ChainCursor {
  nextRevision: bigint;
  previousHash: string;
}

export const CHAIN_START: ChainCursor = { nextRevision: 0n, previousHash: GENESIS_HASH };

export type LinkCheck = { ok: true; cursor: ChainCursor } | { ok: false; chainBreak: ChainBreak };

/** Checks one stored event against its stream's chain so far: its revision follows on and its hash recomputes. */
export function checkLink(cursor: ChainCursor, raw: StoredEvent, position: bigint): LinkCheck {
  const broken = (reason: string, kind: ChainBreak['kind'] = 'edited'): LinkCheck => ({
    ok: false,
    chainBreak: { kind, stream: raw.streamId, revision: raw.revision, position, reason },
  });
  if (raw.revision !== cursor.nextRevision) {
    return broken(`revision ${cursor.nextRevision} is missing: the next stored revision is ${raw.revision}`, 'removed');
  }
  const decoded = decodeStored(raw, position);
  if (!decoded.ok) return broken(`${decoded.reason}: it was written outside IFW or altered`);
  const { event } = decoded;
  let dataJson: string;
  let metadataJson: string;
  try {
    dataJson = canonicalJson(event.data, `${event.type}.data`);
    metadataJson = canonicalJson(event.metadata, `${event.type}.metadata`);
  } catch (error) {
    return broken(`the event cannot be put in canonical form (${(error as Error).message})`);
  }
  const recomputed = chainHash(cursor.previousHash, {
    stream: event.stream,
    revision: event.revision,
    id: event.id,
    type: event.type,
    recordedAtMs: event.recordedAt.getTime(),
    dataJson,
    metadataJson,
  });
  if (recomputed !== event.hash) return broken('the event does not match its hash: it was altered, or an earlier one was');
  return { ok: true, cursor: { nextRevision: raw.revision + 1n, previousHash: event.hash } };
}

/** Whether a stream whose last revision is `actual` (-1n: no stream) satisfies the caller's expectation. */
export function expectationHolds(expected: ExpectedRevision, actual: bigint): boolean {
  if (expected === 'any') return true;
  if (expected === 'stream_exists') return actual >= 0n;
  if (expected === 'no_stream') return actual === -1n;
  return actual === expected;
}

/** The revision an exact expectation names: 'no_stream' is "the last revision is -1". */
export function exactRevision(expected: bigint | 'no_stream'): bigint {
  return expected === 'no_stream' ? -1n : expected;
}

/** The concrete expectation the adapter sends, so the server refuses the write if the tail it hashed against moved. */
export function esdbExpectedFor(tailRevision: bigint): bigint | 'no_stream' {
  return tailRevision < 0n ? 'no_stream' : tailRevision;
}

/** Event ids compare case-insensitively: the port lowercases them, the server may not echo them in that case. */
export function sameIds(stored: readonly string[], incoming: readonly string[]): boolean {
  return stored.length === incoming.length && stored.every((id, i) => id.toLowerCase() === incoming[i]!.toLowerCase());
}

export interface CheckedFilter {
  streamPrefixes: readonly string[];
  eventTypes: readonly string[];
}

/** The same rules as the SQLite adapter: empty or absent lists do not filter, entries are non-empty strings. */
export function checkFilter(filter: EventFilter | undefined): CheckedFilter {
  if (filter !== undefined && (typeof filter !== 'object' || filter === null)) throw new InvalidEventError('filter must be an object');
  const streamPrefixes = filter?.streamPrefixes ?? [];
  const eventTypes = filter?.eventTypes ?? [];
  if (!Array.isArray(streamPrefixes) || !streamPrefixes.every((p) => typeof p === 'string' && p.length > 0)) {
    throw new InvalidEventError('filter.streamPrefixes must be an array of non-empty strings');
  }
  if (!Array.isArray(eventTypes) || !eventTypes.every((t) => typeof t === 'string' && t.length > 0)) {
    throw new InvalidEventError('filter.eventTypes must be an array of non-empty strings');
  }
  if (streamPrefixes.length + eventTypes.length > 100) throw new InvalidEventError('a filter names at most 100 prefixes and types in all');
  return { streamPrefixes, eventTypes };
}

export function passesFilter(stream: string, type: string, filter: CheckedFilter): boolean {
  if (filter.streamPrefixes.length > 0 && !filter.streamPrefixes.some((prefix) => stream.startsWith(prefix))) return false;
  return filter.eventTypes.length === 0 || filter.eventTypes.includes(type);
}

/** Turns a stored event read from $all into a log event, or undefined when it is not one or the filter drops it. */
export function decodeLogEvent(raw: StoredEvent | undefined, filter: CheckedFilter): RecordedEvent | undefined {
  if (raw === undefined || !isLogStream(raw.streamId) || !passesFilter(raw.streamId, raw.type, filter)) return undefined;
  const position = positionOf(raw);
  if (position === undefined) return undefined;
  const decoded = decodeStored(raw, position);
  return decoded.ok ? decoded.event : undefined;
}

/**
 * The filter a subscription asks the server for. The server applies one filter, on stream names or on event
 * types, so when both are given the stream prefixes go to the server and the types are checked here (every
 * event is checked here anyway). Event types go as an anchored regex because the server's type "prefixes"
 * would let `Deposit` through for `DepositReversed`. With no filter, system streams are excluded by stream
 * name rather than with the client's excludeSystemEvents, which filters on event type and would also drop
 * IFW events whose type happens to start with $.
 */
export type ServerFilter =
  | { on: 'streamName'; prefixes: string[] }
  | { on: 'streamName'; regex: string }
  | { on: 'eventType'; regex: string };

export function serverFilterFor(filter: CheckedFilter): ServerFilter {
  if (filter.streamPrefixes.length > 0) return { on: 'streamName', prefixes: [...filter.streamPrefixes] };
  if (filter.eventTypes.length > 0) return { on: 'eventType', regex: `^(?:${filter.eventTypes.map(escapeRegex).join('|')})$` };
  return { on: 'streamName', regex: '^[^$]' };
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Validates a snapshot as the SQLite adapter does and lays it out as event data (bigint as a decimal string). */
export function snapshotData(snapshot: Snapshot): JsonObject {
  if (typeof snapshot !== 'object' || snapshot === null) throw new InvalidEventError('a snapshot must be an object');
  if (typeof snapshot.revision !== 'bigint' || snapshot.revision < 0n) {
    throw new InvalidRevisionError('snapshot.revision', snapshot.revision, 'a non-negative bigint');
  }
  if (typeof snapshot.schema !== 'string' || snapshot.schema.length === 0) throw new InvalidEventError('snapshot.schema must be a non-empty string');
  const state = canonicalJson(snapshot.state, 'snapshot.state');
  if (state.length * 3 > LIMITS.maxSnapshotBytes && Buffer.byteLength(state) > LIMITS.maxSnapshotBytes) {
    throw new InvalidEventError(`the snapshot is over ${LIMITS.maxSnapshotBytes} bytes`);
  }
  return { revision: snapshot.revision.toString(), schema: snapshot.schema, state: JSON.parse(state) as JsonValue };
}

/** A stored snapshot, or undefined when it is not one this adapter wrote: snapshots are derived, so the loader replays. */
export function parseSnapshot(raw: StoredEvent): Snapshot | undefined {
  if (!raw.isJson || raw.type !== SNAPSHOT_EVENT_TYPE || !isPlainObject(raw.data)) return undefined;
  const { revision, schema, state } = raw.data;
  if (typeof revision !== 'string' || !/^\d+$/.test(revision) || typeof schema !== 'string' || state === undefined) return undefined;
  return { revision: BigInt(revision), schema, state };
}

/** JSON objects come from JSON.parse, so a non-null, non-array object is a JsonObject. */
function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}
