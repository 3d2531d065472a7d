import { BpmnError, EngineClosedError, type Job, ModelRejectedError, UnknownInstanceError, UnknownProcessError } from '../../../../src/processes/engine';
import { BusinessKeyClaimedError, OperateRequiredError } from '../../../../src/processes/engine/zeebe/zeebe-errors';
import { BUSINESS_KEY_CLAIM_MESSAGE, ZeebeProcessEngine } from '../../../../src/processes/engine/zeebe/zeebe-process-engine';
import { fixture } from '../engine-harness';
import { type FakeJob, FakeZeebeGateway, type GatewayRequest } from './fake-zeebe-gateway';

// The adapter driven through @camunda8/sdk over real gRPC, against a scripted gateway (see fake-zeebe-gateway.ts):
// what goes on the wire for each port call, and how Zeebe's answers come back. What Zeebe itself does with
// those requests is the contract suite's (zeebe-engine.contract.test.ts), against a real gateway.

const ALREADY_EXISTS = 6;
const NOT_FOUND = 5;
const INVALID_ARGUMENT = 3;

let gateway: FakeZeebeGateway;
let engine: ZeebeProcessEngine;
let logLines: string[];
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

beforeEach(async () => {
  gateway = await FakeZeebeGateway.start();
  logLines = [];
  const log = { log: (line: string) => void logLines.push(line), warn: (line: string) => void logLines.push(line) };
  engine = await ZeebeProcessEngine.open({ address: gateway.address, maxGatewayRetries: 0, requestTimeoutMs: 5_000, clock: () => T0, log });
});
afterEach(async () => {
  await engine.close();
  await gateway.stop();
});

function job(overrides: Partial<FakeJob> = {}): FakeJob {
  return { key: '2251799813685281', type: 'reserve-funds', processInstanceKey: '2251799813685249', bpmnProcessId: 'two-step-payment', processDefinitionVersion: 1, elementId: 'ReserveFunds', retries: 3, variables: { amount: '125.00' }, ...overrides };
}

function processDeployment(bpmnProcessId: string, version: number, resourceName: string) {
  return { process: { bpmnProcessId, version, processDefinitionKey: '2251799813685250', resourceName, tenantId: '<default>' } };
}

