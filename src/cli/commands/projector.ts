import { parseArgs } from 'node:util';
import { loadConfig } from '../../config';
import { DEFAULT_LEASE_TTL_MS, DEFAULT_LOG_CONSUMER_OPTIONS, ProjectionRunner, READ_MODELS, type ProjectionStatus } from '../../projections';
import { processOwnerName } from '../../api/projections/projections.module';
import { UsageError } from '../cli-error';
import { serveUntilSignal } from '../stop-on-signal';
import { openKeyStore } from '../../personal-data/open-key-store';
import { lendToReadModels } from '../../personal-data/read-model-keys';
import { openReadSide } from '../read-side';

export const projectorHelp = `ifw projector [--data DIR] [--batch-size N] [--lease-ttl-ms MS] [--json]

Runs the read models in a process of its own, on the same stores as \`ifw serve --no-projector\`. It writes
a projection only while it holds that projection's lease in the read store; a second projector waits and
takes over when the holder stops. Stops on SIGINT or SIGTERM, within 15 s.
  --data DIR   folder of the embedded stores (default: IFW_EVENTSTORE_URL / IFW_READSTORE_URL, else IFW_DATA_DIR or ./data)
  --batch-size N      events read and written per batch (default ${DEFAULT_LOG_CONSUMER_OPTIONS.batchSize})
  --lease-ttl-ms MS   how long a lease outlives its last renewal, i.e. how soon a standby takes over
                      from a projector that died (default ${DEFAULT_LEASE_TTL_MS})
  --json       print each projection's state as one JSON line whenever it changes`;

/** How often the projector reports the states of its projections. */
const REPORT_EVERY_MS = 250;

export async function projector(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { data: { type: 'string' }, 'batch-size': { type: 'string' }, 'lease-ttl-ms': { type: 'string' }, json: { type: 'boolean' } },
  });
  const batchSize = positiveInteger('--batch-size', values['batch-size'], DEFAULT_LOG_CONSUMER_OPTIONS.batchSize, 10_000);
  const leaseTtlMs = positiveInteger('--lease-ttl-ms', values['lease-ttl-ms'], DEFAULT_LEASE_TTL_MS, 600_000);
  const config = loadConfig({ dataDir: values.data });
  const keys = openKeyStore(config);
  const takeBackKeys = lendToReadModels(keys);
  const side = await openReadSide(config);
  const owner = processOwnerName();
  const runner = new ProjectionRunner(side.store, side.catalog, side.feed, READ_MODELS, {
    owner,
    leaseTtlMs,
    clock: Date.now,
    consumer: { ...DEFAULT_LOG_CONSUMER_OPTIONS, batchSize },
    mode: { kind: 'live' },
  });
  runner.start();
  console.log(values.json ? JSON.stringify({ projector: owner, readStore: config.readStoreUrl }) : `IFW projector ${owner} on ${config.readStoreUrl}`);
  let last = '';
  const report = setInterval(() => {
    const line = describe(runner.statuses(), values.json === true);
    if (line !== last) console.log((last = line));
  }, REPORT_EVERY_MS);
  return serveUntilSignal(
    'ifw projector',
    async () => {
      clearInterval(report);
      await runner.stop();
      await side.close();
      takeBackKeys();
      await keys.close();
    },
    { json: values.json === true },
  );
}

function positiveInteger(option: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^[1-9][0-9]{0,8}$/.test(text) || Number(text) > max) throw new UsageError(`${option} must be an integer from 1 to ${max}; got "${text}"`);
  return Number(text);
}

function describe(statuses: ProjectionStatus[], json: boolean): string {
  if (json) return JSON.stringify({ projections: statuses.map(({ name, version, state, position, lastError }) => ({ name, version, state, position, lastError })) });
  return statuses.map((s) => `${s.name}:${s.state}@${s.position ?? '-'}${s.lastError ? `(${s.lastError.message})` : ''}`).join('  ');
}
