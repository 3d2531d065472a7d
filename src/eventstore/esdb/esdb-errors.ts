import { EventStoreError } from '../errors';

/** A stream's last event lacks IFW's chain link, so an append cannot be hashed onto it. */
export class ForeignEventError extends EventStoreError {
  readonly code = 'FOREIGN_EVENT';
  constructor(stream: string, revision: bigint, reason: string) {
    super(
      `stream "${stream}" ends at revision ${revision} with an event IFW did not write (${reason}), so its hash chain ` +
        `cannot be continued: write IFW events to a stream that only IFW writes to`,
    );
  }
}

/** Servers before 22.6 do not report the global position of events read from a stream. */
export class PositionUnavailableError extends EventStoreError {
  readonly code = 'POSITION_UNAVAILABLE';
  constructor(stream: string, revision: bigint) {
    super(
      `EventStoreDB did not report the global position of event ${revision} of "${stream}": ` +
        `use EventStoreDB 22.10 or later (the adapter targets 23.10 LTS)`,
    );
  }
}
