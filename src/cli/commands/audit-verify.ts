import { parseArgs } from 'node:util';
import { loadConfig } from '../../config';
import { type ChainReport, type EventStore, type LogHead, StoreNotFoundError } from '../../eventstore';
import { openProductEventStore } from '../../api/event-store.module';
import { snapshotFoldCheck } from '../../api/commands/snapshot-check';
import { verifyReportBody } from '../../api/audit/verify-report';
import { EXIT, UsageError } from '../cli-error';
import { Progress } from '../progress';

export const auditVerifyHelp = `ifw audit verify [--data DIR] [--stream NAME] [--anchor HASH@POSITION] [--json]

Recomputes the hash chain of every stream and checks that revisions are gapless; then the log's own chain
over positions (a removed stream, a moved event, a gap); then every snapshot against its seal and against
the fold of its stream. The store is opened read-only: nothing is created or written.
With IFW_AUDIT_KEY set (the key the server ran with), the keyed checkpoints written every 1,000 events are
checked too: a log rewritten and chained again without the key is found.
Exit status 0 when the log is intact, 3 when it is not (the report names the first damage, its kind, stream,
revision and position), 2 when the store or the --stream named does not exist or an option is malformed.
The report ends with the head: the log's last position and its hash in the log's chain, the anchor to keep
elsewhere (ifw audit anchor prints it alone); with --stream, the stream's last event and its stream hash.
  --data DIR              folder of the embedded stores (default: IFW_EVENTSTORE_URL, else IFW_DATA_DIR or ./data)
  --stream NAME           verify one stream only
  --anchor HASH@POSITION  an earlier head: the log up to it must be unchanged since
  --json                  print the report as JSON: { ok, eventsChecked, streamsChecked, snapshotsChecked,
                          checkpoints, head, firstBreak?, breaks? }; kinds are edited, removed, reordered,
                          re-chained and snapshot-forged`;

export async function auditVerify(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { data: { type: 'string' }, stream: { type: 'string' }, anchor: { type: 'string' }, json: { type: 'boolean' } } });
  const anchor = values.anchor === undefined ? undefined : parseAnchor(values.anchor);
  if (anchor && values.stream) throw new UsageError('--anchor is a head of the whole log: leave out --stream');
  const store = openForAudit(values.data);
  try {
    if (values.stream && (await store.streamRevision(values.stream)) < 0n) throw new UsageError(`no stream "${values.stream}" in the log`);
    const progress = new Progress('events verified', values.json === true);
    const report = values.stream
      ? await store.verifyStream(values.stream)
      : await store.verifyAll({ onProgress: (n) => progress.update(n), checkSnapshot: snapshotFoldCheck(store), ...(anchor && { anchor }) });
    progress.finish();
    const head = values.stream ? await streamHead(store, values.stream) : report.head && textHead(report.head);
    console.log(values.json ? JSON.stringify(jsonReport(report, head ?? null)) : `${verdict(report)}\n${headLine(head)}`);
    return report.ok ? EXIT.ok : EXIT.auditFailed;
  } finally {
    await store.close();
  }
}

/** The event store of the configuration, read-only; a store that is not there is a usage error, never created. */
export function openForAudit(dataDir: string | undefined): EventStore {
  const config = loadConfig({ dataDir });
  try {
    return openProductEventStore(config.eventStoreUrl, { readOnly: true, ...(config.auditKey !== undefined && { auditKey: config.auditKey }) });
  } catch (error) {
    if (error instanceof StoreNotFoundError) throw new UsageError(error.message);
    throw error;
  }
}

function parseAnchor(text: string): LogHead {
  const match = /^([0-9a-f]{64})@([1-9][0-9]{0,15})$/.exec(text);
  if (!match) throw new UsageError(`--anchor must be HASH@POSITION as ifw audit anchor prints it (64 hex digits, @, a position); got "${text}"`);
  return { hash: match[1]!, position: BigInt(match[2]!) };
}

type Head = { position: string; hash: string; stream?: string; revision?: string };

function textHead(head: LogHead): Head {
  return { position: head.position.toString(), hash: head.hash };
}

async function streamHead(store: EventStore, stream: string): Promise<Head | undefined> {
  for await (const event of store.readStream(stream, { direction: 'backwards', maxCount: 1 })) {
    return { position: event.position.toString(), stream: event.stream, revision: event.revision.toString(), hash: event.hash };
  }
  return undefined;
}

function headLine(head: Head | undefined): string {
  if (!head || head.position === '0') return 'head: none, the log is empty';
  if (head.stream !== undefined) return `head: position ${head.position} (stream "${head.stream}", revision ${head.revision}), stream hash ${head.hash}`;
  return `head: ${head.hash}@${head.position} (keep it elsewhere; ifw audit verify --anchor checks against it)`;
}

/** The API's report, with the head of the stream when one stream was verified. */
function jsonReport(report: ChainReport, head: Head | null) {
  return { ...verifyReportBody(report), head: head && head.position !== '0' ? head : null };
}

function verdict(report: ChainReport): string {
  const checkpoints = report.checkpoints ? `, ${report.checkpoints.checked} keyed checkpoints (through position ${report.checkpoints.lastPosition ?? 'none'})` : '';
  if (report.ok) {
    return `intact: ${report.eventsChecked} events in ${report.streamsChecked} streams, every hash chain verified, ${report.snapshotsChecked ?? 0} snapshots${checkpoints}`;
  }
  const lines = (report.breaks ?? [report.firstBreak!]).map((b) => `  ${b.kind} at position ${b.position}${b.stream ? ` (stream "${b.stream}", revision ${b.revision})` : ''}: ${b.reason}`);
  return `NOT INTACT (${report.firstBreak!.kind}):\n${lines.join('\n')}`;
}
