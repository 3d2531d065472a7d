/** Explicit bounds on everything the store accepts or holds, so no input can grow a queue or a batch without limit. */
export const LIMITS = {
  /** Canonical JSON of data plus metadata, in bytes. */
  maxEventBytes: 1024 * 1024,
  /** Canonical JSON of a snapshot's state, in bytes. */
  maxSnapshotBytes: 16 * 1024 * 1024,
  maxEventsPerAppend: 10_000,
  maxStreamsPerAppendMany: 100,
  maxStreamNameLength: 512,
  maxEventTypeLength: 256,
  /** Appends waiting for the writer; beyond this an append is refused rather than queued. */
  maxQueuedAppends: 100_000,
  /** Appends sharing one transaction and one fsync. */
  maxAppendsPerCommit: 1_000,
  maxEventsPerCommit: 20_000,
  /** Rows fetched per read query; readers and subscriptions never hold more than this in memory. */
  readPageSize: 1_000,
  /** How often an idle subscription looks for events written by another process. */
  subscriptionPollMs: 200,
  /** Nesting depth of an event's JSON. */
  maxJsonDepth: 64,
  /** Breaks a verification lists besides the first. */
  maxBreaksReported: 20,
} as const;
