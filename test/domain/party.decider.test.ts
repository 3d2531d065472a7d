import { type PartyEvent, type SealedPersonalData, partyDecider, partyStream } from '../../src/domain/party/party.decider';
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

  it('evolves: an unregistered party, then a registered one with its kind, wallet and key hash, and no personal details', () => {
    spec(partyDecider).given([]).thenState((state) => {
      expect(state).toEqual({ registered: false });
    });
    spec(partyDecider).given([registered]).thenState((state) => {
      expect(state).toEqual({ registered: true, kind: 'merchant', walletId: 'w-1', apiKeyHash: 'sha256:abc' });
    });
    spec(partyDecider).given([registeredInTheClear]).thenState((state) => {
      expect(state).toEqual({ registered: true, kind: 'customer', walletId: 'w-2', apiKeyHash: 'sha256:def' });
    });
  });

  it('stays registered as it was after the person is erased: the wallet and the key are untouched', () => {
    // The party's stream holds the erasure too; the party decider folds it as any later event, changing nothing.
    const after = [registered, erased] as unknown as PartyEvent[];
    spec(partyDecider).given(after).thenState((state) => {
      expect(state).toEqual({ registered: true, kind: 'merchant', walletId: 'w-1', apiKeyHash: 'sha256:abc' });
    });
  });

  it('lives in the stream party-<id>', () => {
    expect(partyStream('p-1')).toBe('party-p-1');
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
