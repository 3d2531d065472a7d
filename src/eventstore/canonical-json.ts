import { InvalidEventError } from './errors';
import { LIMITS } from './limits';

/**
 * Serialises a JSON value with object keys sorted, so the same value always gives the same text and the
 * hash chain can be recomputed from a re-read event on any backend. It refuses anything JSON cannot carry
 * faithfully (bigint, undefined, NaN, functions, class instances, cycles), naming the path of the offender.
 */
export function canonicalJson(value: unknown, path = '$'): string {
  return write(value, path, 0);
}

function write(value: unknown, path: string, depth: number): string {
  if (depth > LIMITS.maxJsonDepth) throw new InvalidEventError(`${path} nests deeper than ${LIMITS.maxJsonDepth} levels`);
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new InvalidEventError(`${path} is ${value}, which JSON cannot carry`);
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + write(value[i], `${path}[${i}]`, depth + 1);
        return out + ']';
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new InvalidEventError(`${path} is a ${proto?.constructor?.name ?? 'non-plain'} object; events hold plain JSON only`);
      }
      const keys = Object.keys(value).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined) throw new InvalidEventError(`${path}.${key} is undefined; omit the key or use null`);
        out += (first ? '' : ',') + JSON.stringify(key) + ':' + write(item, `${path}.${key}`, depth + 1);
        first = false;
      }
      return out + '}';
    }
    case 'bigint':
      throw new InvalidEventError(`${path} is a bigint; write amounts as decimal strings`);
    default:
      throw new InvalidEventError(`${path} is a ${typeof value}, which JSON cannot carry`);
  }
}
