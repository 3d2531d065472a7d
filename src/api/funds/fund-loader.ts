import type { EventStore } from '../../eventstore';
import { type FundState, fundDecider, fundStream } from '../../domain/fund/fund.decider';
import { NotFoundError } from '../../domain/domain-error';
import { type Loaded, loadStored } from '../commands/stored-aggregate';

export type RegisteredFund = Extract<FundState, { registered: true }>;

export function loadFund(store: EventStore, code: string): Promise<Loaded<FundState>> {
  return loadStored(store, fundStream(code), fundDecider, 'fund-v1');
}

/** A fund that must exist for the request to make sense: an unknown fund is a 404. */
export async function loadRegisteredFund(store: EventStore, code: string): Promise<Loaded<RegisteredFund>> {
  const loaded = await loadFund(store, code);
  if (!loaded.state.registered) throw new NotFoundError(`fund ${code} is not registered`);
  return loaded as Loaded<RegisteredFund>;
}
