import type { ExpectedRevision } from './event-store';

/** Every failure the store reports on purpose carries a stable `code` and a message that says what to do. */
export abstract class EventStoreError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class WrongExpectedRevisionError extends EventStoreError {
  readonly code = 'WRONG_EXPECTED_REVISION';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** The revision of the stream's last event, or -1n when the stream does not exist. */
    readonly actual: bigint,
  ) {
    super(
      `stream "${stream}" is at revision ${actual === -1n ? 'none (no stream)' : actual} but the append expected ` +
        `${describeExpected(expected)}: read the stream again and retry the decision`,
    );
  }
}

function describeExpected(expected: ExpectedRevision): string {
  return typeof expected === 'bigint' ? `revision ${expected}` : `'${expected}'`;
}

export class UnsupportedEventStoreUrlError extends EventStoreError {
  readonly code = 'UNSUPPORTED_EVENT_STORE_URL';
  constructor(url: string, reason = 'use sqlite:PATH, sqlite::memory: or esdb://HOST:PORT?tls=false') {
    super(`cannot open event store "${url}": ${reason}`);
  }
}

export class CorruptDatabaseError extends EventStoreError {
  readonly code = 'CORRUPT_DATABASE';
  constructor(path: string, cause: string) {
    super(`"${path}" is not a readable IFW event store (${cause}): restore it from a backup or point --data elsewhere`);
  }
}

export class DatabaseTooNewError extends EventStoreError {
  readonly code = 'DATABASE_TOO_NEW';
  constructor(path: string, fileSchema: number, supportedSchema: number) {
    super(
      `"${path}" has schema version ${fileSchema} but this IFW reads up to ${supportedSchema}: ` +
        `upgrade IFW to open it (nothing was changed in the file)`,
    );
  }
}

export class InvalidEventError extends EventStoreError {
  readonly code = 'INVALID_EVENT';
}

export class PayloadTooLargeError extends EventStoreError {
  readonly code = 'PAYLOAD_TOO_LARGE';
  constructor(stream: string, eventType: string, bytes: number, limitBytes: number) {
    super(
      `event "${eventType}" for stream "${stream}" is ${bytes} bytes, over the ${limitBytes}-byte limit: ` +
        `store large documents elsewhere and reference them from the event`,
    );
  }
}

export class InvalidRevisionError extends EventStoreError {
  readonly code = 'INVALID_REVISION';
  constructor(what: string, value: unknown, allowed = "a non-negative bigint or one of 'any', 'no_stream', 'stream_exists'") {
    super(`${what} must be ${allowed}; got ${String(value)} (${typeof value})`);
  }
}

export class LimitExceededError extends EventStoreError {
  readonly code = 'LIMIT_EXCEEDED';
}

export class StoreClosedError extends EventStoreError {
  readonly code = 'STORE_CLOSED';
  constructor() {
    super('the event store is closed: open it again with openEventStore(url)');
  }
}

export class AppendManyUnsupportedError extends EventStoreError {
  readonly code = 'APPEND_MANY_UNSUPPORTED';
  constructor(backend: string) {
    super(
      `${backend} cannot append to several streams in one transaction: model the operation as a process ` +
        `with a recorded in-transit state instead (see docs/eventstore-esdb.md)`,
    );
  }
}

/** EventStoreDB's $all is written by concurrent appends: no process sees every event in order to chain it. */
export class LogChainUnavailableError extends EventStoreError {
  readonly code = 'LOG_CHAIN_UNAVAILABLE';
  constructor(what: string) {
    super(`${what} needs the log's chain, which only the embedded store keeps; EventStoreDB's own $all is append-only`);
  }
}

/** A store opened read-only (to verify it) must exist: nothing is ever created for a verification. */
export class StoreNotFoundError extends EventStoreError {
  readonly code = 'STORE_NOT_FOUND';
  constructor(path: string) {
    super(`there is no event store at ${path}: check the path (nothing was created)`);
  }
}

/**
 * The store cannot write: its disk is full, its files are read-only, or the disk failed. An operating error,
 * not a bug: nothing was written, and the same request succeeds once the cause is removed (no restart needed).
 */
export class StoreUnavailableError extends EventStoreError {
  readonly code = 'STORE_UNAVAILABLE';
  constructor(readonly reason: StoreWriteFailure['reason'], detail: string) {
    super(`the event store cannot write (${STORE_FAILURE_WORDS[reason]}): ${detail}`);
  }
}

/** Why writes fail, as GET /ready and the problem of a refused write say it. */
export interface StoreWriteFailure {
  reason: 'disk-full' | 'read-only' | 'disk-error' | 'unreachable';
  detail: string;
  sinceMs: number;
}

export const STORE_FAILURE_WORDS: Record<StoreWriteFailure['reason'], string> = {
  'disk-full': 'its disk is full',
  'read-only': 'its files are read-only',
  'disk-error': 'its disk reported an error',
  unreachable: 'the server does not answer',
};
