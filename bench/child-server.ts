/**
 * The product's server as a child process for benchmarks: `node dist/cli/main.js serve`, built first when
 * dist/ is missing or older than src/ (tsx runs the benchmarks, and it emits no decorator metadata, so the
 * Nest application cannot run inside them).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = join(__dirname, '..');
export const MAIN_JS = join(ROOT, 'dist', 'cli', 'main.js');

export interface ChildServer {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  stderrTail: string[];
}

/** The newest modification time of any file under `dir`, in ms. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds when dist/ is missing, or older than src/ (the server would otherwise be old code). */
export function ensureBuilt(say: (message: string) => void, quiet: boolean): void {
  if (existsSync(MAIN_JS) && statSync(MAIN_JS).mtimeMs >= newestMtime(join(ROOT, 'src'))) return;
  say(existsSync(MAIN_JS) ? 'dist/ is older than src/: npm run build' : 'dist/ is missing: npm run build');
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'] });
  if (build.status !== 0 || !existsSync(MAIN_JS)) throw new Error(`npm run build failed with status ${build.status}`);
}

/**
 * A benchmark is one address and one key sending as fast as the server answers: the rate limits would measure
 * themselves, so they are raised out of the way. The limits' own cost stays in every request.
 */
export const UNTHROTTLED: NodeJS.ProcessEnv = { IFW_RATE_LIMIT_PER_ADDRESS: '100000', IFW_RATE_LIMIT_PER_KEY: '100000' };

/** Starts a child that prints `{"listening": URL}` as its first line of stdout. */
export async function startChild(command: string[], env: NodeJS.ProcessEnv, what: string): Promise<ChildServer> {
  const child = spawn(process.execPath, command, { cwd: ROOT, env: { ...process.env, ...UNTHROTTLED, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderrTail: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 40) stderrTail.shift();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not print its {listening} line within 120 s`)), 120_000);
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
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 15_000).unref());
  if ((await Promise.race([server.exited, timeout])) !== 'timeout') return server.exited;
  server.child.kill('SIGKILL');
  return server.exited;
}

