/**
 * The event store port. Its semantics are EventStoreDB's, so the embedded SQLite adapter and the
 * EventStoreDB adapter are interchangeable and one conformance suite (test/eventstore) holds both to it.
 */

import type { StoreWriteFailure } from './errors';

/** A JSON value as stored: no bigint, no undefined, no NaN, no functions. Money travels as strings. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** What a caller appends. `id` (a UUID) makes the append idempotent; one is generated when absent. */
export interface EventInput {
  id?: string;
  type: string;
  data: JsonObject;
  metadata?: JsonObject;
}

/**
 * What a reader gets back. `position` is global and increases in commit order, but it is opaque: on
 * EventStoreDB it is a log offset with gaps, so resume from a checkpoint with subscribeToAll (exclusive),
 * never by computing `position + 1n`.
 */
export interface RecordedEvent {
  id: string;
  stream: string;
  type: string;
  /** 0-based and gapless per stream. */
  revision: bigint;
  position: bigint;
  data: JsonObject;
  metadata: JsonObject;
  recordedAt: Date;
  /** sha256 (hex) of the previous event's hash in this stream ‖ this event in canonical form. */
  hash: string;
}

/**
 * Brings an event read from the log to today's shape (the domain's upcasters, injected: the store knows no event
 * types). Reads apply it to every event they hand out; verification and snapshots' seals work on the stored text.
 */
export type EventUpcaster = (event: RecordedEvent) => RecordedEvent;

/** The upcaster of a store opened without one: events are handed out as stored. */
export const asStored: EventUpcaster = (event) => event;

/**
 * `'any'` appends whatever the stream holds (on EventStoreDB the adapter must read the stream's tail to
 * extend its hash chain, so under heavy contention `'any'` can still fail after a bounded number of retries); `'no_stream'` only to a stream that does not exist;
 * `'stream_exists'` only to one that does; a bigint only when that is the revision of the stream's last event.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

export interface AppendOptions {
  expectedRevision?: ExpectedRevision;
}

export interface AppendResult {
  /** The revision of the stream's last event after the append: pass it as the next expectedRevision. */
  nextRevision: bigint;
  /** The global position of the last event of this append. */
  position: bigint;
}

export interface StreamAppend {
  stream: string;
  events: readonly EventInput[];
  expectedRevision?: ExpectedRevision;
}

export interface AppendManyResult {
  streams: { stream: string; nextRevision: bigint }[];
  position: bigint;
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  /** Inclusive. Default: the first event when reading forwards, the last when reading backwards. */
  fromRevision?: bigint | 'start' | 'end';
  direction?: Direction;
  maxCount?: number;
}

export interface EventFilter {
  /** An event passes when its stream name starts with any of these. */
  streamPrefixes?: readonly string[];
  /** An event passes when its type is one of these. */
  eventTypes?: readonly string[];
}

export interface ReadAllOptions {
  /** Inclusive, as EventStoreDB's readAll. Default: the start of the log. */
  fromPosition?: bigint | 'start';
  maxCount?: number;
  filter?: EventFilter;
}

export interface SubscribeToAllOptions {
  /** Exclusive, as EventStoreDB's subscribeToAll: the subscription delivers events after it. */
  fromPosition?: bigint | 'start' | 'end';
  filter?: EventFilter;
}

/** Catches up from its position, then delivers live events; iterate it, and close it when done. */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

/** A cached fold of a stream up to `revision`; derived data, never a source of truth. */
export interface Snapshot {
  revision: bigint;
  /** Names the shape of `state`; a loader ignores snapshots of any other schema and replays instead. */
  schema: string;
  state: JsonValue;
}

/**
 * What was done to the log: an event changed (`edited`), one or more gone (`removed`), events out of their
 * order (`reordered`), the log rewritten and chained again with the public hash functions, found by an anchor
 * or a keyed checkpoint (`re-chained`), a snapshot that is not the fold of its stream (`snapshot-forged`).
 */
export type ChainDamage = 'edited' | 'removed' | 'reordered' | 're-chained' | 'snapshot-forged';

export interface ChainBreak {
  kind: ChainDamage;
  /** Empty when the damage is to the log as a whole (positions missing, a checkpoint that does not verify). */
  stream: string;
  revision: bigint;
  position: bigint;
  reason: string;
}

/** The log's last position and its link in the log's chain: what an auditor keeps elsewhere as an anchor. */
export interface LogHead {
  position: bigint;
  hash: string;
}

export interface ChainReport {
  ok: boolean;
  eventsChecked: number;
  streamsChecked: number;
  /** The break with the lowest global position, when the chain is not intact. */
  firstBreak?: ChainBreak;
  /** The first breaks found, in position order (at most `LIMITS.maxBreaksReported`): one damage often shows twice, as a hole and as a move. */
  breaks?: ChainBreak[];
  /** The log's head as the log's chain has it; absent on a store that keeps no log chain (EventStoreDB). */
  head?: LogHead;
  /** The keyed checkpoints checked (by a store opened with the audit key), and the last position they vouch for. */
  checkpoints?: { checked: number; lastPosition: bigint | null };
  /** Snapshots checked against their seal and stream (and by `checkSnapshot`). */
  snapshotsChecked?: number;
}

export interface VerifyOptions {
  /** Called every few thousand events so long verifications can show progress. */
  onProgress?: (eventsChecked: number) => void;
  /** The log's head at some earlier time, kept elsewhere: the log up to it must be unchanged since. */
  anchor?: LogHead;
  /**
   * Folds the snapshot's stream up to its revision and compares: the reason it is not that fold, or undefined.
   * A seal made without the audit key can be recomputed by whoever edits the table; this cannot be fooled.
   */
  checkSnapshot?: (stream: string, snapshot: Snapshot) => Promise<string | undefined>;
}

export interface EventStore {
  append(stream: string, events: readonly EventInput[], options?: AppendOptions): Promise<AppendResult>;
  /** Appends to several streams atomically: every expected revision holds and all are written, or nothing is. */
  appendMany(appends: readonly StreamAppend[]): Promise<AppendManyResult>;
  readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  subscribeToAll(options?: SubscribeToAllOptions): Subscription;
  /** The revision of the stream's last event, or -1n when the stream does not exist: a cheap freshness check. */
  streamRevision(stream: string): Promise<bigint>;
  /** The position of the last event in the log, or -1n when the log is empty. */
  lastPosition(): Promise<bigint>;
  saveSnapshot(stream: string, snapshot: Snapshot): Promise<void>;
  loadSnapshot(stream: string): Promise<Snapshot | undefined>;
  verifyStream(stream: string): Promise<ChainReport>;
  verifyAll(options?: VerifyOptions): Promise<ChainReport>;
  /** The log's head in its chain, to keep elsewhere as an anchor; LogChainUnavailableError on EventStoreDB. */
  logHead(): Promise<LogHead>;
  /** Why writes are refused now (a full disk, read-only files, a server away), or undefined while they land. */
  writeFailure(): Promise<StoreWriteFailure | undefined>;
  close(): Promise<void>;
}
