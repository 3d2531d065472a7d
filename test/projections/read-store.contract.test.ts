import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Long, MongoClient } from 'mongodb';
import type { JsonObject, JsonValue } from '../../src/eventstore';
import { InvariantViolation } from '../../src/invariant';
import { openReadStore } from '../../src/projections/open-read-store';
import {
  type CollectionSpec,
  type DocWrite,
  type FindQuery,
  InvalidQueryError,
  LeaseLostError,
  READ_STORE_LIMITS,
  type ReadStore,
  type StoredDoc,
  UnsupportedReadStoreUrlError,
  sortFields,
} from '../../src/projections/read-store';

/** A backend the contract runs against. */
interface Backend {
  name: string;
  open(): Promise<ReadStore>;
  cleanup(): Promise<void>;
}

function embeddedBackends(): Backend[] {
  const dirs: string[] = [];
  return [
    { name: 'sqlite in memory', open: () => openReadStore('sqlite::memory:'), cleanup: async () => {} },
    {
      name: 'sqlite on disk',
      open: () => {
        const dir = mkdtempSync(join(tmpdir(), 'ifw-rs-'));
        dirs.push(dir);
        return openReadStore(`sqlite:${join(dir, 'read.db')}`);
      },
      cleanup: async () => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })),
    },
  ];
}

/** `url` with its database replaced by `database`, options kept. */
function withDatabase(url: string, database: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?#]+)(?:\/[^?#]*)?(.*)$/.exec(url);
  if (!match) throw new Error(`IFW_TEST_MONGO_URL must be a mongodb:// URL, got "${url}"`);
  return `${match[1]}/${database}${match[2]}`;
}

/** A fresh database per test of this run (`ifw_test_<run>_<n>`), each dropped after its test. */
function mongoBackend(url: string | undefined): Backend & { databases: string[]; url: string } {
  const run = randomUUID().slice(0, 8);
  const databases: string[] = [];
  const pending: string[] = [];
  return {
    name: url ? `MongoDB at ${url}` : 'MongoDB (skipped: IFW_TEST_MONGO_URL is not set)',
    url: url ?? '',
    databases,
    open: () => {
      if (!url) throw new Error('IFW_TEST_MONGO_URL is not set');
      const database = `ifw_test_${run}_${databases.length + 1}`;
      databases.push(database);
      pending.push(database);
      return openReadStore(withDatabase(url, database));
    },
    cleanup: async () => {
      if (!url || pending.length === 0) return;
      const client = await MongoClient.connect(url, { serverSelectionTimeoutMS: 5_000 });
      try {
        for (const database of pending.splice(0)) await client.db(database).dropDatabase();
      } finally {
        await client.close();
      }
    },
  };
}

const T0 = Date.UTC(2026, 0, 1);

const ITEMS: CollectionSpec = { name: 'items', indexes: [['kind', 'name'], ['amount'], ['meta.rank']] };
const OTHERS: CollectionSpec = { name: 'others', indexes: [] };

const put = (id: string, position: bigint, body: JsonObject, collection = 'items'): DocWrite => ({ collection, id, position, body });

/** Five documents with strings of both cases, regex metacharacters, a nested field, nulls and missing fields. */
const SEED: readonly DocWrite[] = [
  put('i01', 1n, { kind: 'fund', name: 'Alpha Money', amount: 100, active: true, meta: { rank: 3 } }),
  put('i02', 2n, { kind: 'fund', name: 'beta bond', amount: 250, active: false, meta: { rank: 1 }, note: null }),
  put('i03', 3n, { kind: 'cash', name: 'Gamma (50%)', amount: 250, active: true, meta: { rank: 2 }, note: null }),
  put('i04', 4n, { kind: 'cash', name: 'delta.cash', amount: -5, active: false }),
  put('i05', 5n, { kind: 'fund', name: 'Epsilon', amount: 1000, active: true, meta: { rank: 2 }, note: 'x' }),
];

