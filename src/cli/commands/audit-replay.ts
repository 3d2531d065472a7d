import { parseArgs } from 'node:util';
import type { EventStore, JsonObject, JsonValue, RecordedEvent } from '../../eventstore';
import { formatPerTenK } from '../../domain/income-rate';
import { EXIT, UsageError } from '../cli-error';
import { ListingOutput } from '../listing-output';
import { Progress } from '../progress';
import { openForAudit } from './audit-verify';

export const auditReplayHelp = `ifw audit replay [--data DIR] [--stream NAME] [--to-revision N] [--until TIME]
                 [--from-position P] [--prefix P] [--type T] [--max N] [--json] [--stored]

Prints the event history in order: the whole log by global position, or one stream by revision,
as it stood at a revision or a time.
  --stream NAME      one stream, in revision order
  --to-revision N    with --stream: stop after revision N of the stream (the state "as of" that revision)
  --until TIME       stop at the last event recorded at or before TIME (ISO 8601)
  --from-position P  start the whole-log replay at global position P
  --prefix P         only streams whose names start with P (repeatable)
  --type T           only events of type T (repeatable)
  --max N            print at most N events
  --json             one JSON object per line (NDJSON), money and revisions as strings
  --stored           print each event's data exactly as stored, the form its hash covers
Units: fields ending in Fen are integer fen. Fields ending in perTenK / PerTenK are the income per
10,000 shares in CNY, printed as the API prints them ("0.4500"; "0.4500 CNY" without --json); the log
stores them as integer counts of 0.0001 CNY ("4500"), which --stored shows.
Exit status 2 when the --stream, or a --type, does not occur in the log.`;

interface ReplayOptions {
  data?: string;
  stream?: string;
  toRevision?: bigint;
  untilMs?: number;
  fromPosition?: bigint;
  prefixes?: string[];
  types?: string[];
  max?: bigint;
  json: boolean;
  stored: boolean;
}

export async function auditReplay(argv: string[]): Promise<number> {
  const options = replayOptions(argv);
  const store = openForAudit(options.data);
  try {
    if (options.stream) await checkStreamExists(store, options.stream);
    if (options.types) await checkTypesExist(store, options.types);
    const events = options.stream
      ? store.readStream(options.stream)
      : store.readAll({ fromPosition: options.fromPosition ?? 'start', filter: { streamPrefixes: options.prefixes, eventTypes: options.types } });
    await printEvents(events, options);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

function replayOptions(argv: string[]): ReplayOptions {
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
      stored: { type: 'boolean' },
    },
  });
  const options: ReplayOptions = {
    data: values.data,
    stream: values.stream,
    toRevision: optionalBigInt(values['to-revision'], '--to-revision'),
    untilMs: values.until === undefined ? undefined : Date.parse(values.until),
    fromPosition: optionalBigInt(values['from-position'], '--from-position'),
    prefixes: values.prefix,
    types: values.type,
    max: optionalBigInt(values.max, '--max'),
    json: values.json === true,
    stored: values.stored === true,
  };
  if (Number.isNaN(options.untilMs)) throw new UsageError(`--until must be an ISO 8601 time; got "${values.until}"`);
  if (options.stream && (options.fromPosition !== undefined || options.prefixes)) {
    throw new UsageError('--from-position and --prefix replay the whole log; with --stream use --to-revision or --until');
  }
  if (!options.stream && options.toRevision !== undefined) {
    throw new UsageError('--to-revision needs --stream, as revisions count within one stream; for the whole log use --until');
  }
  return options;
}

/** Prints until the end of the selection, or until no one reads the output any more. */
async function printEvents(events: AsyncIterable<RecordedEvent>, options: ReplayOptions): Promise<void> {
  const output = new ListingOutput();
  const progress = new Progress('events replayed', options.json);
  const format = options.json ? toJson : toLine;
  const shown = (data: JsonObject) => (options.stored ? data : (withPerTenKInCny(data, '', options.json ? '' : ' CNY') as JsonObject));
  let printed = 0n;
  for await (const event of events) {
    if (options.toRevision !== undefined && event.revision > options.toRevision) break;
    if (options.untilMs !== undefined && event.recordedAt.getTime() > options.untilMs) break;
    if (options.stream && options.types && !options.types.includes(event.type)) continue;
    if (options.max !== undefined && printed >= options.max) break;
    if (!(await output.writeLine(format({ ...event, data: shown(event.data) })))) break;
    printed++;
    progress.update(Number(printed));
  }
  progress.finish();
}

function optionalBigInt(value: string | undefined, flag: string): bigint | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a non-negative integer; got "${value}"`);
  return BigInt(value);
}

async function checkStreamExists(store: EventStore, stream: string): Promise<void> {
  if ((await store.streamRevision(stream)) < 0n) throw new UsageError(`no stream "${stream}" in the log`);
}

/** A type filter that matches nothing in the whole log is a typo far more often than a question. */
async function checkTypesExist(store: EventStore, types: readonly string[]): Promise<void> {
  for (const type of types) {
    if (await isEmpty(store.readAll({ filter: { eventTypes: [type] }, maxCount: 1 }))) {
      const known = await typesInLog(store);
      throw new UsageError(`no event of type "${type}" in the log; ${known.length > 0 ? `its types are ${known.join(', ')}` : 'the log is empty'}`);
    }
  }
}

async function isEmpty(events: AsyncIterable<RecordedEvent>): Promise<boolean> {
  for await (const _event of events) return false;
  return true;
}

/** Reads the whole log, so only to explain a refusal. */
async function typesInLog(store: EventStore): Promise<string[]> {
  const types = new Set<string>();
  for await (const event of store.readAll()) types.add(event.type);
  return [...types].sort();
}

/**
 * The codec stores perTenK fields (and the values of records and arrays named so) as integer counts of
 * 0.0001 CNY; the API shows CNY with 4 decimals, and so does the replay, so one field reads alike in both.
 */
const PER_TEN_K_FIELD = /[pP]erTenK$/;
const INTEGER = /^-?\d+$/;

function withPerTenKInCny(value: JsonValue, key: string, unit: string): JsonValue {
  if (typeof value === 'string' && PER_TEN_K_FIELD.test(key) && INTEGER.test(value)) return `${formatPerTenK(BigInt(value))}${unit}`;
  if (Array.isArray(value)) return value.map((item) => withPerTenKInCny(item, key, unit));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withPerTenKInCny(v, PER_TEN_K_FIELD.test(key) ? key : k, unit)]));
  }
  return value;
}

function toJson(event: RecordedEvent): string {
  return JSON.stringify({ ...event, revision: event.revision.toString(), position: event.position.toString(), recordedAt: event.recordedAt.toISOString() });
}

function toLine(event: RecordedEvent): string {
  return `${event.position}\t${event.stream}@${event.revision}\t${event.recordedAt.toISOString()}\t${event.type}\t${JSON.stringify(event.data)}`;
}
