import type { ModdleContext, ModdleElement } from '../moddle-types';
import { extension, flowElementsOf } from '../bpmn-parse';
import type { ModelProblem } from '../process-engine';
import { isFeelExpression } from './feel';
import { checkTimerValue, InvalidTimerValueError, type TimerKind } from './iso-timer';

/** A zeebe:input or zeebe:output: `source` is a FEEL expression (or a literal), `target` a variable name or path (`a.b`). */
export interface VariableMapping {
  source: string;
  target: string;
}

/** A task that runs as a job: a service, send or business rule task with a zeebe:taskDefinition. */
export interface JobTaskSpec {
  elementId: string;
  /** A literal or a FEEL expression giving the type. */
  taskType: string;
  /** A literal or a FEEL expression giving the number of retries; absent means the worker's default. */
  retries?: string;
  inputs: VariableMapping[];
  outputs: VariableMapping[];
}

export interface MessageSpec {
  name: string;
  /** The zeebe:subscription correlationKey, evaluated when an instance starts waiting for the message. */
  correlationKey: string;
}

export interface TimerSpec {
  kind: TimerKind;
  /** The ISO-8601 text or the FEEL expression giving it. */
  value: string;
}

/** A sequence flow out of a node: `condition` (FEEL) only on the flows out of an exclusive gateway. */
export interface OutgoingFlow {
  id: string;
  targetId: string;
  condition?: string;
}

/** An interrupting boundary event on an activity: what triggers it, and the flow it leaves by (none: the instance ends). */
export interface BoundarySpec {
  id: string;
  trigger: 'error' | 'timer' | 'message';
  /** For `error`: the code it catches; absent, it catches every code. */
  errorCode?: string;
  /** For `message`: the bpmn:message id. */
  messageId?: string;
  outgoing?: OutgoingFlow;
}

/**
 * What a node does when the instance enters it: `pass` goes straight on by its flow (start events, plain tasks,
 * throw events) and ends the instance when it has none (end events), `job` waits for a worker, `message` and
 * `timer` wait for their event, `gateway` chooses one of its flows.
 */
export type NodeBehaviour = 'pass' | 'job' | 'message' | 'timer' | 'gateway';

export interface FlowNode {
  id: string;
  behaviour: NodeBehaviour;
  /** At most one, except out of a gateway. None on an end event, and none means the end too (an implicit end). */
  outgoing: OutgoingFlow[];
  /** The gateway's default flow: taken when no condition holds (a gateway's one flow without a condition is its default). */
  defaultFlowId?: string;
  /** For `message`: the bpmn:message id. */
  messageId?: string;
  boundaries: BoundarySpec[];
}

/** What the embedded engine runs: the flow graph of one executable Zeebe process, and what its elements need. */
export interface CompiledModel {
  bpmnProcessId: string;
  /** The BPMN type of every flow node, by id, as the history reports it. */
  elementTypes: ReadonlyMap<string, string>;
  startEventId: string;
  nodes: ReadonlyMap<string, FlowNode>;
  jobTasks: ReadonlyMap<string, JobTaskSpec>;
  /** Output mappings of message catch events and receive tasks, by element id. */
  catchOutputs: ReadonlyMap<string, VariableMapping[]>;
  /** By bpmn:message id. */
  messages: ReadonlyMap<string, MessageSpec>;
  /** By the id of the event that has the timer. */
  timers: ReadonlyMap<string, TimerSpec>;
}

export type CompileResult = { ok: true; model: CompiledModel } | { ok: false; problems: ModelProblem[] };

/**
 * Reads an executable Zeebe process into the flow graph the embedded engine runs, and refuses what it cannot run
 * faithfully (rather than run it wrongly): the engine runs one token through tasks, receive tasks, catch
 * events, exclusive gateways and interrupting boundary events, which is what IFW's processes are made of.
 */
