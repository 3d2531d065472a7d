import type { Decider } from '../decider';

/**
 * The wallets holding a fund, in the order they first bought it: a list the day close reads through, one
 * event per holder. Its state is only a count, so folding it costs nothing however many hold the fund; a
 * wallet joins once because only a position's first purchase asks for it.
 */
export type FundHoldersCommand = { type: 'JoinHolders'; walletId: string };
export type FundHoldersEvent = { type: 'HolderJoined'; data: { walletId: string } };
export type FundHoldersState = { count: number };

export const fundHoldersDecider: Decider<FundHoldersCommand, FundHoldersEvent, FundHoldersState> = {
  initialState: { count: 0 },
  decide: (command) => [{ type: 'HolderJoined', data: { walletId: command.walletId } }],
  evolve: (state) => ({ count: state.count + 1 }),
};

export const fundHoldersStream = (code: string) => `fund-holders-${code}`;
