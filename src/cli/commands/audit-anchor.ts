import { parseArgs } from 'node:util';
import { EXIT } from '../cli-error';
import { openForAudit } from './audit-verify';

export const auditAnchorHelp = `ifw audit anchor [--data DIR] [--json]

Prints the head of the log: its last position and that event's hash in the log's chain, as HASH@POSITION
(or { "position", "hash" } with --json). Keep it somewhere the data folder's writers cannot reach;
ifw audit verify --anchor HASH@POSITION later proves the log up to it unchanged. Read-only.`;

export async function auditAnchor(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { data: { type: 'string' }, json: { type: 'boolean' } } });
  const store = openForAudit(values.data);
  try {
    const head = await store.logHead();
    console.log(values.json ? JSON.stringify({ position: head.position.toString(), hash: head.hash }) : `${head.hash}@${head.position}`);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
