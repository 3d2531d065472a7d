import type { JsonObject, JsonValue } from '../eventstore';
import { PageCursors } from './page-cursor';
import { versionedCollection } from './projection';
import type { ProjectionCatalog } from './projection-catalog';
import type { ProjectionRunner } from './projection-runner';
import { checkpointKey } from './projection';
import { type FindQuery, type StoredDoc, everyDocument } from './read-store';

/** What a reader asks of the log: where it ends now. */
export interface LogEnd {
  lastPosition(): Promise<bigint>;
}

/** A read that asked for a position the projection has not reached within the wait allowed. */
export class ProjectionBehindError extends Error {
  readonly code = 'PROJECTION_BEHIND';
  constructor(
    readonly projection: string,
    readonly wanted: bigint,
    readonly reached: bigint | undefined,
    waitedMs: number,
  ) {
    super(`the ${projection} read model is at position ${reached ?? 'none'}, behind ${wanted}, after waiting ${waitedMs} ms; retry shortly`);
  }
}

/** A read that asked for a position the log has not reached: no wait can bring it, so it is the request's fault. */
export class PositionPastLogEndError extends Error {
  readonly code = 'MIN_POSITION_PAST_LOG_END';
  constructor(
    readonly wanted: bigint,
    readonly logEnd: bigint,
  ) {
    super(`minPosition ${wanted} is past the end of the log, at position ${logEnd}: use a position a response gave`);
  }
}

/** A read of one projection that kept meeting batches written in the middle of it. */
export class ProjectionBusyError extends Error {
  readonly code = 'PROJECTION_BUSY';
  constructor(
    readonly projection: string,
    attempts: number,
  ) {
    super(`the ${projection} read model kept changing while it was read (${attempts} attempts); retry shortly`);
  }
}

/**
 * The reads of one projection as of one checkpoint (ReadModels.consistent). A batch commits its documents no
 * later than its checkpoint, so a document newer than the checkpoint read first means a batch landed in the
 * middle of the reads: they are torn, and taken again.
 */
export interface CheckpointView {
  /** The checkpoint the reads stand on; undefined before the projection applied anything. */
  readonly position: bigint | undefined;
  get(collection: string, id: string): Promise<JsonObject | undefined>;
  page(collection: string, query: PageQuery, sortValues: (doc: StoredDoc) => JsonValue[]): Promise<Page>;
  /** Every document of a collection in id order, memory bounded by a page; past `maxDocuments`, `tooMany()` is thrown. */
  every(collection: string, maxDocuments: number, tooMany: () => Error): AsyncGenerator<StoredDoc>;
}

/** Met a document newer than the view's checkpoint. */
class TornReadError extends Error {}

/** Torn reads are taken again this many times before ProjectionBusyError. */
const MAX_CONSISTENT_ATTEMPTS = 5;

/** How often a reader checks the stored checkpoint of a projection written by another process. */
const CHECKPOINT_POLL_MS = 20;

export interface Page {
  docs: StoredDoc[];
  /** The cursor of the next page, or null when this page is the last. */
  nextCursor: string | null;
}

export interface PageQuery extends Omit<FindQuery, 'after' | 'limit'> {
  limit: number;
  /** A cursor from an earlier page of the same listing. */
  cursor?: string;
  /** Names the listing and its filters, so a cursor is accepted only by the listing that issued it. */
  scope: string;
}

/**
 * What query handlers read through: documents of the served version of each projection, a bounded wait for a
 * position (read-your-writes), and cursor pages. In a process that writes the projection the wait follows the
 * runner's live positions; otherwise it watches the stored checkpoint.
 */
export class ReadModels {
  private constructor(
    private readonly catalog: ProjectionCatalog,
    private readonly runner: ProjectionRunner | undefined,
    private readonly cursors: PageCursors,
    private readonly log: LogEnd,
    private readonly waitMs: number,
  ) {}

  static async open(catalog: ProjectionCatalog, runner: ProjectionRunner | undefined, log: LogEnd, waitMs: number): Promise<ReadModels> {
    return new ReadModels(catalog, runner, await PageCursors.open(catalog.readStore), log, waitMs);
  }

  async get(projection: string, collection: string, id: string): Promise<JsonObject | undefined> {
    return (await this.catalog.readStore.get(this.physical(projection, collection), id))?.body;
  }

  async find(projection: string, collection: string, query: FindQuery): Promise<StoredDoc[]> {
    return this.catalog.readStore.find(this.physical(projection, collection), query);
  }

