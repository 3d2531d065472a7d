import { randomUUID } from 'node:crypto';
import { OPERATOR_KEY, TestApp } from './test-app';

/**
 * A party's API keys over HTTP: an operator issues a new one (shown once), the party or an operator lists them
 * without secrets and revokes one, which stops working at its next request while the others go on; a
 * registration whose answer was lost is mended by issuing a key.
 */
type Party = { id: string; walletId: string; key: string };

let app: TestApp;

beforeAll(async () => {
  app = await TestApp.start();
});

afterAll(async () => {
  await app.stop();
});

const readsWallet = async (party: Party, key: string) => (await app.get(`/wallets/${party.walletId}`, key)).status;

describe('issuing a key', () => {
  it('an operator issues a second key, shown once; both keys work', async () => {
    const ann = await app.party('customer', 'Ann');
    const issued = await app.post(`/customers/${ann.id}/keys`, OPERATOR_KEY, {});
    expect(issued.status).toBe(201);
    expect(issued.body).toEqual({ partyId: ann.id, keyId: expect.stringMatching(/^[0-9a-f]{16}$/), apiKey: expect.stringMatching(new RegExp(`^ifw_${ann.id}_`)), position: expect.any(String) });
    expect(issued.headers.get('cache-control')).toBe('no-store');
    expect(await readsWallet(ann, issued.body.apiKey)).toBe(200);
    expect(await readsWallet(ann, ann.key)).toBe(200);
  });

  it('a registration whose answer was lost is mended: the replay has no key, a new key is issued', async () => {
    const first = await app.post('/customers', OPERATOR_KEY, { name: 'Lost Answer' }, { 'idempotency-key': 'lost-registration' });
    expect(first.status).toBe(201);
    const replay = await app.post('/customers', OPERATOR_KEY, { name: 'Lost Answer' }, { 'idempotency-key': 'lost-registration' });
    expect(replay.body.apiKey).toBeUndefined();
    const issued = await app.post(`/customers/${replay.body.id}/keys`, OPERATOR_KEY, {});
    expect(issued.status).toBe(201);
    expect((await app.get(`/wallets/${replay.body.walletId}`, issued.body.apiKey)).status).toBe(200);
  });

  it('a retry under the same Idempotency-Key issues no second key and shows no secret', async () => {
    const bo = await app.party('merchant', 'Bo');
    const first = await app.post(`/merchants/${bo.id}/keys`, OPERATOR_KEY, {}, { 'idempotency-key': 'issue-once' });
    const again = await app.post(`/merchants/${bo.id}/keys`, OPERATOR_KEY, {}, { 'idempotency-key': 'issue-once' });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual({ ...first.body, apiKey: undefined });
    expect((await app.get(`/merchants/${bo.id}/keys`, OPERATOR_KEY)).body.keys).toHaveLength(2);
  });

  it(`at most 5 keys in use at once: the sixth is 422 TOO_MANY_KEYS, and one revoked makes room`, async () => {
    const cai = await app.party('customer', 'Cai');
    for (let i = 0; i < 4; i++) expect((await app.post(`/customers/${cai.id}/keys`, OPERATOR_KEY, {})).status).toBe(201);
    const sixth = await app.post(`/customers/${cai.id}/keys`, OPERATOR_KEY, {});
    expect(sixth).toMatchObject({ status: 422, body: { code: 'TOO_MANY_KEYS' } });
    const [oldest] = (await app.get(`/customers/${cai.id}/keys`, OPERATOR_KEY)).body.keys;
    expect((await app.delete(`/customers/${cai.id}/keys/${oldest.keyId}`, OPERATOR_KEY)).status).toBe(200);
    expect((await app.post(`/customers/${cai.id}/keys`, OPERATOR_KEY, {})).status).toBe(201);
  });
});

