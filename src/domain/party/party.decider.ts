import type { Decider } from '../decider';
import { DomainError } from '../domain-error';
import type { AccountTier } from '../rules/rule-set';
import { invariant } from '../../invariant';

/**
 * A customer or a merchant: someone who owns one wallet and authenticates with an API key. Only a hash of
 * the key is ever recorded. Both kinds share this decider; what differs between them lives elsewhere
 * (merchants' demand forecasts, for one).
 */
export type PartyKind = 'customer' | 'merchant';

export type PartyCommand = {
  type: 'RegisterParty';
  partyId: string;
  kind: PartyKind;
  name: string;
  walletId: string;
  apiKeyHash: string;
  /** The payment-account tier a customer's wallet opens with; merchants have none. */
  accountTier?: AccountTier;
};

export type PartyEvent = {
  type: 'PartyRegistered';
  data: { partyId: string; kind: PartyKind; name: string; walletId: string; apiKeyHash: string; accountTier?: AccountTier };
};

export type PartyState = { registered: false } | { registered: true; kind: PartyKind; name: string; walletId: string; apiKeyHash: string };

export const partyDecider: Decider<PartyCommand, PartyEvent, PartyState> = {
  initialState: { registered: false },
  decide(command, state) {
    if (state.registered) throw new DomainError('ALREADY_REGISTERED', `party ${command.partyId} is already registered`);
    const { partyId, kind, name, walletId, apiKeyHash, accountTier } = command;
    invariant((kind === 'customer') === (accountTier !== undefined), () => `a ${kind} registered with account tier ${accountTier}`);
    return [{ type: 'PartyRegistered', data: { partyId, kind, name, walletId, apiKeyHash, ...(accountTier && { accountTier }) } }];
  },
  evolve(_state, event) {
    const { kind, name, walletId, apiKeyHash } = event.data;
    return { registered: true, kind, name, walletId, apiKeyHash };
  },
};

export const partyStream = (partyId: string) => `party-${partyId}`;
