/**
 * The product's server as a child process for benchmarks: `node dist/cli/main.js serve`, built first when
 * dist/ is missing or older than src/ (tsx runs the benchmarks, and it emits no decorator metadata, so the
 * Nest application cannot run inside them). Starting and stopping it is shared with the crash test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export { type ChildServer, UNTHROTTLED, startChild, stopChild } from '../test/child-server';

export const ROOT = join(__dirname, '..');
export const MAIN_JS = join(ROOT, 'dist', 'cli', 'main.js');

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
