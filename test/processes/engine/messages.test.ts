import type { EmbeddedProcessEngine, Job } from '../../../src/processes/engine';
import { EngineHarness, expectState, fixture, visited } from './engine-harness';

let harness: EngineHarness;
let engine: EmbeddedProcessEngine;
let purchases: Job[];
let escalations: Job[];

const CONFIRMED = 'redemption-confirmed';

beforeEach(async () => {
  harness = new EngineHarness();
  engine = await harness.open();
  await engine.deploy([fixture('fund-switch.bpmn')]);
  purchases = [];
  escalations = [];
  engine.registerWorker('purchase-fund', (job) => void purchases.push(job));
  engine.registerWorker('escalate-late-redemption', (job) => void escalations.push(job));
});
afterEach(() => harness.dispose());

describe('messages', () => {
  it('go to the waiting instance whose correlation key matches, with their variables', async () => {
    const first = await engine.startInstance('fund-switch', { switchId: 'SW-1' });
    const second = await engine.startInstance('fund-switch', { switchId: 'SW-2' });
    await engine.whenSettled();
    expect((await engine.instance(first.instanceId))?.currentElements).toEqual(['AwaitRedemption']);

    const publication = await engine.publishMessage({ name: CONFIRMED, correlationKey: 'SW-2', messageId: 'm-1', variables: { redeemedAmount: '300.00' } });
    expect(publication).toMatchObject({ outcome: 'correlated', instanceIds: [second.instanceId] });

    const done = await expectState(engine, second.instanceId, 'completed');
    expect(visited(done)).toEqual(['SwitchRequested', 'AwaitRedemption', 'PurchaseFund', 'Switched']);
    expect(done.variables).toEqual({ switchId: 'SW-2', redeemedAmount: '300.00' });
    expect(purchases.map((job) => job.variables.redeemedAmount)).toEqual(['300.00']);
    const stillWaiting = await expectState(engine, first.instanceId, 'active');
    expect(stillWaiting.currentElements).toEqual(['AwaitRedemption']);
  });

  it('ignore a second message with the same id', async () => {
    const first = await engine.startInstance('fund-switch', { switchId: 'SW-1' });
    const second = await engine.startInstance('fund-switch', { switchId: 'SW-1' });
    await engine.whenSettled();

    expect(await engine.publishMessage({ name: CONFIRMED, correlationKey: 'SW-1', messageId: 'confirmation-7' })).toMatchObject({ outcome: 'correlated', instanceIds: [first.instanceId] });
    // At-least-once delivery from the publisher: the same confirmation again must not move the second instance.
    expect(await engine.publishMessage({ name: CONFIRMED, correlationKey: 'SW-1', messageId: 'confirmation-7', timeToLiveMs: 60_000 })).toMatchObject({ outcome: 'duplicate', instanceIds: [] });
    await expectState(engine, first.instanceId, 'completed');
    expect((await expectState(engine, second.instanceId, 'active')).currentElements).toEqual(['AwaitRedemption']);

    expect(await engine.publishMessage({ name: CONFIRMED, correlationKey: 'SW-1', messageId: 'confirmation-8' })).toMatchObject({ outcome: 'correlated', instanceIds: [second.instanceId] });
    await expectState(engine, second.instanceId, 'completed');
  });

  it('are buffered for their time to live when nobody waits yet, and delivered to the instance that comes to wait', async () => {
    expect(await engine.publishMessage({ name: CONFIRMED, correlationKey: 'SW-9', messageId: 'early', timeToLiveMs: 60_000, variables: { early: true } })).toMatchObject({ outcome: 'buffered' });
    harness.clock.advance(59_999);
    await engine.runDueTimers();

    const { instanceId } = await engine.startInstance('fund-switch', { switchId: 'SW-9' });
    const view = await expectState(engine, instanceId, 'completed');
    expect(view.variables).toMatchObject({ early: true });
    expect(visited(view)).toContain('PurchaseFund');
    // Delivered once: a later instance with the same key waits.
    const later = await engine.startInstance('fund-switch', { switchId: 'SW-9' });
    await expectState(engine, later.instanceId, 'active');
  });

  it('are dropped with a log line once their time to live is over', async () => {
    await engine.publishMessage({ name: CONFIRMED, correlationKey: 'SW-5', messageId: 'too-early', timeToLiveMs: 60_000 });
    harness.clock.advance(60_000);
    expect((await engine.runDueTimers()).messagesExpired).toBe(1);
    expect(harness.logLines.filter((line) => line.includes(`message ${CONFIRMED} (correlation key SW-5`) && line.includes('expired'))).toHaveLength(1);

    const { instanceId } = await engine.startInstance('fund-switch', { switchId: 'SW-5' });
    expect((await expectState(engine, instanceId, 'active')).currentElements).toEqual(['AwaitRedemption']);
    // Without a time to live a message nobody waits for is dropped at once.
    expect(await engine.publishMessage({ name: CONFIRMED, correlationKey: 'nobody' })).toMatchObject({ outcome: 'dropped' });
    expect(harness.logLines.some((line) => line.includes('correlation key nobody') && line.includes('dropped'))).toBe(true);
  });

  it('that come late leave the boundary timer to escalate: the timer runs on the engine clock', async () => {
    const { instanceId } = await engine.startInstance('fund-switch', { switchId: 'SW-3' });
    await engine.whenSettled();
    harness.clock.advance(15 * 60_000 - 1);
    expect((await engine.runDueTimers()).timersFired).toBe(0);
    expect((await expectState(engine, instanceId, 'active')).currentElements).toEqual(['AwaitRedemption']);

    harness.clock.advance(1);
    expect((await engine.runDueTimers()).timersFired).toBe(1);
    const view = await expectState(engine, instanceId, 'completed');
    expect(visited(view)).toEqual(['SwitchRequested', 'AwaitRedemption', 'RedemptionLate', 'EscalateLate', 'Escalated']);
    expect(escalations).toHaveLength(1);
    expect(purchases).toHaveLength(0);
    // The receive task was interrupted: the confirmation that comes afterwards finds nobody.
    expect(await engine.publishMessage({ name: CONFIRMED, correlationKey: 'SW-3' })).toMatchObject({ outcome: 'dropped' });
  });

  it('that come in time leave the boundary timer disarmed', async () => {
    const { instanceId } = await engine.startInstance('fund-switch', { switchId: 'SW-4' });
    await engine.whenSettled();
    harness.clock.advance(60_000);
    await engine.publishMessage({ name: CONFIRMED, correlationKey: 'SW-4' });
    await expectState(engine, instanceId, 'completed');
    harness.clock.advance(60 * 60_000);
    expect((await engine.runDueTimers()).timersFired).toBe(0);
    expect(escalations).toHaveLength(0);
  });
});
