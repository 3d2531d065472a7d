import { EngineAtCapacityError, type EmbeddedEngineBounds } from '../../../src/processes/engine';
import { EngineHarness, expectState, fixture } from './engine-harness';

let harness: EngineHarness;

beforeEach(() => {
  harness = new EngineHarness();
});
afterEach(() => harness.dispose());

async function engineWith(bounds: Partial<EmbeddedEngineBounds>) {
  const engine = await harness.open({ bounds });
  await engine.deploy([fixture('fund-switch.bpmn'), fixture('two-step-payment.bpmn')]);
  return engine;
}

describe('the embedded engine bounds', () => {
  it('refuse a start beyond maxInstancesInMemory until an instance in memory moves on', async () => {
    const engine = await engineWith({ maxInstancesInMemory: 2 });
    // Their first job has no worker yet: both stay in memory.
    const first = await engine.startInstance('two-step-payment', { paymentId: 'A' });
    await engine.startInstance('two-step-payment', { paymentId: 'B' });
    await expect(engine.startInstance('two-step-payment', { paymentId: 'C' })).rejects.toEqual(new EngineAtCapacityError('maxInstancesInMemory', 2));
    engine.registerWorker('reserve-funds', () => ({}));
    engine.registerWorker('post-ledger', () => ({}));
    await expectState(engine, first.instanceId, 'completed');
    await engine.startInstance('two-step-payment', { paymentId: 'C' });
  });

  it('keep instances that wait only for a message in the file: they do not count, and their message brings them back', async () => {
    const engine = await engineWith({ maxInstancesInMemory: 2 });
    const waiting = [];
    for (const switchId of ['A', 'B', 'C', 'D']) waiting.push(await engine.startInstance('fund-switch', { switchId }));
    engine.registerWorker('purchase-fund', () => ({}));
    expect(await engine.publishMessage({ name: 'redemption-confirmed', correlationKey: 'C' })).toMatchObject({ outcome: 'correlated', instanceIds: [waiting[2]!.instanceId] });
    await expectState(engine, waiting[2]!.instanceId, 'completed');
    await expectState(engine, waiting[0]!.instanceId, 'active');
    expect((await engine.instance(waiting[0]!.instanceId))?.currentElements).toEqual((await engine.instance(waiting[3]!.instanceId))?.currentElements);
  });

  it('refuse to buffer a message beyond maxBufferedMessages until one expires', async () => {
    const engine = await engineWith({ maxBufferedMessages: 1 });
    await engine.publishMessage({ name: 'redemption-confirmed', correlationKey: 'X', timeToLiveMs: 1_000 });
    await expect(engine.publishMessage({ name: 'redemption-confirmed', correlationKey: 'Y', timeToLiveMs: 1_000 })).rejects.toEqual(
      new EngineAtCapacityError('maxBufferedMessages', 1),
    );
    harness.clock.advance(1_000);
    await engine.runDueTimers();
    expect(await engine.publishMessage({ name: 'redemption-confirmed', correlationKey: 'Y', timeToLiveMs: 1_000 })).toMatchObject({ outcome: 'buffered' });
  });

  it('refuse new instances while maxQueuedJobs wait for a worker', async () => {
    const engine = await engineWith({ maxQueuedJobs: 2 });
    await engine.startInstance('two-step-payment', {});
    await engine.startInstance('two-step-payment', {});
    await expect(engine.startInstance('two-step-payment', {})).rejects.toEqual(new EngineAtCapacityError('maxQueuedJobs', 2));
  });

  it('run at most maxRunningJobs handlers at once', async () => {
    const engine = await engineWith({ maxRunningJobs: 1 });
    let running = 0;
    let mostAtOnce = 0;
    engine.registerWorker('reserve-funds', async () => {
      mostAtOnce = Math.max(mostAtOnce, ++running);
      await Promise.resolve();
      running -= 1;
      return { reservationId: 'R' };
    });
    engine.registerWorker('post-ledger', () => ({}));
    const started = await Promise.all([1, 2, 3, 4].map(() => engine.startInstance('two-step-payment', {})));
    for (const { instanceId } of started) await expectState(engine, instanceId, 'completed');
    expect(mostAtOnce).toBe(1);
  });
});
