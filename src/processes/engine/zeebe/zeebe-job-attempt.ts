import { BpmnError, type Job, type JobHandler, type JsonObject, PROCESS_ENGINE_LIMITS } from '../process-engine';

/** What the SDK's job actions resolve to; a task handler must hand it back to the SDK's worker. */
export const JOB_ACTION_ACKNOWLEDGEMENT = 'JOB_ACTION_ACKNOWLEDGEMENT' as const;
export type JobActionAcknowledgement = typeof JOB_ACTION_ACKNOWLEDGEMENT;

/** Characters of a failure's message sent to Zeebe, which keeps it on the job and shows it in its incident. */
const MAX_ERROR_MESSAGE_LENGTH = 4_000;

/**
 * The part of the SDK's ZeebeJob (what `createWorker`'s taskHandler receives) that this adapter uses. Declared
 * here, structurally, so that tests can hand a fake of it to `runJobAttempt` without a gateway.
 */
export interface ActivatedZeebeJob {
  readonly key: string;
  readonly type: string;
  readonly processInstanceKey: string;
  readonly bpmnProcessId: string;
  readonly processDefinitionVersion: number;
  readonly elementId: string;
  /** Retries left, this attempt included: Zeebe starts it at the task's retries attribute (3 when absent). */
  readonly retries: number;
  readonly variables: unknown;
  complete(variables?: JsonObject): Promise<JobActionAcknowledgement>;
  error(error: { errorCode: string; errorMessage?: string; variables: JsonObject }): Promise<JobActionAcknowledgement>;
  fail(failure: { errorMessage: string; retries?: number; retryBackOff?: number }): Promise<JobActionAcknowledgement>;
}

export interface JobAttemptPolicy {
  /**
   * The retries Zeebe gave the job at first (the model's retries attribute, 3 when absent). Zeebe tells a worker
   * only the retries left, so the number of this failure, from which the back-off doubles, is counted from it.
   */
  initialRetries: number;
  backoffMs: number;
  maxBackoffMs: number;
  /** An attempt still running after this long is failed here; its handler's late result is ignored. */
  timeoutMs: number;
}

export interface JobAttemptLog {
  warn(line: string): void;
}

/** The port's view of a Zeebe job: the job key is Zeebe's, stable across retries and across workers. */
export function toPortJob(job: ActivatedZeebeJob): Job {
  return {
    key: job.key,
    type: job.type,
    instanceId: job.processInstanceKey,
    bpmnProcessId: job.bpmnProcessId,
    version: job.processDefinitionVersion,
    elementId: job.elementId,
    // The SDK parses variables into a LosslessDto instance; the port hands out plain JSON.
    variables: JSON.parse(JSON.stringify(job.variables ?? {})) as JsonObject,
    retriesLeft: job.retries,
  };
}

/** The pause before the next attempt after a failure with `retriesLeft` retries left (this attempt included). */
export function backoffAfterFailureMs(retriesLeft: number, policy: JobAttemptPolicy): number {
  const failureNumber = Math.max(1, policy.initialRetries - retriesLeft + 1);
  // The exponent is bounded so that a model with thousands of retries does not overflow to Infinity first.
  return Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** Math.min(failureNumber - 1, 30));
}

type AttemptResult = { kind: 'returned'; output: unknown } | { kind: 'threw'; error: unknown } | { kind: 'timed-out' };

/**
 * Runs one attempt of a job and reports it to Zeebe the way the port says: a result completes the job (its
 * variables merged through the task's output mappings, by Zeebe); a BpmnError throws a BPMN error with its
 * code, for a boundary event to catch (an incident when none does); anything else fails the job with one
 * retry fewer and an exponential back-off (the SDK's own handling of a throw would fail it with no back-off
 * at all). A report Zeebe refuses (the job was cancelled or timed out meanwhile) is logged, not thrown: the
 * job is then Zeebe's to hand out again.
 */
export async function runJobAttempt(job: ActivatedZeebeJob, handler: JobHandler, policy: JobAttemptPolicy, log: JobAttemptLog): Promise<JobActionAcknowledgement> {
  const result = await attempt(job, handler, policy.timeoutMs);
  try {
    if (result.kind === 'returned') {
      const variables = resultVariables(result.output);
      if (typeof variables === 'string') return await failJob(job, variables, policy, log);
      return await job.complete(variables);
    }
    if (result.kind === 'threw' && result.error instanceof BpmnError) {
      const { code, message, variables } = result.error;
      return await job.error({ errorCode: code, errorMessage: message, variables });
    }
    const message = result.kind === 'timed-out' ? `the job timed out after ${policy.timeoutMs} ms` : messageOf(result.error);
    return await failJob(job, message, policy, log);
  } catch (error) {
    log.warn(`job ${job.key} (${job.type} at ${job.elementId} of instance ${job.processInstanceKey}): Zeebe did not take its outcome: ${messageOf(error)}`);
    return JOB_ACTION_ACKNOWLEDGEMENT;
  }
}

function failJob(job: ActivatedZeebeJob, errorMessage: string, policy: JobAttemptPolicy, log: JobAttemptLog): Promise<JobActionAcknowledgement> {
  const retries = Math.max(job.retries - 1, 0);
  if (retries === 0) log.warn(`job ${job.key} failed with no retries left: Zeebe raises an incident at ${job.elementId} of instance ${job.processInstanceKey}: ${errorMessage}`);
  // retries is always passed: the SDK's job.fail({ ... }) without it sets the retries to 0, an incident at once.
  const bounded = errorMessage.length > MAX_ERROR_MESSAGE_LENGTH ? `${errorMessage.slice(0, MAX_ERROR_MESSAGE_LENGTH)}…` : errorMessage;
  return job.fail({ errorMessage: bounded, retries, retryBackOff: retries === 0 ? 0 : backoffAfterFailureMs(job.retries, policy) });
}

/**
 * The handler's outcome, or `timed-out` once `timeoutMs` has passed without one. A timed-out handler cannot be
 * stopped and runs on; the failure reported for it frees its place in the SDK worker's maxJobsToActivate.
 */
function attempt(job: ActivatedZeebeJob, handler: JobHandler, timeoutMs: number): Promise<AttemptResult> {
  return new Promise<AttemptResult>((resolve) => {
    const timer = setTimeout(() => resolve({ kind: 'timed-out' }), timeoutMs);
    // The SDK's worker keeps the process alive while it polls; a closed engine must not wait out a hung handler.
    timer.unref();
    Promise.resolve()
      .then(() => handler(toPortJob(job)))
      .then(
        (output) => resolve({ kind: 'returned', output }),
        (error: unknown) => resolve({ kind: 'threw', error }),
      )
      .finally(() => clearTimeout(timer));
  });
}

/** The variables a handler's result gives, or why the result is refused (which fails the attempt). */
function resultVariables(output: unknown): JsonObject | string {
  if (output === undefined || output === null) return {};
  if (typeof output !== 'object' || Array.isArray(output)) return `the job handler returned ${Array.isArray(output) ? 'an array' : `a ${typeof output}`}, not a JSON object`;
  let text: string;
  try {
    text = JSON.stringify(output);
  } catch (error) {
    return `the job handler's result is not JSON: ${messageOf(error)}`;
  }
  if (Buffer.byteLength(text) > PROCESS_ENGINE_LIMITS.maxVariablesBytes) {
    return `the job handler's result takes more than ${PROCESS_ENGINE_LIMITS.maxVariablesBytes} bytes of JSON`;
  }
  return JSON.parse(text) as JsonObject;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
