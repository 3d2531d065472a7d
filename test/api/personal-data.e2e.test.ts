import { mkdtempSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EVENT_STORE } from '../../src/api/event-store.module';
import type { EventStore } from '../../src/eventstore';
import { AUDITOR_KEY, COMPLIANCE_KEY, OPERATOR_KEY, TestApp, type ApiResponse } from './test-app';

/**
 * Erasure without breaking the chain, over a real socket on a store in files: a customer registered with
 * name, phone and bank card reads with the card masked; the log's own text holds none of it; after the
 * erasure every read shows the person as erased, a rebuild of the directory too, while the wallet keeps its
 * money and the log still verifies. A registration of before version 3, its name in the clear in the log,
 * is hidden by its erasure from every answer.
 */
const NAME = 'Zhang Xiuying';
const PHONE = '+8613912345678';
const CARD = '6228481234567890128';
const PERSONAL = [NAME, PHONE, CARD, '13912345678'];

let dir: string;
let app: TestApp;
let zhang: { id: string; walletId: string; key: string };

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, boundMs = 15_000): Promise<T> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`the condition never held; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The log's rows as SQLite holds them: the text each hash covers. */
function rawLogText(): string {
  const db = new Database(join(dir, 'ifw.db'), { readonly: true });
  try {
    return (db.prepare('SELECT type, data, metadata FROM events ORDER BY position').all() as { type: string; data: string; metadata: string }[]).map((row) => `${row.type} ${row.data} ${row.metadata}`).join('\n');
  } finally {
    db.close();
  }
}

function keyCount(): number {
  const db = new Database(join(dir, 'keys.db'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM data_keys').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function directoryEntry(kind: 'customer' | 'merchant', id: string): Promise<Record<string, unknown>> {
  const response = await app.get(`/${kind}s?id=${id}`, OPERATOR_KEY);
  expect(response.status).toBe(200);
  expect(response.body.items).toHaveLength(1);
  return response.body.items[0];
}

function expectRefused(response: ApiResponse, field: string): void {
  expect({ status: response.status, code: response.body.code, field: response.body.field }).toEqual({ status: 400, code: 'VALIDATION_FAILED', field });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ifw-personal-data-'));
  app = await TestApp.start({ eventStoreUrl: `sqlite:${join(dir, 'ifw.db')}` });
  const registered = await app.post('/customers', OPERATOR_KEY, { name: NAME, phone: PHONE, bankCard: CARD, accountTier: 'III' }, { 'idempotency-key': 'register-zhang' });
  expect(registered.status).toBe(201);
  expect(registered.body).toMatchObject({ name: NAME, phone: PHONE, bankCard: '****0128', accountTier: 'III' });
  zhang = { id: registered.body.id, walletId: registered.body.walletId, key: registered.body.apiKey };
  expect((await app.post(`/wallets/${zhang.walletId}/deposits`, zhang.key, { amount: '88.00' })).status).toBe(201);
});

afterAll(async () => {
  await app.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('personal details before any erasure', () => {
  it('are answered with the card masked, and the full number is in no answer', async () => {
    const entry = await directoryEntry('customer', zhang.id);
    expect(entry).toMatchObject({ id: zhang.id, name: NAME, phone: PHONE, bankCard: '****0128', walletId: zhang.walletId });
    expect(entry.erasedPosition).toBeUndefined();
    expect((await app.get('/customers?name=xiuying', OPERATOR_KEY)).body.items.map((c: { id: string }) => c.id)).toEqual([zhang.id]);
    const replay = await app.post('/customers', OPERATOR_KEY, { name: NAME, phone: PHONE, bankCard: CARD, accountTier: 'III' }, { 'idempotency-key': 'register-zhang' });
    expect(replay.body).toMatchObject({ id: zhang.id, name: NAME, phone: PHONE, bankCard: '****0128' });
    expect(replay.body.apiKey).toBeUndefined();
    for (const answer of [entry, replay.body]) expect(JSON.stringify(answer)).not.toContain(CARD);
  });

  it('are sealed in the log: neither its stored text nor the audit routes show them', async () => {
    const log = rawLogText();
    expect(log).toContain('sealedPersonalData');
    for (const value of PERSONAL) expect(log).not.toContain(value);
    const events = await app.get(`/audit/streams/party-${zhang.id}/events`, AUDITOR_KEY);
    expect(events.body.items[0]).toMatchObject({ type: 'PartyRegistered', data: { partyId: zhang.id, walletId: zhang.walletId, sealedPersonalData: { scheme: 'aes-256-gcm' } } });
    for (const value of PERSONAL) expect(JSON.stringify(events.body)).not.toContain(value);
    const activity = await app.get('/activity?type=PartyRegistered', OPERATOR_KEY);
    expect(JSON.stringify(activity.body)).toContain(zhang.id);
    expect(JSON.stringify(activity.body)).not.toContain(NAME);
  });
});

describe('a registration refused by validation', () => {
  it.each([
    ['a phone that is not E.164', { name: 'Bad Phone', phone: '13912345678' }, 'phone'],
    ['a phone with spaces', { name: 'Bad Phone', phone: '+86 139 1234 5678' }, 'phone'],
    ['a card that fails the Luhn check', { name: 'Bad Card', bankCard: '6228481234567890123' }, 'bankCard'],
    ['a card that is not digits', { name: 'Bad Card', bankCard: '6228-4812-3456-7890' }, 'bankCard'],
    ['a field the route does not take', { name: 'Odd Field', idNumber: '110101199003074514' }, 'idNumber'],
  ])('%s is 400 naming the field, and writes nothing', async (_, body, field) => {
    const [position, keys] = [await app.lastPosition(), keyCount()];
    expectRefused(await app.post('/customers', OPERATOR_KEY, body), field);
    expectRefused(await app.post('/merchants', OPERATOR_KEY, body), field);
    expect([await app.lastPosition(), keyCount()]).toEqual([position, keys]);
  });
});

describe('an erasure', () => {
  let erasure: ApiResponse;
  let keyId: string;

  beforeAll(async () => {
    const events = await app.get(`/audit/streams/party-${zhang.id}/events`, AUDITOR_KEY);
    keyId = events.body.items[0].data.sealedPersonalData.keyId;
    erasure = await app.post(`/customers/${zhang.id}/erasure`, COMPLIANCE_KEY, {}, { 'idempotency-key': 'erase-zhang' });
  });

  it('answers 200, records PersonErased on the party stream and deletes the key', async () => {
    expect(erasure.status).toBe(200);
    expect(erasure.body).toEqual({ id: zhang.id, kind: 'customer', erased: true, position: expect.stringMatching(/^\d+$/) });
    expect(await app.eventTypes(`party-${zhang.id}`)).toContain('PersonErased');
    const db = new Database(join(dir, 'keys.db'), { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM data_keys WHERE key_id = ?').get(keyId)).toEqual({ n: 0 });
    db.close();
  });

  it('is honoured once per Idempotency-Key, and a second erasure changes nothing', async () => {
    const replay = await app.post(`/customers/${zhang.id}/erasure`, COMPLIANCE_KEY, {}, { 'idempotency-key': 'erase-zhang' });
    expect({ status: replay.status, body: replay.body }).toEqual({ status: 200, body: erasure.body });
    const again = await app.post(`/customers/${zhang.id}/erasure`, COMPLIANCE_KEY, {});
    expect({ status: again.status, body: { ...again.body, position: undefined } }).toEqual({ status: 200, body: { id: zhang.id, kind: 'customer', erased: true, position: undefined } });
    expect((await app.eventTypes(`party-${zhang.id}`)).filter((type) => type === 'PersonErased')).toHaveLength(1);
  });

  it('shows the person as erased in the directory, its search, a replayed registration and the activity feed', async () => {
    const entry = await directoryEntry('customer', zhang.id);
    expect(entry).toEqual({ id: zhang.id, kind: 'customer', name: '[erased]', walletId: zhang.walletId, registeredOn: '2026-01-05', registeredPosition: expect.any(String), erasedPosition: expect.any(String) });
    expect((await app.get('/customers?name=xiuying', OPERATOR_KEY)).body.items).toEqual([]);
    const replay = await app.post('/customers', OPERATOR_KEY, { name: NAME, phone: PHONE, bankCard: CARD, accountTier: 'III' }, { 'idempotency-key': 'register-zhang' });
    expect(replay.body).toMatchObject({ id: zhang.id, name: '[erased]' });
    expect(replay.body.phone).toBeUndefined();
    expect(replay.body.bankCard).toBeUndefined();
    expect((await app.get('/activity?type=PersonErased', OPERATOR_KEY)).body.items.map((row: { summary: string }) => row.summary)).toEqual([`the personal details of party ${zhang.id} erased`]);
  });

  it('leaves the wallet, its money and the API key as they were', async () => {
    expect((await app.get(`/wallets/${zhang.walletId}`, zhang.key)).body).toMatchObject({ ownerId: zhang.id, cash: '88.00', accountTier: 'III' });
    expect((await app.post(`/wallets/${zhang.walletId}/withdrawals`, zhang.key, { amount: '8.00' })).status).toBe(201);
  });

  it('still reads erased after the directory is rebuilt from the log', async () => {
    expect((await app.post('/projections/parties/rebuilds', OPERATOR_KEY, {})).status).toBe(202);
    const done = await until(
      () => app.get('/projections', OPERATOR_KEY),
      (r) => r.body.projections.find((p: { name: string }) => p.name === 'parties')?.rebuild?.state !== 'running',
    );
    expect(done.body.projections.find((p: { name: string }) => p.name === 'parties').rebuild).toMatchObject({ state: 'switched', report: { switched: true } });
    expect(await directoryEntry('customer', zhang.id)).toMatchObject({ name: '[erased]', erasedPosition: expect.any(String) });
  });

  it('leaves the log intact: its chains verify', async () => {
    const verified = await app.get('/audit/verify', AUDITOR_KEY);
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ ok: true });
  });

  it('is 404 for a party that does not exist, or of the other kind, and 400 for an id that is not one', async () => {
    expect((await app.post(`/customers/${randomUUID()}/erasure`, COMPLIANCE_KEY, {})).status).toBe(404);
    const merchant = await app.party('merchant', 'Tea Stall');
    const wrongKind = await app.post(`/customers/${merchant.id}/erasure`, COMPLIANCE_KEY, {});
    expect({ status: wrongKind.status, detail: wrongKind.body.detail }).toEqual({ status: 404, detail: expect.stringContaining(`/merchants/${merchant.id}/erasure`) });
    expect((await app.post('/customers/zhang/erasure', COMPLIANCE_KEY, {})).body).toMatchObject({ status: 400, code: 'INVALID_PARAMETER', field: 'customerId' });
    expect((await app.post(`/merchants/${merchant.id}/erasure`, COMPLIANCE_KEY, { reason: 'asked' })).body).toMatchObject({ status: 400, field: 'reason' });
    expect((await app.post(`/merchants/${merchant.id}/erasure`, COMPLIANCE_KEY, {})).body).toMatchObject({ id: merchant.id, kind: 'merchant', erased: true });
    expect(await directoryEntry('merchant', merchant.id)).toMatchObject({ name: '[erased]' });
  });
});

describe('the erasure of a person registered before version 3', () => {
  const OLD_NAME = 'Old Plain Name';
  const old = { partyId: randomUUID(), walletId: randomUUID() };

  beforeAll(async () => {
    // As version-2 code stored it: the name in the clear.
    const store = app.app.get<EventStore>(EVENT_STORE);
    const metadata = { schemaVersion: 2, businessDate: '2026-01-05', ruleSetVersion: 'csrc-pboc-2018-06', principal: 'operator:legacy', correlationId: randomUUID(), causationId: randomUUID() };
    const data = { ...old, kind: 'merchant', name: OLD_NAME, apiKeyHash: 'sha256:legacy' };
    await store.append(`party-${old.partyId}`, [{ type: 'PartyRegistered', data, metadata }], { expectedRevision: 'no_stream' });
    await app.settleProcesses();
  });

  it('hides the name it recorded in the clear from every answer; the log keeps its text', async () => {
    const stream = `party-${old.partyId}`;
    expect((await app.get(`/audit/streams/${stream}/events`, AUDITOR_KEY)).body.items[0].data.name).toBe(OLD_NAME);
    const erased = await app.post(`/merchants/${old.partyId}/erasure`, COMPLIANCE_KEY, {});
    expect(erased.status).toBe(200);
    expect(await directoryEntry('merchant', old.partyId)).toMatchObject({ name: '[erased]' });
    const events = await app.get(`/audit/streams/${stream}/events`, AUDITOR_KEY);
    expect(events.body.items[0]).toMatchObject({ type: 'PartyRegistered', data: { name: '[erased]' }, erasedFields: ['name'] });
    const log = await app.get(`/audit/log?fromPosition=${events.body.items[0].position}&limit=5`, AUDITOR_KEY);
    expect(JSON.stringify(log.body)).not.toContain(OLD_NAME);
    expect(JSON.stringify((await app.get('/activity', OPERATOR_KEY)).body)).not.toContain(OLD_NAME);
    // The stored text is what its hash covers: it stays, and the log still verifies.
    expect(rawLogText()).toContain(OLD_NAME);
    expect((await app.get('/audit/verify', AUDITOR_KEY)).body).toMatchObject({ ok: true });
  });
});
