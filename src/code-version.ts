import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Which code records the forecasts: resolved once when the application starts, never failing it. */
export interface CodeVersion {
  packageVersion: string;
  gitCommit: string;
}

const UNKNOWN = 'unknown';
/** `git rev-parse` answers at once; a hung git (a network file system) must not hold up the start. */
const GIT_TIMEOUT_MS = 5_000;
/** A commit id: SHA-1 (40) or SHA-256 (64) hexadecimal digits; a short one from a build system is taken too. */
const COMMIT = /^[0-9a-f]{7,64}$/;

/**
 * The package's version (packageVersion) and the commit: `gitCommitSetting` (IFW_GIT_COMMIT) when set, else
 * `git rev-parse HEAD` when `workingDirectory` is in a git checkout, else "unknown".
 */
export function resolveCodeVersion(gitCommitSetting: string | undefined, workingDirectory: string): CodeVersion {
  return { packageVersion: packageVersion(), gitCommit: gitCommitSetting?.trim() || gitHead(workingDirectory) };
}

/**
 * The version in package.json, one folder up from this file both in src (tsx) and in dist (built); jest's ESM
 * loader has no `__dirname`, and runs in the project root.
 */
export function packageVersion(): string {
  const root = typeof __dirname === 'string' ? join(__dirname, '..') : process.cwd();
  try {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof version === 'string' && version !== '' ? version : UNKNOWN;
  } catch {
    return UNKNOWN;
  }
}

/** HEAD's commit, or "unknown" outside a checkout, without git, or when git fails in any way. */
function gitHead(workingDirectory: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: workingDirectory, timeout: GIT_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' }).trim();
    return COMMIT.test(head) ? head : UNKNOWN;
  } catch {
    return UNKNOWN;
  }
}
