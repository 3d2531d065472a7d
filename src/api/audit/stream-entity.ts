import { CALENDAR_STREAM } from '../../domain/calendar/calendar.decider';
import { fundHoldersStream } from '../../domain/fund/fund-holders.decider';
import { fundStream } from '../../domain/fund/fund.decider';
import { partyStream } from '../../domain/party/party.decider';
import { REGISTRIES } from '../../domain/registry/registry.decider';
import { walletStream } from '../../domain/wallet/wallet.decider';
import type { EventStore } from '../../eventstore';
import { CALENDAR, FUND, FUND_HOLDERS, PARTY, POSITION, REGISTRY, WALLET } from '../commands/aggregates';
import type { Aggregate } from '../commands/decide-command';
import { type DomainEvent, isEntityEvent, toDomainEvent } from '../commands/stored-aggregate';

type AnyAggregate = Aggregate<unknown, DomainEvent, unknown>;

/** `position-<walletId>-<fundCode>`: the domain's name function takes both parts, so its prefix is written out. */
const POSITION_PREFIX = 'position-';

/**
 * The entity of each kind of stream, by its name. `fund-holders-` is tried before `fund-`, which it begins with.
 * Streams of no entity (forecast-…, idempotency-…, process records) are left out: nothing folds them.
 */
const BY_PREFIX: readonly { prefix: string; aggregate: AnyAggregate }[] = [
  { prefix: walletStream(''), aggregate: WALLET as never },
  { prefix: POSITION_PREFIX, aggregate: POSITION as never },
  { prefix: fundHoldersStream(''), aggregate: FUND_HOLDERS as never },
  { prefix: fundStream(''), aggregate: FUND as never },
  { prefix: partyStream(''), aggregate: PARTY as never },
];
const BY_NAME: ReadonlyMap<string, AnyAggregate> = new Map<string, AnyAggregate>([
  [CALENDAR_STREAM, CALENDAR as never],
  ...Object.values(REGISTRIES).map((name): [string, AnyAggregate] => [name, REGISTRY as never]),
]);

/** The aggregate whose decider folds the stream, or undefined for a stream of no entity. */
export function entityOfStream(stream: string): AnyAggregate | undefined {
  return BY_NAME.get(stream) ?? BY_PREFIX.find(({ prefix }) => stream.startsWith(prefix) && stream.length > prefix.length)?.aggregate;
}

/**
 * The entity's state after the stream's events up to `revision` (inclusive), folded from the first event:
 * an auditor's answer must not rest on a snapshot, which is derived data. Recorded outcomes of keyed
 * requests are not the entity's events and are passed over, as loading does.
 */
export async function foldStreamTo(store: EventStore, stream: string, aggregate: AnyAggregate, revision: bigint): Promise<unknown> {
  let state = aggregate.decider.initialState;
  for await (const event of store.readStream(stream, { maxCount: Number(revision) + 1 })) {
    if (isEntityEvent(event)) state = aggregate.decider.evolve(state, toDomainEvent(event));
  }
  return state;
}
