import { BpmnError, type EmbeddedProcessEngine, type Job } from '../../../src/processes/engine';
import { Deferred, EngineHarness, expectState, fixture, visited } from './engine-harness';

let harness: EngineHarness;
let engine: EmbeddedProcessEngine;

beforeEach(async () => {
  harness = new EngineHarness();
  engine = await harness.open();
  await engine.deploy([fixture('two-step-payment.bpmn'), fixture('wallet-transfer.bpmn')]);
});
afterEach(() => harness.dispose());

describe('job workers', () => {
  it('run an instance through two service tasks, with the input and output mappings of the model', async () => {
    const jobs: Job[] = [];
    engine.registerWorker('reserve-funds', (job) => {
      jobs.push(job);
      return { reservationId: 'R-17', scratch: 'not mapped out' };
    });
    engine.registerWorker('post-ledger', (job) => {
      jobs.push(job);
      return { postedAt: '2026-01-05' };
    });
    const { instanceId, version } = await engine.startInstance('two-step-payment', { amount: '125.00' });
    expect(version).toBe(1);

    const view = await expectState(engine, instanceId, 'completed');
    expect(visited(view)).toEqual(['PaymentRequested', 'ReserveFunds', 'PostLedger', 'PaymentDone']);
    expect(view.history.every((entry) => entry.leftAt !== undefined)).toBe(true);
    expect(view.currentElements).toEqual([]);
    // zeebe:input gave the first job a local variable; zeebe:output took only reservationId out of its result.
    expect(jobs[0]).toMatchObject({ type: 'reserve-funds', elementId: 'ReserveFunds', instanceId, retriesLeft: 3, variables: { amount: '125.00', reservedAmount: '125.00' } });
    expect(jobs[1].variables).toEqual({ amount: '125.00', reservationId: 'R-17' });
    expect(view.variables).toEqual({ amount: '125.00', reservationId: 'R-17', postedAt: '2026-01-05' });
    expect(new Set(jobs.map((job) => job.key)).size).toBe(2);
  });

  it('start an instance once per business key: a second start returns the first instance', async () => {
    const first = await engine.startInstance('two-step-payment', { amount: '1.00' }, { businessKey: 'transfer-42' });
    const again = await engine.startInstance('two-step-payment', { amount: '999.00' }, { businessKey: 'transfer-42' });
    const other = await engine.startInstance('two-step-payment', { amount: '1.00' }, { businessKey: 'transfer-43' });
    expect(first.created).toBe(true);
    expect(again).toEqual({ ...first, created: false });
    expect(other.instanceId).not.toBe(first.instanceId);
    // Concurrent starts with one key start one instance too.
    const [a, b] = await Promise.all([
      engine.startInstance('two-step-payment', {}, { businessKey: 'transfer-44' }),
      engine.startInstance('two-step-payment', {}, { businessKey: 'transfer-44' }),
    ]);
    expect(a.instanceId).toBe(b.instanceId);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    const page = await engine.instances({ bpmnProcessId: 'two-step-payment', businessKeyPrefix: 'transfer-4', limit: 200 });
    expect(page.instances.map((instance) => instance.businessKey)).toEqual(['transfer-42', 'transfer-43', 'transfer-44']);
    expect((await engine.instance(first.instanceId))?.variables).toEqual({ amount: '1.00' });
  });

  it('retry a failing job with exponential back-off on the engine clock, with the same job key every time', async () => {
    const attempts: Job[] = [];
    engine.registerWorker(
      'reserve-funds',
      (job) => {
        attempts.push(job);
        if (attempts.length <= 2) throw new Error(`the funds service is down (attempt ${attempts.length})`);
        return { reservationId: 'R-1' };
      },
      { backoffMs: 1_000 },
    );
    engine.registerWorker('post-ledger', () => ({}));
    const { instanceId } = await engine.startInstance('two-step-payment', { amount: '5.00' });

    await engine.whenSettled();
    expect(attempts).toHaveLength(1);
    harness.clock.advance(999);
    await engine.runDueTimers();
    await engine.whenSettled();
    expect(attempts).toHaveLength(1); // the first back-off is 1 s
    harness.clock.advance(1);
    await engine.runDueTimers();
    await engine.whenSettled();
    expect(attempts).toHaveLength(2);
    harness.clock.advance(1_999);
    await engine.runDueTimers();
    await engine.whenSettled();
    expect(attempts).toHaveLength(2); // the second is 2 s
    harness.clock.advance(1);
    await engine.runDueTimers();

    const view = await expectState(engine, instanceId, 'completed');
    expect(attempts.map((job) => job.key)).toEqual([attempts[0].key, attempts[0].key, attempts[0].key]);
    expect(attempts.map((job) => job.retriesLeft)).toEqual([3, 2, 1]);
    expect(view.incidents).toEqual([]);
  });

  it('raise an incident when the retries run out, and run the job again on retry()', async () => {
    let failing = true;
    const keys: string[] = [];
    engine.registerWorker(
      'reserve-funds',
      (job) => {
        keys.push(job.key);
        if (failing) throw new Error('insufficient liquidity in the reserve account');
        return { reservationId: 'R-2' };
      },
      { backoffMs: 10 },
    );
    engine.registerWorker('post-ledger', () => ({}));
    const { instanceId } = await engine.startInstance('two-step-payment', { amount: '7.00' });
    for (let i = 0; i < 3; i++) {
      await engine.whenSettled();
      harness.clock.advance(1_000);
      await engine.runDueTimers();
    }

    const stuck = await expectState(engine, instanceId, 'incident');
    expect(keys).toHaveLength(3); // the model gives no retries attribute: the default of 3
    expect(stuck.currentElements).toEqual(['ReserveFunds']);
    expect(stuck.incidents).toEqual([
      expect.objectContaining({ kind: 'job-failed', elementId: 'ReserveFunds', message: 'insufficient liquidity in the reserve account', jobKey: keys[0], variables: { amount: '7.00' } }),
    ]);
    expect(harness.logLines.some((line) => line.includes('incident at ReserveFunds'))).toBe(true);

    failing = false;
    await engine.retry(instanceId);
    const view = await expectState(engine, instanceId, 'completed');
    expect(keys).toEqual([keys[0], keys[0], keys[0], keys[0]]);
    expect(view.incidents).toEqual([expect.objectContaining({ kind: 'job-failed', resolvedAt: expect.any(Date) })]);
    await expect(engine.retry(instanceId)).rejects.toMatchObject({ code: 'INSTANCE_NOT_RUNNING' });
  });

  it('let a BpmnError take the error boundary event: the compensation path refunds the payer', async () => {
    const handled: string[] = [];
    engine.registerWorker('debit-wallet', () => {
      handled.push('debit');
      return { debited: true };
    });
    engine.registerWorker('credit-wallet', () => {
      handled.push('credit');
      throw new BpmnError('CREDIT_REJECTED', 'the payee wallet is frozen', { rejection: 'frozen' });
    });
    engine.registerWorker('refund-wallet', (job) => {
      handled.push('refund');
      expect(job.variables).toMatchObject({ debited: true, rejection: 'frozen' });
      return { refunded: true };
    });
    const { instanceId } = await engine.startInstance('wallet-transfer', { amount: '50.00' });

    const view = await expectState(engine, instanceId, 'completed');
    expect(handled).toEqual(['debit', 'credit', 'refund']); // a business error is not retried
    expect(visited(view)).toEqual(['TransferRequested', 'DebitPayer', 'CreditPayee', 'CreditRejected', 'RefundPayer', 'Refunded']);
    expect(visited(view)).not.toContain('Transferred');
    expect(view.variables).toMatchObject({ refunded: true });
  });

  it('raise an incident for a BpmnError that no boundary event catches', async () => {
    engine.registerWorker('debit-wallet', () => {
      throw new BpmnError('WALLET_CLOSED', 'the payer wallet is closed');
    });
    const { instanceId } = await engine.startInstance('wallet-transfer', {});
    const view = await expectState(engine, instanceId, 'incident');
    expect(view.incidents[0]).toMatchObject({ kind: 'unhandled-error', elementId: 'DebitPayer' });
    expect(view.incidents[0].message).toContain('WALLET_CLOSED');
  });

  it('fail an attempt that runs past its timeout and take the late result of nobody', async () => {
    const keys: string[] = [];
    const firstAttempt = new Deferred();
    const neverEnds = new Promise<never>(() => undefined);
    engine.registerWorker(
      'reserve-funds',
      (job) => {
        keys.push(job.key);
        if (keys.length > 1) return { reservationId: 'R-3' };
        firstAttempt.resolve();
        return neverEnds;
      },
      { timeoutMs: 30_000, backoffMs: 0 },
    );
    engine.registerWorker('post-ledger', () => ({}));
    const { instanceId } = await engine.startInstance('two-step-payment', {});
    await firstAttempt.promise;
    harness.clock.advance(29_999);
    expect((await engine.runDueTimers()).jobsTimedOut).toBe(0);
    harness.clock.advance(1);
    expect((await engine.runDueTimers()).jobsTimedOut).toBe(1);
    await expectState(engine, instanceId, 'completed');
    expect(keys).toEqual([keys[0], keys[0]]);
  });
});
