import { WrongExpectedRevisionError } from './errors';

export interface ConflictRetryOptions {
  /** Attempts in all, the first included; the last conflict is rethrown after them. */
  maxAttempts: number;
  /** The ceiling of the first pause; doubled per attempt up to `maxDelayMs`. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** Uniform in [0, 1): the pause is a random share of its ceiling, so racers that met once do not meet again. */
  random: () => number;
}

export const DEFAULT_CONFLICT_RETRY: ConflictRetryOptions = { maxAttempts: 8, firstDelayMs: 2, maxDelayMs: 100, random: Math.random };

/**
 * Runs `attempt` (read, decide, append with the revision read) again from fresh state each time it loses a
 * race on an expected revision, with exponential back-off and full jitter. The one retry rule of every write.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, options: ConflictRetryOptions = DEFAULT_CONFLICT_RETRY): Promise<T> {
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || attemptNumber >= options.maxAttempts) throw error;
    }
    const ceilingMs = Math.min(options.maxDelayMs, options.firstDelayMs * 2 ** (attemptNumber - 1));
    await new Promise((resolve) => setTimeout(resolve, Math.floor(options.random() * ceilingMs)));
  }
}
