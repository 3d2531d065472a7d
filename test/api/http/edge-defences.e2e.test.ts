import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '../../../src/config';
import { startServer } from '../../../src/api/server';

/**
 * The edge's defences over a real socket: headers on every answer (nosniff, no caching of anything that is not
 * documentation, a CSP that lets JSON run nothing and the docs page load only itself); CORS, off by default
 * and with IFW_CORS_ORIGINS set only for the origins listed; and the rate limits per key, per address and on
 * wrong keys, each a 429 with Retry-After.
 */
const OPERATOR_KEY = 'operator-key-for-headers-01';
const ALLOWED = 'https://app.example.com';

async function serve(env: Record<string, string> = {}): Promise<{ app: NestFastifyApplication; url: string }> {
  const config = loadConfig(
    { port: '0' },
    { IFW_EVENTSTORE_URL: 'sqlite::memory:', IFW_READSTORE_URL: 'sqlite::memory:', IFW_PROCESS_ENGINE_URL: 'embedded::memory:', IFW_START_DATE: '2026-01-05', IFW_API_KEYS: `${OPERATOR_KEY}=operator`, ...env },
  );
  const app = await startServer(config, { logger: false });
  return { app, url: await app.getUrl() };
}

describe('security headers', () => {
  let server: { app: NestFastifyApplication; url: string };
  beforeAll(async () => {
    server = await serve();
  });
  afterAll(async () => {
    await server.app.close();
  });

  it.each([
    ['a read', 'GET', '/funds', OPERATOR_KEY],
    ['a refusal', 'GET', '/funds', undefined],
    ['an unknown route', 'GET', '/nowhere', undefined],
  ])('%s is nosniff, not to be cached or framed, and runs nothing', async (_, method, path, key) => {
    const response = await fetch(`${server.url}${path}`, { method, headers: key ? { authorization: `Bearer ${key}` } : {} });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it('the answer that carries a new API key is not to be cached', async () => {
    const response = await fetch(`${server.url}/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Header Test' }),
    });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { apiKey?: string }).apiKey).toEqual(expect.any(String));
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('the docs page may load its own scripts and styles and nothing from elsewhere; its files may be cached', async () => {
    const page = await fetch(`${server.url}/docs`);
    const policy = page.headers.get('content-security-policy')!;
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("default-src 'none'");
    expect(policy).not.toMatch(/https?:/);
    expect(page.headers.get('cache-control')).toBeNull();
    expect((await fetch(`${server.url}/docs/swagger-ui.css`)).headers.get('cache-control')).not.toBe('no-store');
  });

  it('CORS is off by default: no origin is allowed', async () => {
    const response = await fetch(`${server.url}/funds`, { headers: { origin: ALLOWED, authorization: `Bearer ${OPERATOR_KEY}` } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS with IFW_CORS_ORIGINS', () => {
  let server: { app: NestFastifyApplication; url: string };
  beforeAll(async () => {
    server = await serve({ IFW_CORS_ORIGINS: `${ALLOWED}, http://localhost:5173` });
  });
  afterAll(async () => {
    await server.app.close();
  });

  it('a listed origin is allowed, and told which headers it may read', async () => {
    const response = await fetch(`${server.url}/funds`, { headers: { origin: ALLOWED, authorization: `Bearer ${OPERATOR_KEY}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('vary')).toMatch(/origin/i);
    expect(response.headers.get('access-control-expose-headers')).toContain('idempotent-replayed');
  });

  it('a preflight of a listed origin is 204 with the methods and headers allowed', async () => {
    const response = await fetch(`${server.url}/customers`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')).toContain('idempotency-key');
  });

  it('another origin gets no CORS header, and its preflight is not answered as allowed', async () => {
    const read = await fetch(`${server.url}/funds`, { headers: { origin: 'https://evil.example', authorization: `Bearer ${OPERATOR_KEY}` } });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${server.url}/customers`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.status).toBeGreaterThanOrEqual(400);
  });
});

describe('IFW_CORS_ORIGINS and IFW_MAX_CONNECTIONS are checked at start', () => {
  it.each(['*', 'https://app.example.com/path', 'app.example.com', 'ftp://files.example.com'])('the origin %s is refused', (origin) => {
    expect(() => loadConfig({}, { IFW_CORS_ORIGINS: origin })).toThrow(/IFW_CORS_ORIGINS/);
  });

  it.each(['0', '-1', 'many', '100001'])('the cap %s is refused', (cap) => {
    expect(() => loadConfig({}, { IFW_MAX_CONNECTIONS: cap })).toThrow(/IFW_MAX_CONNECTIONS/);
  });

  it('the defaults: CORS off, 1024 connections', () => {
    expect(loadConfig({}, {})).toMatchObject({ corsOrigins: [], maxConnections: 1024 });
  });
});

describe('rate limits over HTTP', () => {
  let server: { app: NestFastifyApplication; url: string };
  beforeAll(async () => {
    server = await serve({ IFW_RATE_LIMIT_PER_KEY: '2', IFW_RATE_LIMIT_PER_ADDRESS: '50' });
  });
  afterAll(async () => {
    await server.app.close();
  });

  const get = (path: string, key: string) => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } });

  it('a key past its burst is 429 RATE_LIMITED with Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await get('/funds', OPERATOR_KEY)).status);
    // A burst of twice the rate (4), then refusals: 3 more requests refill less than one token unless they take 1.5 s.
    expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
    expect(statuses.at(-1)).toBe(429);
    const refused = await get('/funds', OPERATOR_KEY);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(await refused.json()).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
  });

  it('an address that sent 20 wrong keys is refused further attempts with 429 before any lookup', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 23; i++) statuses.push((await get('/funds', `a-wrong-key-of-sixteen-${i}`)).status);
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
    expect(statuses.at(-1)).toBe(429);
  });
});

describe('the rate of one address', () => {
  it('past its burst, any request, even one needing no key, is 429 before it is routed', async () => {
    const server = await serve({ IFW_RATE_LIMIT_PER_ADDRESS: '2' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await fetch(`${server.url}/health`)).status);
      expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
      const refused = await fetch(`${server.url}/no-such-route`);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    } finally {
      await server.app.close();
    }
  });
});
