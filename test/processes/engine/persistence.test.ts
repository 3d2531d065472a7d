import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Job } from '../../../src/processes/engine';
import { Deferred, EngineHarness, expectState, fixture, FIXTURES_DIR, visited } from './engine-harness';

let harness: EngineHarness;

beforeEach(() => {
  harness = new EngineHarness();
});
afterEach(() => harness.dispose());

/** Runs crashing-engine.ts until it prints the line that starts with `marker`, then kills it with SIGKILL. */
async function runAndKill(mode: string, marker: string): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(FIXTURES_DIR, '..', 'crashing-engine.ts'), harness.path, mode, String(harness.clock.nowMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  let words: string[] | undefined;
  for await (const line of createInterface({ input: child.stdout })) {
    if (!line.startsWith(marker)) continue;
    words = line.split(' ').slice(1);
    child.kill('SIGKILL');
    break;
  }
  expect(await exited).toBe('SIGKILL');
  if (!words) throw new Error(`the engine process ended before it printed ${marker}`);
  return words;
}

describe('the embedded engine after a restart', () => {
  it('resumes an instance that waited for a message: the message completes it, and a boundary timer keeps its due time', async () => {
    let engine = await harness.open();
    await engine.deploy([fixture('fund-switch.bpmn')]);
    const confirmed = await engine.startInstance('fund-switch', { switchId: 'SW-1' });
    const late = await engine.startInstance('fund-switch', { switchId: 'SW-2' });
    await engine.whenSettled();
    await engine.close();

    harness.clock.advance(10 * 60_000);
    engine = await harness.open();
    const purchases: Job[] = [];
    engine.registerWorker('purchase-fund', (job) => void purchases.push(job));
    engine.registerWorker('escalate-late-redemption', () => ({ escalated: true }));
    expect(await engine.publishMessage({ name: 'redemption-confirmed', correlationKey: 'SW-1' })).toMatchObject({ outcome: 'correlated' });
    const done = await expectState(engine, confirmed.instanceId, 'completed');
    expect(visited(done)).toEqual(['SwitchRequested', 'AwaitRedemption', 'PurchaseFund', 'Switched']);
    expect(purchases).toHaveLength(1);

    // 15 minutes after the instance started, not after the restart.
    harness.clock.advance(5 * 60_000);
    expect((await engine.runDueTimers()).timersFired).toBe(1);
    expect((await expectState(engine, late.instanceId, 'completed')).variables).toMatchObject({ escalated: true });
  });

  it('runs a job that was in flight when the engine closed again, with the same key; the old attempt counts for nothing', async () => {
    let engine = await harness.open();
    await engine.deploy([fixture('two-step-payment.bpmn')]);
    const handedOut = new Deferred<Job>();
    const neverAnswered = new Deferred<{ reservationId: string }>();
    engine.registerWorker('reserve-funds', (job) => {
      handedOut.resolve(job);
      return neverAnswered.promise;
    });
    const { instanceId } = await engine.startInstance('two-step-payment', { amount: '9.00' });
    const first = await handedOut.promise;
    await engine.close();
    neverAnswered.resolve({ reservationId: 'from the closed engine' });

    engine = await harness.open();
    const again: Job[] = [];
    engine.registerWorker('reserve-funds', (job) => {
      again.push(job);
      return { reservationId: 'R-after-restart' };
    });
    engine.registerWorker('post-ledger', () => ({}));
    const view = await expectState(engine, instanceId, 'completed');
    expect(again.map((job) => job.key)).toEqual([first.key]);
    expect(view.variables.reservationId).toBe('R-after-restart');
  });

  it('survives SIGKILL with a job in flight: the job runs again with the same key', async () => {
    const [jobKey, instanceId] = await runAndKill('job-in-flight', 'JOB');

    const engine = await harness.open();
    const jobs: Job[] = [];
    engine.registerWorker('reserve-funds', (job) => {
      jobs.push(job);
      return { reservationId: 'R-9' };
    });
    engine.registerWorker('post-ledger', () => ({}));
    const view = await expectState(engine, instanceId, 'completed');
    expect(jobs.map((job) => [job.key, job.instanceId])).toEqual([[jobKey, instanceId]]);
    expect(view.businessKey).toBe('crash-1');
    expect(visited(view)).toEqual(['PaymentRequested', 'ReserveFunds', 'PostLedger', 'PaymentDone']);
    // The idempotent start still finds it.
    expect(await engine.startInstance('two-step-payment', {}, { businessKey: 'crash-1' })).toMatchObject({ instanceId, created: false });
  });

  it('survives SIGKILL while an instance waits for a message', async () => {
    const [instanceId] = await runAndKill('waiting', 'WAITING');

    const engine = await harness.open();
    engine.registerWorker('purchase-fund', () => ({ purchased: true }));
    expect((await expectState(engine, instanceId, 'active')).currentElements).toEqual(['AwaitRedemption']);
    await engine.publishMessage({ name: 'redemption-confirmed', correlationKey: 'SW-CRASH' });
    expect((await expectState(engine, instanceId, 'completed')).variables).toMatchObject({ purchased: true });
  });
});