  /** One page of a listing; `nextCursor` carries the sort values of its last document. */
  async page(projection: string, collection: string, query: PageQuery, sortValues: (doc: StoredDoc) => JsonValue[]): Promise<Page> {
    const after = query.cursor === undefined ? undefined : this.cursors.decode(query.scope, query.cursor);
    const docs = await this.find(projection, collection, { where: query.where, orderBy: query.orderBy, direction: query.direction, after, limit: query.limit + 1 });
    const more = docs.length > query.limit;
    const shown = more ? docs.slice(0, query.limit) : docs;
    return { docs: shown, nextCursor: more ? this.cursors.encode(query.scope, sortValues(shown[shown.length - 1]!)) : null };
  }

  /**
   * Resolves once every named projection has applied the log up to `minPosition`; throws ProjectionBehindError
   * after the wait, or PositionPastLogEndError at once for a position the log has not reached.
   */
  async atLeast(projections: readonly string[], minPosition: bigint | undefined): Promise<void> {
    if (minPosition === undefined) return;
    const behind: string[] = [];
    for (const name of projections) if (((await this.applied(name)) ?? -1n) < minPosition) behind.push(name);
    if (behind.length === 0) return;
    const logEnd = await this.log.lastPosition();
    if (minPosition > logEnd) throw new PositionPastLogEndError(minPosition, logEnd);
    const deadline = Date.now() + this.waitMs;
    for (const name of behind) await this.reach(name, minPosition, deadline);
  }

  /** Runs `read` on a view of the projection at its stored checkpoint, again while the reads come out torn. */
  async consistent<T>(projection: string, read: (view: CheckpointView) => Promise<T>): Promise<T> {
    for (let attempt = 1; attempt <= MAX_CONSISTENT_ATTEMPTS; attempt++) {
      const position = await this.position(projection);
      try {
        return await read(this.viewAt(projection, position));
      } catch (error) {
        if (!(error instanceof TornReadError)) throw error;
      }
    }
    throw new ProjectionBusyError(projection, MAX_CONSISTENT_ATTEMPTS);
  }

  private viewAt(projection: string, position: bigint | undefined): CheckpointView {
    const checked = (doc: StoredDoc): StoredDoc => {
      if (doc.position > (position ?? -1n)) throw new TornReadError();
      return doc;
    };
    const readStore = this.catalog.readStore;
    const physical = (collection: string) => this.physical(projection, collection);
    return {
      position,
      get: async (collection, id) => {
        const doc = await readStore.get(physical(collection), id);
        return doc && checked(doc).body;
      },
      page: async (collection, query, sortValues) => {
        const found = await this.page(projection, collection, query, sortValues);
        found.docs.forEach(checked);
        return found;
      },
      every: async function* (collection, maxDocuments, tooMany) {
        let count = 0;
        for await (const doc of everyDocument(readStore, physical(collection))) {
          if (++count > maxDocuments) throw tooMany();
          yield checked(doc);
        }
      },
    };
  }

  /** The position a projection's served version has applied, from the stored checkpoint. */
  async position(projection: string): Promise<bigint | undefined> {
    return this.catalog.readStore.checkpoint(checkpointKey(projection, this.catalog.activeVersion(projection)));
  }

  /** What a read may rely on now: the runner's committed position in a process that writes it, else the stored checkpoint. */
  private async applied(name: string): Promise<bigint | undefined> {
    return this.runner?.writes(name) ? this.runner.appliedPosition(name) : this.position(name);
  }

  /** Waits for a projection found behind `position`. */
  private async reach(name: string, position: bigint, deadline: number): Promise<void> {
    if (this.runner?.writes(name)) {
      await this.runner.reach(name, position, Math.max(0, deadline - Date.now())).catch(async () => {
        throw new ProjectionBehindError(name, position, await this.position(name), this.waitMs);
      });
      return;
    }
    // Another process writes it: a rebuild there may have switched the served version since we last looked.
    await this.catalog.refresh();
    let reached: bigint | undefined;
    for (;;) {
      reached = await this.position(name);
      if (reached !== undefined && reached >= position) return;
      if (Date.now() >= deadline) throw new ProjectionBehindError(name, position, reached, this.waitMs);
      await new Promise((resolve) => setTimeout(resolve, Math.min(CHECKPOINT_POLL_MS, Math.max(1, deadline - Date.now()))));
    }
  }

  private physical(projection: string, collection: string): string {
    return versionedCollection(collection, this.catalog.activeVersion(projection));
  }
}
