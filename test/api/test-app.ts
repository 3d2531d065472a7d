import { PROCESS_ENGINE } from '../../src/api/processes/process-engine.token';
import type { EmbeddedProcessEngine } from '../../src/processes/engine';
import { TransferProcesses } from '../../src/api/processes/transfer-processes';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '../../src/config';
import { startServer } from '../../src/api/server';
import { EVENT_STORE } from '../../src/api/event-store.module';
import type { EventStore } from '../../src/eventstore';

export const OPERATOR_KEY = 'operator-key-for-tests-0001';
export const AUDITOR_KEY = 'auditor-key-for-tests-00001';
export const COMPLIANCE_KEY = 'compliance-key-for-tests-01';

export interface ApiResponse {
  status: number;
  contentType: string;
  headers: Headers;
  /** The body as sent, for comparing answers byte for byte. */
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
  body: any;
}

let partyCount = 0;

/** GETs to these answer from the event store or from nothing, so they take no minPosition. */
const UNPROJECTED = /^\/(health|ready|openapi\.json|docs)/;

/**
 * An embedded store URL with EventStoreDB's limit: `appendMany` refused. Every test that serves the product
 * opens its store so, which proves that every write the product makes is a single-stream append; the store's
 * own multi-stream appends are tested in test/eventstore.
 */
export function singleStreamUrl(url: string): string {
  return url.startsWith('sqlite:') && !url.includes('?') ? `${url}?multiStreamAppend=false` : url;
}

/** The real application on a real socket, on an embedded store of its own (in memory unless a URL is given). */
export class TestApp {
  /** The position of the latest write answered, which GETs wait for, as a client reading its own writes would. */
  private lastWritePosition: string | undefined;

  private constructor(
    readonly app: NestFastifyApplication,
    readonly url: string,
  ) {}

  static async start(options: { eventStoreUrl?: string; readStoreUrl?: string; processEngineUrl?: string; startDate?: string; runProjector?: boolean } = {}): Promise<TestApp> {
    const config = loadConfig(
      { port: '0', runProjector: options.runProjector },
      {
        IFW_EVENTSTORE_URL: singleStreamUrl(options.eventStoreUrl ?? 'sqlite::memory:'),
        IFW_READSTORE_URL: options.readStoreUrl ?? 'sqlite::memory:',
        IFW_PROCESS_ENGINE_URL: options.processEngineUrl ?? 'embedded::memory:',
        IFW_API_KEYS: `${OPERATOR_KEY}=operator,${AUDITOR_KEY}=auditor,${COMPLIANCE_KEY}=compliance`,
        IFW_START_DATE: options.startDate ?? '2026-01-05',
        // Every test client is one address and a few keys sending as fast as it can, wrong keys on purpose
        // among them; the limits themselves are tested in http/edge-defences.e2e.test.ts.
        IFW_RATE_LIMIT_PER_ADDRESS: '100000',
        IFW_RATE_LIMIT_PER_KEY: '100000',
        IFW_WRONG_KEYS_PER_ADDRESS: '100000',
      },
    );
    const app = await startServer(config, { logger: false });
    return new TestApp(app, await app.getUrl());
  }

  /**
   * GETs of read models wait for the latest write this client saw (`?minPosition=`), unless `wait` is false or
   * the path sets minPosition itself.
   */
  async request(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    options: { key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string>; wait?: boolean } = {},
  ): Promise<ApiResponse> {
    if (method === 'GET' && options.wait !== false && this.lastWritePosition !== undefined && !UNPROJECTED.test(path) && !/[?&]minPosition=/.test(path)) {
      path = `${path}${path.includes('?') ? '&' : '?'}minPosition=${this.lastWritePosition}`;
    }
    const headers: Record<string, string> = { ...options.headers };
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.url}${path}`, { method, headers, body });
    const text = await response.text();
    const contentType = response.headers.get('content-type') ?? '';
    if (method !== 'GET' && response.status < 300 && contentType.includes('json')) this.notePosition(JSON.parse(text)?.position);
    return { status: response.status, contentType, headers: response.headers, text, body: text && contentType.includes('json') ? JSON.parse(text) : text };
  }

  post(path: string, key: string, body: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
    return this.request('POST', path, { key, body, headers });
  }

  delete(path: string, key: string, headers: Record<string, string> = {}): Promise<ApiResponse> {
    return this.request('DELETE', path, { key, headers });
  }

  get(path: string, key: string, options: { wait?: boolean } = {}): Promise<ApiResponse> {
    return this.request('GET', path, { key, ...options });
  }

  private notePosition(position: unknown): void {
    if (typeof position !== 'string' || !/^\d+$/.test(position)) return;
    if (this.lastWritePosition === undefined || BigInt(position) > BigInt(this.lastWritePosition)) this.lastWritePosition = position;
  }

  /**
   * Opens a customer or merchant through the API; returns its id, wallet and key. Customers are type III
   * unless told otherwise: the only tier that may buy funds, which most tests do.
   */
  async party(kind: 'customer' | 'merchant', name = `${kind} ${++partyCount}`, accountTier: 'I' | 'II' | 'III' = 'III'): Promise<{ id: string; walletId: string; key: string }> {
    const response = await this.post(`/${kind}s`, OPERATOR_KEY, kind === 'customer' ? { name, accountTier } : { name });
    if (response.status !== 201) throw new Error(`could not open a ${kind}: ${response.status} ${JSON.stringify(response.body)}`);
    return { id: response.body.id, walletId: response.body.walletId, key: response.body.apiKey };
  }

  /** The global position of the last event in the log, as GET /health reports it. */
  /**
   * Waits until nothing moves: the transfer steps caught up with the log and the embedded engine idle, round
   * after round while either still writes (a fund switch's job writes what the next step waits for).
   */
  async settleProcesses(maxRounds = 50): Promise<void> {
    const engine = this.app.get<EmbeddedProcessEngine>(PROCESS_ENGINE);
    const transfers = this.app.get(TransferProcesses);
    for (let round = 0; round < maxRounds; round++) {
      const head = BigInt(await this.lastPosition());
      if ((await transfers.completed(head, 10_000)) === undefined) throw new Error(`the transfer steps did not reach position ${head} within 10 s`);
      await engine.whenSettled();
      if (BigInt(await this.lastPosition()) === head) return;
    }
    throw new Error(`the processes did not settle within ${maxRounds} rounds`);
  }

  async lastPosition(): Promise<string> {
    const response = await this.request('GET', '/health');
    if (response.status !== 200) throw new Error(`GET /health answered ${response.status}`);
    return response.body.lastPosition;
  }

  /** The types of the events of one stream, oldest first, read straight from the store behind the app. */
  async eventTypes(stream: string): Promise<string[]> {
    const types: string[] = [];
    for await (const event of this.app.get<EventStore>(EVENT_STORE).readStream(stream)) types.push(event.type);
    return types;
  }

  async stop(): Promise<void> {
    await this.app.close();
  }
}
