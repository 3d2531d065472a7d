import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type EventInput, type EventStore, type ExpectedRevision, type JsonObject, retryOnConflict } from '../../eventstore';
import { type Decider, fold } from '../../domain/decider';
import { DomainError, NotFoundError } from '../../domain/domain-error';
import { describePrincipal } from '../auth/principal';
import { EVENT_STORE } from '../event-store.module';
import { type CommandOutcome, Metrics } from '../metrics/metrics';
import type { CommandContext } from './command-context';
import { type CommandResponse, IdempotencyClaims } from './idempotency-claims';
import { KeyedMutex } from './keyed-mutex';
import { type DomainEvent, expectedAfter, loadStored, toEventInputs } from './stored-aggregate';

/** An entity whose stream a command writes: its decider, and how the folded states of its streams are cached. */
export interface Aggregate<Command, Event extends DomainEvent, State> {
  /** Names the cache of folded states; changes whenever the state's shape does. */
  schema: string;
  decider: Decider<Command, Event, State>;
  exists(state: State): boolean;
  /** What a 404 says when a command needs the entity and its stream has none. */
  missing(stream: string): string;
}

export interface Change<Event, State> {
  before: State;
  events: readonly Event[];
  after: State;
}

export interface Outcome<Body extends JsonObject> {
  status: number;
  body: Body;
  /** Response fields that must never be stored, such as a newly issued API key: a replay omits them. */
  unrecorded?: JsonObject;
}

/**
 * A command for one stream, decided by its entity's decider: the one message every write of the product
 * sends on the CommandBus. `respond` maps the decided change to the response body, purely.
 */
export class DecideCommand<Command = unknown, Event extends DomainEvent = DomainEvent, State = unknown, Body extends JsonObject = JsonObject> {
  constructor(
    readonly context: CommandContext,
    readonly aggregate: Aggregate<Command, Event, State>,
    readonly stream: string,
    readonly command: Command,
    /**
     * Recorded in every event's metadata: the business date and the rule set the decision was taken under, and
     * what a process must find again from the event after a crash (the day close's request).
     */
    readonly recordedUnder: { businessDate: string; ruleSetVersion: string } & JsonObject,
    readonly respond: (change: Change<Event, State>) => Outcome<Body>,
    /** False for commands that create the entity (or, like a purchase, may meet it either way). */
    readonly needsEntity = true,
  ) {}
}

/** A DecideCommand of whichever entity: each is built with its own types, and the handler needs none of them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDecideCommand = DecideCommand<any, any, any, JsonObject>;

/**
 * The one command handler: read the stream, decide, append to that stream alone with the revision read as
 * expected revision, decide again from fresh state when the race is lost. With an Idempotency-Key the key is
 * claimed first and the outcome appended with the events, so a retried request never applies twice.
 */
@CommandHandler(DecideCommand)
export class DecideCommandHandler implements ICommandHandler<AnyDecideCommand, CommandResponse<JsonObject>> {
  // Commands on one stream in this process queue here instead of racing on its expected revision.
  private readonly mutex = new KeyedMutex();
  private readonly claims: IdempotencyClaims;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly metrics: Metrics,
  ) {
    this.claims = new IdempotencyClaims(store);
  }

  async execute(command: AnyDecideCommand): Promise<CommandResponse<JsonObject>> {
    const type = (command.command as { type?: string }).type ?? 'unknown';
    try {
      const response = await this.decideUnderLocks(command);
      this.metrics.commands.inc({ type, outcome: response.replayed ? 'replayed' : 'ok' });
      return response;
    } catch (error) {
      this.metrics.commands.inc({ type, outcome: outcomeOf(error) });
      throw error;
    }
  }

  private decideUnderLocks(command: AnyDecideCommand): Promise<CommandResponse<JsonObject>> {
    const { context, stream } = command;
    return this.mutex.run(context.idempotency ? [stream, context.idempotency.stream] : [stream], async () => {
      if (context.idempotency) {
        const earlier = await this.claims.claim(context, stream);
        if (earlier) return earlier;
      }
      try {
        return await retryOnConflict(() => this.decideAndAppend(command));
      } catch (error) {
        if (error instanceof DomainError && context.idempotency) await this.claims.recordRefusal(context, error);
        throw error;
      }
    });
  }

  private async decideAndAppend({ context, aggregate, stream, command, recordedUnder, respond, needsEntity }: AnyDecideCommand): Promise<CommandResponse<JsonObject>> {
    const loaded = await loadStored(this.store, stream, aggregate.decider, aggregate.schema);
    if (needsEntity && !aggregate.exists(loaded.state)) throw new NotFoundError(aggregate.missing(stream));
    const events = aggregate.decider.decide(command, loaded.state);
    const after = fold({ initialState: loaded.state, evolve: aggregate.decider.evolve }, events);
    const outcome = respond({ before: loaded.state, events, after });
    const metadata = { correlationId: context.correlationId, causationId: context.causationId ?? context.correlationId, principal: describePrincipal(context.principal), ...recordedUnder };
    const inputs = toEventInputs(events, metadata);
    if (context.idempotency) inputs.push(this.claims.outcomeEvent(context, outcome.status, outcome.body));
    // A decision that changes nothing (an identical income published again) still answers with the log's position.
    const position = inputs.length > 0 ? await this.append(stream, inputs, expectedAfter(loaded.revision)) : await this.store.lastPosition();
    return { status: outcome.status, body: { ...outcome.body, ...outcome.unrecorded, position: position.toString() } };
  }

  private async append(stream: string, inputs: EventInput[], expectedRevision: ExpectedRevision): Promise<bigint> {
    const stopTimer = this.metrics.appendSeconds.startTimer();
    try {
      return (await this.store.append(stream, inputs, { expectedRevision })).position;
    } finally {
      stopTimer();
    }
  }
}

function outcomeOf(error: unknown): CommandOutcome {
  if (error instanceof NotFoundError) return 'not-found';
  return error instanceof DomainError ? 'refused' : 'failed';
}
