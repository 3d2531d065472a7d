import type { EmbeddedProcessEngine, Job } from '../../../src/processes/engine';
import { EngineHarness, expectState, fixture, visited } from './engine-harness';

let harness: EngineHarness;
let engine: EmbeddedProcessEngine;
let reviewed: Job[];
let paidOut: Job[];

beforeEach(async () => {
  harness = new EngineHarness();
  engine = await harness.open();
  await engine.deploy([fixture('instant-redemption.bpmn'), fixture('cooling-off.bpmn'), fixture('two-step-payment.bpmn')]);
  reviewed = [];
  paidOut = [];
  engine.registerWorker('review-redemption', (job) => void reviewed.push(job));
  engine.registerWorker('pay-out', (job) => void paidOut.push(job));
});
afterEach(() => harness.dispose());

describe('FEEL expressions', () => {
  it('decide the branch of an exclusive gateway: the condition is evaluated, not taken as a truthy string', async () => {
    const over = await engine.startInstance('instant-redemption', { amount: 20_000 });
    const within = await engine.startInstance('instant-redemption', { amount: 9_999 });

    const overView = await expectState(engine, over.instanceId, 'completed');
    const withinView = await expectState(engine, within.instanceId, 'completed');
    expect(visited(overView)).toEqual(['RedemptionRequested', 'OverTheCap', 'ReviewRedemption', 'Reviewed']);
    // `=amount > 10000` is a non-empty string: bpmn-engine alone would take this flow for 9,999 too.
    expect(visited(withinView)).toEqual(['RedemptionRequested', 'OverTheCap', 'PayOut', 'PaidOut']);
    expect(visited(withinView)).not.toContain('ReviewRedemption');
    expect(reviewed.map((job) => job.instanceId)).toEqual([over.instanceId]);
    expect(paidOut.map((job) => job.instanceId)).toEqual([within.instanceId]);
  });

  it('raise an incident with the expression and the variables when a condition fails, while the engine serves other instances', async () => {
    // The request lost its amount on the way: `amount > 10000` is null, which is no answer for a gateway.
    const broken = await engine.startInstance('instant-redemption', { customer: 'C-9' });

    const stuck = await expectState(engine, broken.instanceId, 'incident');
    expect(stuck.currentElements).toEqual(['OverTheCap']);
    expect(stuck.incidents).toHaveLength(1);
    expect(stuck.incidents[0]).toMatchObject({ kind: 'expression', elementId: 'OverTheCap', expression: '=amount > 10000', variables: { customer: 'C-9' } });
    expect(stuck.incidents[0].message).toContain("Variable 'amount' not found");
    expect(stuck.incidents[0].message).toContain('Flow_OverCap');
    expect(reviewed).toEqual([]);
    expect(paidOut).toEqual([]);

    const healthy = await engine.startInstance('instant-redemption', { amount: 100 });
    await expectState(engine, healthy.instanceId, 'completed');
    expect(paidOut.map((job) => job.instanceId)).toEqual([healthy.instanceId]);

    // Fixing the variable and retrying evaluates the condition again: the gateway goes on from where it stopped.
    await engine.retry(broken.instanceId, { variables: { amount: 50_000 } });
    const fixed = await expectState(engine, broken.instanceId, 'completed');
    expect(visited(fixed)).toEqual(['RedemptionRequested', 'OverTheCap', 'ReviewRedemption', 'Reviewed']);
    expect(fixed.incidents[0].resolvedAt).toBeInstanceOf(Date);
  });

  it('give an intermediate timer its duration from a FEEL expression, on the engine clock', async () => {
    const confirmed: Job[] = [];
    engine.registerWorker('confirm-purchase', (job) => void confirmed.push(job));
    const { instanceId } = await engine.startInstance('cooling-off', { coolingOff: 'PT2H' });

    const waiting = await expectState(engine, instanceId, 'active');
    expect(waiting.currentElements).toEqual(['CoolingOff']);
    harness.clock.advance(2 * 3_600_000 - 1);
    expect((await engine.runDueTimers()).timersFired).toBe(0);
    harness.clock.advance(1);
    expect((await engine.runDueTimers()).timersFired).toBe(1);
    await expectState(engine, instanceId, 'completed');
    expect(confirmed).toHaveLength(1);
  });

  it('raise an incident for a timer whose expression gives no duration, and set it on retry', async () => {
    const { instanceId } = await engine.startInstance('cooling-off', { coolingOff: 'two hours' });
    const stuck = await expectState(engine, instanceId, 'incident');
    expect(stuck.incidents[0]).toMatchObject({ kind: 'expression', elementId: 'CoolingOff', expression: '=coolingOff' });

    engine.registerWorker('confirm-purchase', () => ({}));
    await engine.retry(instanceId, { variables: { coolingOff: 'PT1M' } });
    await expectState(engine, instanceId, 'active');
    harness.clock.advance(60_000);
    await engine.runDueTimers();
    await expectState(engine, instanceId, 'completed');
  });
});

describe('an engine failure', () => {
  it('sets the instance back to its last saved step in an incident, and retry() runs it again', async () => {
    const { xml } = fixture('instant-redemption.bpmn');
    // No default flow and two conditions that can both be false: bpmn-engine cannot go on from the gateway.
    const noDefault = xml
      .replace(' default="Flow_WithinCap"', '')
      .replace('<bpmn:sequenceFlow id="Flow_WithinCap" name="within the cap" sourceRef="OverTheCap" targetRef="PayOut" />',
        '<bpmn:sequenceFlow id="Flow_WithinCap" name="within the cap" sourceRef="OverTheCap" targetRef="PayOut">\n      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=amount &lt; 0</bpmn:conditionExpression>\n    </bpmn:sequenceFlow>');
    expect(noDefault).toContain('=amount &lt; 0');
    await engine.deploy([{ name: 'instant-redemption.bpmn', xml: noDefault }]);
    const { instanceId } = await engine.startInstance('instant-redemption', { amount: 5 });

    const stuck = await expectState(engine, instanceId, 'incident');
    expect(stuck.incidents).toEqual([expect.objectContaining({ kind: 'engine-error', variables: { amount: 5 } })]);
    expect(harness.logLines.some((line) => line.includes('set back to its last saved step'))).toBe(true);
    const other = await engine.startInstance('instant-redemption', { amount: 50_000 });
    await expectState(engine, other.instanceId, 'completed');

    await engine.retry(instanceId, { variables: { amount: 20_000 } });
    const done = await expectState(engine, instanceId, 'completed');
    expect(visited(done)).toContain('ReviewRedemption');
    expect(done.incidents[0].resolvedAt).toBeInstanceOf(Date);
  });
});
