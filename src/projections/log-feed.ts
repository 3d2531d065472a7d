import { Logger } from '@nestjs/common';
import { Observable, Subject, firstValueFrom, race, take, timer } from 'rxjs';
import type { EventStore, RecordedEvent, Subscription } from '../eventstore';

/** After the store's live subscription fails, it is opened again after this long. */
const RESUBSCRIBE_DELAY_MS = 1_000;

/**
 * The live tail of the store's log as one hot RxJS Observable per process. It is a wake-up signal, never the
 * source of truth: consumers read the log from their own checkpoints (LogConsumer), so an event the feed
 * misses while it reconnects is still read, and a crash loses nothing.
 */
export class LogFeed {
  private readonly logger = new Logger(LogFeed.name);
  private readonly subject = new Subject<RecordedEvent>();
  private subscription: Subscription | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  /** Events as they are committed, from the moment of subscribing. */
  readonly events$: Observable<RecordedEvent> = this.subject.asObservable();

  constructor(private readonly store: EventStore) {}

  start(): void {
    if (this.stopped || this.subscription) return;
    const subscription = this.store.subscribeToAll({ fromPosition: 'end' });
    this.subscription = subscription;
    void (async () => {
      for await (const event of subscription) this.subject.next(event);
    })().catch((error: Error) => {
      this.subscription = undefined;
      if (this.stopped) return;
      this.logger.warn(`the live feed of the log failed (${error.message}); reopening it in ${RESUBSCRIBE_DELAY_MS} ms`);
      this.retry = setTimeout(() => this.start(), RESUBSCRIBE_DELAY_MS);
    });
  }

  /**
   * A promise armed now that resolves at the next event, after `timeoutMs`, or when `signal` aborts. Arm it
   * before reading the log, then await it only if the read came back short: no commit can fall between.
   */
  nextEvent(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const aborted = new Observable<void>((observer) => {
      if (!signal) return;
      const onAbort = () => observer.next();
      if (signal.aborted) observer.next();
      signal.addEventListener('abort', onAbort, { once: true });
      return () => signal.removeEventListener('abort', onAbort);
    });
    return firstValueFrom(race(this.subject.pipe(take(1)), timer(timeoutMs), aborted)).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.subscription?.close();
    this.subject.complete();
  }
}
