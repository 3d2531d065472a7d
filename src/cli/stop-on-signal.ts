import { EXIT } from './cli-error';

/** Longest a stop may take (draining requests, a last batch, closing stores) before the process exits anyway. */
export const STOP_TIMEOUT_MS = 15_000;

/**
 * Waits for SIGINT or SIGTERM, says which came, runs `stop` and says how it went: a supervisor reading the log
 * sees a stop asked for, and finished or given up, never a process that just went away. A stop that hangs
 * past `timeoutMs` ends the process with a failure rather than hold up the supervisor's restart forever:
 * whatever hangs keeps the event loop alive, so returning would not end it.
 */
export async function runUntilSignal(name: string, stop: () => Promise<void>, options: { json: boolean; timeoutMs?: number }): Promise<number> {
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const timeoutMs = options.timeoutMs ?? STOP_TIMEOUT_MS;
  const say = (event: string, fields: Record<string, unknown>, text: string) => console.log(options.json ? JSON.stringify({ event, signal, ...fields }) : `${name}: ${text}`);
  say('stopping', {}, `${signal} received, stopping (at most ${timeoutMs / 1000} s)`);
  const startedMs = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    stop().then(
      () => 'stopped' as const,
      (error: Error) => error,
    ),
    new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), timeoutMs))),
  ]);
  clearTimeout(timer);
  const tookMs = Date.now() - startedMs;
  if (outcome === 'stopped') {
    say('stopped', { tookMs }, `stopped in ${tookMs} ms`);
    return EXIT.ok;
  }
  if (outcome === 'timed out') {
    const reason = `did not stop within ${timeoutMs / 1000} s`;
    say('stop failed', { tookMs, reason }, reason);
    return process.exit(EXIT.failure);
  }
  const reason = `failed to stop cleanly: ${outcome.message}`;
  say('stop failed', { tookMs, reason }, reason);
  return EXIT.failure;
}

/**
 * runUntilSignal for a server, which then ends its process: once requests are drained, checkpoints written
 * and stores closed, whatever still runs (a rebuild under way) is abandoned, as a crash would abandon it, and
 * it is restartable; left alone it would keep the process alive after it said it stopped.
 */
export async function serveUntilSignal(name: string, stop: () => Promise<void>, options: { json: boolean; timeoutMs?: number }): Promise<never> {
  return process.exit(await runUntilSignal(name, stop, options));
}
