import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { accessLogWriter } from '../../../src/api/http/access-log';
import { OPERATOR_KEY, AUDITOR_KEY, TestApp } from '../test-app';

/**
 * What an operator watches: /metrics in the Prometheus format, each answer's correlation id, and the access
 * log — JSON lines off a terminal, with no query string, header or body in them, and no colour codes.
 */
describe('GET /metrics', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(async () => {
    await app.stop();
  });

  it('counts commands by type and outcome, times appends and answers, and reads lag and incidents at the scrape', async () => {
    const ann = await app.party('customer', 'Metrics Ann');
    expect((await app.post(`/wallets/${ann.walletId}/deposits`, ann.key, { amount: '10.00' }, { 'idempotency-key': 'metrics-1' })).status).toBe(201);
    expect((await app.post(`/wallets/${ann.walletId}/deposits`, ann.key, { amount: '10.00' }, { 'idempotency-key': 'metrics-1' })).status).toBe(201);
    expect((await app.post(`/wallets/${ann.walletId}/withdrawals`, ann.key, { amount: '99.00' })).status).toBe(422);
    const scraped = await app.get('/metrics', AUDITOR_KEY);
    expect(scraped.status).toBe(200);
    expect(scraped.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = scraped.text;
    expect(text).toContain('ifw_commands_total{type="Deposit",outcome="ok"} 1');
    expect(text).toContain('ifw_commands_total{type="Deposit",outcome="replayed"} 1');
    expect(text).toContain('ifw_commands_total{type="Withdraw",outcome="refused"} 1');
    expect(text).toMatch(/ifw_append_seconds_count \d+/);
    expect(text).toMatch(/ifw_http_request_seconds_count\{method="POST",route="\/wallets\/:walletId\/deposits",status="2xx"\} 2/);
    expect(text).toMatch(/ifw_projection_lag_events\{projection="wallets"\} \d+/);
    expect(text).toContain('# TYPE ifw_process_incidents gauge');
    expect(text).toContain('# TYPE ifw_rate_limited_total counter');
    expect(text).toMatch(/ifw_process_resident_memory_bytes \d+/);
  });

  it('is for operators and auditors only', async () => {
    const bo = await app.party('customer', 'Metrics Bo');
    expect((await app.get('/metrics', bo.key)).status).toBe(403);
    expect((await app.request('GET', '/metrics')).status).toBe(401);
    expect((await app.get('/metrics', OPERATOR_KEY)).status).toBe(200);
  });

  it("answers carry the request's correlation id: the client's when valid, else a new one", async () => {
    const given = await app.request('GET', '/health', { headers: { 'x-correlation-id': 'trace-123.a:b' } });
    expect(given.headers.get('x-correlation-id')).toBe('trace-123.a:b');
    const made = await app.request('GET', '/health', { headers: { 'x-correlation-id': 'has spaces and a / in it' } });
    expect(made.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('the access log', () => {
  it('on a terminal is one short line a person reads', () => {
    const lines: string[] = [];
    accessLogWriter(undefined, (line) => lines.push(line))({
      time: '2026-01-05T09:30:01.250Z',
      correlationId: 'c-1',
      method: 'POST',
      path: '/wallets/w-1/deposits',
      route: '/wallets/:walletId/deposits',
      status: 201,
      ms: 3.25,
      principal: 'customer:p-1',
    });
    expect(lines).toEqual(['09:30:01.250 201 POST /wallets/w-1/deposits 3.3 ms customer:p-1 c-1\n']);
  });

  it('off a terminal is JSON lines from ifw serve: no query, no key, no colour codes, the correlation id of the answer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ifw-access-log-'));
    const key = 'operator-key-for-access-log1';
    const child = spawn(process.execPath, [join(process.cwd(), 'dist', 'cli', 'main.js'), 'serve', '--data', dir, '--port', '0'], {
      env: { ...process.env, IFW_EVENTSTORE_URL: '', IFW_READSTORE_URL: '', IFW_PROCESS_ENGINE_URL: '', IFW_API_KEYS: `${key}=operator`, IFW_START_DATE: '2026-01-05' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    try {
      let url: string | undefined;
      const output: string[] = [];
      while (url === undefined) {
        const { value, done } = await lines.next();
        if (done) throw new Error(`serve ended before listening: ${output.join('\n')}`);
        output.push(value as string);
        url = /IFW serving on (\S+)/.exec(value as string)?.[1];
      }
      expect(output.join('\n')).not.toContain('\u001b[');
      const answer = await fetch(`${url}/customers?name=Li%20Wei`, { headers: { authorization: `Bearer ${key}`, 'x-correlation-id': 'access-log-test' } });
      expect(answer.status).toBe(200);
      let access: Record<string, unknown> | undefined;
      while (access === undefined) {
        const { value, done } = await lines.next();
        if (done) throw new Error('serve ended before logging the request');
        expect(value as string).not.toContain('\u001b[');
        const parsed = JSON.parse(value as string) as Record<string, unknown>;
        if (parsed.msg === 'request') access = parsed;
      }
      expect(access).toMatchObject({ correlationId: 'access-log-test', method: 'GET', path: '/customers', route: '/customers', status: 200, principal: expect.stringMatching(/^operator:/) });
      expect(JSON.stringify(access)).not.toMatch(/Li|Wei|Bearer|operator-key/);
    } finally {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
