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
  it('refuse a start beyond maxRunningInstances until an instance ends', async () => {
    const engine = await engineWith({ maxRunningInstances: 2 });
    const first = await engine.startInstance('fund-switch', { switchId: 'A' });
    await engine.startInstance('fund-switch', { switchId: 'B' });
    await expect(engine.startInstance('fund-switch', { switchId: 'C' })).rejects.toEqual(new EngineAtCapacityError('maxRunningInstances', 2));
    engine.registerWorker('purchase-fund', () => ({}));
    await engine.publishMessage({ name: 'redemption-confirmed', correlationKey: 'A' });
    await expectState(engine, first.instanceId, 'completed');
    await engine.startInstance('fund-switch', { switchId: 'C' });
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
