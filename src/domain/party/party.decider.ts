import type { Decider } from '../decider';
import { DomainError, NotFoundError } from '../domain-error';
import type { AccountTier } from '../rules/rule-set';
import { invariant } from '../../invariant';

/**
 * A customer or a merchant: someone who owns one wallet and authenticates with API keys, the first issued at
 * registration and more by an operator later (a lost registration answer is mended by a new key); a key is
 * revoked on its own. Only a hash of a key is ever recorded. Both kinds share this decider; what differs between them lives elsewhere
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

export type PartyCommand =
  | ({ type: 'RegisterParty'; sealedPersonalData: SealedPersonalData } & RegistrationFacts)
  /** `kind` is the kind the request named the party as (a customer's route, a merchant's). */
  | { type: 'IssueApiKey'; kind: PartyKind; secretHash: string }
  | { type: 'RevokeApiKey'; kind: PartyKind; keyId: string };

export type ApiKeyIssuedEvent = { type: 'ApiKeyIssued'; data: { keyId: string; secretHash: string } };
export type ApiKeyRevokedEvent = { type: 'ApiKeyRevoked'; data: { keyId: string } };

/** The first event of every party's stream. */
export type PartyRegisteredEvent = { type: 'PartyRegistered'; data: PartyRegisteredData };

export type PartyEvent = PartyRegisteredEvent | ApiKeyIssuedEvent | ApiKeyRevokedEvent;

/** Every key the party was issued, by id: the registration's first, then each issued after. */
export type PartyKeys = Readonly<Record<string, { secretHash: string; revoked: boolean }>>;

export type PartyState = { registered: false } | { registered: true; kind: PartyKind; walletId: string; keys: PartyKeys };

/** Keys in use at once: one per device or integration, a few spare while one is replaced. */
export const MAX_ACTIVE_KEYS = 5;
/** Keys a party may ever be issued, revoked ones included, so its stream and its listing stay small. */
export const MAX_ISSUED_KEYS = 100;

/**
 * A key's id, which names it in listings and revocations without revealing it: the first 16 hex digits of the
 * sha256 of its 256-bit secret, which say nothing of the secret.
 */
export const keyIdOf = (secretHash: string) => secretHash.slice(0, 16);

export const partyDecider: Decider<PartyCommand, PartyEvent, PartyState> = {
  initialState: { registered: false },
  decide(command, state) {
    if (command.type === 'RegisterParty') {
      if (state.registered) throw new DomainError('ALREADY_REGISTERED', `party ${command.partyId} is already registered`);
      const { partyId, kind, walletId, apiKeyHash, accountTier, sealedPersonalData } = command;
      invariant((kind === 'customer') === (accountTier !== undefined), () => `a ${kind} registered with account tier ${accountTier}`);
      return [{ type: 'PartyRegistered', data: { partyId, kind, walletId, apiKeyHash, ...(accountTier && { accountTier }), sealedPersonalData } }];
    }
    invariant(state.registered, () => `${command.type} of a party not registered: the handler checks that it exists`);
    if (state.kind !== command.kind) throw new NotFoundError(`the party is a ${state.kind}, not a ${command.kind}`);
    return command.type === 'IssueApiKey' ? issue(command.secretHash, state.keys) : revoke(command.keyId, state.keys);
  },
  evolve(state, event) {
    switch (event.type) {
      case 'PartyRegistered': {
        // A party is registered once; what its stream records after that is keys, and the person's erasure.
        if (state.registered) return state;
        const { kind, walletId, apiKeyHash } = event.data;
        return { registered: true, kind, walletId, keys: { [keyIdOf(apiKeyHash)]: { secretHash: apiKeyHash, revoked: false } } };
      }
      case 'ApiKeyIssued':
        return state.registered ? { ...state, keys: { ...state.keys, [event.data.keyId]: { secretHash: event.data.secretHash, revoked: false } } } : state;
      case 'ApiKeyRevoked':
        return state.registered ? { ...state, keys: { ...state.keys, [event.data.keyId]: { ...state.keys[event.data.keyId]!, revoked: true } } } : state;
      default:
        return state;
    }
  },
};

function issue(secretHash: string, keys: PartyKeys): PartyEvent[] {
  const issued = Object.values(keys);
  if (issued.filter((k) => !k.revoked).length >= MAX_ACTIVE_KEYS) {
    throw new DomainError('TOO_MANY_KEYS', `the party has ${MAX_ACTIVE_KEYS} keys in use, the most it may; revoke one first`, { maxActiveKeys: String(MAX_ACTIVE_KEYS) });
  }
  if (issued.length >= MAX_ISSUED_KEYS) throw new DomainError('KEY_LIMIT_REACHED', `the party was issued ${MAX_ISSUED_KEYS} keys, the most it may ever be`);
  const keyId = keyIdOf(secretHash);
  invariant(keys[keyId] === undefined, () => `a new key whose id ${keyId} the party has already: its secret is not random`);
  return [{ type: 'ApiKeyIssued', data: { keyId, secretHash } }];
}

function revoke(keyId: string, keys: PartyKeys): PartyEvent[] {
  const key = keys[keyId];
  if (key === undefined) throw new DomainError('UNKNOWN_KEY', `the party has no key ${keyId}`, { keyId });
  // Revoking a revoked key changes nothing, so a retried revocation answers as the first did.
  return key.revoked ? [] : [{ type: 'ApiKeyRevoked', data: { keyId } }];
}

export const partyStream = (partyId: string) => `party-${partyId}`;
