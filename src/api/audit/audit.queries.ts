import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { encodeData } from '../../domain/event-codec';
import type { EventStore, JsonObject, JsonValue, RecordedEvent } from '../../eventstore';
import { snapshotFoldCheck } from '../commands/snapshot-check';
import { EVENT_STORE } from '../event-store.module';
import { HttpProblem } from '../http/problem';
import { type ShownEvent, withErasedNamesHidden } from './erased-names';
import { entityOfStream, foldStreamTo } from './stream-entity';
import { type VerifyReportBody, verifyReportBody } from './verify-report';

export interface AuditEventBody {
  position: string;
  stream: string;
  revision: string;
  id: string;
  type: string;
  recordedAt: string;
  data: JsonObject;
  metadata: JsonObject;
  hash: string;
  /** Fields of `data` shown as erased: names in the clear of persons erased since (erased-names.ts). */
  erasedFields?: string[];
}

export interface LogPageBody {
  items: AuditEventBody[];
  nextPosition: string | null;
}

export interface StreamPageBody {
  items: AuditEventBody[];
  nextRevision: string | null;
}

export interface StreamStateBody {
  stream: string;
  revision: string;
  schema: string;
  state: JsonValue;
}

export class ReadLogQuery extends Query<LogPageBody> {
  constructor(
    readonly fromPosition: bigint | undefined,
    readonly limit: number,
  ) {
    super();
  }
}

export class ReadStreamEventsQuery extends Query<StreamPageBody> {
  constructor(
    readonly stream: string,
    readonly fromRevision: bigint | undefined,
    readonly limit: number,
  ) {
    super();
  }
}

export class StreamStateQuery extends Query<StreamStateBody> {
  constructor(
    readonly stream: string,
    readonly revision: bigint | undefined,
  ) {
    super();
  }
}

export class VerifyLogQuery extends Query<VerifyReportBody> {}

/** Seconds a client is asked to wait while another verification runs: a small log verifies within them. */
const VERIFY_RETRY_AFTER_SECONDS = 10;

@QueryHandler(ReadLogQuery)
export class ReadLogHandler implements IQueryHandler<ReadLogQuery, LogPageBody> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** One more than the page is read: its position, opaque and possibly with gaps before it, is where the next page starts. */
  async execute({ fromPosition, limit }: ReadLogQuery): Promise<LogPageBody> {
    const events = await collect(this.store.readAll({ fromPosition: fromPosition ?? 'start', maxCount: limit + 1 }));
    const next = events.length > limit ? events.pop()! : undefined;
    return { items: (await withErasedNamesHidden(this.store, events)).map(auditEventBody), nextPosition: next?.position.toString() ?? null };
  }
}

@QueryHandler(ReadStreamEventsQuery)
export class ReadStreamEventsHandler implements IQueryHandler<ReadStreamEventsQuery, StreamPageBody> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ stream, fromRevision, limit }: ReadStreamEventsQuery): Promise<StreamPageBody> {
    const last = await lastRevisionOf(this.store, stream);
    if (fromRevision !== undefined) requireAtMost('fromRevision', fromRevision, last, stream);
    const events = await collect(this.store.readStream(stream, { fromRevision: fromRevision ?? 'start', maxCount: limit + 1 }));
    const next = events.length > limit ? events.pop()! : undefined;
    return { items: (await withErasedNamesHidden(this.store, events)).map(auditEventBody), nextRevision: next?.revision.toString() ?? null };
  }
}

@QueryHandler(StreamStateQuery)
export class StreamStateHandler implements IQueryHandler<StreamStateQuery, StreamStateBody> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ stream, revision }: StreamStateQuery): Promise<StreamStateBody> {
    const last = await lastRevisionOf(this.store, stream);
    const aggregate = entityOfStream(stream);
    if (!aggregate) {
      throw new HttpProblem(422, `no entity folds the stream "${stream}": read its events at /audit/streams/${encodeURIComponent(stream)}/events`, { code: 'NO_ENTITY', field: 'stream' });
    }
    const upTo = revision ?? last;
    requireAtMost('revision', upTo, last, stream);
    const state = await foldStreamTo(this.store, stream, aggregate, upTo);
    return { stream, revision: upTo.toString(), schema: aggregate.schema, state: encodeData(state as object) };
  }
}

/** Verifies the whole log, one verification at a time: each reads every event, and two would only halve each other's pace. */
@QueryHandler(VerifyLogQuery)
export class VerifyLogHandler implements IQueryHandler<VerifyLogQuery, VerifyReportBody> {
  private running = false;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute(): Promise<VerifyReportBody> {
    if (this.running) {
      throw new HttpProblem(503, 'a verification of the log is already running: retry after it, or verify a large log with `ifw audit verify`', {
        code: 'VERIFICATION_RUNNING',
        headers: { 'retry-after': String(VERIFY_RETRY_AFTER_SECONDS) },
      });
    }
    this.running = true;
    try {
      return verifyReportBody(await this.store.verifyAll({ checkSnapshot: snapshotFoldCheck(this.store) }));
    } finally {
      this.running = false;
    }
  }
}

async function collect(events: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> {
  const collected: RecordedEvent[] = [];
  for await (const event of events) collected.push(event);
  return collected;
}

/** The revision of the stream's last event; 404 naming the stream when it has none. */
async function lastRevisionOf(store: EventStore, stream: string): Promise<bigint> {
  const last = await store.streamRevision(stream);
  if (last < 0n) throw new HttpProblem(404, `no stream "${stream}" in the log`, { code: 'NOT_FOUND', field: 'stream' });
  return last;
}

function requireAtMost(field: string, revision: bigint, last: bigint, stream: string): void {
  if (revision > last) {
    throw new HttpProblem(400, `${field} ${revision} is past the end of "${stream}", whose last revision is ${last}`, { code: 'INVALID_PARAMETER', field, extensions: { lastRevision: last.toString() } });
  }
}

function auditEventBody(event: ShownEvent): AuditEventBody {
  return {
    position: event.position.toString(),
    stream: event.stream,
    revision: event.revision.toString(),
    id: event.id,
    type: event.type,
    recordedAt: event.recordedAt.toISOString(),
    data: event.data,
    metadata: event.metadata,
    hash: event.hash,
    ...(event.erasedFields && { erasedFields: event.erasedFields }),
  };
}

