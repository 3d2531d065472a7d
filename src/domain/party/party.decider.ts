import type { Decider } from '../decider';
import { DomainError } from '../domain-error';
import type { AccountTier } from '../rules/rule-set';
import { invariant } from '../../invariant';

/**
 * A customer or a merchant: someone who owns one wallet and authenticates with an API key. Only a hash of
 * the key is ever recorded. Both kinds share this decider; what differs between them lives elsewhere
 * (merchants' demand forecasts, for one). The person's own details (name, phone, bank card) are recorded
 * sealed, and their erasure is decided by person.decider.ts on the same stream.
 */
export type PartyKind = 'customer' | 'merchant';

/**
 * The personal details of a registration, sealed with AES-256-GCM under a data key of that person alone
 * (src/personal-data/cipher.ts). The binary fields are base64url. Deleting the key named by `keyId` erases
 * the details wherever the event is kept, without touching the hashed text of the log.
 */
export interface SealedPersonalData {
  scheme: 'aes-256-gcm';
  keyId: string;
  iv: string;
  ciphertext: string;
  tag: string;
}

/** What a registration records in the clear: what the wallet's steps and the API-key check read. */
interface RegistrationFacts {
  partyId: string;
  kind: PartyKind;
  walletId: string;
  apiKeyHash: string;
  /** The payment-account tier a customer's wallet opens with; merchants have none. */
  accountTier?: AccountTier;
}

/**
 * Version 3 seals the personal details. Registrations stored in versions 1 and 2 carry the name in the
 * clear, and keep it: the log is never rewritten (docs/personal-data.md).
 */
export type PartyRegisteredData = RegistrationFacts & ({ sealedPersonalData: SealedPersonalData; name?: never } | { name: string; sealedPersonalData?: never });

export type PartyCommand = { type: 'RegisterParty'; sealedPersonalData: SealedPersonalData } & RegistrationFacts;

export type PartyEvent = { type: 'PartyRegistered'; data: PartyRegisteredData };

export type PartyState = { registered: false } | { registered: true; kind: PartyKind; walletId: string; apiKeyHash: string };

export const partyDecider: Decider<PartyCommand, PartyEvent, PartyState> = {
  initialState: { registered: false },
  decide(command, state) {
    if (state.registered) throw new DomainError('ALREADY_REGISTERED', `party ${command.partyId} is already registered`);
    const { partyId, kind, walletId, apiKeyHash, accountTier, sealedPersonalData } = command;
    invariant((kind === 'customer') === (accountTier !== undefined), () => `a ${kind} registered with account tier ${accountTier}`);
    return [{ type: 'PartyRegistered', data: { partyId, kind, walletId, apiKeyHash, ...(accountTier && { accountTier }), sealedPersonalData } }];
  },
  evolve(state, event) {
    // A party is registered once; what its stream records after (the erasure of the person's details)
    // leaves the registration as it was.
    if (state.registered) return state;
    const { kind, walletId, apiKeyHash } = event.data;
    return { registered: true, kind, walletId, apiKeyHash };
  },
};

export const partyStream = (partyId: string) => `party-${partyId}`;
