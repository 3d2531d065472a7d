import Database from 'better-sqlite3';
import type { EmbeddedProcessEngine, ModelResource } from '../../../src/processes/engine';
import { EngineHarness, expectState, fixture, rejection, visited } from './engine-harness';

let harness: EngineHarness;
let engine: EmbeddedProcessEngine;

beforeEach(async () => {
  harness = new EngineHarness();
  engine = await harness.open();
});
afterEach(() => harness.dispose());

/** A fixture with its text changed, every change checked to have applied. */
function edited(file: string, ...changes: [string | RegExp, string][]): ModelResource {
  let { xml } = fixture(file);
  for (const [from, to] of changes) {
    const before = xml;
    xml = xml.replace(from, to);
    if (xml === before) throw new Error(`${file} has no ${String(from)}`);
  }
  return { name: file, xml };
}

/** The fixture's late-redemption timer made a message boundary event: a cancellation while the redemption is awaited. */
const withCancelBoundary = () =>
  edited(
    'fund-switch.bpmn',
    [/<bpmn:timerEventDefinition id="TimerEventDefinition_Late">[^]*?<\/bpmn:timerEventDefinition>/, '<bpmn:messageEventDefinition id="MessageEventDefinition_Cancel" messageRef="Message_Cancelled" />'],
    [
      '</bpmn:process>',
      '</bpmn:process>\n  <bpmn:message id="Message_Cancelled" name="switch-cancelled">\n    <bpmn:extensionElements>\n      <zeebe:subscription correlationKey="=switchId" />\n    </bpmn:extensionElements>\n  </bpmn:message>',
    ],
  );

describe('the embedded engine runs one token', () => {
  it('refuses a parallel gateway and a non-interrupting boundary event at deploy, naming the element', async () => {
    const parallel = edited('instant-redemption.bpmn', [/exclusiveGateway/g, 'parallelGateway'], [' default="Flow_WithinCap"', ''], [/<bpmn:conditionExpression[^]*?<\/bpmn:conditionExpression>/, '']);
    expect((await rejection(engine.deploy([parallel]))).problems).toEqual([expect.objectContaining({ elementId: 'OverTheCap', rule: 'embedded-engine/unsupported' })]);

    const nonInterrupting = edited('fund-switch.bpmn', ['attachedToRef="AwaitRedemption"', 'attachedToRef="AwaitRedemption" cancelActivity="false"']);
    const problems = (await rejection(engine.deploy([nonInterrupting]))).problems;
    expect(problems).toEqual([expect.objectContaining({ elementId: 'RedemptionLate', message: expect.stringContaining('non-interrupting') })]);
  });

  it('takes a message boundary event: the awaited element is left, its subscription closed, and the token goes on from the event', async () => {
    await engine.deploy([withCancelBoundary()]);
    engine.registerWorker('escalate-late-redemption', () => ({ escalated: true }));
    const { instanceId } = await engine.startInstance('fund-switch', { switchId: 'SW-C' });
    await engine.whenSettled();

    expect(await engine.publishMessage({ name: 'switch-cancelled', correlationKey: 'SW-C', messageId: 'cancel-1' })).toMatchObject({ outcome: 'correlated', instanceIds: [instanceId] });
    const done = await expectState(engine, instanceId, 'completed');
    expect(visited(done)).toEqual(['SwitchRequested', 'AwaitRedemption', 'RedemptionLate', 'EscalateLate', 'Escalated']);
    expect(done.variables).toEqual({ switchId: 'SW-C', escalated: true });
    // The receive task's subscription went with it: a confirmation now finds nobody.
    expect(await engine.publishMessage({ name: 'redemption-confirmed', correlationKey: 'SW-C', messageId: 'late-1' })).toMatchObject({ outcome: 'dropped' });
  });

  it('sets back an instance whose gateway loops to itself without waiting, instead of holding the engine', async () => {
    await engine.deploy([edited('instant-redemption.bpmn', ['sourceRef="OverTheCap" targetRef="PayOut"', 'sourceRef="OverTheCap" targetRef="OverTheCap"'])]);
    const { instanceId } = await engine.startInstance('instant-redemption', { amount: 5 });

    const stuck = await expectState(engine, instanceId, 'incident');
    expect(stuck.incidents).toEqual([expect.objectContaining({ kind: 'engine-error', message: expect.stringContaining('loops') })]);
    expect(stuck.history).toEqual([]);
  });

  it('resumes an instance saved before the engine kept its token, from the element its history has open', async () => {
    await engine.deploy([fixture('fund-switch.bpmn')]);
    engine.registerWorker('purchase-fund', () => ({ purchased: true }));
    const { instanceId } = await engine.startInstance('fund-switch', { switchId: 'SW-OLD' });
    await engine.whenSettled();
    await engine.close();
    // What such a file holds: another engine's own state, which says nothing this engine reads.
    const db = new Database(harness.path);
    db.prepare('UPDATE instances SET engine_state = ? WHERE instance_id = ?').run(JSON.stringify({ name: instanceId, state: 'running', definitions: [] }), instanceId);
    db.close();

    const reopened = await harness.open();
    reopened.registerWorker('purchase-fund', () => ({ purchased: true }));
    expect(await reopened.publishMessage({ name: 'redemption-confirmed', correlationKey: 'SW-OLD', messageId: 'old-1' })).toMatchObject({ outcome: 'correlated' });
    const done = await expectState(reopened, instanceId, 'completed');
    expect(visited(done)).toEqual(['SwitchRequested', 'AwaitRedemption', 'PurchaseFund', 'Switched']);
  });
});
