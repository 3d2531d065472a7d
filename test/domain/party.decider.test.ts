import { fold } from '../../src/domain/decider';
import { NotFoundError } from '../../src/domain/domain-error';
import { MAX_ACTIVE_KEYS, MAX_ISSUED_KEYS, type PartyEvent, type SealedPersonalData, keyIdOf, partyDecider, partyStream } from '../../src/domain/party/party.decider';
import { type PersonEvent, personDecider } from '../../src/domain/party/person.decider';
import { spec } from './decider-spec';

const SEALED: SealedPersonalData = { scheme: 'aes-256-gcm', keyId: 'k-1', iv: 'aXY', ciphertext: 'Y2lwaGVy', tag: 'dGFn' };
const register = { type: 'RegisterParty', partyId: 'p-1', kind: 'merchant', walletId: 'w-1', apiKeyHash: 'sha256:abc', sealedPersonalData: SEALED } as const;
const registered: PartyEvent = { type: 'PartyRegistered', data: { partyId: 'p-1', kind: 'merchant', walletId: 'w-1', apiKeyHash: 'sha256:abc', sealedPersonalData: SEALED } };
/** A registration stored before version 3, upcast: its name in the clear, no seal. */
const registeredInTheClear: PartyEvent = { type: 'PartyRegistered', data: { partyId: 'p-2', kind: 'customer', name: 'Li Wei', walletId: 'w-2', apiKeyHash: 'sha256:def', accountTier: 'III' } };
const erased: PersonEvent = { type: 'PersonErased', data: { partyId: 'p-1' } };

describe('party decider', () => {
  it('registers a new party with its wallet, the hash of its key and its details sealed', () => {
    spec(partyDecider).given([]).when(register).then([registered]);
  });

  it('registers customers as well as merchants', () => {
    spec(partyDecider)
      .given([])
      .when({ ...register, kind: 'customer', accountTier: 'I' })
      .then([{ type: 'PartyRegistered', data: { ...registered.data, kind: 'customer', accountTier: 'I' } }]);
  });

  it('refuses to register a party twice: ALREADY_REGISTERED', () => {
    spec(partyDecider).given([registered]).when(register).thenFails('ALREADY_REGISTERED', {});
  });

  it('evolves: an unregistered party, then a registered one with its kind, wallet and first key, and no personal details', () => {
    spec(partyDecider).given([]).thenState((state) => {
      expect(state).toEqual({ registered: false });
    });
    spec(partyDecider).given([registered]).thenState((state) => {
      expect(state).toEqual({ registered: true, kind: 'merchant', walletId: 'w-1', keys: { [keyIdOf('sha256:abc')]: { secretHash: 'sha256:abc', revoked: false } } });
    });
    spec(partyDecider).given([registeredInTheClear]).thenState((state) => {
      expect(state).toEqual({ registered: true, kind: 'customer', walletId: 'w-2', keys: { [keyIdOf('sha256:def')]: { secretHash: 'sha256:def', revoked: false } } });
    });
  });

  it('stays registered as it was after the person is erased: the wallet and the key are untouched', () => {
    // The party's stream holds the erasure too; the party decider folds it as any later event, changing nothing.
    const after = [registered, erased] as unknown as PartyEvent[];
    spec(partyDecider).given(after).thenState((state) => {
      expect(state).toEqual({ registered: true, kind: 'merchant', walletId: 'w-1', keys: { [keyIdOf('sha256:abc')]: { secretHash: 'sha256:abc', revoked: false } } });
    });
  });

  it('lives in the stream party-<id>', () => {
    expect(partyStream('p-1')).toBe('party-p-1');
  });
});

