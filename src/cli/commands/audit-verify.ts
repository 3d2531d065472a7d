import { parseArgs } from 'node:util';
import { loadConfig } from '../../config';
import { type ChainReport, type EventStore, type RecordedEvent, openEventStore } from '../../eventstore';
import { EXIT, UsageError } from '../cli-error';
import { Progress } from '../progress';

export const auditVerifyHelp = `ifw audit verify [--data DIR] [--stream NAME] [--json]

Recomputes the hash chain of every stream (or of one) and checks that revisions are gapless.
Exit status 0 when the log is intact, 3 when it is not (the report names the first bad position),
2 when the --stream named does not exist.
The report ends with the head: the last event of the log (or of the stream), its position and stored hash.
Each stream has its own chain, so that hash covers the head event's stream up to it.
  --data DIR     folder of the embedded stores (default: IFW_EVENTSTORE_URL or ./data)
  --stream NAME  verify one stream only
  --json         print the report as JSON: { ok, eventsChecked, streamsChecked, head, firstBreak? },
                 head being { position, stream, revision, hash } or null for an empty log`;

interface Head {
  position: string;
  stream: string;
  revision: string;
  hash: string;
}

export async function auditVerify(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { data: { type: 'string' }, stream: { type: 'string' }, json: { type: 'boolean' } } });
  const config = loadConfig({ dataDir: values.data });
  const store = openEventStore(config.eventStoreUrl);
  try {
    if (values.stream && (await store.streamRevision(values.stream)) < 0n) throw new UsageError(`no stream "${values.stream}" in the log`);
    // Read before the walk: events appended during it are verified too, so the head reported is always among the verified.
    const head = await headOf(store, values.stream);
    const progress = new Progress('events verified', values.json === true);
    const report = values.stream
      ? await store.verifyStream(values.stream)
      : await store.verifyAll({ onProgress: (n) => progress.update(n) });
    progress.finish();
    const firstBreak = report.firstBreak && {
      ...report.firstBreak,
      revision: report.firstBreak.revision.toString(),
      position: report.firstBreak.position.toString(),
    };
    console.log(
      values.json
        ? JSON.stringify({ ok: report.ok, eventsChecked: report.eventsChecked, streamsChecked: report.streamsChecked, head, firstBreak })
        : `${verdict(report)}\n${head ? `head: position ${head.position} (stream "${head.stream}", revision ${head.revision}), hash ${head.hash}` : 'head: none, the log is empty'}`,
    );
    return report.ok ? EXIT.ok : EXIT.auditFailed;
  } finally {
    await store.close();
  }
}

function verdict(report: ChainReport): string {
  if (report.ok) return `intact: ${report.eventsChecked} events in ${report.streamsChecked} streams, every hash chain verified`;
  const { position, stream, revision, reason } = report.firstBreak!;
  return `NOT INTACT: first bad position ${position} (stream "${stream}", revision ${revision}): ${reason}`;
}

/** The last event of the stream, or of the whole log; null when there is none. */
async function headOf(store: EventStore, stream: string | undefined): Promise<Head | null> {
  const events = stream === undefined ? await lastOfLog(store) : store.readStream(stream, { direction: 'backwards', maxCount: 1 });
  for await (const event of events) {
    return { position: event.position.toString(), stream: event.stream, revision: event.revision.toString(), hash: event.hash };
  }
  return null;
}

async function lastOfLog(store: EventStore): Promise<AsyncIterable<RecordedEvent>> {
  const lastPosition = await store.lastPosition();
  return store.readAll({ fromPosition: lastPosition < 0n ? 'start' : lastPosition, maxCount: 1 });
}
