import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { firstDuplicateKey } from './duplicate-keys';
import { HttpProblem } from './problem';

/**
 * Makes application/json the only request body the API accepts. Create the app with `bodyParser: false`
 * and call this before `listen`/`init`:
 * - Fastify's built-in text/plain parser and Nest's urlencoded parser would hand a string or a form object
 *   to a controller; without them any other content type is refused by Fastify with 415.
 * - Nest maps Fastify's invalid-JSON error to a bare HttpException and drops its code, so the parser raises
 *   the precise problem itself (400 MALFORMED_JSON, field null).
 * - A key given twice in one object is refused (400 DUPLICATE_KEY naming it): JSON.parse would keep the last.
 * Fastify's own JSON parser is kept underneath for its __proto__/constructor poisoning checks.
 */
export function useJsonBodyParser(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeAllContentTypeParsers();
  const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  const parseJson = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // Fastify's default parser is the callback form of FastifyBodyParser; its typing is a union of both forms.
    const parse = parseJson as (req: typeof request, raw: string, callback: typeof done) => void;
    parse(request, body as string, (error, value) => {
      if (error) return done(HttpProblem.malformedJson(), undefined);
      const duplicate = firstDuplicateKey(body as string);
      if (duplicate !== undefined) return done(new HttpProblem(400, `the body gives ${duplicate} more than once; give each field once`, { code: 'DUPLICATE_KEY', field: duplicate }), undefined);
      done(null, value);
    });
  });
}
