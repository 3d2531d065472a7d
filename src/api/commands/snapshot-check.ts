import { type EventStore, type Snapshot, type VerifyOptions, canonicalJson } from '../../eventstore';
import { encodeData } from '../../domain/event-codec';
import { CALENDAR, FUND, FUND_HOLDERS, PARTY, POSITION, REGISTRY, WALLET } from './aggregates';
import type { Aggregate } from './decide-command';
import { foldStreamTo } from '../audit/stream-entity';
import type { DomainEvent } from './stored-aggregate';

const AGGREGATES: readonly Aggregate<unknown, DomainEvent, unknown>[] = [WALLET, POSITION, FUND, FUND_HOLDERS, PARTY, REGISTRY, CALENDAR] as never;

/**
 * A verification's check of each snapshot: its stream folded up to the snapshot's revision by its entity's
 * decider, encoded as snapshots are, must be the snapshot's state. This is what a seal without the audit key
 * cannot promise: whoever edits the table can recompute such a seal, not this fold.
 */
export function snapshotFoldCheck(store: EventStore): NonNullable<VerifyOptions['checkSnapshot']> {
  const bySchema = new Map(AGGREGATES.map((aggregate) => [aggregate.schema, aggregate]));
  return async (stream: string, snapshot: Snapshot) => {
    const aggregate = bySchema.get(snapshot.schema);
    if (!aggregate) return `the snapshot's schema ${snapshot.schema} is no entity's`;
    const state = await foldStreamTo(store, stream, aggregate, snapshot.revision);
    const folded = canonicalJson(encodeData(state as object), 'the folded state');
    return folded === canonicalJson(snapshot.state, 'the snapshot state') ? undefined : `the snapshot is not the fold of ${stream} up to revision ${snapshot.revision}: its state was forged`;
  };
}
