import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '../../eventstore';
import { type AccountDoc, LEDGER_COLLECTION, ledgerProjection } from '../../projections/read-models/ledger.projection';
import type { AsOf } from '../as-of/as-of';
import { MemoryProjectionView } from '../as-of/memory-projection-view';
import { EVENT_STORE } from '../event-store.module';
import { HttpProblem } from '../http/problem';

export const LEDGER_AS_OF_LIMITS = {
  /** Events one scan reads at most: past it the answer would take longer than a request should. */
  maxEventsScanned: 10_000_000,
  /** Scans running at once; each holds one balance per account and keeps a core busy. */
  maxConcurrentScans: 2,
  /** Events read between two turns of the event loop, so a scan does not hold up other requests. */
  eventsBetweenTurns: 2_000,
} as const;

export interface LedgerThen {
  /** The position of the last event of the log at or before the moment. */
  position: bigint | undefined;
  accounts: Iterable<AccountDoc>;
}

/**
 * The ledger read model as of a moment: the ledger projection's own `apply` over the whole log up to the first
 * event recorded after the moment. Any account may have been posted to by any event, so the whole log is
 * read; what is kept is one balance per account, never the events.
 */
@Injectable()
export class LedgerAsOf {
  private scans = 0;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async accounts(asOf: AsOf): Promise<LedgerThen> {
    if (this.scans >= LEDGER_AS_OF_LIMITS.maxConcurrentScans) {
      throw new HttpProblem(503, `${this.scans} as-of ledger scans are running, the most at once; retry shortly`, { code: 'AS_OF_SCANS_BUSY', headers: { 'retry-after': '5' } });
    }
    this.scans++;
    try {
      return await this.scan(asOf.atMs);
    } finally {
      this.scans--;
    }
  }

  private async scan(atMs: number): Promise<LedgerThen> {
    const view = new MemoryProjectionView();
    let lastApplied: bigint | undefined;
    let scanned = 0;
    const counted = () => {
      if (++scanned > LEDGER_AS_OF_LIMITS.maxEventsScanned) {
        throw new HttpProblem(422, `the log holds more than ${LEDGER_AS_OF_LIMITS.maxEventsScanned} events up to that moment, more than one as-of trial balance scans`, { code: 'AS_OF_SCAN_TOO_LONG', field: 'asOf' });
      }
      return scanned % LEDGER_AS_OF_LIMITS.eventsBetweenTurns === 0 ? new Promise((resolve) => setImmediate(resolve)) : undefined;
    };
    // Only the events that carry postings, as the runner hands the projection only its event types.
    for await (const event of this.store.readAll({ filter: { eventTypes: ledgerProjection.eventTypes } })) {
      if (event.recordedAt.getTime() > atMs) break;
      await ledgerProjection.apply(event, view);
      lastApplied = event.position;
      await counted();
    }
    // The checkpoint moves past every event, so the position then is the last event at or before the moment,
    // posting or not: read on from the last one applied through the events that carry none.
    let position = lastApplied;
    for await (const event of this.store.readAll({ fromPosition: lastApplied ?? 'start' })) {
      if (event.recordedAt.getTime() > atMs) break;
      position = event.position;
      await counted();
    }
    return { position, accounts: view.values<AccountDoc>(LEDGER_COLLECTION) };
  }
}
