import { EngineClosedError, type StartedInstance } from '../process-engine';
import { BusinessKeyClaimedError, EngineUnavailableError } from './zeebe-errors';

/**
 * Publishes the claim of one business key to Zeebe; false when Zeebe refused it as a duplicate (a claim with
 * the same key is still within its time to live).
 */
export type ClaimBusinessKey = (claimKey: string) => Promise<boolean>;

/**
 * Starts with a business key, at most once per (process, key). Zeebe has no business key, and its
 * CreateProcessInstance has no idempotency key, so this is built from two parts:
 *
 * 1. A claim in Zeebe. Before the first start of a key, a message is published whose name no model subscribes
 *    to, with the key as correlation key and message id and a long time to live. Zeebe refuses a second message
 *    with the same name, correlation key and id while the first is buffered, for every client of the cluster
 *    and across restarts of them. A start whose claim is refused starts nothing and throws
 *    BusinessKeyClaimedError: Zeebe's answer to the claim names no instance, so a second IFW process (or this
 *    one after a restart) cannot tell which instance the first start made; only Operate can.
 * 2. A bounded map in memory, from the key to the start this adapter made, so that a repeated start here
 *    returns the first instance with `created: false`, as the port says, and concurrent starts share one.
 *
 * The limits, stated plainly: the port's promise ("a second start returns the first instance") holds within
 * one adapter for its `maxRememberedStarts` most recent keys. Elsewhere, and after a restart, a repeated
 * start is refused (never duplicated) for the claim's retention, and after the retention it starts a second
 * instance. A start that claimed its key but whose CreateProcessInstance then failed (the process was not
 * deployed yet, or this process stopped in between) leaves the key claimed: after a definite refusal a
 * retry in this process goes on without claiming again; after a create that timed out (it may yet start an
 * instance) and anywhere else, a retry is refused until the claim's time to live ends. Each claim is a
 * message Zeebe keeps in its state for that time to live.
 */
export class BusinessKeyStarts {
  private readonly starts = new Map<string, Promise<StartedInstance>>();
  /** Keys claimed here whose instance could not be created: a retry here needs no second claim. */
  private readonly unusedClaims = new Set<string>();

  constructor(
    private readonly claim: ClaimBusinessKey,
    private readonly maxRememberedStarts: number,
  ) {}

  start(bpmnProcessId: string, businessKey: string, create: () => Promise<StartedInstance>): Promise<StartedInstance> {
    const key = claimKeyOf(bpmnProcessId, businessKey);
    const earlier = this.starts.get(key);
    if (earlier) return earlier.then((started) => ({ ...started, created: false }));
    const starting = this.claimAndCreate(key, bpmnProcessId, businessKey, create);
    this.starts.set(key, starting);
    this.evictOldest(this.starts);
    starting.catch(() => {
      if (this.starts.get(key) === starting) this.starts.delete(key);
    });
    return starting;
  }

  private async claimAndCreate(key: string, bpmnProcessId: string, businessKey: string, create: () => Promise<StartedInstance>): Promise<StartedInstance> {
    if (!this.unusedClaims.has(key)) {
      if (!(await this.claim(key))) throw new BusinessKeyClaimedError(bpmnProcessId, businessKey);
      this.unusedClaims.add(key);
      this.evictOldest(this.unusedClaims);
    }
    try {
      const started = await create();
      this.unusedClaims.delete(key);
      return started;
    } catch (error) {
      // A create that timed out, or was cut off by a close, may still start its instance: a retry here must not
      // create another, so the claim is no longer this adapter's to use.
      if (error instanceof EngineUnavailableError || error instanceof EngineClosedError) this.unusedClaims.delete(key);
      throw error;
    }
  }

  /** Maps and sets iterate in insertion order: the first key is the oldest. */
  private evictOldest(collection: Map<string, unknown> | Set<string>): void {
    while (collection.size > this.maxRememberedStarts) {
      const oldest = collection.keys().next().value as string;
      collection.delete(oldest);
    }
  }
}

/** One text for (process, business key), used as the claim's correlation key and message id. */
export function claimKeyOf(bpmnProcessId: string, businessKey: string): string {
  return JSON.stringify([bpmnProcessId, businessKey]);
}
