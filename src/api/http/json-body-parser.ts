import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { firstDuplicateKey } from './duplicate-keys';
import { HttpProblem } from './problem';

/** Throws on the first byte sequence that is not UTF-8; drops a leading byte order mark, as Fastify's JSON parser does. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Makes application/json the only request body the API accepts. Create the app with `bodyParser: false`
 * and call this before `listen`/`init`:
 * - Fastify's built-in text/plain parser and Nest's urlencoded parser would hand a string or a form object
 *   to a controller; without them any other content type is refused by Fastify with 415.
 * - Nest maps Fastify's invalid-JSON error to a bare HttpException and drops its code, so the parser raises
 *   the precise problem itself (400 MALFORMED_JSON, field null).
 * - A key given twice in one object is refused (400 DUPLICATE_KEY naming it): JSON.parse would keep the last.
 * - A body that is not UTF-8 (RFC 8259 §8.1) is refused (400 MALFORMED_JSON). Read as a string, Fastify would
 *   put U+FFFD in place of each bad sequence: a name sent with one would be stored altered, or the request
 *   refused for a Content-Length mismatch that the client did not make.
 * - A string or key with a lone UTF-16 surrogate ("\ud800" escaped, unpaired) is refused (400 naming it): it is
 *   no character, I-JSON (RFC 7493) forbids it, and whatever stored it would hand out text no UTF-8 can carry.
 * Fastify's own JSON parser is kept underneath for its __proto__/constructor poisoning checks.
 */
export function useJsonBodyParser(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeAllContentTypeParsers();
  const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  const parseJson = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = UTF8.decode(body as Buffer);
    } catch {
      return done(HttpProblem.malformedJson('the request body is not valid UTF-8, as JSON must be'), undefined);
    }
    // Fastify's default parser is the callback form of FastifyBodyParser; its typing is a union of both forms.
    const parse = parseJson as (req: typeof request, raw: string, callback: typeof done) => void;
    parse(request, text, (error, value) => {
      if (error) return done(HttpProblem.malformedJson(), undefined);
      const duplicate = firstDuplicateKey(text);
      if (duplicate !== undefined) return done(new HttpProblem(400, `the body gives ${duplicate} more than once; give each field once`, { code: 'DUPLICATE_KEY', field: duplicate }), undefined);
      const illFormed = firstLoneSurrogate(value);
      if (illFormed !== undefined) return done(HttpProblem.badRequest(illFormed, `${illFormed || 'the body'} holds a lone UTF-16 surrogate (an escape such as \\ud800 with no pair): no character is written so`), undefined);
      done(null, value);
    });
  });
}

/** A high surrogate not followed by a low one, or a low one not after a high one (UTF-16 code units). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The path of the first string or key of a parsed body that is not well-formed UTF-16, or undefined. A walk
 * with its own stack, not recursion: a body of deeply nested arrays must not overflow the call stack.
 */
export function firstLoneSurrogate(value: unknown): string | undefined {
  const pending: [unknown, string][] = [[value, '']];
  while (pending.length > 0) {
    const [item, path] = pending.pop()!;
    if (typeof item === 'string') {
      if (LONE_SURROGATE.test(item)) return path;
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) pending.push([item[i], `${path}[${i}]`]);
    } else if (item !== null && typeof item === 'object') {
      for (const [key, child] of Object.entries(item).reverse()) {
        const childPath = path ? `${path}.${key}` : key;
        if (LONE_SURROGATE.test(key)) return childPath;
        pending.push([child, childPath]);
      }
    }
  }
  return undefined;
}
