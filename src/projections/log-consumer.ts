import type { EventStore, RecordedEvent } from '../eventstore';
import type { LogFeed } from './log-feed';

export interface LogConsumerOptions {
  /** Events read and handled per batch. */
  batchSize: number;
  /** Longest wait for the live feed once caught up, before looking at the log again (writes of other processes). */
  idleWaitMs: number;
  /** First and longest pause after a failed batch (a peer down, a full disk); doubled per failure in between. */
  retryDelayMs: { first: number; max: number };
}

export const DEFAULT_LOG_CONSUMER_OPTIONS: LogConsumerOptions = { batchSize: 1_000, idleWaitMs: 1_000, retryDelayMs: { first: 100, max: 5_000 } };

/** What a consumer of the log decides at each turn: where to read from, what to do with a batch. */
export interface LogBatchHandler {
  /** Called at the start of every turn; false means there is nothing to do now, so the consumer waits. */
  prepare(): Promise<boolean>;
  /** The position of the last event handled, or undefined to start at the beginning of the log. */
  position(): bigint | undefined;
  /** Handles events after `position()`, in log order; it must move `position()` past them or throw. */
  handle(events: readonly RecordedEvent[]): Promise<void>;
  /** Called once caught up with the log, before waiting for news. */
  caughtUp(): Promise<void>;
  /** Called when a turn fails (most often handle); the same events are read again after a back-off. */
  failed(error: Error): void;
}

/**
 * Reads the store's global log after a checkpoint in bounded batches, catching up and then following it
 * live: the component projections and process managers share. Positions are opaque (EventStoreDB's have
 * gaps), so it resumes by reading from the checkpoint inclusive and dropping the event at the checkpoint.
 */
export class LogConsumer {
  constructor(
    private readonly store: EventStore,
    private readonly feed: LogFeed,
    private readonly options: LogConsumerOptions = DEFAULT_LOG_CONSUMER_OPTIONS,
  ) {}

  /**
   * Runs until `signal` aborts. Whatever fails in a turn (a read, a batch, the wait for news) is told to the
   * handler and the turn is taken again after a back-off, so the consumer never dies while the process lives.
   */
  async run(handler: LogBatchHandler, signal: AbortSignal): Promise<void> {
    let retryDelayMs = this.options.retryDelayMs.first;
    // Armed before a read and awaited only when that read came back short, so no commit falls in between.
    let news: Promise<void> | undefined;
    while (!signal.aborted) {
      try {
        ({ news } = await this.turn(handler, news, signal));
        retryDelayMs = this.options.retryDelayMs.first;
      } catch (error) {
        news = undefined;
        handler.failed(error as Error);
        await sleep(retryDelayMs, signal);
        retryDelayMs = Math.min(retryDelayMs * 2, this.options.retryDelayMs.max);
      }
    }
  }

  /** One batch, or the wait for news once caught up; returns the wait armed for the next turn (boxed, not awaited). */
  private async turn(handler: LogBatchHandler, news: Promise<void> | undefined, signal: AbortSignal): Promise<{ news: Promise<void> | undefined }> {
    if (!(await handler.prepare())) {
      await sleep(this.options.idleWaitMs, signal);
      return { news };
    }
    const events = await this.readAfter(handler.position(), this.options.batchSize);
    if (events.length > 0) await handler.handle(events);
    if (events.length === this.options.batchSize) {
      // The embedded stores answer synchronously: without this a catch-up would hold the event loop, and the
      // HTTP server sharing the process would answer nothing until it ended.
      await new Promise((resolve) => setImmediate(resolve));
      return { news: undefined };
    }
    if (news) {
      await handler.caughtUp();
      await news;
    }
    return { news: this.feed.nextEvent(this.options.idleWaitMs, signal) };
  }

  /** Up to `maxCount` events after `position` (from the start when undefined). */
  async readAfter(position: bigint | undefined, maxCount: number): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    const from = position ?? 'start';
    for await (const event of this.store.readAll({ fromPosition: from, maxCount: position === undefined ? maxCount : maxCount + 1 })) {
      if (position !== undefined && event.position <= position) continue;
      events.push(event);
    }
    return events.slice(0, maxCount);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
