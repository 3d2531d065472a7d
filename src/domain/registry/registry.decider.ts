import type { Decider } from '../decider';

/**
 * A list of members (the registered funds, the merchants), so a process that must visit all of them finds
 * them without scanning the log. Listing is idempotent, and only ever adds, so it needs no expected revision.
 */
export type RegistryCommand = { type: 'ListMember'; id: string };
export type RegistryEvent = { type: 'MemberListed'; data: { id: string } };
export type RegistryState = { ids: readonly string[] };

export const registryDecider: Decider<RegistryCommand, RegistryEvent, RegistryState> = {
  initialState: { ids: [] },
  decide: (command, state) => (state.ids.includes(command.id) ? [] : [{ type: 'MemberListed', data: { id: command.id } }]),
  evolve: (state, event) => ({ ids: [...state.ids, event.data.id] }),
};

export const REGISTRIES = { funds: 'registry-funds', merchants: 'registry-merchants' } as const;
export const REGISTRY_SCHEMA = 'registry-v1';
