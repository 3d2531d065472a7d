import { fundHoldersDecider } from '../../src/domain/fund/fund-holders.decider';
import { spec } from './decider-spec';

describe('the list of a fund\'s holders', () => {
  it('adds the wallet it is asked to add, and keeps only a count, whatever the length of the list', () => {
    spec(fundHoldersDecider)
      .given([
        { type: 'HolderJoined', data: { walletId: 'w-2' } },
        { type: 'HolderJoined', data: { walletId: 'w-1' } },
      ])
      .when({ type: 'JoinHolders', walletId: 'w-3' })
      .then([{ type: 'HolderJoined', data: { walletId: 'w-3' } }])
      .thenState((state) => state.count === 3);
  });
});