describe('listing and revoking keys', () => {
  let dan: Party;
  let second: { keyId: string; apiKey: string };

  beforeAll(async () => {
    dan = await app.party('customer', 'Dan');
    second = (await app.post(`/customers/${dan.id}/keys`, OPERATOR_KEY, {})).body;
  });

  it('lists every key by id and dates, oldest first, to the party itself and to operators, and never a secret or hash', async () => {
    for (const key of [dan.key, OPERATOR_KEY]) {
      const listed = await app.get(`/customers/${dan.id}/keys`, key);
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual({
        partyId: dan.id,
        keys: [
          { keyId: expect.stringMatching(/^[0-9a-f]{16}$/), status: 'active', issuedOn: '2026-01-05', issuedPosition: expect.any(String) },
          { keyId: second.keyId, status: 'active', issuedOn: '2026-01-05', issuedPosition: expect.any(String) },
        ],
      });
      expect(listed.text).not.toContain(second.apiKey.slice(-43));
      expect(listed.text).not.toMatch(/[0-9a-f]{64}/); // no hash of a secret either
    }
  });

  it('a revoked key is refused at its next request; the other goes on working', async () => {
    const revoked = await app.delete(`/customers/${dan.id}/keys/${second.keyId}`, dan.key);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ partyId: dan.id, keyId: second.keyId, revoked: true });
    expect(await readsWallet(dan, second.apiKey)).toBe(401);
    expect(await readsWallet(dan, dan.key)).toBe(200);
    const keys = (await app.get(`/customers/${dan.id}/keys`, OPERATOR_KEY)).body.keys;
    expect(keys[1]).toMatchObject({ keyId: second.keyId, status: 'revoked', revokedOn: '2026-01-05', revokedPosition: expect.any(String) });
    expect(keys[0].status).toBe('active');
  });

  it('revoking a revoked key changes nothing and answers the same', async () => {
    const before = await app.lastPosition();
    const again = await app.delete(`/customers/${dan.id}/keys/${second.keyId}`, OPERATOR_KEY);
    expect(again).toMatchObject({ status: 200, body: { keyId: second.keyId, revoked: true } });
    expect(await app.lastPosition()).toBe(before);
  });

  it('a party revoking its own last key locks itself out until an operator issues one', async () => {
    const eve = await app.party('customer', 'Eve');
    const [only] = (await app.get(`/customers/${eve.id}/keys`, eve.key)).body.keys;
    expect((await app.delete(`/customers/${eve.id}/keys/${only.keyId}`, eve.key)).status).toBe(200);
    expect(await readsWallet(eve, eve.key)).toBe(401);
    const issued = await app.post(`/customers/${eve.id}/keys`, OPERATOR_KEY, {});
    expect(await readsWallet(eve, issued.body.apiKey)).toBe(200);
  });
});

describe('what is refused', () => {
  it.each([
    ['an unknown key id', (p: Party) => `/customers/${p.id}/keys/0123456789abcdef`, 422, 'UNKNOWN_KEY'],
    ['a key id not of 16 hex digits', (p: Party) => `/customers/${p.id}/keys/NOT-A-KEY-ID`, 400, 'INVALID_PARAMETER'],
    ['an unknown customer', () => `/customers/${randomUUID()}/keys/0123456789abcdef`, 404, 'NOT_FOUND'],
  ])('revoking with %s is refused and writes nothing', async (_, path, status, code) => {
    const fay = await app.party('customer', 'Fay');
    const before = await app.lastPosition();
    const refused = await app.delete(path(fay), OPERATOR_KEY);
    expect(refused).toMatchObject({ status, body: { code } });
    expect(await app.lastPosition()).toBe(before);
  });

  it("a merchant's id on the customers' routes is 404, for issuing and listing alike", async () => {
    const gus = await app.party('merchant', 'Gus');
    expect((await app.post(`/customers/${gus.id}/keys`, OPERATOR_KEY, {})).status).toBe(404);
    expect((await app.get(`/customers/${gus.id}/keys`, OPERATOR_KEY)).status).toBe(404);
    expect((await app.get(`/merchants/${gus.id}/keys`, OPERATOR_KEY)).status).toBe(200);
  });

  it("a party may neither issue itself a key nor list or revoke another's", async () => {
    const [hal, ivy] = [await app.party('customer', 'Hal'), await app.party('customer', 'Ivy')];
    expect((await app.post(`/customers/${hal.id}/keys`, hal.key, {})).status).toBe(403);
    expect((await app.get(`/customers/${ivy.id}/keys`, hal.key)).status).toBe(403);
    const [ivyKey] = (await app.get(`/customers/${ivy.id}/keys`, OPERATOR_KEY)).body.keys;
    expect((await app.delete(`/customers/${ivy.id}/keys/${ivyKey.keyId}`, hal.key)).status).toBe(403);
    expect(await readsWallet(ivy, ivy.key)).toBe(200);
  });

  it('a body on POST …/keys must be empty: unknown fields are 400', async () => {
    const jo = await app.party('customer', 'Jo');
    expect((await app.post(`/customers/${jo.id}/keys`, OPERATOR_KEY, { role: 'operator' })).status).toBe(400);
  });
});
