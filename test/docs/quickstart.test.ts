import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * docs/quickstart.md promises that every step is a command that works as written: this runs its shell blocks
 * in order, in one bash, against a real `ifw serve` on a free port, and checks what the page says happens.
 */
const page = readFileSync(join(process.cwd(), 'docs', 'quickstart.md'), 'utf8');
const blocks = [...page.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
const tools = ['bash', 'curl', 'jq'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
if (tools.length > 0) console.warn(`!!! docs/quickstart.md was NOT run: ${tools.join(', ')} missing on this machine`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

(tools.length > 0 ? describe.skip : describe)('docs/quickstart.md', () => {
  it('runs as written, from a fund to a customer history, a merchant profile and a rebuild', async () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    const port = await freePort();
    const script = blocks
      .join('\n')
      .replace('export PORT=3000 API=http://127.0.0.1:3000', `export PORT=${port} API=http://127.0.0.1:${port}`)
      .replaceAll('npx ifw', `node ${join(process.cwd(), 'dist', 'cli', 'main.js')}`);
    expect(script).toContain(`127.0.0.1:${port}`);
    const dir = mkdtempSync(join(tmpdir(), 'ifw-quickstart-'));
    try {
      const run = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, IFW_EVENTSTORE_URL: '', IFW_READSTORE_URL: '', IFW_DATA_DIR: '' } });
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
      const out = run.stdout;
      // The deposit sent twice with one Idempotency-Key left 5,000.00, not 10,000.00.
      expect(out).not.toContain('"cash": "10000.00"');
      expect(out).toMatch(/"total": "0\.00"/);
      expect(out).toMatch(/^id,kind,asset,amount,/m);
      expect(out).toContain('"nextBusinessDate": "2026-01-07"');
      const digests = [...out.matchAll(/"(live|rebuilt)Digest": "([0-9a-f]{64})"/g)].map((m) => m[2]);
      expect(digests).toHaveLength(2);
      expect(digests[0]).toBe(digests[1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
