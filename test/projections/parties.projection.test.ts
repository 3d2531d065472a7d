import { partiesProjection } from '../../src/projections/read-models/parties.projection';
import { versionedCollection } from '../../src/projections/projection';
import { projectEvents, recorded } from './project-events';
import { replayOnto, snapshot } from './replay';

const LI = { partyId: '11111111-1111-4111-8111-111111111111', walletId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa' };
const SHOP = { partyId: '22222222-2222-4222-8222-222222222222', walletId: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb' };
const TEA = { partyId: '33333333-3333-4333-8333-333333333333', walletId: 'cccccccc-cccc-4ccc-8ccc-cccccccccccc' };

const events = [
  recorded(3, `party-${LI.partyId}`, 'PartyRegistered', { ...LI, kind: 'customer', name: 'Li Wei', apiKeyHash: 'hash-li' }, { businessDate: '2026-01-05' }),
  recorded(4, `wallet-${LI.walletId}`, 'WalletOpened', { walletId: LI.walletId, ownerKind: 'customer', ownerId: LI.partyId }, { businessDate: '2026-01-05' }),
  recorded(7, `party-${SHOP.partyId}`, 'PartyRegistered', { ...SHOP, kind: 'merchant', name: 'Noodle Shop', apiKeyHash: 'hash-shop' }, { businessDate: '2026-01-05' }),
  recorded(12, `party-${TEA.partyId}`, 'PartyRegistered', { ...TEA, kind: 'merchant', name: 'Tea House', apiKeyHash: 'hash-tea' }, { businessDate: '2026-01-06' }),
];

describe('the parties read model', () => {
  it('keeps each party with its wallet, name and registration, and never the key hash', async () => {
    const read = await projectEvents(partiesProjection, events);
    expect(await read.get('parties', SHOP.partyId)).toEqual({
      id: SHOP.partyId,
      kind: 'merchant',
      name: 'Noodle Shop',
      walletId: SHOP.walletId,
      registeredOn: '2026-01-05',
      registeredPosition: '7',
    });
    expect(JSON.stringify((await read.all('parties')).map((doc) => doc.body))).not.toContain('hash-');
  });

  it('finds merchants by kind, by a part of the name in any case, and by wallet id', async () => {
    const read = await projectEvents(partiesProjection, events);
    const find = (where: Parameters<typeof read.store.find>[1]['where']) =>
      read.store.find(versionedCollection('parties', 1), { where, orderBy: ['name'], limit: 10 }).then((docs) => docs.map((doc) => doc.body.name));
    expect(await find({ kind: { eq: 'merchant' } })).toEqual(['Noodle Shop', 'Tea House']);
    expect(await find({ kind: { eq: 'merchant' }, name: { contains: 'HOUSE' } })).toEqual(['Tea House']);
    expect(await find({ kind: { eq: 'customer' }, name: { contains: 'shop' } })).toEqual([]);
    expect(await find({ kind: { eq: 'merchant' }, walletId: { eq: SHOP.walletId } })).toEqual(['Noodle Shop']);
  });

  it('ends with the same documents in one batch as in one batch per event', async () => {
    const one = await projectEvents(partiesProjection, events, { oneBatch: true });
    const many = await projectEvents(partiesProjection, events);
    expect(await snapshot(partiesProjection, one.store)).toEqual(await snapshot(partiesProjection, many.store));
  });

  it('changes nothing when committed events are applied again', async () => {
    const read = await projectEvents(partiesProjection, events);
    const before = await snapshot(partiesProjection, read.store);
    await replayOnto(partiesProjection, read.store, events);
    expect(await snapshot(partiesProjection, read.store)).toEqual(before);
  });
});