export function compileModel(context: ModdleContext, process: ModdleElement): CompileResult {
  const problems: ModelProblem[] = [];
  const collected: Collected = { jobTasks: new Map(), catchOutputs: new Map(), timers: new Map() };
  const messages = readMessages(context.rootElement);
  const elementTypes = new Map<string, string>();
  const nodes = new Map<string, FlowNode>();
  const boundaries: ModdleElement[] = [];
  const startEvents: string[] = [];
  for (const { element } of flowElementsOf(process, process)) {
    elementTypes.set(element.id as string, element.$type);
    const found = readElement(element, messages, collected);
    problems.push(...found);
    if (found.length > 0) continue;
    if (element.$type === 'bpmn:BoundaryEvent') boundaries.push(element);
    else nodes.set(element.id as string, flowNode(element));
    if (element.$type === 'bpmn:StartEvent') startEvents.push(element.id as string);
    problems.push(...checkOutgoing(element));
  }
  if (startEvents.length !== 1) problems.push({ elementId: process.id as string, rule: 'embedded-engine/start', message: `the process needs exactly one start event; it has ${startEvents.length}` });
  if (problems.length > 0) return { ok: false, problems };
  for (const boundary of boundaries) nodes.get((boundary.attachedToRef as ModdleElement).id as string)?.boundaries.push(boundarySpec(boundary));
  const model: CompiledModel = { bpmnProcessId: process.id as string, elementTypes, startEventId: startEvents[0], nodes, messages, ...collected };
  return { ok: true, model };
}

function outgoingFlow(flow: ModdleElement): OutgoingFlow {
  const condition = (flow.conditionExpression as ModdleElement | undefined)?.body as string | undefined;
  return { id: flow.id as string, targetId: (flow.targetRef as ModdleElement).id as string, ...(condition !== undefined && { condition }) };
}

function flowNode(element: ModdleElement): FlowNode {
  const outgoing = ((element.outgoing as ModdleElement[] | undefined) ?? []).map(outgoingFlow);
  const definition = ((element.eventDefinitions as ModdleElement[] | undefined) ?? [])[0];
  const node: FlowNode = { id: element.id as string, behaviour: behaviourOf(element, definition), outgoing, boundaries: [] };
  const defaultFlow = element.default as ModdleElement | undefined;
  if (defaultFlow) node.defaultFlowId = defaultFlow.id as string;
  else if (node.behaviour === 'gateway' && outgoing.length === 1 && outgoing[0].condition === undefined) node.defaultFlowId = outgoing[0].id;
  const messageRef = (element.$type === 'bpmn:ReceiveTask' ? element.messageRef : definition?.messageRef) as ModdleElement | undefined;
  if (node.behaviour === 'message' && messageRef) node.messageId = messageRef.id as string;
  return node;
}

function behaviourOf(element: ModdleElement, definition: ModdleElement | undefined): NodeBehaviour {
  if (JOB_TASK_TYPES.has(element.$type)) return 'job';
  if (element.$type === 'bpmn:ReceiveTask') return 'message';
  if (element.$type === 'bpmn:ExclusiveGateway') return 'gateway';
  if (definition?.$type === 'bpmn:TimerEventDefinition') return 'timer';
  if (definition?.$type === 'bpmn:MessageEventDefinition') return 'message';
  return 'pass';
}

function boundarySpec(element: ModdleElement): BoundarySpec {
  const definition = (element.eventDefinitions as ModdleElement[])[0];
  const [outgoing] = ((element.outgoing as ModdleElement[] | undefined) ?? []).map(outgoingFlow);
  const spec: BoundarySpec = { id: element.id as string, trigger: 'error', ...(outgoing && { outgoing }) };
  if (definition.$type === 'bpmn:TimerEventDefinition') spec.trigger = 'timer';
  else if (definition.$type === 'bpmn:MessageEventDefinition') Object.assign(spec, { trigger: 'message', messageId: (definition.messageRef as ModdleElement).id as string });
  else {
    const errorCode = (definition.errorRef as ModdleElement | undefined)?.errorCode as string | undefined;
    if (errorCode !== undefined) spec.errorCode = errorCode;
  }
  return spec;
}

/** One token runs through the graph: only a gateway chooses among flows, and only its flows have conditions. */
function checkOutgoing(element: ModdleElement): ModelProblem[] {
  const outgoing = (element.outgoing as ModdleElement[] | undefined) ?? [];
  const problem = (message: string): ModelProblem[] => [{ elementId: element.id as string, rule: 'embedded-engine/unsupported', message }];
  if (element.$type === 'bpmn:ExclusiveGateway') return [];
  if (outgoing.length > 1) return problem('more than one outgoing flow forks the token, which the embedded engine does not run: choose the flow with an exclusive gateway');
  if (outgoing.some((flow) => flow.conditionExpression)) return problem('a condition on a flow that does not leave an exclusive gateway is not supported by the embedded engine');
  return [];
}

