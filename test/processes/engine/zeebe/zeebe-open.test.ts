import { createServer } from 'node:net';
import { InvalidEngineInputError } from '../../../../src/processes/engine';
import { EngineUnavailableError } from '../../../../src/processes/engine/zeebe/zeebe-errors';
import { ZeebeProcessEngine } from '../../../../src/processes/engine/zeebe/zeebe-process-engine';

/** A loopback port nobody listens on: bound by the OS, then let go. */
async function closedLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function silentLog() {
  const lines: string[] = [];
  return { lines, log: (line: string) => void lines.push(line), warn: (line: string) => void lines.push(line) };
}

describe('opening the Zeebe engine', () => {
  it('fails within its bounded retries when no gateway listens, saying where it looked', async () => {
    const port = await closedLoopbackPort();
    const started = Date.now();
    const opening = ZeebeProcessEngine.open({ address: `zeebe://127.0.0.1:${port}`, maxGatewayRetries: 1, requestTimeoutMs: 4_000, log: silentLog() });
    const error = await opening.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    const elapsedMs = Date.now() - started;
    expect(error).toBeInstanceOf(EngineUnavailableError);
    expect((error as EngineUnavailableError).code).toBe('ENGINE_UNAVAILABLE');
    expect((error as Error).message).toContain(`no Zeebe gateway answered at zeebe://127.0.0.1:${port} (1 retries, 4000 ms)`);
    // The refused connection, or, on a machine too busy to see the refusal first, the request's own bound.
    expect((error as Error).message).toMatch(/UNAVAILABLE|ECONNREFUSED|got no answer from the Zeebe gateway at 127\.0\.0\.1:\d+ within 4000 ms/);
    // One retry after the SDK's first back-off of 1 s, and never past the request time (a margin for a slow timer).
    expect(elapsedMs).toBeLessThan(4_000 + 1_500);
  });

  it('gives up at requestTimeoutMs when the retries would take longer', async () => {
    const port = await closedLoopbackPort();
    const started = Date.now();
    const opening = ZeebeProcessEngine.open({ address: `zeebe://127.0.0.1:${port}`, maxGatewayRetries: 50, requestTimeoutMs: 700, log: silentLog() });
    await expect(opening).rejects.toThrow(/Topology got no answer from the Zeebe gateway at 127\.0\.0\.1:\d+ within 700 ms/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses options out of their bounds, and half of the OAuth credentials, before connecting', async () => {
    const address = 'zeebe://127.0.0.1:26500';
    await expect(ZeebeProcessEngine.open({ address, maxGatewayRetries: -1 })).rejects.toThrow(/maxGatewayRetries must be a whole number from 0 to 100/);
    await expect(ZeebeProcessEngine.open({ address, requestTimeoutMs: 0 })).rejects.toThrow(/requestTimeoutMs must be a whole number from 1/);
    await expect(ZeebeProcessEngine.open({ address, clientId: 'ifw', clientSecret: 'secret' })).rejects.toThrow(/clientId, clientSecret and oauthUrl together/);
    await expect(ZeebeProcessEngine.open({ address: 'localhost:26500' })).rejects.toBeInstanceOf(InvalidEngineInputError);
  });
});

describe('opening the Zeebe engine with OAuth', () => {
  it('takes client credentials, and fails within requestTimeoutMs when the token endpoint does not answer', async () => {
    const gatewayPort = await closedLoopbackPort();
    const tokenPort = await closedLoopbackPort();
    const started = Date.now();
    const opening = ZeebeProcessEngine.open({
      address: `zeebes://127.0.0.1:${gatewayPort}`,
      clientId: 'ifw',
      clientSecret: 'not-a-secret',
      oauthUrl: `http://127.0.0.1:${tokenPort}/oauth/token`,
      audience: 'zeebe-api',
      maxGatewayRetries: 1,
      requestTimeoutMs: 2_000,
      log: silentLog(),
    });
    await expect(opening).rejects.toBeInstanceOf(EngineUnavailableError);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
