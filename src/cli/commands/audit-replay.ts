import { parseArgs } from 'node:util';
import { loadConfig } from '../../config';
import { type RecordedEvent, openEventStore } from '../../eventstore';
import { EXIT, UsageError } from '../cli-error';
import { Progress } from '../progress';

export const auditReplayHelp = `ifw audit replay [--data DIR] [--stream NAME] [--to-revision N] [--until TIME]
                 [--from-position P] [--prefix P] [--type T] [--max N] [--json]

Prints the event history in order: the whole log by global position, or one stream by revision,
as it stood at a revision or a time.
  --stream NAME      one stream, in revision order
  --to-revision N    stop after revision N of the stream (the state "as of" that revision)
  --until TIME       stop at the last event recorded at or before TIME (ISO 8601)
  --from-position P  start the whole-log replay at global position P
  --prefix P         only streams whose names start with P (repeatable)
  --type T           only events of type T (repeatable)
  --max N            print at most N events
  --json             one JSON object per line (NDJSON), money and revisions as strings`;

export async function auditReplay(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      stream: { type: 'string' },
      'to-revision': { type: 'string' },
      until: { type: 'string' },
      'from-position': { type: 'string' },
      prefix: { type: 'string', multiple: true },
      type: { type: 'string', multiple: true },
      max: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const toRevision = optionalBigInt(values['to-revision'], '--to-revision');
  const fromPosition = optionalBigInt(values['from-position'], '--from-position');
  const max = optionalBigInt(values.max, '--max');
  const untilMs = values.until === undefined ? undefined : Date.parse(values.until);
  if (untilMs !== undefined && Number.isNaN(untilMs)) throw new UsageError(`--until must be an ISO 8601 time; got "${values.until}"`);
  if (values.stream && (fromPosition !== undefined || values.prefix)) {
    throw new UsageError('--from-position and --prefix replay the whole log; with --stream use --to-revision or --until');
  }

  const config = loadConfig({ dataDir: values.data });
  const store = openEventStore(config.eventStoreUrl);
  const progress = new Progress('events replayed', values.json === true);
  try {
    const events = values.stream
      ? store.readStream(values.stream)
      : store.readAll({ fromPosition: fromPosition ?? 'start', filter: { streamPrefixes: values.prefix, eventTypes: values.type } });
    let printed = 0n;
    for await (const event of events) {
      if (toRevision !== undefined && event.revision > toRevision) break;
      if (untilMs !== undefined && event.recordedAt.getTime() > untilMs) break;
      if (values.stream && values.type && !values.type.includes(event.type)) continue;
      if (max !== undefined && printed >= max) break;
      process.stdout.write(values.json ? `${JSON.stringify(toJson(event))}\n` : `${toLine(event)}\n`);
      printed++;
      progress.update(Number(printed));
    }
    progress.finish();
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

function optionalBigInt(value: string | undefined, flag: string): bigint | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a non-negative integer; got "${value}"`);
  return BigInt(value);
}

function toJson(event: RecordedEvent) {
  return { ...event, revision: event.revision.toString(), position: event.position.toString(), recordedAt: event.recordedAt.toISOString() };
}

function toLine(event: RecordedEvent): string {
  return `${event.position}\t${event.stream}@${event.revision}\t${event.recordedAt.toISOString()}\t${event.type}\t${JSON.stringify(event.data)}`;
}
