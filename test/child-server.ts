/**
 * The product's server as a child process, for the benchmarks (bench/child-server.ts) and the crash test:
 * `node <main.js> serve …` that prints `{"listening": URL}` as its first line of stdout.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ChildServer {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  stderrTail: string[];
}

/** Lines of the child's stderr kept for the report of its failure. */
const STDERR_TAIL_LINES = 40;
const LISTEN_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;

/**
 * A benchmark or the crash test is one address and one key sending as fast as the server answers: the rate
 * limits would measure themselves, so they are raised out of the way. The limits' own cost stays in every request.
 */
export const UNTHROTTLED: NodeJS.ProcessEnv = { IFW_RATE_LIMIT_PER_ADDRESS: '100000', IFW_RATE_LIMIT_PER_KEY: '100000' };

/** Starts a child that prints `{"listening": URL}` as its first line of stdout. */
export async function startChild(command: string[], env: NodeJS.ProcessEnv, what: string, cwd = process.cwd()): Promise<ChildServer> {
  const child = spawn(process.execPath, command, { cwd, env: { ...process.env, ...UNTHROTTLED, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderrTail: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // A child that never listens is not left behind.
      child.kill('SIGKILL');
      reject(new Error(`${what} did not print its {listening} line within ${LISTEN_TIMEOUT_MS / 1000} s:\n${stderrTail.join('\n')}`));
    }, LISTEN_TIMEOUT_MS);
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve((JSON.parse(line) as { listening: string }).listening);
      } catch {
        reject(new Error(`${what}'s first line is not {listening}: ${line}`));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with status ${code} before listening:\n${stderrTail.join('\n')}`));
    });
  });
  lines.on('line', () => undefined);
  return { child, url: url.replace('://localhost', '://127.0.0.1'), exited, stderrTail };
}

export async function stopChild(server: ChildServer): Promise<number | null> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return server.exited;
  server.child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref());
  if ((await Promise.race([server.exited, timeout])) !== 'timeout') return server.exited;
  server.child.kill('SIGKILL');
  return server.exited;
}
