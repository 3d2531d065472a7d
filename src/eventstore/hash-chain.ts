import { createHash, createHmac, hash } from 'node:crypto';

/** The "previous hash" of a stream's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** The parts of an event the chain covers; `dataJson` and `metadataJson` are canonical JSON text. */
export interface ChainedEvent {
  stream: string;
  /** A number where the walk reads it from a row: the text hashed is the same. */
  revision: bigint | number;
  id: string;
  type: string;
  recordedAtMs: number;
  dataJson: string;
  metadataJson: string;
}

/** hash = sha256(previous hash ‖ canonical event): changing, removing or reordering any event breaks every later link. */
export function chainHash(previousHash: string, event: ChainedEvent): string {
  const header = JSON.stringify([event.stream, String(event.revision), event.id, event.type, event.recordedAtMs]);
  // The one-shot hash of the joined text: the same bytes as one update per part, at half the cost per event.
  return hash('sha256', `${previousHash}\n${header}\n${event.dataJson}\n${event.metadataJson}`, 'hex');
}

/**
 * The log's own chain, over global positions: each event's link covers its position and its stream chain's
 * hash, so a removed stream, a reordered event or a dropped half of a change across streams breaks it even
 * where every stream's chain still holds.
 */
export function logChainHash(previousLogHash: string, position: bigint | number, streamHash: string): string {
  return hash('sha256', `${previousLogHash}\n${position}\n${streamHash}`, 'hex');
}

/**
 * A keyed checkpoint of the log's head: without the key, someone who rewrites the log and re-chains it with
 * the public hash functions cannot make checkpoints that still verify.
 */
export function checkpointMac(key: string, position: bigint, logHash: string): string {
  return createHmac('sha256', key).update(`${position.toString()}\n${logHash}`).digest('hex');
}

/**
 * The seal of a snapshot: it binds the state to the stream's chain at the snapshot's revision. With the audit
 * key it is an HMAC (`k:`), which someone editing the table cannot make; without one a hash (`h:`), which
 * catches an edit that did not also recompute it (a verification folds the stream to catch the rest).
 */
export function snapshotSeal(key: string | undefined, snapshot: { stream: string; revision: bigint; schema: string; stateJson: string; streamHash: string }): string {
  const text = `${JSON.stringify([snapshot.stream, snapshot.revision.toString(), snapshot.schema, snapshot.streamHash])}\n${snapshot.stateJson}`;
  return key === undefined ? `h:${createHash('sha256').update(text).digest('hex')}` : `k:${createHmac('sha256', key).update(text).digest('hex')}`;
}
