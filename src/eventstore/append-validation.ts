import { randomUUID } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import type { EventInput, ExpectedRevision, StreamAppend } from './event-store';
import { InvalidEventError, InvalidRevisionError, LimitExceededError, PayloadTooLargeError } from './errors';
import { LIMITS } from './limits';

/** An event checked at the edge of the store and turned into the canonical text that is stored and hashed. */
export interface PreparedEvent {
  id: string;
  type: string;
  dataJson: string;
  metadataJson: string;
}

export interface PreparedAppend {
  stream: string;
  events: PreparedEvent[];
  expectedRevision: ExpectedRevision;
}

/** Snapshots live in streams under this prefix on EventStoreDB, so no backend accepts it for events. */
export const SNAPSHOT_STREAM_PREFIX = 'ifw-snapshot-';
/** The metadata key under which EventStoreDB events carry their chain link; callers may not set it. */
export const CHAIN_METADATA_KEY = '$ifw';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function prepareAppend(stream: string, events: readonly EventInput[], expectedRevision: unknown): PreparedAppend {
  checkStreamName(stream);
  const expected = checkExpectedRevision(expectedRevision ?? 'any', 'expectedRevision');
  if (!Array.isArray(events) || events.length === 0) {
    throw new InvalidEventError(`an append to "${stream}" needs a non-empty array of events`);
  }
  if (events.length > LIMITS.maxEventsPerAppend) {
    throw new LimitExceededError(
      `an append to "${stream}" carries ${events.length} events, over the limit of ${LIMITS.maxEventsPerAppend}: split it`,
    );
  }
  return { stream, expectedRevision: expected, events: events.map((event, i) => prepareEvent(stream, event, i)) };
}

export function prepareAppendMany(appends: readonly StreamAppend[]): PreparedAppend[] {
  if (!Array.isArray(appends) || appends.length === 0) throw new InvalidEventError('appendMany needs a non-empty array of appends');
  if (appends.length > LIMITS.maxStreamsPerAppendMany) {
    throw new LimitExceededError(`appendMany touches ${appends.length} streams, over the limit of ${LIMITS.maxStreamsPerAppendMany}`);
  }
  const prepared = appends.map((a) => prepareAppend(a.stream, a.events, a.expectedRevision));
  const seen = new Set<string>();
  for (const { stream } of prepared) {
    if (seen.has(stream)) throw new InvalidEventError(`appendMany names stream "${stream}" twice: merge its events into one entry`);
    seen.add(stream);
  }
  return prepared;
}

function prepareEvent(stream: string, event: EventInput, index: number): PreparedEvent {
  if (typeof event !== 'object' || event === null) throw new InvalidEventError(`event ${index} for "${stream}" is not an object`);
  const { id = randomUUID(), type, data, metadata = {} } = event;
  if (typeof id !== 'string' || !UUID.test(id)) throw new InvalidEventError(`event ${index} for "${stream}" has id ${String(id)}, which is not a UUID`);
  if (typeof type !== 'string' || type.length === 0 || type.length > LIMITS.maxEventTypeLength) {
    throw new InvalidEventError(`event ${index} for "${stream}" needs a type: a string of 1 to ${LIMITS.maxEventTypeLength} characters`);
  }
  if (!isPlainObject(data)) throw new InvalidEventError(`event ${index} (${type}) for "${stream}": data must be a JSON object`);
  if (!isPlainObject(metadata)) throw new InvalidEventError(`event ${index} (${type}) for "${stream}": metadata must be a JSON object`);
  if (Object.prototype.hasOwnProperty.call(metadata, CHAIN_METADATA_KEY)) {
    throw new InvalidEventError(`event ${index} (${type}) for "${stream}": metadata key ${CHAIN_METADATA_KEY} is reserved for the hash chain`);
  }
  const dataJson = canonicalJson(data, `${type}.data`);
  const metadataJson = canonicalJson(metadata, `${type}.metadata`);
  // A UTF-16 length of n is at most 3n UTF-8 bytes: only texts that might be over the limit are measured.
  const approxChars = dataJson.length + metadataJson.length;
  if (approxChars * 3 > LIMITS.maxEventBytes) {
    const bytes = Buffer.byteLength(dataJson) + Buffer.byteLength(metadataJson);
    if (bytes > LIMITS.maxEventBytes) throw new PayloadTooLargeError(stream, type, bytes, LIMITS.maxEventBytes);
  }
  return { id: id.toLowerCase(), type, dataJson, metadataJson };
}

export function checkStreamName(stream: unknown): asserts stream is string {
  if (typeof stream !== 'string' || stream.length === 0 || stream.length > LIMITS.maxStreamNameLength) {
    throw new InvalidEventError(`a stream name must be a string of 1 to ${LIMITS.maxStreamNameLength} characters; got ${JSON.stringify(stream)}`);
  }
  if (stream.startsWith('$') || stream.startsWith(SNAPSHOT_STREAM_PREFIX)) {
    throw new InvalidEventError(`stream "${stream}": names starting with $ or ${SNAPSHOT_STREAM_PREFIX} are reserved for the store`);
  }
}

export function checkExpectedRevision(value: unknown, what: string): ExpectedRevision {
  if (value === 'any' || value === 'no_stream' || value === 'stream_exists') return value;
  if (typeof value === 'bigint' && value >= 0n) return value;
  throw new InvalidRevisionError(what, value);
}

/** Checks a revision or position given to a read: a non-negative bigint. */
export function checkNonNegative(value: unknown, what: string): bigint {
  if (typeof value === 'bigint' && value >= 0n) return value;
  throw new InvalidRevisionError(what, value, 'a non-negative bigint');
}

export function checkMaxCount(value: unknown): number {
  if (value === undefined) return Number.MAX_SAFE_INTEGER;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw new InvalidEventError(`maxCount must be a non-negative integer; got ${String(value)}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
