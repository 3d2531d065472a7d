import { createHash, randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal';

/** Who sent a command, under which correlation id, and, with an Idempotency-Key, where its response is kept. */
export interface CommandContext {
  principal: Principal;
  correlationId: string;
  /** The event that caused this command, for the steps of a process; a request from outside has none. */
  causationId?: string;
  idempotency?: {
    /** The stream holding the one recorded response for this principal's key. */
    stream: string;
    /** sha256 of method, path and canonical body: the same key with another request is refused. */
    requestHash: string;
  };
}

/**
 * A new id for something a command creates (a payment, a party). With an Idempotency-Key it derives from the
 * key, so a retry after a crash creates the same one and finds its earlier outcome in the same stream.
 */
export function newId(context: CommandContext, purpose: string): string {
  if (!context.idempotency) return randomUUID();
  const hex = createHash('sha256').update(`${context.idempotency.stream}\n${purpose}`).digest('hex');
  // Laid out as a version-4-style UUID so it passes every id check a random one does.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
