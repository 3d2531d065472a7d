import type { RecordedEvent, Subscription } from '../event-store';
import { LIMITS } from '../limits';

/** What a subscription needs from the store: pages of the log after a position, and a signal of new commits. */
export interface LogSource {
  /**
   * Matching events after a position; `scannedTo` is how far the log was looked at, which is past the last
   * match when the page is short, so a rarely matching filter does not rescan the same rows on every wake-up.
   */
  readPage(afterPosition: bigint, maxCount: number): { events: RecordedEvent[]; scannedTo: bigint };
  commitCount(): number;
  /** Resolves on the next commit of this process or when `timeoutMs` passes (another process may have written). */
  waitForCommit(timeoutMs: number): { promise: Promise<void>; cancel(): void };
}

/**
 * Reads the log page by page from its position, so it holds at most one page in memory however far behind
 * it starts; when a page comes back short it has caught up and waits for the next commit. Because it reads
 * committed rows by increasing position, catch-up turns into live delivery with no gap and no duplicate.
 */
export class SqliteSubscription implements Subscription {
  private closed = false;
  private cancelWait: (() => void) | undefined;

  constructor(
    private readonly source: LogSource,
    private afterPosition: bigint,
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    while (!this.closed) {
      const seenCommits = this.source.commitCount();
      const page = this.source.readPage(this.afterPosition, LIMITS.readPageSize);
      for (const event of page.events) {
        if (this.closed) return;
        this.afterPosition = event.position;
        yield event;
      }
      if (page.scannedTo > this.afterPosition) this.afterPosition = page.scannedTo;
      if (this.closed) return;
      if (page.events.length === LIMITS.readPageSize || this.source.commitCount() !== seenCommits) continue;
      const wait = this.source.waitForCommit(LIMITS.subscriptionPollMs);
      this.cancelWait = wait.cancel;
      await wait.promise;
      this.cancelWait = undefined;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancelWait?.();
  }
}
