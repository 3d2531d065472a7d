import { BpmnError, type Job, type JsonObject } from '../../../../src/processes/engine';
import {
  type ActivatedZeebeJob,
  backoffAfterFailureMs,
  JOB_ACTION_ACKNOWLEDGEMENT,
  type JobAttemptPolicy,
  runJobAttempt,
} from '../../../../src/processes/engine/zeebe/zeebe-job-attempt';

/** A fake of the job the SDK hands a task handler: it records which job action was called, with what. */
class FakeSdkJob implements ActivatedZeebeJob {
  readonly calls: { action: 'complete' | 'error' | 'fail'; argument: unknown }[] = [];
  readonly key = '2251799813685281';
  readonly type = 'reserve-funds';
  readonly processInstanceKey = '2251799813685249';
  readonly bpmnProcessId = 'two-step-payment';
  readonly processDefinitionVersion = 2;
  readonly elementId = 'ReserveFunds';

  constructor(
    readonly retries: number,
    readonly variables: unknown = { amount: '125.00', reservedAmount: '125.00' },
    private readonly refusal?: Error,
  ) {}

  complete(variables?: JsonObject) {
    return this.record('complete', variables);
  }
  error(error: { errorCode: string; errorMessage?: string; variables: JsonObject }) {
    return this.record('error', error);
  }
  fail(failure: { errorMessage: string; retries?: number; retryBackOff?: number }) {
    return this.record('fail', failure);
  }

  private async record(action: 'complete' | 'error' | 'fail', argument: unknown) {
    this.calls.push({ action, argument });
    if (this.refusal) throw this.refusal;
    return JOB_ACTION_ACKNOWLEDGEMENT;
  }
}

const POLICY: JobAttemptPolicy = { initialRetries: 3, backoffMs: 1_000, maxBackoffMs: 60_000, timeoutMs: 5_000 };

function collectingLog() {
  const lines: string[] = [];
  return { lines, warn: (line: string) => void lines.push(line) };
}

