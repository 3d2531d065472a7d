import { Inject, Injectable } from '@nestjs/common';
import { type EventStore, LIMITS, type RecordedEvent } from '../../eventstore';
import { invariant } from '../../invariant';
import type { ProjectionDefinition } from '../../projections/projection';
import { KeyedMutex } from '../commands/keyed-mutex';
import { EVENT_STORE } from '../event-store.module';
import { HttpProblem } from '../http/problem';
import { type MemoryDocs, MemoryProjectionView } from './memory-projection-view';

/** The bounds of as-of folds, in one place. */
export const AS_OF_FOLD_LIMITS = {
  /** Events one request reads at most; a fold stopped by it keeps its checkpoints, so a retry goes on from there. */
  maxEventsPerFold: 1_000_000,
  /** A checkpoint is kept after this many events, so a later read folds at most this many past the nearest one. */
  checkpointEveryEvents: 512,
  /** Checkpoints kept over all folds; the folds used least recently are forgotten first. */
  maxCheckpoints: 20_000,
  /** The first read of a stream asks for this many events, each next one for four times more, up to a store page. */
  firstReadEvents: 128,
  /** Events read between two turns of the event loop, so a long fold does not hold up other requests. */
  eventsBetweenTurns: 2_000,
} as const;

export interface FoldResult {
  /** The projection's documents as its `apply` left them after the last event at or before the moment. */
  view: MemoryProjectionView;
  /** The position of the last event of the streams at or before the moment; undefined when there was none. */
  lastPosition: bigint | undefined;
  /** Events read from the store by this fold: those after the checkpoint it started from. */
  eventsRead: number;
}

/**
 * The state after every event of the fold's streams at or before `position`, and none after: resuming each
 * stream at its next revision and applying in position order continues the fold exactly. A checkpoint the
 * projection wrote itself counts only the events it applies; those of other types that a stream holds at or
 * before `position` past its next revision change nothing and are passed over.
 */
export interface FoldCheckpoint {
  position: bigint;
  /** The latest recordedAt of the events applied: the checkpoint serves any moment at or after it. */
  recordedThroughMs: number;
  /** A stream missing here had no event at or before `position` when the checkpoint was taken. */
  nextRevisions: ReadonlyMap<string, bigint>;
  docs: MemoryDocs;
}

/**
 * Checkpoints of as-of folds, by fold. A stream's events never change once recorded, so a checkpoint stays
 * true for as long as the process runs; what bounds them is memory, which the least recently used folds give up.
 */
class FoldCheckpoints {
  /** In least-recently-used order: a fold read is moved to the end. */
  private readonly byFold = new Map<string, FoldCheckpoint[]>();
  private count = 0;

  /** The latest checkpoint wholly at or before `atMs`. */
  best(fold: string, atMs: number): FoldCheckpoint | undefined {
    const checkpoints = this.byFold.get(fold);
    if (!checkpoints) return undefined;
    this.byFold.delete(fold);
    this.byFold.set(fold, checkpoints);
    // recordedThroughMs is a running maximum along positions, so the usable checkpoints are a prefix.
    let low = 0;
    let high = checkpoints.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (checkpoints[middle]!.recordedThroughMs <= atMs) low = middle + 1;
      else high = middle;
    }
    return low === 0 ? undefined : checkpoints[low - 1];
  }

  add(fold: string, checkpoint: FoldCheckpoint): void {
    const checkpoints = this.byFold.get(fold) ?? [];
    let at = checkpoints.length;
    while (at > 0 && checkpoints[at - 1]!.position > checkpoint.position) at--;
    if (at > 0 && checkpoints[at - 1]!.position === checkpoint.position) return;
    checkpoints.splice(at, 0, checkpoint);
    this.byFold.set(fold, checkpoints);
    this.count++;
    for (const [oldest, dropped] of this.byFold) {
      if (this.count <= AS_OF_FOLD_LIMITS.maxCheckpoints || oldest === fold) break;
      this.byFold.delete(oldest);
      this.count -= dropped.length;
    }
  }

  forget(fold: string): void {
    this.count -= this.byFold.get(fold)?.length ?? 0;
    this.byFold.delete(fold);
  }
}

/** One stream read forwards from a revision in growing pieces: a fold resumed near its end reads little. */
class StreamReader {
  private events: RecordedEvent[] = [];
  private index = 0;
  private nextRead: number = AS_OF_FOLD_LIMITS.firstReadEvents;
  private exhausted = false;

  constructor(
    private readonly store: EventStore,
    readonly stream: string,
    /** The revision of the next event to take. */
    public nextRevision: bigint,
  ) {}

  async peek(): Promise<RecordedEvent | undefined> {
    if (this.index < this.events.length) return this.events[this.index];
    if (this.exhausted) return undefined;
    this.events = [];
    this.index = 0;
    for await (const event of this.store.readStream(this.stream, { fromRevision: this.nextRevision, maxCount: this.nextRead })) this.events.push(event);
    this.nextRead = Math.min(this.nextRead * 4, LIMITS.readPageSize);
    // Only an empty read ends the stream: a store may pass over an event it cannot decode and answer short.
    if (this.events.length === 0) this.exhausted = true;
    return this.events[0];
  }

  take(): void {
    this.nextRevision = this.events[this.index]!.revision + 1n;
    this.index++;
  }
}

