import type { JsonObject } from '../../eventstore';
import { BusinessKeyClaimedError, OperateRequiredError, type ProcessEngine, type StartedInstance } from '../../processes/engine';
import { HttpProblem } from '../http/problem';

/**
 * Starts a process for a request under a business key derived from it (its Idempotency-Key, when it has one).
 * A repeat finds the instance the first one started and answers with it, provided it was started with the
 * same variables: other variables under the same key are a reused key (422), never a second start and never
 * an answer naming what was not started. Zeebe refuses a key it claimed but no longer remembers (409).
 */
export async function startKeyed(engine: ProcessEngine, bpmnProcessId: string, variables: JsonObject, businessKey: string): Promise<StartedInstance> {
  const started = await engine.startInstance(bpmnProcessId, variables, { businessKey }).catch((error: unknown) => {
    if (error instanceof BusinessKeyClaimedError) throw HttpProblem.conflict(error.message, error.code);
    throw error;
  });
  if (!started.created) await requireSameVariables(engine, started.instanceId, variables);
  return started;
}

async function requireSameVariables(engine: ProcessEngine, instanceId: string, variables: JsonObject): Promise<void> {
  let existing: JsonObject | undefined;
  try {
    existing = (await engine.instance(instanceId))?.variables;
  } catch (error) {
    // Zeebe cannot read an instance back without Operate: the replay is answered without the comparison.
    if (error instanceof OperateRequiredError) return;
    throw error;
  }
  const same = existing !== undefined && Object.keys(variables).every((name) => existing[name] === variables[name]);
  if (!same) throw HttpProblem.unprocessable('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request; use a new key for a new request');
}