describe('party decider: API keys', () => {
  const hash = (n: number) => n.toString(16).padStart(2, '0').repeat(32);
  const issue = (n: number) => ({ type: 'IssueApiKey', kind: 'merchant', secretHash: hash(n) }) as const;
  const issued = (n: number): PartyEvent => ({ type: 'ApiKeyIssued', data: { keyId: keyIdOf(hash(n)), secretHash: hash(n) } });
  const revoked = (n: number): PartyEvent => ({ type: 'ApiKeyRevoked', data: { keyId: keyIdOf(hash(n)) } });

  it('issues a key by the hash of its secret, named by the first 16 hex digits of that hash', () => {
    spec(partyDecider).given([registered]).when(issue(1)).then([issued(1)]).thenState((state) => {
      expect(state.registered && state.keys[keyIdOf(hash(1))]).toEqual({ secretHash: hash(1), revoked: false });
    });
    expect(keyIdOf(hash(1))).toBe('01'.repeat(8));
  });

  it('revokes a key, once: revoking it again decides nothing', () => {
    spec(partyDecider).given([registered, issued(1)]).when({ type: 'RevokeApiKey', kind: 'merchant', keyId: keyIdOf(hash(1)) }).then([revoked(1)]);
    spec(partyDecider).given([registered, issued(1), revoked(1)]).when({ type: 'RevokeApiKey', kind: 'merchant', keyId: keyIdOf(hash(1)) }).thenNothing();
  });

  it("revokes the registration's key by its id like any other", () => {
    spec(partyDecider)
      .given([registered])
      .when({ type: 'RevokeApiKey', kind: 'merchant', keyId: keyIdOf('sha256:abc') })
      .then([{ type: 'ApiKeyRevoked', data: { keyId: keyIdOf('sha256:abc') } }]);
  });

  it('refuses an unknown key id: UNKNOWN_KEY', () => {
    spec(partyDecider).given([registered]).when({ type: 'RevokeApiKey', kind: 'merchant', keyId: 'ffffffffffffffff' }).thenFails('UNKNOWN_KEY', { keyId: 'ffffffffffffffff' });
  });

  it('refuses a sixth key in use: TOO_MANY_KEYS; a revoked one leaves room', () => {
    const fiveInUse = [registered, issued(1), issued(2), issued(3), issued(4)];
    spec(partyDecider).given(fiveInUse).when(issue(5)).thenFails('TOO_MANY_KEYS', { maxActiveKeys: String(MAX_ACTIVE_KEYS) });
    spec(partyDecider).given([...fiveInUse, revoked(2)]).when(issue(5)).then([issued(5)]);
  });

  it(`refuses a key past the ${MAX_ISSUED_KEYS} ever issued: KEY_LIMIT_REACHED`, () => {
    const history: PartyEvent[] = [registered];
    for (let n = 1; n < MAX_ISSUED_KEYS; n++) history.push(issued(n), revoked(n));
    spec(partyDecider).given(history).when(issue(200)).thenFails('KEY_LIMIT_REACHED', {});
  });

  it("a customer's route naming a merchant finds no such customer: not found, not a refusal", () => {
    expect(() => partyDecider.decide({ type: 'IssueApiKey', kind: 'customer', secretHash: hash(1) }, fold(partyDecider, [registered]))).toThrow(NotFoundError);
  });
});

describe('person decider', () => {
  const erase = { type: 'ErasePerson', partyId: 'p-1' } as const;

  it('erases a registered person: PersonErased, with no personal data in it', () => {
    spec(personDecider).given([registered]).when(erase).then([erased]).thenState((state) => {
      expect(state).toEqual({ registered: true, kind: 'merchant', keyId: 'k-1', erased: true });
    });
  });

  it('erases a second time as a no-op', () => {
    spec(personDecider).given([registered, erased]).when(erase).thenNothing();
  });

  it('knows the key a registration was sealed under, and none for one recorded in the clear', () => {
    spec(personDecider).given([registered]).thenState((state) => {
      expect(state).toEqual({ registered: true, kind: 'merchant', keyId: 'k-1', erased: false });
    });
    spec(personDecider).given([registeredInTheClear]).thenState((state) => {
      expect(state).toEqual({ registered: true, kind: 'customer', keyId: null, erased: false });
    });
  });

  it('decides nothing for a party never registered', () => {
    spec(personDecider).given([]).when(erase).thenNothing();
  });
});