/** A checkpoint that turned out not to be a prefix of these streams: a stream added since had an event before it. */
class NotAPrefix extends Error {}

/**
 * A read model as of a moment, made by the projection's own `apply` over the events of a few streams recorded
 * up to that moment, in log order, exactly as the live projection applied them. Each stream is read until its
 * first event recorded after the moment. Checkpoints taken along the way let later reads of the same streams
 * start near the moment instead of at the beginning.
 */
@Injectable()
export class AsOfFolds {
  private readonly checkpoints = new FoldCheckpoints();
  /** One fold of the same streams at a time: a read arriving during a long first fold starts from its checkpoints. */
  private readonly running = new KeyedMutex();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /**
   * `streams[0]` names the fold (with the projection): later calls may list more streams after it, as a
   * wallet buys new funds, but never fewer. `stored` is a checkpoint at or before the moment from the read
   * models, used when it is later than any this process holds; `collections` are the only ones the fold keeps.
   */
  async fold(definition: ProjectionDefinition, streams: readonly string[], atMs: number, from: { stored?: FoldCheckpoint; collections?: readonly string[] } = {}): Promise<FoldResult> {
    invariant(streams.length > 0, 'a fold reads at least one stream');
    invariant(from.stored === undefined || from.stored.recordedThroughMs <= atMs, 'a stored checkpoint is at or before the moment');
    const fold = `${definition.name}:${streams[0]}`;
    return this.running.run([fold], async () => {
      const held = this.checkpoints.best(fold, atMs);
      const start = from.stored !== undefined && (held === undefined || from.stored.position > held.position) ? from.stored : held;
      try {
        return await this.foldFrom(fold, definition, streams, atMs, start, from.collections);
      } catch (error) {
        if (!(error instanceof NotAPrefix)) throw error;
        this.checkpoints.forget(fold);
        return this.foldFrom(fold, definition, streams, atMs, undefined, from.collections);
      }
    });
  }

  private async foldFrom(
    fold: string,
    definition: ProjectionDefinition,
    streams: readonly string[],
    atMs: number,
    checkpoint: FoldCheckpoint | undefined,
    collections: readonly string[] | undefined,
  ): Promise<FoldResult> {
    const types = new Set(definition.eventTypes);
    const view = new MemoryProjectionView(checkpoint?.docs, collections);
    const readers = streams.map((stream) => new StreamReader(this.store, stream, checkpoint?.nextRevisions.get(stream) ?? 0n));
    const startPosition = checkpoint?.position ?? -1n;
    let lastPosition = checkpoint?.position;
    let recordedThroughMs = checkpoint?.recordedThroughMs ?? Number.NEGATIVE_INFINITY;
    /** The lowest position of an event left out for being after the moment: no checkpoint may pass it. */
    let firstLeftOut: bigint | undefined;
    let active = [...readers];
    let eventsRead = 0;
    let sinceCheckpoint = 0;
    const keepCheckpoint = () => {
      if (lastPosition === undefined || lastPosition === checkpoint?.position || (firstLeftOut !== undefined && lastPosition >= firstLeftOut)) return;
      const nextRevisions = new Map(readers.filter((r) => r.nextRevision > 0n).map((r) => [r.stream, r.nextRevision]));
      this.checkpoints.add(fold, { position: lastPosition, recordedThroughMs, nextRevisions, docs: view.snapshot() });
      sinceCheckpoint = 0;
    };
    for (const reader of readers) {
      for (let first = await reader.peek(); first !== undefined && first.position <= startPosition; first = await reader.peek()) {
        if (types.has(first.type)) throw new NotAPrefix();
        reader.take();
      }
    }
    for (;;) {
      let next: { reader: StreamReader; event: RecordedEvent } | undefined;
      const stillActive: StreamReader[] = [];
      for (const reader of active) {
        const event = await reader.peek();
        if (event === undefined) continue;
        if (event.recordedAt.getTime() > atMs) {
          if (firstLeftOut === undefined || event.position < firstLeftOut) firstLeftOut = event.position;
          continue;
        }
        stillActive.push(reader);
        if (next === undefined || event.position < next.event.position) next = { reader, event };
      }
      active = stillActive;
      if (next === undefined) break;
      if (eventsRead >= AS_OF_FOLD_LIMITS.maxEventsPerFold) {
        keepCheckpoint();
        throw new HttpProblem(503, `read ${eventsRead} events of ${streams[0]} without reaching the moment asked for; retry: the next read goes on from where this one stopped`, {
          code: 'AS_OF_FOLD_TOO_LONG',
          headers: { 'retry-after': '1' },
        });
      }
      const { reader, event } = next;
      invariant(lastPosition === undefined || event.position > lastPosition, () => `${event.stream} gave position ${event.position} after ${lastPosition}`);
      if (types.has(event.type)) await definition.apply(event, view);
      reader.take();
      lastPosition = event.position;
      recordedThroughMs = Math.max(recordedThroughMs, event.recordedAt.getTime());
      eventsRead++;
      sinceCheckpoint++;
      if (sinceCheckpoint >= AS_OF_FOLD_LIMITS.checkpointEveryEvents) keepCheckpoint();
      if (eventsRead % AS_OF_FOLD_LIMITS.eventsBetweenTurns === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    if (sinceCheckpoint > 0) keepCheckpoint();
    return { view, lastPosition, eventsRead };
  }
}
