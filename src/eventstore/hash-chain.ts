import { createHash } from 'node:crypto';

/** The "previous hash" of a stream's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** The parts of an event the chain covers; `dataJson` and `metadataJson` are canonical JSON text. */
export interface ChainedEvent {
  stream: string;
  revision: bigint;
  id: string;
  type: string;
  recordedAtMs: number;
  dataJson: string;
  metadataJson: string;
}

/** hash = sha256(previous hash ‖ canonical event): changing, removing or reordering any event breaks every later link. */
export function chainHash(previousHash: string, event: ChainedEvent): string {
  const header = JSON.stringify([event.stream, event.revision.toString(), event.id, event.type, event.recordedAtMs]);
  return createHash('sha256')
    .update(previousHash)
    .update('\n')
    .update(header)
    .update('\n')
    .update(event.dataJson)
    .update('\n')
    .update(event.metadataJson)
    .digest('hex');
}
