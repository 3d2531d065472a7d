import { randomUUID } from 'node:crypto';
import { BpmnError, type Job, type JobHandler, ModelRejectedError, UnknownInstanceError } from '../../../../src/processes/engine';
import { ZeebeProcessEngine } from '../../../../src/processes/engine/zeebe/zeebe-process-engine';
import { fixture } from '../engine-harness';

// The scenarios of the embedded engine's tests (deploy.test.ts, jobs.test.ts, messages.test.ts) that Zeebe can
// support, against a real gateway. Zeebe's gRPC API cannot read an instance back (instance() needs Operate),
// so each scenario observes what the workers are handed instead: which jobs come, for which instance, with
// which variables and keys. A gateway may be shared and hold jobs of earlier runs: every instance carries a
// `run` variable, and workers complete anything that is not this test's without looking at it.
// Not run here, because the Zeebe adapter refuses or cannot observe them over gRPC: retry() after an incident,
// instance()/instances() views and history, `correlated`/`dropped` message outcomes, timers and back-offs on an
// injected clock (Zeebe keeps its own), and persistence across restarts (Zeebe's, not the adapter's).

const zeebeAddress = process.env.IFW_TEST_ZEEBE_ADDRESS;
if (!zeebeAddress) {
  console.warn('!!! Zeebe engine contract: SKIPPED: set IFW_TEST_ZEEBE_ADDRESS=zeebe://127.0.0.1:26500 (a Zeebe 8.5+ gateway, plaintext) to run it !!!');
}
const describeZeebe = zeebeAddress ? describe : describe.skip;

/** How long a job may take to come from a real gateway (workers poll every 300 ms; a broker may be busy). */
const JOB_WAIT_MS = 20_000;
const CONFIRMED = 'redemption-confirmed';

let engine: ZeebeProcessEngine;
let run: string;
let jobs: Job[];

beforeEach(async () => {
  if (!zeebeAddress) return;
  run = randomUUID();
  jobs = [];
  engine = await ZeebeProcessEngine.open({ address: zeebeAddress, maxGatewayRetries: 3, requestTimeoutMs: 10_000, log: { log: () => undefined, warn: () => undefined } });
  await engine.deploy([fixture('two-step-payment.bpmn'), fixture('wallet-transfer.bpmn'), fixture('fund-switch.bpmn'), fixture('instant-redemption.bpmn')]);
});
afterEach(async () => {
  await engine?.close();
});

/** A worker whose handler sees only this test's jobs (recorded in `jobs`); others are completed unread. */
function worker(taskType: string, handler: JobHandler = () => ({}), options = {}): void {
  engine.registerWorker(
    taskType,
    (job) => {
      if (job.variables.run !== run) return {};
      jobs.push(job);
      return handler(job);
    },
    options,
  );
}