interface Collected {
  jobTasks: Map<string, JobTaskSpec>;
  catchOutputs: Map<string, VariableMapping[]>;
  timers: Map<string, TimerSpec>;
}

const UNSUPPORTED_TYPES: Record<string, string> = {
  'bpmn:CallActivity': 'call activities are not supported by the embedded engine: model the called process inline',
  'bpmn:UserTask': 'user tasks are not supported by the embedded engine',
  'bpmn:ScriptTask': 'script tasks are not supported by the embedded engine: use a service task and a job worker',
  'bpmn:SubProcess': 'sub-processes are not supported by the embedded engine: model their elements in the process',
  'bpmn:Transaction': 'transactions are not supported by the embedded engine',
  'bpmn:AdHocSubProcess': 'ad-hoc sub-processes are not supported by the embedded engine',
  'bpmn:ParallelGateway': 'parallel gateways are not supported by the embedded engine: it runs one token, so run the branches one after the other',
  'bpmn:InclusiveGateway': 'inclusive gateways are not supported by the embedded engine: use an exclusive gateway',
  'bpmn:EventBasedGateway': 'event-based gateways are not supported by the embedded engine: use a receive task with a boundary timer',
  'bpmn:ComplexGateway': 'complex gateways are not supported by the embedded engine',
};

/** The flow nodes the embedded engine runs; anything else is refused at deploy. */
const SUPPORTED_TYPES = new Set([
  'bpmn:StartEvent',
  'bpmn:EndEvent',
  'bpmn:IntermediateCatchEvent',
  'bpmn:IntermediateThrowEvent',
  'bpmn:BoundaryEvent',
  'bpmn:Task',
  'bpmn:ManualTask',
  'bpmn:ServiceTask',
  'bpmn:SendTask',
  'bpmn:BusinessRuleTask',
  'bpmn:ReceiveTask',
  'bpmn:ExclusiveGateway',
]);

const JOB_TASK_TYPES = new Set(['bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:BusinessRuleTask']);

/** The event definitions each kind of event may have on the embedded engine (none at all is always allowed, except on a boundary event). */
const EVENT_DEFINITIONS: Record<string, string[]> = {
  'bpmn:StartEvent': [],
  // With one token, a terminate end event ends the instance as a plain one does.
  'bpmn:EndEvent': ['bpmn:TerminateEventDefinition'],
  'bpmn:IntermediateThrowEvent': [],
  'bpmn:IntermediateCatchEvent': ['bpmn:TimerEventDefinition', 'bpmn:MessageEventDefinition'],
  'bpmn:BoundaryEvent': ['bpmn:TimerEventDefinition', 'bpmn:MessageEventDefinition', 'bpmn:ErrorEventDefinition'],
};

function readElement(element: ModdleElement, messages: Map<string, MessageSpec>, collected: Collected): ModelProblem[] {
  const id = element.id as string;
  const unsupported = (message: string): ModelProblem[] => [{ elementId: id, rule: 'embedded-engine/unsupported', message }];
  if (UNSUPPORTED_TYPES[element.$type]) return unsupported(UNSUPPORTED_TYPES[element.$type]);
  if (!SUPPORTED_TYPES.has(element.$type)) return unsupported(`${element.$type.replace('bpmn:', '')} elements are not supported by the embedded engine`);
  if (element.loopCharacteristics) return unsupported('multi-instance and loop activities are not supported by the embedded engine');
  const definitions = (element.eventDefinitions as ModdleElement[] | undefined) ?? [];
  const definitionProblem = checkEventDefinitions(element, definitions);
  if (definitionProblem) return unsupported(definitionProblem);
  if (JOB_TASK_TYPES.has(element.$type)) {
    const taskDefinition = extension(element, 'zeebe:TaskDefinition');
    if (taskDefinition) collected.jobTasks.set(id, readJobTask(element, taskDefinition));
    // Without a task definition camunda-compat's lint refuses the model before it gets here.
  }
  const problems: ModelProblem[] = [];
  for (const definition of definitions) {
    if (definition.$type === 'bpmn:TimerEventDefinition') problems.push(...readTimer(id, definition, collected.timers));
    if (definition.$type === 'bpmn:MessageEventDefinition') problems.push(...checkMessageRef(element, definition.messageRef as ModdleElement | undefined, messages));
  }
  if (element.$type === 'bpmn:ReceiveTask') problems.push(...checkMessageRef(element, element.messageRef as ModdleElement | undefined, messages));
  if (element.$type === 'bpmn:ReceiveTask' || definitions.some((d) => d.$type === 'bpmn:MessageEventDefinition')) {
    const outputs = mappingsOf(element, 'outputParameters');
    if (outputs.length > 0) collected.catchOutputs.set(id, outputs);
  }
  return problems;
}

