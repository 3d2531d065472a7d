import type { Principal } from '../auth/principal';

/** Who sent a command, under which correlation id, and, with an Idempotency-Key, where its response is kept. */
export interface CommandContext {
  principal: Principal;
  correlationId: string;
  idempotency?: {
    /** The stream holding the one recorded response for this principal's key. */
    stream: string;
    /** sha256 of method, path and canonical body: the same key with another request is refused. */
    requestHash: string;
  };
}
