import { evaluateCondition, evaluateCorrelationKey, evaluateFeel, FeelEvaluationError } from '../../../src/processes/engine/embedded/feel';
import { timerDueAtMs } from '../../../src/processes/engine/embedded/iso-timer';

describe('FEEL evaluation', () => {
  it('gives JSON values, temporal values as ISO text', () => {
    expect(evaluateFeel('=amount * 2', { amount: 21 })).toBe(42);
    expect(evaluateFeel('={total: sum(items), first: items[1]}', { items: [1, 2, 3] })).toEqual({ total: 6, first: 1 });
    expect(evaluateFeel('=duration("PT15M")', {})).toBe('PT15M');
    expect(evaluateFeel('=missing', {})).toBeNull();
  });

  it('refuses a condition that is not true or false, and expressions that are wrong for the variables', () => {
    expect(evaluateCondition('=amount > 10000', { amount: 10_001 })).toBe(true);
    expect(() => evaluateCondition('=amount > 10000', {})).toThrow(FeelEvaluationError);
    expect(() => evaluateFeel('=amount * 2', { amount: 'two' })).toThrow(/Can't multiply/);
    expect(() => evaluateFeel('=amount +', {})).toThrow(FeelEvaluationError);
  });

  it('gives correlation keys as text, from numbers too, and refuses other values', () => {
    expect(evaluateCorrelationKey('=switchId', { switchId: 'SW-1' })).toBe('SW-1');
    expect(evaluateCorrelationKey('=walletNo', { walletNo: 1234 })).toBe('1234');
    expect(evaluateCorrelationKey('static-key', {})).toBe('static-key');
    expect(() => evaluateCorrelationKey('=switchId', {})).toThrow(/must be a string or a number/);
  });
});

describe('timer due times', () => {
  const jan31 = Date.UTC(2026, 0, 31, 12, 0, 0);
  it('add durations to the engine clock, calendar parts in UTC as Zeebe does', () => {
    expect(timerDueAtMs('timeDuration', 'PT15M', jan31) - jan31).toBe(15 * 60_000);
    expect(timerDueAtMs('timeDuration', 'P1DT1H30M', jan31) - jan31).toBe((24 * 60 + 90) * 60_000);
    expect(new Date(timerDueAtMs('timeDuration', 'P1M', jan31)).toISOString()).toBe('2026-02-28T12:00:00.000Z');
    expect(new Date(timerDueAtMs('timeDuration', 'P1Y1M', jan31)).toISOString()).toBe('2027-02-28T12:00:00.000Z');
    expect(timerDueAtMs('timeDate', '2026-02-01T00:00:00Z', jan31)).toBe(Date.UTC(2026, 1, 1));
    expect(timerDueAtMs('timeCycle', 'R3/PT10M', jan31) - jan31).toBe(10 * 60_000);
    expect(() => timerDueAtMs('timeDuration', 'fifteen minutes', jan31)).toThrow(/ISO-8601 duration/);
  });
});
