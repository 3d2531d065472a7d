import type { JsonObject, JsonValue } from '../eventstore';
import { invariant } from '../invariant';

/**
 * Domain events hold bigint amounts; stored events hold JSON. The naming rule that carries units in names
 * (`amountFen`, `perTenK`) is also the codec: exactly the fields ending in Fen or PerTenK are bigint, stored
 * as integer strings, so encoding and decoding are exact inverses with no per-event code.
 */
const BIGINT_FIELD = /(Fen|PerTenK|perTenK)$/;

/** Values inside a record or array named like a bigint field (`incomesPerTenK`) are bigint too. */
function childKey(parentKey: string, key: string): string {
  return BIGINT_FIELD.test(parentKey) ? parentKey : key;
}

export function encodeData(value: object): JsonObject {
  return encode(value, '') as JsonObject;
}

export function decodeData<T>(json: JsonObject): T {
  return decode(json, '') as T;
}

function encode(value: unknown, key: string): JsonValue {
  if (typeof value === 'bigint') {
    invariant(BIGINT_FIELD.test(key), () => `field ${key} holds a bigint but its name does not end in Fen or PerTenK`);
    return value.toString();
  }
  if (Array.isArray(value)) return value.map((item) => encode(item, key));
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encode(v, childKey(key, k));
    return out;
  }
  return value as JsonValue;
}

function decode(value: JsonValue, key: string): unknown {
  if (typeof value === 'string' && BIGINT_FIELD.test(key)) return BigInt(value);
  if (Array.isArray(value)) return value.map((item) => decode(item, key));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = decode(v, childKey(key, k));
    return out;
  }
  return value;
}
