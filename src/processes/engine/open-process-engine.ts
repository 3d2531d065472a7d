import type { ProcessEngine } from './process-engine';
import { EmbeddedProcessEngine, type EngineLog } from './embedded/embedded-process-engine';
import { ZeebeProcessEngine } from './zeebe/zeebe-process-engine';

/** How often the embedded engine fires due timers, ends back-offs and expires messages. */
const TIMER_TICK_MS = 1_000;
/** A Zeebe gateway that does not answer within these bounds fails the start with one clear line. */
const ZEEBE_GATEWAY_RETRIES = 5;
const ZEEBE_REQUEST_TIMEOUT_MS = 10_000;

export class UnsupportedProcessEngineUrlError extends Error {
  readonly code = 'UNSUPPORTED_PROCESS_ENGINE_URL';
  constructor(url: string, reason: string) {
    super(`cannot open process engine "${url}": ${reason}`);
  }
}

/**
 * `embedded:PATH` (a SQLite file, or `embedded::memory:`) opens the engine in this process; `zeebe://HOST:PORT`
 * (plaintext) or `zeebes://HOST:PORT` (TLS) a Zeebe gateway.
 */
export async function openProcessEngine(url: string, log: EngineLog): Promise<ProcessEngine> {
  if (url.startsWith('embedded:')) {
    const path = url.slice('embedded:'.length);
    if (path.length === 0) throw new UnsupportedProcessEngineUrlError(url, 'name the file: embedded:PATH or embedded::memory:');
    return EmbeddedProcessEngine.open({ path, tickIntervalMs: TIMER_TICK_MS, log });
  }
  if (url.startsWith('zeebe://') || url.startsWith('zeebes://')) {
    return ZeebeProcessEngine.open({ address: url, maxGatewayRetries: ZEEBE_GATEWAY_RETRIES, requestTimeoutMs: ZEEBE_REQUEST_TIMEOUT_MS, log });
  }
  throw new UnsupportedProcessEngineUrlError(url, 'use embedded:PATH or zeebe://HOST:26500');
}
