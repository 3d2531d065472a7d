import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { EventStore, Subscription } from '../../eventstore';
import { decodeData } from '../../domain/event-codec';
import type { Posting } from '../../domain/ledger/posting';
import { invariant } from '../../invariant';
import { EVENT_STORE } from '../event-store.module';

/** Most requests waiting at once for the projection to reach their position. */
const MAX_WAITERS = 10_000;

/**
 * Every account's balance, folded from the postings that money-moving events carry. It follows the global
 * log from the start (rebuilt at each start-up; a persisted, checkpointed read store is a later step), and a
 * reader can wait until it has reached a position, so a trial balance always includes the reader's writes.
 */
@Injectable()
export class LedgerBalances implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LedgerBalances.name);
  private readonly balances = new Map<string, bigint>();
  private position = -1n;
  private subscription: Subscription | undefined;
  private readonly waiters = new Set<{ position: bigint; resolve(): void }>();
  private failure: Error | undefined;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  onApplicationBootstrap(): void {
    const subscription = this.store.subscribeToAll({ fromPosition: 'start' });
    this.subscription = subscription;
    void (async () => {
      for await (const event of subscription) {
        if (event.data.postings !== undefined) for (const p of decodeData<{ postings: Posting[] }>(event.data).postings) this.apply(p);
        this.position = event.position;
        for (const waiter of [...this.waiters]) if (waiter.position <= this.position) waiter.resolve();
      }
    })().catch((error: unknown) => {
      this.failure = error as Error;
      this.logger.error(`the ledger projection stopped: ${(error as Error).message}`);
      for (const waiter of [...this.waiters]) waiter.resolve();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
  }

  /** Resolves once every event up to `position` is folded in, or rejects after `timeoutMs`. */
  async reach(position: bigint, timeoutMs: number): Promise<void> {
    if (this.position >= position) return;
    invariant(this.waiters.size < MAX_WAITERS, 'too many requests are waiting for the ledger projection');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`the ledger projection is at ${this.position}, behind ${position}, after ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        position,
        resolve: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      this.waiters.add(waiter);
    });
    if (this.failure) throw this.failure;
  }

  snapshot(): { position: bigint; balances: ReadonlyMap<string, bigint> } {
    return { position: this.position, balances: this.balances };
  }

  private apply(p: Posting): void {
    invariant(p.amountFen > 0n && p.debit !== p.credit, () => `a malformed posting ${p.debit} / ${p.credit} / ${p.amountFen}`);
    this.balances.set(p.debit, (this.balances.get(p.debit) ?? 0n) + p.amountFen);
    this.balances.set(p.credit, (this.balances.get(p.credit) ?? 0n) - p.amountFen);
  }
}
