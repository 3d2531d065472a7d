import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { partiesProjection } from '../../src/projections/read-models/parties.projection';
import { sealForRegistration } from '../../src/personal-data/registered-details';
import { lendToReadModels } from '../../src/personal-data/read-model-keys';
import { SqliteKeyStore } from '../../src/personal-data/sqlite-key-store';
import { projectEvents, recorded } from '../projections/project-events';
import { replayOnto, snapshot } from '../projections/replay';

const LI = { partyId: '11111111-1111-4111-8111-111111111111', walletId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa' };
const OLD = { partyId: '22222222-2222-4222-8222-222222222222', walletId: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb' };
const ON = { businessDate: '2026-01-05' };

/**
 * The parties read model opens sealed registrations with the key store lent to it, and an erasure overwrites
 * whatever it opened: a rebuild after the key is gone gives the same documents as the live model.
 */
describe('the parties read model and personal details', () => {
  const keys = SqliteKeyStore.open(':memory:');
  let takeBack: () => void;
  beforeAll(() => {
    takeBack = lendToReadModels(keys);
  });
  afterAll(async () => {
    takeBack();
    await keys.close();
  });

  async function history() {
    const sealedPersonalData = await sealForRegistration(keys, LI.partyId, { name: 'Li Wei', phone: '+8613800138000', bankCard: '6222020200000000006' });
    return [
      recorded(3, `party-${LI.partyId}`, 'PartyRegistered', { ...LI, kind: 'customer', apiKeyHash: 'h', accountTier: 'I', sealedPersonalData }, ON),
      // A registration stored before version 3: its name in the clear.
      recorded(5, `party-${OLD.partyId}`, 'PartyRegistered', { ...OLD, kind: 'merchant', name: 'Noodle Shop', apiKeyHash: 'h' }, ON),
      recorded(8, `party-${LI.partyId}`, 'PersonErased', { partyId: LI.partyId }, ON),
      recorded(9, `party-${OLD.partyId}`, 'PersonErased', { partyId: OLD.partyId }, ON),
    ];
  }

  it('shows the sealed details opened, the card masked, and never the full number', async () => {
    const events = await history();
    const read = await projectEvents(partiesProjection, events.slice(0, 2));
    expect(await read.get('parties', LI.partyId)).toEqual({
      id: LI.partyId,
      kind: 'customer',
      name: 'Li Wei',
      phone: '+8613800138000',
      bankCard: '****0006',
      walletId: LI.walletId,
      registeredOn: '2026-01-05',
      registeredPosition: '3',
      keys: [{ keyId: 'h', issuedOn: '2026-01-05', issuedPosition: '3' }],
    });
    expect(JSON.stringify((await read.all('parties')).map((doc) => doc.body))).not.toContain('6222020200000000006');
  });

  it('shows an erased person by the marker alone, sealed or recorded in the clear', async () => {
    const read = await projectEvents(partiesProjection, await history());
    const erased = { name: '[erased]', registeredOn: '2026-01-05' };
    // The keys are not personal details: an erasure leaves them listed.
    const key = (position: string) => [{ keyId: 'h', issuedOn: '2026-01-05', issuedPosition: position }];
    expect(await read.get('parties', LI.partyId)).toEqual({ id: LI.partyId, kind: 'customer', walletId: LI.walletId, registeredPosition: '3', erasedPosition: '8', keys: key('3'), ...erased });
    expect(await read.get('parties', OLD.partyId)).toEqual({ id: OLD.partyId, kind: 'merchant', walletId: OLD.walletId, registeredPosition: '5', erasedPosition: '9', keys: key('5'), ...erased });
    expect(JSON.stringify((await read.all('parties')).map((doc) => doc.body))).not.toMatch(/Li Wei|Noodle|\+86/);
  });

  it('rebuilds to the same documents once the key is deleted, and replays to the same too', async () => {
    const events = await history();
    const live = await projectEvents(partiesProjection, events);
    const { keyId } = (events[0]!.data as { sealedPersonalData: { keyId: string } }).sealedPersonalData;
    await keys.deleteKey(keyId);
    const rebuilt = await projectEvents(partiesProjection, events, { oneBatch: true });
    expect(await snapshot(partiesProjection, rebuilt.store)).toEqual(await snapshot(partiesProjection, live.store));
    // Before its erasure is applied, a registration whose key is gone reads as erased already.
    const registeredOnly = await projectEvents(partiesProjection, events.slice(0, 1));
    expect(await registeredOnly.get('parties', LI.partyId)).toMatchObject({ name: '[erased]' });
    await replayOnto(partiesProjection, live.store, events);
    expect(await snapshot(partiesProjection, live.store)).toEqual(await snapshot(partiesProjection, rebuilt.store));
  });

  it('leaves no erased detail in the read store\'s file: the freed bytes are zeroed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ifw-erased-bytes-'));
    try {
      const path = join(dir, 'read.db');
      // One batch per event, as the live model commits them: the registration is on disk before its erasure.
      const read = await projectEvents(partiesProjection, await history(), { path });
      await read.store.close();
      const bytes = Buffer.concat([path, `${path}-wal`].filter((file) => existsSync(file)).map((file) => readFileSync(file)));
      for (const detail of ['Li Wei', '+8613800138000', 'Noodle Shop']) expect(bytes.includes(detail)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
