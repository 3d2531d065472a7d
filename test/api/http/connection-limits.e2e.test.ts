import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { connect, type Socket } from 'node:net';
import { loadConfig } from '../../../src/config';
import { startServer } from '../../../src/api/server';

/**
 * The server's bounds on slow and idle clients and on connections, on a real socket: a client that never
 * finishes its headers or its body is answered 408 and closed; one connection past the cap is answered 503
 * with Retry-After, and a connection is served again once one closes. Each wait is on an event of the
 * socket, never on a timer of the test.
 */
const LIMITS = { headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 300, timeoutCheckIntervalMs: 50, maxConnections: 3 };

let app: NestFastifyApplication;
let port: number;

beforeAll(async () => {
  const config = loadConfig({ port: '0' }, { IFW_EVENTSTORE_URL: 'sqlite::memory:', IFW_READSTORE_URL: 'sqlite::memory:', IFW_PROCESS_ENGINE_URL: 'embedded::memory:', IFW_START_DATE: '2026-01-05' });
  app = await startServer(config, { logger: false, limits: LIMITS });
  port = Number(new URL(await app.getUrl()).port);
});

afterAll(async () => {
  await app.close();
});

/** A raw connection and everything the server sends on it until it closes. */
async function open(): Promise<{ socket: Socket; closed: Promise<string> }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
  return { socket, closed };
}

describe('slow clients', () => {
  it('headers never finished: 408 and closed', async () => {
    const { socket, closed } = await open();
    socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    const answer = await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('"code":"REQUEST_TIMEOUT"');
  });

  it('a body never finished: 408 and closed', async () => {
    const { socket, closed } = await open();
    socket.write('POST /customers HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":');
    expect(await closed).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('an idle keep-alive connection is closed after its answer', async () => {
    const { socket, closed } = await open();
    socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(await closed).toMatch(/^HTTP\/1\.1 200 [^]*\r\n\r\n\{"status":"ok"/);
  });
});

describe('the connection cap', () => {
  it('one connection past the cap is answered 503 with Retry-After, and a freed place is served', async () => {
    const held = await Promise.all([open(), open(), open()]);
    const refused = await open();
    const answer = await refused.closed;
    expect(answer).toMatch(/^HTTP\/1\.1 503 /);
    expect(answer).toMatch(/\r\nRetry-After: 1\r\n/);
    expect(answer).toContain('"code":"SERVICE_UNAVAILABLE"');

    held[0]!.socket.destroy();
    await held[0]!.closed;
    const served = await open();
    served.socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(await served.closed).toMatch(/^HTTP\/1\.1 200 /);
    for (const { socket, closed } of held.slice(1)) {
      socket.destroy();
      await closed;
    }
  });
});