function valueAt(body: JsonObject, path: string): JsonValue {
  let value: JsonValue = body;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
    value = value[part] ?? null;
  }
  return value;
}

/** The keyset of a document under a query's order: its sort values, `id` last. */
function keyOf(doc: StoredDoc, orderBy: readonly string[] | undefined): JsonValue[] {
  return sortFields(orderBy).map((field) => (field === 'id' ? doc.id : valueAt(doc.body, field)));
}

function contract(backend: Backend): void {
  let store: ReadStore;

  beforeEach(async () => {
    store = await backend.open();
    await store.ensureCollections([ITEMS, OTHERS]);
  });
  afterEach(async () => {
    await store?.close();
    await backend.cleanup();
  });

  const seed = () => store.commit({ writes: SEED, checkpoints: [{ key: 'items', position: 5n }] });
  const ids = async (query: FindQuery, collection = 'items') => (await store.find(collection, query)).map((doc) => doc.id);

  /** Every page of a query, following the keyset of each page's last document. */
  async function pages(query: Omit<FindQuery, 'after'>): Promise<string[][]> {
    const all: string[][] = [];
    let after: JsonValue[] | undefined;
    for (let guard = 0; guard < 100; guard++) {
      const page = await store.find('items', { ...query, ...(after ? { after } : {}) });
      if (page.length === 0) return all;
      all.push(page.map((doc) => doc.id));
      if (page.length < query.limit) return all;
      after = keyOf(page[page.length - 1]!, query.orderBy);
    }
    throw new Error('pagination did not end');
  }

  describe('collections', () => {
    it('ensureCollections is idempotent and keeps what is stored', async () => {
      await store.commit({ writes: [put('a', 1n, { kind: 'fund' })], checkpoints: [] });
      await store.ensureCollections([ITEMS, OTHERS]);
      await store.ensureCollections([ITEMS, { name: 'items', indexes: [['kind', 'name'], ['amount'], ['meta.rank'], ['active']] }]);
      expect(await store.get('items', 'a')).toEqual({ id: 'a', position: 1n, body: { kind: 'fund' } });
    });

    it('a collection loaded before its indexes exist answers the same queries before and after they are built', async () => {
      const late = { ...ITEMS, name: 'late_items' };
      await store.ensureCollections([late], { indexes: false });
      await store.commit({ writes: SEED.map((w) => ({ ...w, collection: 'late_items' })), checkpoints: [] });
      const query: FindQuery = { where: { kind: { eq: 'fund' } }, orderBy: ['amount'], limit: 10 };
      const before = await ids(query, 'late_items');
      await store.ensureCollections([late]);
      expect(await ids(query, 'late_items')).toEqual(before);
      await seed();
      expect(before).toEqual(await ids(query));
      expect(before.length).toBeGreaterThan(1);
    });

    it('dropCollections removes the documents, leaves the store records, and tolerates missing collections', async () => {
      await seed();
      await store.setRecord('served', { version: 1 });
      await store.dropCollections(['items', 'never_created']);
      expect(await store.get('items', 'i01')).toBeUndefined();
      expect(await store.find('items', { limit: 10 })).toEqual([]);
      expect(await store.checkpoint('items')).toBe(5n);
      expect(await store.getRecord('served')).toEqual({ version: 1 });
      await store.ensureCollections([ITEMS]);
      expect(await store.find('items', { limit: 10 })).toEqual([]);
      await store.commit({ writes: [put('i01', 1n, { kind: 'again' })], checkpoints: [] });
      expect((await store.get('items', 'i01'))?.body).toEqual({ kind: 'again' });
    });

    it('a write to a collection never created is a broken invariant and writes nothing of its batch', async () => {
      const batch = { writes: [put('a', 1n, { n: 1 }), put('b', 1n, { n: 2 }, 'ghost')], checkpoints: [{ key: 'items', position: 1n }] };
      await expect(store.commit(batch)).rejects.toBeInstanceOf(InvariantViolation);
      expect(await store.get('items', 'a')).toBeUndefined();
      expect(await store.checkpoint('items')).toBeUndefined();
    });
  });

  describe('get and getMany', () => {
    it('get answers the document as written, or undefined', async () => {
      const body: JsonObject = {
        text: 'wallet 钱包 ✓',
        int: 42,
        negative: -7,
        fraction: 0.125,
        big: Number.MAX_SAFE_INTEGER,
        yes: true,
        no: false,
        nothing: null,
        list: [1, 'two', { three: [3] }, null],
        nested: { a: { b: { c: 'deep' } } },
        empty: {},
      };
      await store.commit({ writes: [put('w-1', 9_007_199_254_740_993n, body)], checkpoints: [] });
      expect(await store.get('items', 'w-1')).toEqual({ id: 'w-1', position: 9_007_199_254_740_993n, body });
      expect(await store.get('items', 'w-2')).toBeUndefined();
      expect(await store.get('never_created', 'w-1')).toBeUndefined();
    });

    it('getMany answers the ids found, in the order asked, and nothing for an empty list', async () => {
      await seed();
      const found = await store.getMany('items', ['i03', 'missing', 'i01', 'i03']);
      expect([...found.keys()]).toEqual(['i03', 'i01']);
      expect(found.get('i01')).toEqual({ id: 'i01', position: 1n, body: SEED[0]!.body });
      expect((await store.getMany('items', [])).size).toBe(0);
      expect((await store.getMany('never_created', ['i01'])).size).toBe(0);
    });

    it(`getMany refuses more than ${READ_STORE_LIMITS.maxIdsPerGet} ids`, async () => {
      const tooMany = Array.from({ length: READ_STORE_LIMITS.maxIdsPerGet + 1 }, (_, i) => `id-${i}`);
      await expect(store.getMany('items', tooMany)).rejects.toBeInstanceOf(InvariantViolation);
    });
  });

  describe('commit', () => {
    it('applies the writes of a batch and its checkpoints', async () => {
      expect(await store.checkpoint('items')).toBeUndefined();
      await store.commit({
        writes: [put('a', 3n, { n: 1 }), put('b', 4n, { n: 2 }), put('x', 4n, { n: 3 }, 'others')],
        checkpoints: [
          { key: 'items', position: 4n },
          { key: 'others', position: 7n },
        ],
      });
      expect(await store.get('items', 'a')).toEqual({ id: 'a', position: 3n, body: { n: 1 } });
      expect(await store.get('items', 'b')).toEqual({ id: 'b', position: 4n, body: { n: 2 } });
      expect(await store.get('others', 'x')).toEqual({ id: 'x', position: 4n, body: { n: 3 } });
      expect(await store.checkpoint('items')).toBe(4n);
      expect(await store.checkpoint('others')).toBe(7n);
      expect(await store.checkpoint('missing')).toBeUndefined();
    });

    it('a write at the stored position or older changes nothing; a newer one replaces the whole body', async () => {
      await store.commit({ writes: [put('a', 5n, { v: 'first', extra: true })], checkpoints: [] });
      await store.commit({ writes: [put('a', 5n, { v: 'same position' })], checkpoints: [] });
      await store.commit({ writes: [put('a', 3n, { v: 'older' })], checkpoints: [] });
      expect(await store.get('items', 'a')).toEqual({ id: 'a', position: 5n, body: { v: 'first', extra: true } });
      await store.commit({ writes: [put('a', 6n, { v: 'newer' })], checkpoints: [] });
      expect(await store.get('items', 'a')).toEqual({ id: 'a', position: 6n, body: { v: 'newer' } });
    });

    it('a replayed batch applies its new writes even after writes that are already stored', async () => {
      await store.commit({ writes: [put('a', 5n, { v: 1 }), put('b', 5n, { v: 1 })], checkpoints: [] });
      await store.commit({
        writes: [put('a', 5n, { v: 'replayed' }), put('b', 4n, { v: 'older' }), put('c', 7n, { v: 2 }), put('a', 8n, { v: 3 }, 'others')],
        checkpoints: [{ key: 'items', position: 7n }],
      });
      expect((await store.get('items', 'a'))?.body).toEqual({ v: 1 });
      expect((await store.get('items', 'b'))?.body).toEqual({ v: 1 });
      expect(await store.get('items', 'c')).toEqual({ id: 'c', position: 7n, body: { v: 2 } });
      expect(await store.get('others', 'a')).toEqual({ id: 'a', position: 8n, body: { v: 3 } });
      expect(await store.checkpoint('items')).toBe(7n);
    });

    it('a replayed batch larger than one bulk writes only what is missing', async () => {
      const count = 1_001;
      const writes = Array.from({ length: count }, (_, i) => put(`d${String(i).padStart(4, '0')}`, BigInt(i + 1), { i }));
      // The first half arrived before a crash; the replay carries all of it again, and one newer write.
      await store.commit({ writes: writes.slice(0, 500), checkpoints: [] });
      await store.commit({ writes: [...writes, put('d0000', 2_000n, { i: 'newest' })], checkpoints: [{ key: 'items', position: 2_000n }] });
      const found = await store.getMany('items', writes.slice(0, 1_000).map((w) => w.id));
      expect(found.size).toBe(1_000);
      expect(found.get('d0000')).toEqual({ id: 'd0000', position: 2_000n, body: { i: 'newest' } });
      expect(found.get('d0999')?.body).toEqual({ i: 999 });
      expect((await store.get('items', 'd1000'))?.body).toEqual({ i: 1_000 });
      expect(await store.checkpoint('items')).toBe(2_000n);
      // FerretDB scans the collection for every guarded write (see docs/readstore-mongodb.md): 10 to 20 s there.
    }, 180_000);

    it('within one batch the newest write of a document wins, whatever the order', async () => {
      await store.commit({ writes: [put('a', 4n, { v: 4 }), put('a', 6n, { v: 6 }), put('b', 6n, { v: 6 }), put('b', 4n, { v: 4 })], checkpoints: [] });
      expect(await store.get('items', 'a')).toEqual({ id: 'a', position: 6n, body: { v: 6 } });
      expect(await store.get('items', 'b')).toEqual({ id: 'b', position: 6n, body: { v: 6 } });
    });

    it('checkpoints only move forward', async () => {
      await store.commit({ writes: [], checkpoints: [{ key: 'p', position: 10n }] });
      await store.commit({ writes: [], checkpoints: [{ key: 'p', position: 7n }] });
      expect(await store.checkpoint('p')).toBe(10n);
      await store.commit({ writes: [], checkpoints: [{ key: 'p', position: 10n }] });
      expect(await store.checkpoint('p')).toBe(10n);
      await store.commit({ writes: [], checkpoints: [{ key: 'p', position: 12n }] });
      expect(await store.checkpoint('p')).toBe(12n);
    });
  });

  describe('find', () => {
    beforeEach(seed);

    it('orders by id when no order is given', async () => {
      expect(await ids({ limit: 10 })).toEqual(['i01', 'i02', 'i03', 'i04', 'i05']);
      expect(await ids({ limit: 10, direction: 'desc' })).toEqual(['i05', 'i04', 'i03', 'i02', 'i01']);
      expect(await ids({ limit: 2 })).toEqual(['i01', 'i02']);
    });

    it('filters by equality with strings, numbers, booleans, and on nested fields', async () => {
      expect(await ids({ where: { kind: { eq: 'fund' } }, limit: 10 })).toEqual(['i01', 'i02', 'i05']);
      expect(await ids({ where: { amount: { eq: 250 } }, limit: 10 })).toEqual(['i02', 'i03']);
      expect(await ids({ where: { active: { eq: true } }, limit: 10 })).toEqual(['i01', 'i03', 'i05']);
      expect(await ids({ where: { active: { eq: false } }, limit: 10 })).toEqual(['i02', 'i04']);
      expect(await ids({ where: { 'meta.rank': { eq: 2 } }, limit: 10 })).toEqual(['i03', 'i05']);
      expect(await ids({ where: { kind: { eq: 'fund' }, amount: { gte: 200 } }, limit: 10 })).toEqual(['i02', 'i05']);
      expect(await ids({ where: { kind: { eq: 'none' } }, limit: 10 })).toEqual([]);
    });

    it('eq null matches a null or a missing field', async () => {
      expect(await ids({ where: { note: { eq: null } }, limit: 10 })).toEqual(['i01', 'i02', 'i03', 'i04']);
      expect(await ids({ where: { 'meta.rank': { eq: null } }, limit: 10 })).toEqual(['i04']);
    });

    it('filters by inclusive ranges of numbers, strings and ids', async () => {
      expect(await ids({ where: { amount: { gte: 100, lte: 250 } }, limit: 10 })).toEqual(['i01', 'i02', 'i03']);
      expect(await ids({ where: { amount: { gte: 250 } }, limit: 10 })).toEqual(['i02', 'i03', 'i05']);
      expect(await ids({ where: { amount: { lte: -5 } }, limit: 10 })).toEqual(['i04']);
      // Binary order: upper-case letters sort before lower-case ones.
      expect(await ids({ where: { name: { gte: 'b', lte: 'e' } }, limit: 10 })).toEqual(['i02', 'i04']);
      expect(await ids({ where: { id: { gte: 'i02', lte: 'i03' } }, limit: 10 })).toEqual(['i02', 'i03']);
      expect(await ids({ where: { amount: {} }, limit: 10 })).toEqual(['i01', 'i02', 'i03', 'i04', 'i05']);
    });

    it('contains is a case-insensitive substring, metacharacters taken literally', async () => {
      expect(await ids({ where: { name: { contains: 'ALPHA' } }, limit: 10 })).toEqual(['i01']);
      expect(await ids({ where: { name: { contains: 'a' } }, limit: 10 })).toEqual(['i01', 'i02', 'i03', 'i04']);
      expect(await ids({ where: { name: { contains: '(50%)' } }, limit: 10 })).toEqual(['i03']);
      expect(await ids({ where: { name: { contains: '.' } }, limit: 10 })).toEqual(['i04']);
      expect(await ids({ where: { name: { contains: 'a.*c' } }, limit: 10 })).toEqual([]);
      expect(await ids({ where: { name: { contains: 'ON' }, kind: { eq: 'fund' } }, limit: 10 })).toEqual(['i01', 'i02', 'i05']);
    });

    it('orders by fields in one direction with id as the tie-breaker', async () => {
      expect(await ids({ orderBy: ['amount'], limit: 10 })).toEqual(['i04', 'i01', 'i02', 'i03', 'i05']);
      expect(await ids({ orderBy: ['amount'], direction: 'desc', limit: 10 })).toEqual(['i05', 'i03', 'i02', 'i01', 'i04']);
      expect(await ids({ orderBy: ['kind', 'name'], limit: 10 })).toEqual(['i03', 'i04', 'i01', 'i05', 'i02']);
      expect(await ids({ orderBy: ['kind', 'name'], direction: 'desc', limit: 10 })).toEqual(['i02', 'i05', 'i01', 'i04', 'i03']);
      expect(await ids({ orderBy: ['amount', 'id'], direction: 'desc', limit: 3 })).toEqual(['i05', 'i03', 'i02']);
      // A missing field sorts first, as null does.
      expect(await ids({ orderBy: ['meta.rank'], limit: 10 })).toEqual(['i04', 'i02', 'i03', 'i05', 'i01']);
    });

    it('refuses limits outside 1 to the page size, and malformed queries', async () => {
      for (const limit of [0, -1, 1.5, Number.NaN, READ_STORE_LIMITS.maxPageSize + 1]) {
        await expect(store.find('items', { limit })).rejects.toThrow(InvalidQueryError);
      }
      await expect(store.find('items', { limit: 0 })).rejects.toThrow(`limit must be an integer from 1 to ${READ_STORE_LIMITS.maxPageSize}`);
      expect(await store.find('items', { limit: 1 })).toHaveLength(1);
      expect(await store.find('items', { limit: READ_STORE_LIMITS.maxPageSize })).toHaveLength(5);
      await expect(store.find('items', { where: { 'bad-field': { eq: 1 } }, limit: 1 })).rejects.toBeInstanceOf(InvalidQueryError);
      await expect(store.find('items', { where: { kind: { eq: { nested: 1 } } }, limit: 1 })).rejects.toBeInstanceOf(InvalidQueryError);
      await expect(store.find('items', { orderBy: ['amount'], after: [100], limit: 1 })).rejects.toThrow('after needs 2 values, one per sort field');
    });
  });

  describe('keyset pagination', () => {
    it('an empty or missing collection has no pages', async () => {
      expect(await store.find('items', { limit: 10 })).toEqual([]);
      expect(await store.find('items', { orderBy: ['amount'], after: [1, 'x'], limit: 10 })).toEqual([]);
      expect(await store.find('never_created', { limit: 10 })).toEqual([]);
    });

    it('exactly one page: the page after its last row is empty', async () => {
      await seed();
      const page = await store.find('items', { orderBy: ['amount'], limit: 5 });
      expect(page.map((doc) => doc.id)).toEqual(['i04', 'i01', 'i02', 'i03', 'i05']);
      expect(await store.find('items', { orderBy: ['amount'], after: keyOf(page[4]!, ['amount']), limit: 5 })).toEqual([]);
      expect(await pages({ orderBy: ['amount'], limit: 5 })).toEqual([['i04', 'i01', 'i02', 'i03', 'i05']]);
    });

    it('pages through every row once, in either direction, across ties', async () => {
      await seed();
      expect(await pages({ orderBy: ['amount'], limit: 2 })).toEqual([['i04', 'i01'], ['i02', 'i03'], ['i05']]);
      expect(await pages({ orderBy: ['amount'], direction: 'desc', limit: 2 })).toEqual([['i05', 'i03'], ['i02', 'i01'], ['i04']]);
      expect(await pages({ orderBy: ['kind', 'name'], direction: 'desc', limit: 2 })).toEqual([['i02', 'i05'], ['i01', 'i04'], ['i03']]);
      expect(await pages({ limit: 3 })).toEqual([['i01', 'i02', 'i03'], ['i04', 'i05']]);
      expect(await pages({ where: { kind: { eq: 'fund' } }, orderBy: ['amount'], limit: 1 })).toEqual([['i01'], ['i02'], ['i05']]);
    });

    it('rows inserted between pages neither repeat nor skip the rows already paged past', async () => {
      await seed();
      const first = await store.find('items', { orderBy: ['amount'], limit: 2 });
      expect(first.map((doc) => doc.id)).toEqual(['i04', 'i01']);
      await store.commit({
        writes: [
          put('i00', 6n, { kind: 'cash', name: 'behind', amount: 50 }),
          put('i00b', 6n, { kind: 'cash', name: 'tie behind', amount: 100 }),
          put('i01b', 6n, { kind: 'cash', name: 'tie ahead', amount: 100 }),
          put('i06', 6n, { kind: 'cash', name: 'ahead', amount: 300 }),
        ],
        checkpoints: [],
      });
      const rest: string[] = [];
      let after = keyOf(first[1]!, ['amount']);
      for (;;) {
        const page = await store.find('items', { orderBy: ['amount'], after, limit: 2 });
        rest.push(...page.map((doc) => doc.id));
        if (page.length < 2) break;
        after = keyOf(page[page.length - 1]!, ['amount']);
      }
      expect(rest).toEqual(['i01b', 'i02', 'i03', 'i06', 'i05']);
    });
  });

  describe('leases', () => {
    it('a free lease is claimed, and renewed by its owner', async () => {
      expect(await store.claimLease('proj', 'w1', T0, 1_000)).toEqual({ name: 'proj', owner: 'w1', expiresAtMs: T0 + 1_000 });
      expect(await store.claimLease('proj', 'w1', T0 + 500, 1_000)).toEqual({ name: 'proj', owner: 'w1', expiresAtMs: T0 + 1_500 });
      expect(await store.claimLease('other', 'w2', T0, 1_000)).toEqual({ name: 'other', owner: 'w2', expiresAtMs: T0 + 1_000 });
    });

    it('another owner is refused while the lease is unexpired and takes it over at expiry', async () => {
      await store.claimLease('proj', 'w1', T0, 1_000);
      expect(await store.claimLease('proj', 'w2', T0 + 999, 1_000)).toEqual({ name: 'proj', owner: 'w1', expiresAtMs: T0 + 1_000 });
      expect(await store.claimLease('proj', 'w2', T0 + 1_000, 1_000)).toEqual({ name: 'proj', owner: 'w2', expiresAtMs: T0 + 2_000 });
      expect(await store.claimLease('proj', 'w1', T0 + 1_500, 1_000)).toEqual({ name: 'proj', owner: 'w2', expiresAtMs: T0 + 2_000 });
    });

    it('is read as it stands without being claimed', async () => {
      expect(await store.lease('proj')).toBeUndefined();
      await store.claimLease('proj', 'w1', T0, 1_000);
      await store.claimLease('proj', 'w2', T0 + 10, 1_000);
      expect(await store.lease('proj')).toEqual({ name: 'proj', owner: 'w1', expiresAtMs: T0 + 1_000 });
    });

    it('only the owner releases a lease', async () => {
      await store.claimLease('proj', 'w1', T0, 1_000);
      await store.releaseLease('proj', 'w2');
      expect((await store.claimLease('proj', 'w2', T0 + 1, 1_000)).owner).toBe('w1');
      await store.releaseLease('proj', 'w1');
      expect(await store.claimLease('proj', 'w2', T0 + 2, 1_000)).toEqual({ name: 'proj', owner: 'w2', expiresAtMs: T0 + 1_002 });
      await store.releaseLease('never-claimed', 'w1');
      await store.releaseLease('proj', 'w2');
      expect(await store.lease('proj')).toBeUndefined();
    });

    it('a batch under a lease still held commits', async () => {
      await store.claimLease('proj', 'w1', T0, 1_000);
      await store.commit({ writes: [put('a', 1n, { v: 1 })], checkpoints: [{ key: 'proj', position: 1n }], leases: [{ name: 'proj', owner: 'w1' }] });
      expect((await store.get('items', 'a'))?.body).toEqual({ v: 1 });
      expect(await store.checkpoint('proj')).toBe(1n);
    });

    it('a batch under a lost lease writes nothing: no document, no checkpoint', async () => {
      await store.claimLease('proj', 'w1', T0, 1_000);
      await store.commit({ writes: [put('a', 1n, { v: 1 })], checkpoints: [{ key: 'proj', position: 1n }], leases: [{ name: 'proj', owner: 'w1' }] });
      await store.claimLease('proj', 'w2', T0 + 1_000, 1_000);
      const stale = {
        writes: [put('a', 2n, { v: 'stale' }), put('b', 2n, { v: 'stale' }), put('c', 2n, { v: 'stale' }, 'others')],
        checkpoints: [{ key: 'proj', position: 2n }],
        leases: [{ name: 'proj', owner: 'w1' }],
      };
      const error = await store.commit(stale).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LeaseLostError);
      expect(error).toMatchObject({ code: 'LEASE_LOST', lease: { name: 'proj', owner: 'w1' } });
      expect(await store.get('items', 'a')).toEqual({ id: 'a', position: 1n, body: { v: 1 } });
      expect(await store.get('items', 'b')).toBeUndefined();
      expect(await store.get('others', 'c')).toBeUndefined();
      expect(await store.checkpoint('proj')).toBe(1n);
      await expect(store.commit({ writes: [], checkpoints: [], leases: [{ name: 'never-claimed', owner: 'w1' }] })).rejects.toBeInstanceOf(LeaseLostError);
    });
  });

  describe('records', () => {
    it('sets, gets and replaces a record per key', async () => {
      expect(await store.getRecord('served')).toBeUndefined();
      const value: JsonObject = { version: 2, names: ['a', 'b'], 'dotted.key': { $dollar: null } };
      await store.setRecord('served', value);
      expect(await store.getRecord('served')).toEqual(value);
      await store.setRecord('served', { version: 3 });
      expect(await store.getRecord('served')).toEqual({ version: 3 });
      expect(await store.getRecord('other')).toBeUndefined();
    });
  });
}

