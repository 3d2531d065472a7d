import { type ProjectionDefinition, checkpointKey, versionedCollection } from '../../src/projections/projection';
import { ProjectionCatalog } from '../../src/projections/projection-catalog';
import { ProjectionBusyError, ReadModels } from '../../src/projections/read-models';
import type { ReadStore, StoredDoc } from '../../src/projections/read-store';
import { SqliteReadStore } from '../../src/projections/sqlite/sqlite-read-store';

/**
 * Reads as of one checkpoint: a document newer than the checkpoint read first means a batch landed in the
 * middle of the reads, which are then taken again from the new checkpoint.
 */
const PROJECTION = 'count';
const COLLECTION = 'count_streams';
const definition: ProjectionDefinition = {
  name: PROJECTION,
  description: 'documents written by the test itself',
  collections: [{ name: COLLECTION, indexes: [] }],
  eventTypes: [],
  apply: async () => undefined,
};

describe('ReadModels.consistent', () => {
  let readStore: ReadStore;
  let catalog: ProjectionCatalog;
  /** Runs before every find the read models make: the batch a runner would commit meanwhile. */
  let beforeFind: () => Promise<void>;
  let readModels: ReadModels;

  const commit = (id: string, position: bigint) =>
    readStore.commit({
      writes: [{ collection: versionedCollection(COLLECTION, catalog.activeVersion(PROJECTION)), id, position, body: { id } }],
      checkpoints: [{ key: checkpointKey(PROJECTION, catalog.activeVersion(PROJECTION)), position }],
    });

  beforeEach(async () => {
    const real = SqliteReadStore.open(':memory:');
    readStore = real;
    beforeFind = async () => undefined;
    const interfering = new Proxy(real, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (property !== 'find') return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: Parameters<ReadStore['find']>) => (await beforeFind(), target.find(...args));
      },
    });
    catalog = new ProjectionCatalog(interfering, [definition]);
    await catalog.init();
    await commit('a', 3n);
    await commit('b', 5n);
    readModels = await ReadModels.open(catalog, undefined, { lastPosition: async () => 100n }, 0);
  });
  afterEach(() => readStore.close());

  const everyId = (maxDocuments = 10) =>
    readModels.consistent(PROJECTION, async (view) => {
      const ids: string[] = [];
      for await (const doc of view.every(COLLECTION, maxDocuments, () => new RangeError('too many'))) ids.push(doc.id);
      return { position: view.position, ids };
    });

  it('answers as of the checkpoint when nothing lands meanwhile', async () => {
    expect(await everyId()).toEqual({ position: 5n, ids: ['a', 'b'] });
  });

  it('takes a scan torn by a batch again, from the checkpoint that batch moved', async () => {
    let finds = 0;
    beforeFind = async () => {
      if (++finds === 1) await commit('c', 7n);
    };
    expect(await everyId()).toEqual({ position: 7n, ids: ['a', 'b', 'c'] });
    expect(finds).toBe(2);
  });

  it('finds a single document newer than the checkpoint as torn as a scan', async () => {
    let gets = 0;
    const answer = await readModels.consistent(PROJECTION, async (view) => {
      if (++gets === 1) await commit('a', 9n);
      return { position: view.position, a: await view.get(COLLECTION, 'a') };
    });
    expect({ answer, gets }).toEqual({ answer: { position: 9n, a: { id: 'a' } }, gets: 2 });
  });

  it('gives up with ProjectionBusyError when every attempt is torn, and never retries another error', async () => {
    let position = 10n;
    beforeFind = () => commit(`d${position}`, position++);
    await expect(everyId()).rejects.toBeInstanceOf(ProjectionBusyError);
    expect(position).toBe(15n);
    beforeFind = async () => undefined;
    await expect(everyId(2)).rejects.toThrow(RangeError);
  });

  it('checks each page of a listing too', async () => {
    let pages = 0;
    const found = await readModels.consistent(PROJECTION, async (view) => {
      if (++pages === 1) await commit('b', 8n);
      const page = await view.page(COLLECTION, { limit: 5, scope: 'test' }, (doc: StoredDoc) => [doc.id]);
      return page.docs.map((doc) => `${doc.id}@${doc.position}`);
    });
    expect({ found, pages }).toEqual({ found: ['a@3', 'b@8'], pages: 2 });
  });
});
