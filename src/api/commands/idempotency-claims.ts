import { type EventInput, type EventStore, type JsonObject, type RecordedEvent, WrongExpectedRevisionError } from '../../eventstore';
import { DomainError } from '../../domain/domain-error';
import { withSchemaVersion } from '../../domain/event-schemas';
import { invariant } from '../../invariant';
import { describePrincipal } from '../auth/principal';
import { HttpProblem } from '../http/problem';
import type { CommandContext } from './command-context';

/** The outcome of a keyed request, appended to the aggregate's stream in the same append as its events. */
export const REQUEST_RECORDED = 'RequestRecorded';

export interface CommandResponse<Body extends JsonObject> {
  status: number;
  /** `position` is the global position of the write, so a client can wait for projections to reach it. */
  body: Body & { position: string };
  /** True when this is an earlier request's outcome, answered again under its Idempotency-Key. */
  replayed?: true;
}

/** What marks an answer given again under an Idempotency-Key rather than decided now. */
export const REPLAYED_HEADERS: Readonly<Record<string, string>> = { 'idempotent-replayed': 'true' };

/** A final refusal recorded under an Idempotency-Key, answered again to a retry of the same request. */
export class RecordedRefusal extends DomainError {}

type RecordedOutcome = { requestKey: string; requestHash: string; status: number; body: JsonObject };
type Accepted = { requestHash: string; stream: string; fromRevision: string };
type Refused = { requestHash: string; error: { code: string; message: string; details: Record<string, string> } };

/**
 * A keyed request waiting for its outcome is looked for in at most this many events of its stream, read
 * from the revision the stream had when the key was claimed: far more than a retry ever has to pass.
 */
const MAX_SCANNED_EVENTS = 100_000;

/**
 * Idempotency-Keys on a store without multi-stream transactions. The key's own stream holds a claim naming
 * the one stream the request writes and that stream's revision at the time; the outcome is recorded in that
 * stream, in the same append as the request's events, so effect and record are never apart. A retry reads the
 * claim and looks for the outcome after that revision. A final refusal, which writes no events, is recorded in
 * the key's stream after the claim.
 */
export class IdempotencyClaims {
  constructor(private readonly store: EventStore) {}

  /** The earlier outcome of this key, or undefined once the key is claimed for `stream` and the request may run. */
  async claim(context: CommandContext, stream: string): Promise<CommandResponse<JsonObject> | undefined> {
    const key = requireKey(context);
    for (let attempt = 1; attempt <= 2; attempt++) {
      const keyEvents = await first(this.store.readStream(key.stream, { maxCount: 2 }), 2);
      if (keyEvents.length > 0) return this.earlierOutcome(context, stream, keyEvents);
      const fromRevision = (await this.store.streamRevision(stream)) + 1n;
      const accepted: Accepted = { requestHash: key.requestHash, stream, fromRevision: fromRevision.toString() };
      try {
        await this.store.append(key.stream, [withSchemaVersion({ type: 'RequestAccepted', data: accepted, metadata: keyMetadata(context) })], { expectedRevision: 'no_stream' });
        return undefined;
      } catch (error) {
        // Another process claimed the key a moment ago: read its claim.
        if (!(error instanceof WrongExpectedRevisionError) || attempt === 2) throw error;
      }
    }
    return undefined;
  }

  /** The event that records a decided request's outcome, appended after the request's own events. */
  outcomeEvent(context: CommandContext, status: number, body: JsonObject): EventInput {
    const key = requireKey(context);
    const data: RecordedOutcome = { requestKey: key.stream, requestHash: key.requestHash, status, body };
    return withSchemaVersion({ type: REQUEST_RECORDED, data, metadata: keyMetadata(context) });
  }

  /** Records a final refusal under the key; one that is not final is left unrecorded, so a retry runs again. */
  async recordRefusal(context: CommandContext, error: DomainError): Promise<void> {
    if (!error.final) return;
    const key = requireKey(context);
    const refused: Refused = { requestHash: key.requestHash, error: { code: error.code, message: error.message, details: error.details } };
    await this.store.append(key.stream, [withSchemaVersion({ type: 'RequestRefused', data: refused, metadata: keyMetadata(context) })], { expectedRevision: 0n }).catch((e: unknown) => {
      // Another attempt with the same key recorded its outcome first; that record stands.
      if (!(e instanceof WrongExpectedRevisionError)) throw e;
    });
  }

  private async earlierOutcome(context: CommandContext, stream: string, keyEvents: RecordedEvent[]): Promise<CommandResponse<JsonObject> | undefined> {
    const key = requireKey(context);
    const accepted = keyEvents[0]!.data as unknown as Accepted;
    if (accepted.requestHash !== key.requestHash) {
      throw HttpProblem.unprocessable('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request; use a new key for a new request');
    }
    invariant(accepted.stream === stream, () => `a request with the same key and body writes ${stream}, but its claim names ${accepted.stream}: its ids must derive from the key`);
    const refusal = keyEvents[1];
    if (refusal) {
      const { error } = refusal.data as unknown as Refused;
      throw new RecordedRefusal(error.code, error.message, error.details);
    }
    let scanned = 0;
    for await (const event of this.store.readStream(stream, { fromRevision: BigInt(accepted.fromRevision) })) {
      if (event.type === REQUEST_RECORDED && (event.data as unknown as RecordedOutcome).requestKey === key.stream) {
        const outcome = event.data as unknown as RecordedOutcome;
        return { status: outcome.status, body: { ...outcome.body, position: event.position.toString() }, replayed: true };
      }
      if (++scanned >= MAX_SCANNED_EVENTS) {
        throw new HttpProblem(503, `the outcome of this Idempotency-Key is not within ${MAX_SCANNED_EVENTS} events of its account; try again later`, {
          code: 'SERVICE_UNAVAILABLE',
          headers: { 'retry-after': '60' },
        });
      }
    }
    // The claim was made but the request's append never landed (a crash, a lost race): it runs now.
    return undefined;
  }
}

function requireKey(context: CommandContext): NonNullable<CommandContext['idempotency']> {
  invariant(context.idempotency !== undefined, 'an idempotency record of a request sent without a key');
  return context.idempotency;
}

function keyMetadata(context: CommandContext): JsonObject {
  return { correlationId: context.correlationId, principal: describePrincipal(context.principal) };
}

async function first<T>(iterable: AsyncIterable<T>, count: number): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) if (items.push(item) >= count) break;
  return items;
}