describe('a Zeebe job attempt', () => {
  it('hands the handler the port view of the job, Zeebe job key and all, and completes the job with what it returns', async () => {
    // The SDK parses variables into a class instance (LosslessDto); the handler gets plain JSON.
    class LosslessVariables {
      amount = '125.00';
      reservedAmount = '125.00';
    }
    const job = new FakeSdkJob(3, new LosslessVariables());
    const seen: Job[] = [];
    const ack = await runJobAttempt(job, (portJob) => (seen.push(portJob), { reservationId: 'R-17', note: null }), POLICY, collectingLog());
    expect(ack).toBe(JOB_ACTION_ACKNOWLEDGEMENT);
    expect(seen).toEqual([
      {
        key: '2251799813685281',
        type: 'reserve-funds',
        instanceId: '2251799813685249',
        bpmnProcessId: 'two-step-payment',
        version: 2,
        elementId: 'ReserveFunds',
        variables: { amount: '125.00', reservedAmount: '125.00' },
        retriesLeft: 3,
      },
    ]);
    expect(Object.getPrototypeOf(seen[0].variables)).toBe(Object.prototype);
    expect(job.calls).toEqual([{ action: 'complete', argument: { reservationId: 'R-17', note: null } }]);
  });

  it('completes with no variables when the handler returns nothing', async () => {
    const job = new FakeSdkJob(3);
    await runJobAttempt(job, () => undefined, POLICY, collectingLog());
    expect(job.calls).toEqual([{ action: 'complete', argument: {} }]);
  });

  it('throws a BPMN error, with its code, message and variables, for a BpmnError', async () => {
    const job = new FakeSdkJob(3);
    await runJobAttempt(job, () => Promise.reject(new BpmnError('CREDIT_REJECTED', 'the payee wallet is frozen', { rejection: 'frozen' })), POLICY, collectingLog());
    expect(job.calls).toEqual([{ action: 'error', argument: { errorCode: 'CREDIT_REJECTED', errorMessage: 'the payee wallet is frozen', variables: { rejection: 'frozen' } } }]);
  });

  it('fails the job on any other throw, with one retry fewer and a back-off that doubles per failure', async () => {
    const failures = [];
    for (const retriesLeft of [3, 2]) {
      const job = new FakeSdkJob(retriesLeft);
      await runJobAttempt(
        job,
        () => {
          throw new Error(`the funds service is down (retries left ${retriesLeft})`);
        },
        POLICY,
        collectingLog(),
      );
      failures.push(...job.calls);
    }
    expect(failures).toEqual([
      { action: 'fail', argument: { errorMessage: 'the funds service is down (retries left 3)', retries: 2, retryBackOff: 1_000 } },
      { action: 'fail', argument: { errorMessage: 'the funds service is down (retries left 2)', retries: 1, retryBackOff: 2_000 } },
    ]);
  });

  it('fails the last retry with no back-off and says that Zeebe raises an incident', async () => {
    const job = new FakeSdkJob(1);
    const log = collectingLog();
    await runJobAttempt(job, () => Promise.reject('insufficient liquidity'), POLICY, log);
    expect(job.calls).toEqual([{ action: 'fail', argument: { errorMessage: 'insufficient liquidity', retries: 0, retryBackOff: 0 } }]);
    expect(log.lines).toEqual([expect.stringMatching(/no retries left: Zeebe raises an incident at ReserveFunds of instance 2251799813685249/)]);
  });

  it('counts back-offs from the retries the model gives, and keeps them within maxBackoffMs', () => {
    const fiveRetries = { ...POLICY, initialRetries: 5, maxBackoffMs: 5_000 };
    expect([5, 4, 3, 2].map((retriesLeft) => backoffAfterFailureMs(retriesLeft, fiveRetries))).toEqual([1_000, 2_000, 4_000, 5_000]);
    // More retries left than the policy assumed (the model's attribute is higher): the first pause, not less.
    expect(backoffAfterFailureMs(10, POLICY)).toBe(1_000);
    expect(backoffAfterFailureMs(1, { ...POLICY, initialRetries: 10_000, maxBackoffMs: 86_400_000 })).toBe(86_400_000);
  });

  it('fails an attempt that runs past its timeout, and ignores what the handler returns afterwards', async () => {
    const job = new FakeSdkJob(3);
    let finish: (value: JsonObject) => void = () => undefined;
    const late = new Promise<JsonObject>((resolve) => (finish = resolve));
    const started = Date.now();
    await runJobAttempt(job, () => late, { ...POLICY, timeoutMs: 50 }, collectingLog());
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    finish({ reservationId: 'too late' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(job.calls).toEqual([{ action: 'fail', argument: { errorMessage: 'the job timed out after 50 ms', retries: 2, retryBackOff: 1_000 } }]);
  });

  it('fails the job when the handler returns something that is not a JSON object', async () => {
    for (const output of [42, ['a'], 'done']) {
      const job = new FakeSdkJob(3);
      await runJobAttempt(job, () => output as unknown as JsonObject, POLICY, collectingLog());
      expect(job.calls).toEqual([{ action: 'fail', argument: expect.objectContaining({ errorMessage: expect.stringMatching(/^the job handler returned (a number|an array|a string), not a JSON object$/), retries: 2 }) }]);
    }
  });

  it('bounds the failure message it sends to Zeebe', async () => {
    const job = new FakeSdkJob(3);
    await runJobAttempt(job, () => Promise.reject(new Error('x'.repeat(10_000))), POLICY, collectingLog());
    const { errorMessage } = job.calls[0].argument as { errorMessage: string };
    expect(errorMessage.length).toBe(4_001);
  });

  it('logs, and does not throw, when Zeebe refuses the outcome (the job was cancelled or timed out meanwhile)', async () => {
    const job = new FakeSdkJob(3, {}, Object.assign(new Error('5 NOT_FOUND: Command rejected'), { code: 5 }));
    const log = collectingLog();
    expect(await runJobAttempt(job, () => ({ done: true }), POLICY, log)).toBe(JOB_ACTION_ACKNOWLEDGEMENT);
    expect(log.lines).toEqual([expect.stringContaining('job 2251799813685281 (reserve-funds at ReserveFunds of instance 2251799813685249): Zeebe did not take its outcome: 5 NOT_FOUND')]);
  });
});
