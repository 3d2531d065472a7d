import { invariant } from '../../../invariant';

/** A timer bpmn-engine armed: which event's execution it belongs to and what to call when it is due. */
export interface ArmedTimer {
  elementId: string;
  executionId: string;
  fire(): void;
}

/** Where armed and disarmed timers go: the instance's runtime, which persists their due times. */
export interface TimerSink {
  armed(timer: ArmedTimer): void;
  disarmed(timer: ArmedTimer): void;
}

interface TimerOwner {
  id?: string;
  executionId?: string;
}

/**
 * The `timers` bpmn-engine is given: it never starts a real timer. Arming hands the timer to the runtime, which
 * computes its due time on the injected clock and fires it from `runDueTimers()`; so tests move time by moving
 * the clock, and a restarted engine keeps each timer's original due time instead of starting it over.
 */
export class ClockTimers {
  private readonly armedTimers = new Set<ArmedTimer>();

  constructor(private readonly sink: TimerSink) {}

  /** bpmn-engine clears every armed timer when a run stops or ends. */
  get executing(): ArmedTimer[] {
    return [...this.armedTimers];
  }

  register(owner: TimerOwner) {
    return {
      setTimeout: (callback: (...args: unknown[]) => void, _delayMs: number, ...args: unknown[]) => this.arm(owner, callback, args),
      clearTimeout: (timer: ArmedTimer | undefined) => this.clearTimeout(timer),
    };
  }

  /** Only timer event definitions arm timers, always through `register`; an unowned timer would be a new use we do not handle. */
  setTimeout(): never {
    invariant(false, 'bpmn-engine armed a timer without an owner; ClockTimers only handles timer events');
  }

  clearTimeout(timer: ArmedTimer | undefined): undefined {
    if (timer && this.armedTimers.delete(timer)) this.sink.disarmed(timer);
    return undefined;
  }

  private arm(owner: TimerOwner, callback: (...args: unknown[]) => void, args: unknown[]): ArmedTimer {
    invariant(typeof owner.id === 'string' && typeof owner.executionId === 'string', 'a timer armed by an element without an execution id');
    const timer: ArmedTimer = {
      elementId: owner.id,
      executionId: owner.executionId,
      fire: () => {
        if (!this.armedTimers.delete(timer)) return;
        this.sink.disarmed(timer);
        callback(...args);
      },
    };
    this.armedTimers.add(timer);
    this.sink.armed(timer);
    return timer;
  }
}
