/**
 * `ifw simulate`'s options: a bad one is refused before anything is written, as a UsageError or a parseArgs
 * error, the two that `ifw` answers with its usage and status 2 (src/cli/main.ts).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/cli/cli-error';
import { simulate } from '../../src/cli/commands/simulate';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ifw-simulate-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('ifw simulate', () => {
  it.each([[['--days', 'many']], [['--days', '0']], [['--customers', '100001']], [['--funds', '51']], [['--seed', '']]])('refuses %j as a usage error', async (args) => {
    await expect(simulate([...args, '--data', join(dir, 'new')])).rejects.toBeInstanceOf(UsageError);
    expect(existsSync(join(dir, 'new'))).toBe(false);
  });

  it('refuses an unknown option as parseArgs does', async () => {
    await expect(simulate(['--colour'])).rejects.toMatchObject({ code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' });
  });

  it('refuses a --data folder that holds a store already', async () => {
    writeFileSync(join(dir, 'ifw.db'), '');
    await expect(simulate(['--days', '1', '--data', dir])).rejects.toThrow('already holds a store (ifw.db)');
  });
});
