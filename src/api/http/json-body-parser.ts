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
      done(null, value);
    });
  });
}
