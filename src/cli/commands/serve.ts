import { parseArgs } from 'node:util';
import { loadConfig } from '../../config';
import { startServer } from '../../api/server';
import { serveUntilSignal } from '../stop-on-signal';

export const serveHelp = `ifw serve [--data DIR] [--port N] [--no-projector] [--json]

Serves the HTTP API. The stores come from IFW_EVENTSTORE_URL (and the other IFW_* variables), or
embedded SQLite files in DIR (default IFW_DATA_DIR, else ./data) when --data is given or nothing is set.
  --data DIR   folder of the embedded stores
  --port N     HTTP port (default: PORT or 3000)
  --no-projector  serve the read models without writing them (run \`ifw projector\` beside it)
  --json       print the listening address as JSON`;

export async function serve(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { data: { type: 'string' }, port: { type: 'string' }, 'no-projector': { type: 'boolean' }, json: { type: 'boolean' } } });
  const config = loadConfig({ dataDir: values.data, port: values.port, runProjector: values['no-projector'] !== true });
  if (config.staffKeys.size === 0) {
    console.error('ifw serve: IFW_API_KEYS is empty, so no operator can open customers or funds; set it as key=role pairs (see README)');
  }
  const app = await startServer(config, { logger: !values.json });
  const url = await app.getUrl();
  if (values.json) console.log(JSON.stringify({ listening: url, eventStore: config.eventStoreUrl }));
  else console.log(`IFW serving on ${url} (event store ${config.eventStoreUrl})`);
  return serveUntilSignal('ifw serve', () => app.close(), { json: values.json === true });
}
