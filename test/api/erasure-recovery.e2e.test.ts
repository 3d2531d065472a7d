import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { CachedKeyStore } from '../../src/personal-data/cached-key-store';
import { SqliteKeyStore } from '../../src/personal-data/sqlite-key-store';
import { AUDITOR_KEY, COMPLIANCE_KEY, OPERATOR_KEY, TestApp } from './test-app';

/**
 * An erasure stopped half-way is finished by the next start: the key of an erasure the log recorded is
 * deleted then; an erasure begun in the key store but never recorded is dropped, and the person keeps their
 * details until a retry of the request erases them.
 */
let dir: string;
const eventStoreUrl = () => `sqlite:${join(dir, 'ifw.db')}`;
const keysPath = () => join(dir, 'keys.db');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ifw-erasure-recovery-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function keyIdOf(app: TestApp, partyId: string): Promise<string> {
  const events = await app.get(`/audit/streams/party-${partyId}/events`, AUDITOR_KEY);
  return events.body.items[0].data.sealedPersonalData.keyId;
}

async function keyExists(keyId: string): Promise<boolean> {
  const keys = SqliteKeyStore.open(keysPath());
  try {
    return (await keys.findKey(keyId)) !== undefined;
  } finally {
    await keys.close();
  }
}

it('deletes at start the key of an erasure recorded just before a stop', async () => {
  let app = await TestApp.start({ eventStoreUrl: eventStoreUrl() });
  const party = await app.party('customer', 'Wu Min');
  const keyId = await keyIdOf(app, party.id);
  // The process stops after PersonErased is appended, before the key is deleted.
  const deletion = jest.spyOn(CachedKeyStore.prototype, 'deleteKey').mockRejectedValueOnce(new Error('stopped'));
  expect((await app.post(`/customers/${party.id}/erasure`, COMPLIANCE_KEY, {})).status).toBe(500);
  deletion.mockRestore();
  await app.stop();
  expect(await keyExists(keyId)).toBe(true);

  app = await TestApp.start({ eventStoreUrl: eventStoreUrl() });
  try {
    expect(await keyExists(keyId)).toBe(false);
    expect((await app.get(`/customers?id=${party.id}`, OPERATOR_KEY)).body.items[0]).toMatchObject({ name: '[erased]' });
  } finally {
    await app.stop();
  }
});

it('keeps the key of an erasure begun but never recorded, and a retry erases it', async () => {
  let app = await TestApp.start({ eventStoreUrl: eventStoreUrl() });
  const party = await app.party('customer', 'Zhou Jie');
  const keyId = await keyIdOf(app, party.id);
  await app.stop();
  // As a stop between the key store's note and the append leaves it.
  const keys = SqliteKeyStore.open(keysPath());
  await keys.beginErasure({ keyId, partyId: party.id });
  await keys.close();

  app = await TestApp.start({ eventStoreUrl: eventStoreUrl() });
  try {
    expect(await keyExists(keyId)).toBe(true);
    expect((await app.get(`/customers?id=${party.id}`, OPERATOR_KEY)).body.items[0]).toMatchObject({ name: 'Zhou Jie' });
    expect((await app.post(`/customers/${party.id}/erasure`, COMPLIANCE_KEY, {})).status).toBe(200);
    expect(await keyExists(keyId)).toBe(false);
  } finally {
    await app.stop();
  }
  const reopened = SqliteKeyStore.open(keysPath());
  expect(await reopened.pendingErasures(10)).toEqual([]);
  await reopened.close();
});