/** Why the element's event definitions cannot run on the embedded engine, or undefined when they can. */
function checkEventDefinitions(element: ModdleElement, definitions: ModdleElement[]): string | undefined {
  const allowed = EVENT_DEFINITIONS[element.$type];
  if (allowed === undefined) return undefined;
  if (definitions.length > 1) return 'an event with more than one event definition is not supported by the embedded engine';
  const [definition] = definitions;
  if (element.$type === 'bpmn:BoundaryEvent') {
    if (!definition) return 'a boundary event needs an error, timer or message definition';
    if (element.cancelActivity === false) return 'non-interrupting boundary events are not supported by the embedded engine';
  }
  if (!definition || allowed.includes(definition.$type)) return undefined;
  switch (element.$type) {
    case 'bpmn:StartEvent':
      return 'a start event with an event definition (message, timer, signal) is not supported by the embedded engine: start instances with startInstance';
    case 'bpmn:EndEvent':
    case 'bpmn:IntermediateThrowEvent':
      return definition.$type === 'bpmn:MessageEventDefinition'
        ? 'message throw events are not supported by the embedded engine: publish messages from a job worker'
        : `${definition.$type.replace('bpmn:', '')} throw events are not supported by the embedded engine: a job worker throws business errors (BpmnError)`;
    default:
      return `${definition.$type.replace('bpmn:', '')} events are not supported by the embedded engine`;
  }
}

function readTimer(elementId: string, definition: ModdleElement, timers: Map<string, TimerSpec>): ModelProblem[] {
  for (const kind of ['timeDuration', 'timeDate', 'timeCycle'] as const) {
    const value = (definition[kind] as ModdleElement | undefined)?.body as string | undefined;
    if (value === undefined) continue;
    const problem = (message: string): ModelProblem[] => [{ elementId, rule: 'embedded-engine/timer', message }];
    if (kind === 'timeCycle' && isFeelExpression(value)) return problem('a timer cycle given by a FEEL expression is not supported by the embedded engine: write the cycle (R3/PT10M)');
    if (!isFeelExpression(value)) {
      try {
        checkTimerValue(kind, value);
      } catch (error) {
        if (error instanceof InvalidTimerValueError) return problem(error.message);
        throw error;
      }
    }
    timers.set(elementId, { kind, value });
    return [];
  }
  return [{ elementId, rule: 'embedded-engine/timer', message: 'the timer has no duration, date or cycle' }];
}

function checkMessageRef(element: ModdleElement, message: ModdleElement | undefined, messages: Map<string, MessageSpec>): ModelProblem[] {
  if (message && messages.has(message.id as string)) return [];
  return [
    {
      elementId: element.id as string,
      rule: 'embedded-engine/message',
      message: 'a message catch needs a bpmn:message with a name and a zeebe:subscription correlationKey',
    },
  ];
}

function readMessages(definitions: ModdleElement): Map<string, MessageSpec> {
  const messages = new Map<string, MessageSpec>();
  for (const element of (definitions.rootElements as ModdleElement[] | undefined) ?? []) {
    if (element.$type !== 'bpmn:Message') continue;
    const subscription = extension(element, 'zeebe:Subscription');
    const correlationKey = subscription?.correlationKey as string | undefined;
    if (typeof element.name === 'string' && correlationKey) messages.set(element.id as string, { name: element.name, correlationKey });
  }
  return messages;
}

function readJobTask(element: ModdleElement, taskDefinition: ModdleElement): JobTaskSpec {
  return {
    elementId: element.id as string,
    taskType: taskDefinition.type as string,
    retries: taskDefinition.retries as string | undefined,
    inputs: mappingsOf(element, 'inputParameters'),
    outputs: mappingsOf(element, 'outputParameters'),
  };
}

function mappingsOf(element: ModdleElement, parameters: 'inputParameters' | 'outputParameters'): VariableMapping[] {
  const ioMapping = extension(element, 'zeebe:IoMapping');
  const mappings = (ioMapping?.[parameters] as ModdleElement[] | undefined) ?? [];
  return mappings.map((mapping) => ({ source: (mapping.source as string | undefined) ?? '=null', target: mapping.target as string }));
}

