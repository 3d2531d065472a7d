import { partiesProjection } from '../../src/projections/read-models/parties.projection';
import { versionedCollection } from '../../src/projections/projection';
import { projectEvents, recorded } from './project-events';
import { replayOnto, snapshot } from './replay';

const LI = { partyId: '11111111-1111-4111-8111-111111111111', walletId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa' };
const SHOP = { partyId: '22222222-2222-4222-8222-222222222222', walletId: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb' };
const TEA = { partyId: '33333333-3333-4333-8333-333333333333', walletId: 'cccccccc-cccc-4ccc-8ccc-cccccccccccc' };

/** sha256 digests in hex, as registrations record them. */
const HASH = { li: 'a1'.repeat(32), shop: 'b2'.repeat(32), tea: 'c3'.repeat(32) };

const events = [
  recorded(3, `party-${LI.partyId}`, 'PartyRegistered', { ...LI, kind: 'customer', name: 'Li Wei', apiKeyHash: HASH.li }, { businessDate: '2026-01-05' }),
  recorded(4, `wallet-${LI.walletId}`, 'WalletOpened', { walletId: LI.walletId, ownerKind: 'customer', ownerId: LI.partyId }, { businessDate: '2026-01-05' }),
  recorded(7, `party-${SHOP.partyId}`, 'PartyRegistered', { ...SHOP, kind: 'merchant', name: 'Noodle Shop', apiKeyHash: HASH.shop }, { businessDate: '2026-01-05' }),
  recorded(12, `party-${TEA.partyId}`, 'PartyRegistered', { ...TEA, kind: 'merchant', name: 'Tea House', apiKeyHash: HASH.tea }, { businessDate: '2026-01-06' }),
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
      keys: [{ keyId: HASH.shop.slice(0, 16), issuedOn: '2026-01-05', issuedPosition: '7' }],
    });
    const documents = JSON.stringify((await read.all('parties')).map((doc) => doc.body));
    for (const hash of Object.values(HASH)) expect(documents).not.toContain(hash);
  });

  it('lists the keys issued after the registration, and marks a revoked one with its date and position', async () => {
    const later = [
      ...events,
      recorded(20, `party-${SHOP.partyId}`, 'ApiKeyIssued', { keyId: 'd4d4d4d4d4d4d4d4', secretHash: 'd4'.repeat(32) }, { businessDate: '2026-01-07' }),
      recorded(21, `party-${SHOP.partyId}`, 'ApiKeyRevoked', { keyId: HASH.shop.slice(0, 16) }, { businessDate: '2026-01-08' }),
      recorded(22, `party-${SHOP.partyId}`, 'PersonErased', { partyId: SHOP.partyId }, { businessDate: '2026-01-08' }),
    ];
    const read = await projectEvents(partiesProjection, later);
    const shop = (await read.get('parties', SHOP.partyId)) as { keys: unknown[]; name: string };
    expect(shop.name).toBe('[erased]');
    expect(shop.keys).toEqual([
      { keyId: HASH.shop.slice(0, 16), issuedOn: '2026-01-05', issuedPosition: '7', revokedOn: '2026-01-08', revokedPosition: '21' },
      { keyId: 'd4d4d4d4d4d4d4d4', issuedOn: '2026-01-07', issuedPosition: '20' },
    ]);
    expect(JSON.stringify(shop)).not.toContain('d4'.repeat(32));
    const one = await projectEvents(partiesProjection, later, { oneBatch: true });
    expect(await snapshot(partiesProjection, one.store)).toEqual(await snapshot(partiesProjection, read.store));
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
