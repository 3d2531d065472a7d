import type { Decider } from '../decider';

/** The list of registered funds, so a day close can find every fund without scanning the log. */
export type FundRegistryCommand = { type: 'ListFund'; code: string };
export type FundRegistryEvent = { type: 'FundListed'; data: { code: string } };
export type FundRegistryState = { codes: readonly string[] };

export const fundRegistryDecider: Decider<FundRegistryCommand, FundRegistryEvent, FundRegistryState> = {
  initialState: { codes: [] },
  decide: (command, state) => (state.codes.includes(command.code) ? [] : [{ type: 'FundListed', data: { code: command.code } }]),
  evolve: (state, event) => ({ codes: [...state.codes, event.data.code] }),
};

export const FUND_REGISTRY_STREAM = 'fund-registry';
