import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Headers every answer carries, and CORS when it is configured. Answers hold balances, personal details and,
 * once, an API key, so none may be kept by a cache; none is a page to frame or a script to sniff.
 */
const ON_EVERY_ANSWER: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/** JSON answers run no script and load nothing. */
const API_POLICY = "default-src 'none'; frame-ancestors 'none'";

/**
 * The Swagger UI page loads its own scripts and styles from /docs and the document from /openapi.json, and
 * sets inline styles on its elements.
 */
const DOCS_POLICY = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** The documentation's files are the same for everyone and may be cached; nothing else may. */
const isDocumentation = (url: string) => url === '/docs' || url.startsWith('/docs/') || url === '/openapi.json';

const CORS_METHODS = 'GET, POST, DELETE';
const CORS_REQUEST_HEADERS = 'authorization, content-type, idempotency-key';
const CORS_EXPOSED_HEADERS = 'idempotent-replayed, retry-after, www-authenticate';
const CORS_MAX_AGE_S = 600;

export function useResponseHeaders(app: NestFastifyApplication, corsOrigins: readonly string[]): void {
  const fastify = app.getHttpAdapter().getInstance();
  const allowed = new Set(corsOrigins);
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    if (origin === undefined || !allowed.has(origin)) return;
    void reply.headers({ 'access-control-allow-origin': origin, vary: 'Origin', 'access-control-expose-headers': CORS_EXPOSED_HEADERS });
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      await reply
        .headers({ 'access-control-allow-methods': CORS_METHODS, 'access-control-allow-headers': CORS_REQUEST_HEADERS, 'access-control-max-age': String(CORS_MAX_AGE_S) })
        .status(204)
        .send();
    }
  });
  fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0]!;
    void reply.headers(ON_EVERY_ANSWER);
    void reply.header('content-security-policy', path === '/docs' ? DOCS_POLICY : API_POLICY);
    if (!isDocumentation(path)) void reply.header('cache-control', 'no-store');
  });
}
