import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { JsonValue } from '../eventstore';
import type { ReadStore } from './read-store';

const KEY_RECORD = 'page-cursor-key';
/** Bytes of the HMAC kept in a cursor: enough that a forged cursor is never guessed. */
const MAC_BYTES = 16;
/** A cursor longer than this is refused before any decoding. */
export const MAX_CURSOR_LENGTH = 1_024;

/** A cursor that was not issued by this read store for this query: edited, truncated, or from another listing. */
export class InvalidCursorError extends Error {
  readonly code = 'INVALID_CURSOR';
  constructor() {
    super('cursor is not one this listing issued: pass back nextCursor exactly as it was received, with the same filters');
  }
}

/**
 * Opaque, tamper-evident keyset cursors: the sort values of a page's last document, bound to the listing they
 * came from (its scope: route and filters) by an HMAC. The key lives in the read store, so every replica
 * serving the same read store accepts every other's cursors. A page after a cursor starts strictly after that
 * document, so rows inserted meanwhile never shift or repeat a page.
 */
export class PageCursors {
  private constructor(private readonly key: Buffer) {}

  static async open(store: ReadStore): Promise<PageCursors> {
    let record = await store.getRecord(KEY_RECORD);
    if (typeof record?.key !== 'string') {
      await store.setRecord(KEY_RECORD, { key: randomBytes(32).toString('base64') });
      // Two processes starting at once may both write; read back whichever won so both use the same key.
      record = await store.getRecord(KEY_RECORD);
    }
    return new PageCursors(Buffer.from(String(record!.key), 'base64'));
  }

  encode(scope: string, after: readonly JsonValue[]): string {
    const payload = Buffer.from(JSON.stringify(after), 'utf8');
    return `${payload.toString('base64url')}.${this.mac(scope, payload).toString('base64url')}`;
  }

  decode(scope: string, cursor: string): JsonValue[] {
    if (cursor.length > MAX_CURSOR_LENGTH) throw new InvalidCursorError();
    const [payloadText, macText, extra] = cursor.split('.');
    if (payloadText === undefined || macText === undefined || extra !== undefined) throw new InvalidCursorError();
    const payload = Buffer.from(payloadText, 'base64url');
    const mac = Buffer.from(macText, 'base64url');
    // Base64 ignores the spare bits of a last character and any stray ones: only the exact text issued is accepted.
    if (payload.toString('base64url') !== payloadText || mac.toString('base64url') !== macText) throw new InvalidCursorError();
    const expected = this.mac(scope, payload);
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) throw new InvalidCursorError();
    const after: unknown = JSON.parse(payload.toString('utf8'));
    if (!Array.isArray(after)) throw new InvalidCursorError();
    return after as JsonValue[];
  }

  private mac(scope: string, payload: Buffer): Buffer {
    return createHmac('sha256', this.key).update(scope).update('\u0000').update(payload).digest().subarray(0, MAC_BYTES);
  }
}
