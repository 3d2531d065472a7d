/**
 * The functional event-sourcing shape every aggregate follows: `decide` turns a command and the current
 * state into new events (or throws a DomainError), `evolve` folds one event into the state. Both are pure.
 */
export interface Decider<Command, Event, State> {
  initialState: State;
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
}

/** Replays events from the initial state: what loading an aggregate means, and what the specs use. */
export function fold<Event, State>(decider: Pick<Decider<unknown, Event, State>, 'initialState' | 'evolve'>, events: readonly Event[]): State {
  return events.reduce(decider.evolve, decider.initialState);
}