describe('the Zeebe adapter on the wire', () => {
  it('asks for the topology when it opens', () => {
    expect(gateway.requestsOf('Topology')).toHaveLength(1);
    expect(logLines).toContainEqual(expect.stringContaining('Zeebe gateway 8.5.0-fake'));
  });

  it('deploys all resources in one DeployResource and lists what it deployed', async () => {
    gateway.answers.DeployResource = () => ({
      key: '2251799813685260',
      deployments: [processDeployment('two-step-payment', 1, 'two-step-payment.bpmn'), processDeployment('fund-switch', 3, 'fund-switch.bpmn')],
    });
    const payment = fixture('two-step-payment.bpmn');
    // A name without .bpmn goes over the wire with it (Zeebe tells a resource's kind by its name) and comes back as given.
    const deployed = await engine.deploy([payment, { name: 'fund-switch', xml: fixture('fund-switch.bpmn').xml }]);
    const [request] = gateway.requestsOf('DeployResource') as { resources: { name: string; content: Buffer }[] }[];
    expect(request.resources.map((resource) => resource.name)).toEqual(['two-step-payment.bpmn', 'fund-switch.bpmn']);
    expect(request.resources[0].content.toString('utf8')).toBe(payment.xml);
    expect(deployed).toEqual([
      { bpmnProcessId: 'two-step-payment', version: 1, resourceName: 'two-step-payment.bpmn', deployedAt: new Date(T0) },
      { bpmnProcessId: 'fund-switch', version: 3, resourceName: 'fund-switch', deployedAt: new Date(T0) },
    ]);
    expect((await engine.models()).map((model) => `${model.bpmnProcessId}@${model.version}`)).toEqual(['fund-switch@3', 'two-step-payment@1']);
  });

  it('lints before deploying: a refused model never reaches Zeebe', async () => {
    const refusal = engine.deploy([fixture('fund-switch.bpmn'), fixture('missing-task-definition.bpmn')]);
    await expect(refusal).rejects.toBeInstanceOf(ModelRejectedError);
    await expect(refusal).rejects.toMatchObject({ resourceName: 'missing-task-definition.bpmn', problems: [expect.objectContaining({ elementId: 'Undefined', rule: 'camunda-compat/implementation' })] });
    expect(gateway.requestsOf('DeployResource')).toEqual([]);
    expect(await engine.models()).toEqual([]);
  });

  it("turns Zeebe's own refusal of a model into ModelRejectedError, naming the file and element", async () => {
    gateway.answers.DeployResource = () => ({
      grpcError: INVALID_ARGUMENT,
      details: "Command 'CREATE' rejected with code 'INVALID_ARGUMENT': Expected to deploy new resources, but encountered the following errors:\n'fund-switch.bpmn': - Element: PurchaseFund\n    - ERROR: Must have exactly one 'zeebe:taskDefinition' extension element",
    });
    const refusal = engine.deploy([fixture('two-step-payment.bpmn'), fixture('fund-switch.bpmn')]);
    await expect(refusal).rejects.toMatchObject({ resourceName: 'fund-switch.bpmn', problems: [expect.objectContaining({ elementId: 'PurchaseFund', rule: 'zeebe/deploy' })] });
  });

  it('starts an instance with CreateProcessInstance, and says which process is not deployed', async () => {
    gateway.answers.CreateProcessInstance = (request) =>
      request.bpmnProcessId === 'two-step-payment'
        ? { processDefinitionKey: '2251799813685250', bpmnProcessId: 'two-step-payment', version: 2, processInstanceKey: '2251799813685249', tenantId: '<default>' }
        : { grpcError: NOT_FOUND, details: `Expected to find process definition with process ID '${String(request.bpmnProcessId)}', but none found` };
    expect(await engine.startInstance('two-step-payment', { amount: '125.00', note: null })).toEqual({ instanceId: '2251799813685249', bpmnProcessId: 'two-step-payment', version: 2, created: true });
    const [request] = gateway.requestsOf('CreateProcessInstance');
    expect(request).toMatchObject({ bpmnProcessId: 'two-step-payment', version: -1 });
    expect(JSON.parse(request.variables as string)).toEqual({ amount: '125.00', note: null });
    await expect(engine.startInstance('nowhere', {})).rejects.toBeInstanceOf(UnknownProcessError);
  });

  it('claims a business key in Zeebe before the first start with it, and answers a repeated start with the first instance', async () => {
    let instances = 0;
    gateway.answers.CreateProcessInstance = () => ({ processDefinitionKey: '1', bpmnProcessId: 'two-step-payment', version: 1, processInstanceKey: String(2251799813685249 + instances++), tenantId: '<default>' });
    const claimed = new Set<string>();
    gateway.answers.PublishMessage = (request) => {
      if (claimed.has(String(request.messageId))) return { grpcError: ALREADY_EXISTS, details: 'a message with that id was already published' };
      claimed.add(String(request.messageId));
      return { key: '2251799813685300', tenantId: '<default>' };
    };
    const first = await engine.startInstance('two-step-payment', { amount: '1.00' }, { businessKey: 'transfer-42' });
    expect(await engine.startInstance('two-step-payment', { amount: '999.00' }, { businessKey: 'transfer-42' })).toEqual({ ...first, created: false });
    expect(gateway.requestsOf('CreateProcessInstance')).toHaveLength(1);
    expect(gateway.requestsOf('PublishMessage')).toEqual([
      expect.objectContaining({ name: BUSINESS_KEY_CLAIM_MESSAGE, correlationKey: '["two-step-payment","transfer-42"]', messageId: '["two-step-payment","transfer-42"]', timeToLive: String(24 * 3_600_000) }),
    ]);
    // Another IFW process, or this one after a restart: Zeebe still holds the claim, so nothing starts.
    const other = await ZeebeProcessEngine.open({ address: gateway.address, maxGatewayRetries: 0, requestTimeoutMs: 5_000, log: { log: () => undefined, warn: () => undefined } });
    try {
      await expect(other.startInstance('two-step-payment', {}, { businessKey: 'transfer-42' })).rejects.toBeInstanceOf(BusinessKeyClaimedError);
    } finally {
      await other.close();
    }
    expect(gateway.requestsOf('CreateProcessInstance')).toHaveLength(1);
  });

  it('publishes a message with its id and time to live, and reports a duplicate id as Zeebe refuses it', async () => {
    gateway.answers.PublishMessage = (request) =>
      request.messageId === 'confirmation-7' && gateway.requestsOf('PublishMessage').length > 1
        ? { grpcError: ALREADY_EXISTS, details: "Expected to publish a new message with id 'confirmation-7', but a message with that id was already published" }
        : { key: '2251799813685301', tenantId: '<default>' };
    const message = { name: 'redemption-confirmed', correlationKey: 'SW-1', messageId: 'confirmation-7', timeToLiveMs: 60_000, variables: { redeemedAmount: '300.00' } };
    expect(await engine.publishMessage(message)).toEqual({ messageKey: '2251799813685301', outcome: 'buffered', instanceIds: [] });
    expect(await engine.publishMessage(message)).toEqual({ messageKey: '', outcome: 'duplicate', instanceIds: [] });
    const [request] = gateway.requestsOf('PublishMessage');
    expect(request).toMatchObject({ name: 'redemption-confirmed', correlationKey: 'SW-1', messageId: 'confirmation-7', timeToLive: '60000' });
    expect(JSON.parse(request.variables as string)).toEqual({ redeemedAmount: '300.00' });
  });

  it('completes a job with what the handler returns', async () => {
    const seen: Job[] = [];
    engine.registerWorker('reserve-funds', (activated) => (seen.push(activated), { reservationId: 'R-17' }), { maxConcurrentJobs: 4, timeoutMs: 30_000 });
    gateway.queueJob(job());
    const [completion] = await gateway.waitFor('CompleteJob');
    expect(completion.jobKey).toBe('2251799813685281');
    expect(JSON.parse(completion.variables as string)).toEqual({ reservationId: 'R-17' });
    expect(seen).toEqual([{ key: '2251799813685281', type: 'reserve-funds', instanceId: '2251799813685249', bpmnProcessId: 'two-step-payment', version: 1, elementId: 'ReserveFunds', variables: { amount: '125.00' }, retriesLeft: 3 }]);
    const [activation] = gateway.requestsOf('ActivateJobs');
    // Zeebe's job timeout is the worker's timeoutMs plus a grace, so that the adapter's own time-out fails the job first.
    expect(activation).toMatchObject({ type: 'reserve-funds', maxJobsToActivate: 4, timeout: '40000' });
  });

  it('fails a throwing job with retries counted down and a doubling back-off, and completes it on the third attempt with the same key', async () => {
    const attempts: Job[] = [];
    engine.registerWorker(
      'reserve-funds',
      (activated) => {
        attempts.push(activated);
        if (attempts.length <= 2) throw new Error(`the funds service is down (attempt ${attempts.length})`);
        return { reservationId: 'R-1' };
      },
      { backoffMs: 100 },
    );
    gateway.queueJob(job());
    await gateway.waitFor('CompleteJob');
    expect(gateway.requestsOf('FailJob')).toEqual([
      expect.objectContaining({ jobKey: '2251799813685281', retries: 2, retryBackOff: '100', errorMessage: 'the funds service is down (attempt 1)' }),
      expect.objectContaining({ jobKey: '2251799813685281', retries: 1, retryBackOff: '200', errorMessage: 'the funds service is down (attempt 2)' }),
    ]);
    expect(attempts.map((attempt) => [attempt.key, attempt.retriesLeft])).toEqual([
      ['2251799813685281', 3],
      ['2251799813685281', 2],
      ['2251799813685281', 1],
    ]);
  });

  it('throws a BPMN error for a BpmnError', async () => {
    engine.registerWorker('credit-wallet', () => {
      throw new BpmnError('CREDIT_REJECTED', 'the payee wallet is frozen', { rejection: 'frozen' });
    });
    gateway.queueJob(job({ type: 'credit-wallet', elementId: 'CreditPayee' }));
    const [thrown] = await gateway.waitFor('ThrowError');
    expect(thrown).toMatchObject({ jobKey: '2251799813685281', errorCode: 'CREDIT_REJECTED', errorMessage: 'the payee wallet is frozen' });
    expect(JSON.parse(thrown.variables as string)).toEqual({ rejection: 'frozen' });
    expect(gateway.requestsOf('FailJob')).toEqual([]);
  });

  it('cancels with CancelProcessInstance, and refuses what gRPC cannot do with a typed error', async () => {
    gateway.answers.CancelProcessInstance = (request: GatewayRequest) =>
      request.processInstanceKey === '2251799813685249' ? {} : { grpcError: NOT_FOUND, details: 'Expected to cancel a process instance with key, but no such process was found' };
    await engine.cancelInstance('2251799813685249');
    await expect(engine.cancelInstance('2251799813685999')).rejects.toBeInstanceOf(UnknownInstanceError);
    await expect(engine.cancelInstance('not-a-key')).rejects.toBeInstanceOf(UnknownInstanceError);
    await expect(engine.retry('2251799813685249')).rejects.toBeInstanceOf(OperateRequiredError);
    await expect(engine.instance('2251799813685249')).rejects.toMatchObject({ code: 'OPERATE_REQUIRED' });
    expect(await engine.instance('not-a-key')).toBeUndefined();
    await expect(engine.instances({ limit: 10 })).rejects.toMatchObject({ code: 'OPERATE_REQUIRED' });
    expect(gateway.requestsOf('ResolveIncident')).toEqual([]);
  });

  it('refuses every call once closed', async () => {
    await engine.close();
    await expect(engine.startInstance('two-step-payment', {})).rejects.toBeInstanceOf(EngineClosedError);
    expect(() => engine.registerWorker('reserve-funds', () => ({}))).toThrow(EngineClosedError);
  });
});
