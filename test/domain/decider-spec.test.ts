import type { Decider } from '../../src/domain/decider';
import { DomainError } from '../../src/domain/domain-error';
import { spec } from './decider-spec';

/** A counter that refuses to go above 2: just enough to show the helper passes and fails when it should. */
type CounterCommand = { type: 'Increment' } | { type: 'Crash' };
type CounterEvent = { type: 'Incremented'; data: { by: bigint } };

const counter: Decider<CounterCommand, CounterEvent, number> = {
  initialState: 0,
  decide(command, state) {
    if (command.type === 'Crash') throw new RangeError('not a business rule');
    if (state >= 2) throw new DomainError('TOO_MANY', 'at most 2', { limit: '2' });
    return [{ type: 'Incremented', data: { by: 1n } }];
  },
  evolve: (state) => state + 1,
};

const incremented: CounterEvent = { type: 'Incremented', data: { by: 1n } };

describe('the decider spec helper', () => {
  it('passes when the decided events are the expected ones and exposes the state after them', () => {
    spec(counter).given([incremented]).when({ type: 'Increment' }).then([incremented]).thenState((count) => count === 2);
  });

  it('fails when the decided events differ, bigints included', () => {
    expect(() => spec(counter).given([]).when({ type: 'Increment' }).then([{ type: 'Incremented', data: { by: 2n } }])).toThrow();
    expect(() => spec(counter).given([]).when({ type: 'Increment' }).thenNothing()).toThrow();
  });

  it('checks the code and the details of the DomainError', () => {
    const error = spec(counter).given([incremented, incremented]).when({ type: 'Increment' }).thenFails('TOO_MANY', { limit: '2' });
    expect(error.message).toBe('at most 2');
    expect(() => spec(counter).given([incremented, incremented]).when({ type: 'Increment' }).thenFails('OTHER')).toThrow();
    expect(() => spec(counter).given([incremented, incremented]).when({ type: 'Increment' }).thenFails('TOO_MANY', { limit: '3' })).toThrow();
  });

  it('fails thenFails when the command succeeds, and passes on errors that are not DomainErrors', () => {
    expect(() => spec(counter).given([]).when({ type: 'Increment' }).thenFails('TOO_MANY')).toThrow(/expected DomainError TOO_MANY/);
    expect(() => spec(counter).given([]).when({ type: 'Crash' }).thenFails('TOO_MANY')).toThrow(RangeError);
  });

  it('fails a state predicate that returns false', () => {
    spec(counter).given([incremented]).thenState((count) => {
      expect(count).toBe(1);
    });
    expect(() => spec(counter).given([incremented]).thenState((count) => count === 5)).toThrow(/does not satisfy/);
  });
});
