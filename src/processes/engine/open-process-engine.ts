import type { ProcessEngine } from './process-engine';
import { EmbeddedProcessEngine, type EngineLog } from './embedded/embedded-process-engine';

/** How often the embedded engine fires due timers, ends back-offs and expires messages. */
const TIMER_TICK_MS = 1_000;

export class UnsupportedProcessEngineUrlError extends Error {
  readonly code = 'UNSUPPORTED_PROCESS_ENGINE_URL';
  constructor(url: string, reason: string) {
    super(`cannot open process engine "${url}": ${reason}`);
  }
}

/** `embedded:PATH` (a SQLite file, or `embedded::memory:`) opens the engine in this process. */
export async function openProcessEngine(url: string, log: EngineLog): Promise<ProcessEngine> {
  if (url.startsWith('embedded:')) {
    const path = url.slice('embedded:'.length);
    if (path.length === 0) throw new UnsupportedProcessEngineUrlError(url, 'name the file: embedded:PATH or embedded::memory:');
    return EmbeddedProcessEngine.open({ path, tickIntervalMs: TIMER_TICK_MS, log });
  }
  throw new UnsupportedProcessEngineUrlError(url, 'use embedded:PATH');
}
