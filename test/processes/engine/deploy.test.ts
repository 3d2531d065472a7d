import { type EmbeddedProcessEngine, lintModel, PROCESS_ENGINE_LIMITS } from '../../../src/processes/engine';
import { EngineHarness, fixture, rejection } from './engine-harness';

let harness: EngineHarness;
let engine: EmbeddedProcessEngine;

beforeEach(async () => {
  harness = new EngineHarness();
  engine = await harness.open();
});
afterEach(() => harness.dispose());

describe('deploy', () => {
  it('refuses a model that does not parse, naming the file and the element at fault', async () => {
    const error = await rejection(engine.deploy([fixture('broken-reference.bpmn')]));
    expect(error.resourceName).toBe('broken-reference.bpmn');
    expect(error.problems).toEqual([{ elementId: 'Flow_2', rule: 'parse', message: 'unresolved reference <Finished>' }]);
    expect(error.message).toContain('broken-reference.bpmn');
    expect(error.message).toContain('Flow_2');
  });

  it('refuses malformed XML, naming the element it broke off in', async () => {
    const { xml } = fixture('two-step-payment.bpmn');
    const truncated = xml.replace('</bpmn:serviceTask>\n    <bpmn:serviceTask id="PostLedger"', '\n    <bpmn:serviceTask id="PostLedger"');
    const error = await rejection(engine.deploy([{ name: 'truncated.bpmn', xml: truncated }]));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ rule: 'parse', elementId: expect.stringMatching(/^(ReserveFunds|PostLedger|Flow_.*)$/) });
    expect(error.problems[0].message).toContain('line');
  });

  it('refuses a model that fails lint, naming the element and the rule', async () => {
    const error = await rejection(engine.deploy([fixture('missing-task-definition.bpmn')]));
    expect(error.problems).toEqual([
      expect.objectContaining({ elementId: 'Undefined', rule: 'camunda-compat/implementation', message: expect.stringContaining('zeebe:TaskDefinition') }),
    ]);
  });

  it('deploys nothing when one file of a deploy is refused', async () => {
    await rejection(engine.deploy([fixture('fund-switch.bpmn'), fixture('missing-task-definition.bpmn')]));
    expect(await engine.models()).toEqual([]);
    await expect(engine.startInstance('fund-switch', {})).rejects.toMatchObject({ code: 'UNKNOWN_PROCESS' });
  });

  it('refuses what the embedded engine cannot run instead of running it wrongly', async () => {
    const { xml } = fixture('two-step-payment.bpmn');
    const withScript = xml.replace(/<bpmn:serviceTask id="PostLedger"([^]*?)<\/bpmn:serviceTask>/, (_all, body: string) =>
      `<bpmn:scriptTask id="PostLedger"${body.replace(/<bpmn:extensionElements>[^]*?<\/bpmn:extensionElements>/, '<bpmn:extensionElements><zeebe:script expression="=1" resultVariable="one" /></bpmn:extensionElements>')}</bpmn:scriptTask>`,
    );
    const error = await rejection(engine.deploy([{ name: 'script.bpmn', xml: withScript }]));
    expect(error.problems).toEqual([expect.objectContaining({ elementId: 'PostLedger', rule: 'embedded-engine/unsupported' })]);
  });

  it('lists every version it deployed, with its time', async () => {
    harness.clock.advance(1_000);
    await engine.deploy([fixture('two-step-payment.bpmn'), fixture('fund-switch.bpmn')]);
    harness.clock.advance(1_000);
    await engine.deploy([fixture('two-step-payment-v2.bpmn')]);
    const models = await engine.models();
    expect(models.map((model) => [model.bpmnProcessId, model.version, model.deployedAt.getTime() - harness.clock.nowMs])).toEqual([
      ['fund-switch', 1, -1_000],
      ['two-step-payment', 1, -1_000],
      ['two-step-payment', 2, 0],
    ]);
  });
});

describe('lintModel', () => {
  it('passes the fixtures, which Camunda Modeler draws, and reports the element and rule of what it refuses', async () => {
    for (const file of ['two-step-payment.bpmn', 'instant-redemption.bpmn', 'fund-switch.bpmn', 'wallet-transfer.bpmn', 'cooling-off.bpmn']) {
      expect(await lintModel(fixture(file).xml)).toEqual({ errors: [], warnings: [] });
    }
    const { xml } = fixture('instant-redemption.bpmn');
    // No diagram: bpmnlint's no-bpmndi rule names every element that lacks one.
    const undrawn = xml.replace(/<bpmndi:BPMNDiagram[^]*<\/bpmndi:BPMNDiagram>/, '');
    const report = await lintModel(undrawn, '8.8');
    expect(report.errors).toContainEqual({ elementId: 'OverTheCap', rule: 'no-bpmndi', message: 'Element is missing bpmndi' });
  });
});

describe('instances()', () => {
  it('pages through the instances with a bounded limit', async () => {
    await engine.deploy([fixture('fund-switch.bpmn')]);
    const started: string[] = [];
    for (let i = 0; i < 5; i++) started.push((await engine.startInstance('fund-switch', { switchId: `SW-${i}` }, { businessKey: `switch-${i}` })).instanceId);
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await engine.instances({ bpmnProcessId: 'fund-switch', state: 'active', limit: 2, after });
      expect(page.instances.length).toBeLessThanOrEqual(2);
      seen.push(...page.instances.map((instance) => instance.instanceId));
      after = page.next;
    } while (after);
    expect(seen).toEqual(started);
    expect((await engine.instances({ state: 'completed', limit: 10 })).instances).toEqual([]);
    await expect(engine.instances({ limit: PROCESS_ENGINE_LIMITS.maxPageSize + 1 })).rejects.toMatchObject({ code: 'INVALID_ENGINE_INPUT' });
    await engine.cancelInstance(started[0]);
    expect((await engine.instance(started[0]))?.state).toBe('terminated');
    expect((await engine.instances({ state: 'terminated', limit: 10 })).instances.map((instance) => instance.businessKey)).toEqual(['switch-0']);
  });
});
