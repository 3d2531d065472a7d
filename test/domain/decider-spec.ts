import { type Decider, fold } from '../../src/domain/decider';
import { DomainError } from '../../src/domain/domain-error';

/**
 * Given-events / when-command / then-events specifications for deciders (the style of Emmett and of Jérémie
 * Chassaing's functional event sourcing):
 *
 *   spec(decider).given([...past events]).when(command).then([...new events]);
 *   spec(decider).given([...]).when(command).thenFails('CODE', { detail: 'value' });
 *   spec(decider).given([...]).thenState((state) => ...);                  // what evolve makes of the past
 *   spec(decider).given([...]).when(command).then([...]).thenState(...);    // the state after the new events
 *
 * `then` compares the events exactly (bigints included) and also folds them into the state, so an event that
 * evolve rejects (a broken invariant) fails the spec even when decide produced it. A state predicate may
 * return false or make its own `expect` assertions.
 */
export type StatePredicate<State> = (state: State) => boolean | void;

export interface GivenSpec<Command, Event, State> {
  when(command: Command): WhenSpec<Event, State>;
  thenState(predicate: StatePredicate<State>): void;
}

export interface WhenSpec<Event, State> {
  then(expected: readonly Event[]): AfterSpec<State>;
  /** The command is an idempotent no-op: it decides no events. */
  thenNothing(): AfterSpec<State>;
  thenFails(code: string, details?: Record<string, string>): DomainError;
}

export interface AfterSpec<State> {
  thenState(predicate: StatePredicate<State>): void;
}

export function spec<Command, Event, State>(decider: Decider<Command, Event, State>) {
  return {
    given(history: readonly Event[]): GivenSpec<Command, Event, State> {
      const past = fold(decider, history);
      return {
        when: (command) => whenSpec(decider, history, past, command),
        thenState: (predicate) => checkState(predicate, past),
      };
    },
  };
}

function whenSpec<Command, Event, State>(decider: Decider<Command, Event, State>, history: readonly Event[], past: State, command: Command): WhenSpec<Event, State> {
  const then = (expected: readonly Event[]): AfterSpec<State> => {
    const produced = decider.decide(command, past);
    expect(produced).toEqual(expected);
    const after = fold(decider, [...history, ...produced]);
    return { thenState: (predicate) => checkState(predicate, after) };
  };
  return {
    then,
    thenNothing: () => then([]),
    thenFails(code, details) {
      let thrown: unknown;
      let produced: Event[] | undefined;
      try {
        produced = decider.decide(command, past);
      } catch (error) {
        thrown = error;
      }
      if (thrown === undefined) throw new Error(`expected DomainError ${code}, but the command decided ${show(produced)}`);
      if (!(thrown instanceof DomainError)) throw thrown;
      expect(thrown.code).toBe(code);
      if (details !== undefined) expect(thrown.details).toEqual(details);
      return thrown;
    },
  };
}

function checkState<State>(predicate: StatePredicate<State>, state: State): void {
  if (predicate(state) === false) throw new Error(`the state does not satisfy the predicate: ${show(state)}`);
}

function show(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}