async function jobsOf(taskType: string, count = 1, instanceId?: string): Promise<Job[]> {
  const deadline = Date.now() + JOB_WAIT_MS;
  const matching = () => jobs.filter((job) => job.type === taskType && (instanceId === undefined || job.instanceId === instanceId));
  while (matching().length < count) {
    if (Date.now() > deadline) throw new Error(`${matching().length} ${taskType} jobs, not ${count}, within ${JOB_WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return matching();
}

async function noJobOf(taskType: string, instanceId: string, forMs: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, forMs));
  expect(jobs.filter((job) => job.type === taskType && job.instanceId === instanceId)).toEqual([]);
}

describeZeebe(`Zeebe engine contract at ${zeebeAddress}`, () => {
  it('deploys a version per changed model, the same version for an unchanged one, and refuses a model that fails lint', async () => {
    const [first] = await engine.deploy([fixture('two-step-payment.bpmn')]);
    const [again] = await engine.deploy([fixture('two-step-payment.bpmn')]);
    const [changed] = await engine.deploy([fixture('two-step-payment-v2.bpmn')]);
    expect(again.version).toBe(first.version);
    expect(changed).toMatchObject({ bpmnProcessId: 'two-step-payment', version: first.version + 1, resourceName: 'two-step-payment-v2.bpmn' });
    expect((await engine.models()).filter((model) => model.bpmnProcessId === 'two-step-payment').map((model) => model.version)).toEqual([first.version, changed.version]);
    await expect(engine.deploy([fixture('missing-task-definition.bpmn')])).rejects.toBeInstanceOf(ModelRejectedError);
    const started = await engine.startInstance('two-step-payment', { run });
    expect(started).toMatchObject({ bpmnProcessId: 'two-step-payment', version: changed.version, created: true, instanceId: expect.stringMatching(/^\d+$/) });
    await engine.deploy([fixture('two-step-payment.bpmn')]); // the latest is the v1 model again, for the other tests
  });

  it('runs an instance through two service tasks, with the input and output mappings of the model', async () => {
    worker('reserve-funds', () => ({ reservationId: 'R-17', scratch: 'not mapped out' }));
    worker('post-ledger', () => ({ postedAt: '2026-01-05' }));
    const { instanceId } = await engine.startInstance('two-step-payment', { amount: '125.00', run });
    const [reserve] = await jobsOf('reserve-funds', 1, instanceId);
    const [post] = await jobsOf('post-ledger', 1, instanceId);
    expect(reserve).toMatchObject({ elementId: 'ReserveFunds', retriesLeft: 3, variables: { amount: '125.00', reservedAmount: '125.00', run } });
    expect(post.variables).toEqual({ amount: '125.00', reservationId: 'R-17', run });
    expect(post.key).not.toBe(reserve.key);
  });

  it('starts an instance once per business key', async () => {
    const key = `transfer-${run}`;
    const first = await engine.startInstance('two-step-payment', { run }, { businessKey: key });
    const again = await engine.startInstance('two-step-payment', { run }, { businessKey: key });
    expect(again).toEqual({ ...first, created: false });
    const [a, b] = await Promise.all([
      engine.startInstance('two-step-payment', { run }, { businessKey: `${key}-2` }),
      engine.startInstance('two-step-payment', { run }, { businessKey: `${key}-2` }),
    ]);
    expect(a.instanceId).toBe(b.instanceId);
    for (const instanceId of [first.instanceId, a.instanceId]) await engine.cancelInstance(instanceId);
  });

  it('takes the branch of a FEEL condition', async () => {
    worker('review-redemption');
    worker('pay-out');
    const over = await engine.startInstance('instant-redemption', { amount: 10_001, run });
    const within = await engine.startInstance('instant-redemption', { amount: 5_000, run });
    await jobsOf('review-redemption', 1, over.instanceId);
    await jobsOf('pay-out', 1, within.instanceId);
    expect(jobs.filter((job) => job.instanceId === over.instanceId).map((job) => job.type)).toEqual(['review-redemption']);
    expect(jobs.filter((job) => job.instanceId === within.instanceId).map((job) => job.type)).toEqual(['pay-out']);
  });

  it('correlates a message by correlation key and refuses a second one with the same id', async () => {
    worker('purchase-fund');
    const switchId = `SW-${run}`;
    const first = await engine.startInstance('fund-switch', { switchId, run });
    const second = await engine.startInstance('fund-switch', { switchId, run });
    // A time to live: the instances may not wait at the receive task yet when it is published.
    const confirmation = { name: CONFIRMED, correlationKey: switchId, messageId: `confirmation-${run}`, timeToLiveMs: 60_000, variables: { redeemedAmount: '300.00' } };
    expect(await engine.publishMessage(confirmation)).toMatchObject({ outcome: 'buffered' });
    expect(await engine.publishMessage(confirmation)).toMatchObject({ outcome: 'duplicate', instanceIds: [] });
    const [purchase] = await jobsOf('purchase-fund', 1);
    expect(purchase.variables).toMatchObject({ switchId, redeemedAmount: '300.00' });
    const waiting = purchase.instanceId === first.instanceId ? second : first;
    await noJobOf('purchase-fund', waiting.instanceId, 2_000);
    await engine.publishMessage({ ...confirmation, messageId: `confirmation-${run}-2` });
    await jobsOf('purchase-fund', 1, waiting.instanceId);
  });

  it('lets a BpmnError take the error boundary event', async () => {
    worker('debit-wallet', () => ({ debited: true }));
    worker('credit-wallet', () => {
      throw new BpmnError('CREDIT_REJECTED', 'the payee wallet is frozen', { rejection: 'frozen' });
    });
    worker('refund-wallet', () => ({ refunded: true }));
    const { instanceId } = await engine.startInstance('wallet-transfer', { amount: '50.00', run });
    const [refund] = await jobsOf('refund-wallet', 1, instanceId);
    expect(refund.variables).toMatchObject({ debited: true, rejection: 'frozen' });
    expect(jobs.filter((job) => job.instanceId === instanceId).map((job) => job.type)).toEqual(['debit-wallet', 'credit-wallet', 'refund-wallet']);
  });

  it('retries a failing job with back-off and the same job key until it succeeds on the third attempt', async () => {
    let failures = 0;
    worker(
      'reserve-funds',
      () => {
        if (++failures <= 2) throw new Error(`the funds service is down (attempt ${failures})`);
        return { reservationId: 'R-1' };
      },
      { backoffMs: 200 },
    );
    worker('post-ledger');
    const { instanceId } = await engine.startInstance('two-step-payment', { amount: '5.00', run });
    await jobsOf('post-ledger', 1, instanceId);
    const attempts = await jobsOf('reserve-funds', 3, instanceId);
    expect(attempts.map((job) => job.key)).toEqual([attempts[0].key, attempts[0].key, attempts[0].key]);
    expect(attempts.map((job) => job.retriesLeft)).toEqual([3, 2, 1]);
  });

  it('cancels a waiting instance, and then no longer knows it', async () => {
    const { instanceId } = await engine.startInstance('fund-switch', { switchId: `SW-${run}`, run });
    await engine.cancelInstance(instanceId);
    await expect(engine.cancelInstance(instanceId)).rejects.toBeInstanceOf(UnknownInstanceError);
  });
});
