import { Inject, Injectable } from '@nestjs/common';
import { type EventStore, type ExpectedRevision, type JsonObject, type StreamAppend, WrongExpectedRevisionError } from '../../eventstore';
import { DomainError } from '../../domain/domain-error';
import { HttpProblem } from '../http/problem';
import { EVENT_STORE } from '../event-store.module';
import { describePrincipal } from '../auth/principal';
import type { CommandContext } from './command-context';
import { KeyedMutex } from './keyed-mutex';
import { type DomainEvent, toEventInputs } from './stored-aggregate';

export interface StreamDecision {
  stream: string;
  events: readonly DomainEvent[];
  /** A revision for streams whose invariants the decision relied on; 'any' for pure credits. */
  expectedRevision: ExpectedRevision;
}

export interface Decision<Body extends JsonObject> {
  streams: readonly StreamDecision[];
  status: number;
  body: Body;
  /** Response fields that must never be stored, such as a newly issued API key: a replay omits them. */
  unrecorded?: JsonObject;
  businessDate: string;
  ruleSetVersion: string;
}

export interface CommandResponse<Body extends JsonObject> {
  status: number;
  /** `position` is the global position of the write, so a client can wait for projections to reach it. */
  body: Body & { position: string };
}

/** A decision that lost a race on an expected revision is decided again from fresh state, this many times at most. */
const MAX_ATTEMPTS = 8;

/** The one recorded outcome of a request sent with an Idempotency-Key. */
type RecordedRequest =
  | { requestHash: string; status: number; body: JsonObject }
  | { requestHash: string; status: 422; error: { code: string; message: string; details: Record<string, string> } };

/**
 * Runs a command: read, decide, append with the revisions read, retry on a lost race. With an
 * Idempotency-Key the response is appended in the same atomic write as the events, so a retried request
 * can never apply twice; a refused one is recorded too, so the same request always gets the same answer.
 */
@Injectable()
export class CommandRunner {
  private readonly mutex = new KeyedMutex();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async run<Body extends JsonObject>(context: CommandContext, lockKeys: readonly string[], decide: () => Promise<Decision<Body>>): Promise<CommandResponse<Body>> {
    return this.mutex.run(context.idempotency ? [...lockKeys, context.idempotency.stream] : lockKeys, async () => {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const replay = await this.replay<Body>(context);
        if (replay) return replay;
        let decision: Decision<Body>;
        try {
          decision = await decide();
        } catch (error) {
          if (error instanceof DomainError && context.idempotency) await this.recordRefusal(context, error);
          throw error;
        }
        try {
          return await this.append(context, decision);
        } catch (error) {
          if (!(error instanceof WrongExpectedRevisionError)) throw error;
        }
      }
      throw HttpProblem.conflict(`the command lost ${MAX_ATTEMPTS} races with concurrent writes to the same account; retry it`, 'CONCURRENCY_CONFLICT');
    });
  }

  /** Runs a task under the same per-stream locks commands take, for multi-step work such as the day close. */
  withLocks<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    return this.mutex.run(keys, task);
  }

  private async append<Body extends JsonObject>(context: CommandContext, decision: Decision<Body>): Promise<CommandResponse<Body>> {
    const metadata = {
      correlationId: context.correlationId,
      causationId: context.correlationId,
      principal: describePrincipal(context.principal),
      ruleSetVersion: decision.ruleSetVersion,
      businessDate: decision.businessDate,
    };
    const appends: StreamAppend[] = decision.streams
      .filter((s) => s.events.length > 0)
      .map((s) => ({ stream: s.stream, events: toEventInputs(s.events, metadata), expectedRevision: s.expectedRevision }));
    if (context.idempotency) {
      const record: RecordedRequest = { requestHash: context.idempotency.requestHash, status: decision.status, body: decision.body };
      appends.push({ stream: context.idempotency.stream, events: [{ type: 'RequestRecorded', data: record, metadata }], expectedRevision: 'no_stream' });
    }
    // A decision that changes nothing (an identical income published again) still answers with the log's position.
    const position = appends.length > 0 ? (await this.store.appendMany(appends)).position : await this.store.lastPosition();
    return { status: decision.status, body: { ...decision.body, ...decision.unrecorded, position: position.toString() } };
  }

  private async recordRefusal(context: CommandContext, error: DomainError): Promise<void> {
    const idempotency = context.idempotency!;
    const record: RecordedRequest = { requestHash: idempotency.requestHash, status: 422, error: { code: error.code, message: error.message, details: error.details } };
    await this.store
      .append(idempotency.stream, [{ type: 'RequestRecorded', data: record, metadata: { correlationId: context.correlationId, principal: describePrincipal(context.principal) } }], {
        expectedRevision: 'no_stream',
      })
      .catch((e: unknown) => {
        // Another attempt with the same key recorded its outcome first; that record stands.
        if (!(e instanceof WrongExpectedRevisionError)) throw e;
      });
  }

  /** The recorded response of an earlier request with the same key, or undefined when there is none. */
  private async replay<Body extends JsonObject>(context: CommandContext): Promise<CommandResponse<Body> | undefined> {
    if (!context.idempotency) return undefined;
    for await (const event of this.store.readStream(context.idempotency.stream, { maxCount: 1 })) {
      const record = event.data as unknown as RecordedRequest;
      if (record.requestHash !== context.idempotency.requestHash) {
        throw HttpProblem.unprocessable('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request; use a new key for a new request');
      }
      if ('error' in record) throw new DomainError(record.error.code, record.error.message, record.error.details);
      return { status: record.status, body: { ...(record.body as Body), position: event.position.toString() } };
    }
    return undefined;
  }
}
