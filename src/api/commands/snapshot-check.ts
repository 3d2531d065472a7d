import { type EventStore, type Snapshot, type VerifyOptions, canonicalJson } from '../../eventstore';
import { encodeData } from '../../domain/event-codec';
import { ENTITIES, RETIRED_SNAPSHOT_SCHEMAS } from './aggregates';
import { foldStreamTo } from '../audit/stream-entity';

/**
 * A verification's check of each snapshot: its stream folded up to the snapshot's revision by its entity's
 * decider, encoded as snapshots are, must be the snapshot's state. This is what a seal without the audit key
 * cannot promise: whoever edits the table can recompute such a seal, not this fold.
 */
export function snapshotFoldCheck(store: EventStore): NonNullable<VerifyOptions['checkSnapshot']> {
  const bySchema = new Map(ENTITIES.map((aggregate) => [aggregate.schema, aggregate]));
  return async (stream: string, snapshot: Snapshot) => {
    const aggregate = bySchema.get(snapshot.schema);
    if (!aggregate && RETIRED_SNAPSHOT_SCHEMAS.has(snapshot.schema)) return undefined;
    if (!aggregate) return `the snapshot's schema ${snapshot.schema} is no entity's`;
    const state = await foldStreamTo(store, stream, aggregate, snapshot.revision);
    const folded = canonicalJson(encodeData(state as object), 'the folded state');
    return folded === canonicalJson(snapshot.state, 'the snapshot state') ? undefined : `the snapshot is not the fold of ${stream} up to revision ${snapshot.revision}: its state was forged`;
  };
}