describe('model versions', () => {
  it('start new instances on the latest version at once, while a running instance finishes on its own', async () => {
    const engine = await harness.open();
    const [v1] = await engine.deploy([fixture('two-step-payment.bpmn')]);
    expect(v1).toMatchObject({ bpmnProcessId: 'two-step-payment', version: 1, resourceName: 'two-step-payment.bpmn' });
    const held = new Deferred<{ reservationId: string }>();
    const handedOut = new Deferred();
    engine.registerWorker('reserve-funds', () => {
      handedOut.resolve();
      return held.promise;
    });
    const old = await engine.startInstance('two-step-payment', {});
    await handedOut.promise;

    const [v2] = await engine.deploy([fixture('two-step-payment-v2.bpmn')]);
    expect(v2.version).toBe(2);
    // The same model again is no new version.
    expect((await engine.deploy([fixture('two-step-payment-v2.bpmn')]))[0].version).toBe(2);
    expect((await engine.models()).map((model) => [model.bpmnProcessId, model.version])).toEqual([
      ['two-step-payment', 1],
      ['two-step-payment', 2],
    ]);
    const notified: string[] = [];
    engine.registerWorker('post-ledger', () => ({}));
    engine.registerWorker('notify-payer', (job) => void notified.push(job.instanceId));
    const fresh = await engine.startInstance('two-step-payment', {});
    expect(fresh.version).toBe(2);

    held.resolve({ reservationId: 'R-old' });
    const oldView = await expectState(engine, old.instanceId, 'completed');
    const freshView = await expectState(engine, fresh.instanceId, 'completed');
    expect(oldView.version).toBe(1);
    expect(visited(oldView)).toEqual(['PaymentRequested', 'ReserveFunds', 'PostLedger', 'PaymentDone']);
    expect(visited(freshView)).toEqual(['PaymentRequested', 'ReserveFunds', 'PostLedger', 'NotifyPayer', 'PaymentDone']);
    expect(notified).toEqual([fresh.instanceId]);
  });

  it('resume an instance of an old version on that version after a restart', async () => {
    let engine = await harness.open();
    await engine.deploy([fixture('two-step-payment.bpmn')]);
    // No worker yet: the job waits in the file.
    const old = await engine.startInstance('two-step-payment', {});
    await engine.whenSettled();
    await engine.close();

    engine = await harness.open();
    await engine.deploy([fixture('two-step-payment-v2.bpmn')]);
    const fresh = await engine.startInstance('two-step-payment', {});
    for (const type of ['reserve-funds', 'post-ledger', 'notify-payer']) engine.registerWorker(type, () => ({}));
    expect(visited(await expectState(engine, old.instanceId, 'completed'))).not.toContain('NotifyPayer');
    expect(visited(await expectState(engine, fresh.instanceId, 'completed'))).toContain('NotifyPayer');
  });
});
