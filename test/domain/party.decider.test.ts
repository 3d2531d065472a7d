import { type PartyEvent, partyDecider, partyStream } from '../../src/domain/party/party.decider';
import { spec } from './decider-spec';

const register = { type: 'RegisterParty', partyId: 'p-1', kind: 'merchant', name: 'Noodle shop', walletId: 'w-1', apiKeyHash: 'sha256:abc' } as const;
const registered: PartyEvent = { type: 'PartyRegistered', data: { partyId: 'p-1', kind: 'merchant', name: 'Noodle shop', walletId: 'w-1', apiKeyHash: 'sha256:abc' } };

describe('party decider', () => {
  it('registers a new party with its wallet and the hash of its key', () => {
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

  it('evolves: an unregistered party, then a registered one with its kind, name, wallet and key hash', () => {
    spec(partyDecider).given([]).thenState((state) => {
      expect(state).toEqual({ registered: false });
    });
    spec(partyDecider).given([registered]).thenState((state) => {
      expect(state).toEqual({ registered: true, kind: 'merchant', name: 'Noodle shop', walletId: 'w-1', apiKeyHash: 'sha256:abc' });
    });
  });

  it('lives in the stream party-<id>', () => {
    expect(partyStream('p-1')).toBe('party-p-1');
  });
});
