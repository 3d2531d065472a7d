import { parseArgs } from 'node:util';
import { loadConfig } from '../../config';
import { DEFAULT_LOG_CONSUMER_OPTIONS, READ_MODELS } from '../../projections';
import { processOwnerName } from '../../api/projections/projections.module';
import { type RebuildReport, rebuildProjections } from '../../projections/rebuild';
import { EXIT, UsageError } from '../cli-error';
import { Progress } from '../progress';
import { openReadSide } from '../read-side';

export const projectionsRebuildHelp = `ifw projections rebuild [--name NAME] [--data DIR] [--json]

Builds a new version of each read model (or of one) from position 0 beside the served one, catches it up to
the head of the log, compares digests of both, and switches readers to the new version. The served version
keeps serving until then, so this runs while \`ifw serve\` runs on the same stores.
  --name NAME  rebuild one read model: ${READ_MODELS.map((d) => d.name).join(', ')}
  --data DIR   folder of the embedded stores
  --json       print { "projections": [{ "name", "events", "liveDigest", "rebuiltDigest", … }] }
Exit status 0 when every rebuild switched, 1 when one halted on an event its handler could not apply.`;

export async function projectionsRebuild(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { name: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean' } } });
  const definitions = values.name === undefined ? READ_MODELS : READ_MODELS.filter((d) => d.name === values.name);
  if (definitions.length === 0) throw new UsageError(`no read model "${values.name}"; the read models are ${READ_MODELS.map((d) => d.name).join(', ')}`);
  const config = loadConfig({ dataDir: values.data });
  const side = await openReadSide(config);
  try {
    const progress = new Progress('events rebuilt', values.json === true);
    const head = Number(await side.store.lastPosition());
    const reports = await rebuildProjections(side.store, side.catalog, side.feed, definitions, {
      owner: processOwnerName(),
      clock: Date.now,
      consumer: { ...DEFAULT_LOG_CONSUMER_OPTIONS, batchSize: 5_000 },
      liveWaitMs: 10_000,
      onProgress: (_statuses, eventsRead) => progress.update(eventsRead, head > 0 ? head : undefined),
    });
    progress.finish();
    console.log(values.json ? JSON.stringify({ projections: reports }) : reports.map(describe).join('\n'));
    return reports.every((r) => r.switched) ? EXIT.ok : EXIT.failure;
  } finally {
    await side.close();
  }
}

function describe(report: RebuildReport): string {
  if (!report.switched) return `${report.name}: HALTED building version ${report.version}: ${report.halted}; version ${report.previousVersion} is still served`;
  const same = report.liveDigest === report.rebuiltDigest ? 'digests equal' : `DIGESTS DIFFER (live ${report.livePosition}, rebuilt ${report.rebuiltPosition})`;
  return `${report.name}: version ${report.version} now served, ${report.events} events read, ${report.eventsApplied} applied, ${same} (${report.rebuiltDigest.slice(0, 16)}…)`;
}