describe.each(embeddedBackends())('read store contract: $name', contract);

const mongoUrl = process.env.IFW_TEST_MONGO_URL;
const mongo = mongoBackend(mongoUrl);
if (!mongoUrl) {
  console.warn(
    '!!! read store contract: the MongoDB run is SKIPPED: set IFW_TEST_MONGO_URL=mongodb://127.0.0.1:PORT/ ' +
      '(scripts/ferretdb.sh start prints one) to run it !!!',
  );
}

const describeMongo = mongoUrl ? describe : describe.skip;

describeMongo(`read store contract: ${mongo.name}`, () => contract(mongo));

describeMongo('MongoDB read store layout', () => {
  let store: ReadStore;
  beforeEach(async () => {
    store = await mongo.open();
    await store.ensureCollections([ITEMS]);
  });
  afterEach(async () => {
    await store?.close();
    await mongo.cleanup();
  });

  it('stores { _id, _position: int64, ...body } in rm_<name>, with the declared indexes', async () => {
    await store.commit({ writes: [put('a', 7n, { kind: 'fund', meta: { rank: 1 } })], checkpoints: [{ key: 'items', position: 7n }] });
    const client = await MongoClient.connect(mongo.url, { serverSelectionTimeoutMS: 5_000, promoteLongs: false });
    try {
      const db = client.db(mongo.databases[mongo.databases.length - 1]);
      const raw = await db.collection('rm_items').findOne({});
      expect(raw).toEqual({ _id: 'a', _position: Long.fromBigInt(7n), kind: 'fund', meta: { rank: 1 } });
      const indexes = (await db.collection('rm_items').listIndexes().toArray()).map((index) => index.key as Record<string, number>);
      expect(indexes).toEqual(expect.arrayContaining([{ kind: 1, name: 1, _id: 1 }, { amount: 1, _id: 1 }, { 'meta.rank': 1, _id: 1 }]));
    } finally {
      await client.close();
    }
  });

  it('refuses a body with _id or _position before writing anything', async () => {
    await expect(store.commit({ writes: [put('a', 1n, { v: 1 }), put('b', 1n, { _id: 'x' })], checkpoints: [] })).rejects.toBeInstanceOf(InvariantViolation);
    await expect(store.commit({ writes: [put('c', 1n, { _position: 3 })], checkpoints: [] })).rejects.toBeInstanceOf(InvariantViolation);
    expect(await store.get('items', 'a')).toBeUndefined();
    await expect(store.find('items', { where: { _position: { eq: 1 } }, limit: 1 })).rejects.toBeInstanceOf(InvalidQueryError);
  });
});

describe('openReadStore', () => {
  it('refuses URLs of no known read store', async () => {
    for (const url of ['postgres://localhost/ifw', 'sqlite:', 'mongodb:/localhost', '', 'MONGODB://x']) {
      await expect(openReadStore(url)).rejects.toBeInstanceOf(UnsupportedReadStoreUrlError);
    }
  });

  it('an unreachable MongoDB is an error within seconds, not a hang', async () => {
    const started = Date.now();
    await expect(openReadStore('mongodb://127.0.0.1:1/ifw')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 20_000);
});
