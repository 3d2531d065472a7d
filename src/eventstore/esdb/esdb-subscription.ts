import type { AllStreamSubscription } from '@eventstore/db-client';
import type { EventUpcaster, RecordedEvent, Subscription } from '../event-store';
import { type CheckedFilter, decodeLogEvent } from './esdb-mapping';

/**
 * The port's subscription over the client's catch-up subscription to $all. The client's subscription is a
 * Node readable with a bounded buffer, and iterating it is backpressured: while the consumer is busy, gRPC
 * flow control holds the server back, so a slow consumer never grows memory.
 */
export class EsdbSubscription implements Subscription {
  private closed = false;

  constructor(
    private readonly source: AllStreamSubscription,
    private readonly filter: CheckedFilter,
    private readonly upcast: EventUpcaster,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<RecordedEvent> {
    try {
      for await (const resolved of this.source) {
        if (this.closed) return;
        const event = decodeLogEvent(resolved.event, this.filter);
        if (event) yield this.upcast(event);
      }
    } catch (error) {
      // close() cancels the call and destroys the readable, which a pending read reports as a premature close.
      if (!this.closed) throw error;
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // unsubscribe() rejects when the call never started (server unreachable); there is nothing left to cancel then.
    await this.source.unsubscribe().catch(() => undefined);
    this.source.destroy();
  }
}
