import * as Elements from 'bpmn-elements';
import type { ModdleContext, ModdleElement } from '../moddle-types';
import { extension, flowElementsOf } from '../bpmn-parse';
import serializeModdleContext, { type SerializableContext, TypeResolver } from 'moddle-context-serializer';
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

interface ErrorCatcher {
  /** The element whose errors it catches: a task, a sub-process, or (for an event sub-process) the scope it sits in. */
  scopeId: string;
  /** Absent: it catches every error code. */
  errorCode?: string;
}

/** What the embedded engine reads from a Zeebe model besides what bpmn-engine runs itself. */
export interface CompiledModel {
  bpmnProcessId: string;
  /** The BPMN type of every flow node, by id (bpmn-engine's events sometimes carry an event definition's type instead). */
  elementTypes: ReadonlyMap<string, string>;
  /** The model as bpmn-engine loads it, shared read-only by every instance of this version. */
  sourceContext: SerializableContext;
  jobTasks: ReadonlyMap<string, JobTaskSpec>;
  /** Output mappings of message catch events and receive tasks, by element id. */
  catchOutputs: ReadonlyMap<string, VariableMapping[]>;
  /** By bpmn:message id. */
  messages: ReadonlyMap<string, MessageSpec>;
  /** By the id of the event that has the timer. */
  timers: ReadonlyMap<string, TimerSpec>;
  /** Whether an error boundary event or error event sub-process around `elementId` catches `code`. */
  catchesError(elementId: string, code: string): boolean;
}

export type CompileResult = { ok: true; model: CompiledModel } | { ok: false; problems: ModelProblem[] };

/**
 * bpmn-engine computes due times from the wall clock; the embedded engine computes them from its injected
 * clock instead (see ClockTimers). Every duration and date timer is handed to bpmn-engine as this placeholder,
 * so that it always arms a timer for the engine's clock to decide, and never fires one itself.
 */
const PLACEHOLDER_DURATION = 'PT1H';

/**
 * Reads the parts of an executable Zeebe process that bpmn-engine does not understand, and refuses what the
 * embedded engine cannot run faithfully (rather than run it wrongly). Mutates the timers of `context` (see
 * PLACEHOLDER_DURATION): compile a context once, after linting it.
 */
export function compileModel(context: ModdleContext, process: ModdleElement): CompileResult {
  const problems: ModelProblem[] = [];
  const jobTasks = new Map<string, JobTaskSpec>();
  const catchOutputs = new Map<string, VariableMapping[]>();
  const timers = new Map<string, TimerSpec>();
  const catchers: ErrorCatcher[] = [];
  const messages = readMessages(context.rootElement);
  const parents = new Map<string, string>();
  const elementTypes = new Map<string, string>();
  for (const { element, scope } of flowElementsOf(process, process)) {
    parents.set(element.id as string, (scope.id as string) ?? '');
    elementTypes.set(element.id as string, element.$type);
    const found = readElement(element, scope, messages, { jobTasks, catchOutputs, timers, catchers });
    problems.push(...found);
  }
  if (problems.length > 0) return { ok: false, problems };
  const sourceContext = serializeModdleContext(context as never, TypeResolver(Elements as Record<string, unknown>));
  const catchesError = (elementId: string, code: string): boolean => {
    for (let scopeId: string | undefined = elementId; scopeId; scopeId = parents.get(scopeId)) {
      if (catchers.some((catcher) => catcher.scopeId === scopeId && (catcher.errorCode === undefined || catcher.errorCode === code))) return true;
    }
    return false;
  };
  return { ok: true, model: { bpmnProcessId: process.id as string, elementTypes, sourceContext, jobTasks, catchOutputs, messages, timers, catchesError } };
}

interface Collected {
  jobTasks: Map<string, JobTaskSpec>;
  catchOutputs: Map<string, VariableMapping[]>;
  timers: Map<string, TimerSpec>;
  catchers: ErrorCatcher[];
}

const UNSUPPORTED_TYPES: Record<string, string> = {
  'bpmn:CallActivity': 'call activities are not supported by the embedded engine: model the called process inline or as a sub-process',
  'bpmn:UserTask': 'user tasks are not supported by the embedded engine',
  'bpmn:ScriptTask': 'script tasks are not supported by the embedded engine: use a service task and a job worker',
};

const JOB_TASK_TYPES = new Set(['bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:BusinessRuleTask']);

function readElement(element: ModdleElement, scope: ModdleElement, messages: Map<string, MessageSpec>, collected: Collected): ModelProblem[] {
  const id = element.id as string;
  const unsupported = (message: string): ModelProblem[] => [{ elementId: id, rule: 'embedded-engine/unsupported', message }];
  if (UNSUPPORTED_TYPES[element.$type]) return unsupported(UNSUPPORTED_TYPES[element.$type]);
  if (element.loopCharacteristics) return unsupported('multi-instance and loop activities are not supported by the embedded engine');
  const definitions = (element.eventDefinitions as ModdleElement[] | undefined) ?? [];
  if (element.$type === 'bpmn:StartEvent' && definitions.length > 0 && !isEventSubProcess(scope)) {
    return unsupported('a start event with an event definition (message, timer, signal) is not supported by the embedded engine: start instances with startInstance');
  }
  const problems: ModelProblem[] = [];
  if (JOB_TASK_TYPES.has(element.$type)) {
    const taskDefinition = extension(element, 'zeebe:TaskDefinition');
    if (taskDefinition) collected.jobTasks.set(id, readJobTask(element, taskDefinition));
    // Without a task definition camunda-compat's lint refuses the model before it gets here.
  }
  for (const definition of definitions) {
    problems.push(...readEventDefinition(element, scope, definition, messages, collected));
  }
  if (element.$type === 'bpmn:ReceiveTask') problems.push(...checkMessageRef(element, element.messageRef as ModdleElement | undefined, messages));
  if (element.$type === 'bpmn:ReceiveTask' || definitions.some((d) => d.$type === 'bpmn:MessageEventDefinition')) {
    const outputs = mappingsOf(element, 'outputParameters');
    if (outputs.length > 0) collected.catchOutputs.set(id, outputs);
  }
  return problems;
}

function readEventDefinition(
  element: ModdleElement,
  scope: ModdleElement,
  definition: ModdleElement,
  messages: Map<string, MessageSpec>,
  collected: Collected,
): ModelProblem[] {
  const id = element.id as string;
  switch (definition.$type) {
    case 'bpmn:TimerEventDefinition':
      return readTimer(id, definition, collected.timers);
    case 'bpmn:MessageEventDefinition':
      return element.$type === 'bpmn:EndEvent' || element.$type === 'bpmn:IntermediateThrowEvent'
        ? [{ elementId: id, rule: 'embedded-engine/unsupported', message: 'message throw events are not supported by the embedded engine: publish messages from a job worker' }]
        : checkMessageRef(element, definition.messageRef as ModdleElement | undefined, messages);
    case 'bpmn:ErrorEventDefinition': {
      const errorCode = (definition.errorRef as ModdleElement | undefined)?.errorCode as string | undefined;
      if (element.$type === 'bpmn:BoundaryEvent') collected.catchers.push({ scopeId: (element.attachedToRef as ModdleElement).id as string, errorCode });
      else if (element.$type === 'bpmn:StartEvent') collected.catchers.push({ scopeId: parentScopeId(scope), errorCode });
      return [];
    }
    default:
      return [];
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
    if (kind !== 'timeCycle') {
      delete definition.timeDate;
      definition.timeDuration = { $type: 'bpmn:FormalExpression', body: PLACEHOLDER_DURATION };
    }
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


function isEventSubProcess(scope: ModdleElement): boolean {
  return scope.$type === 'bpmn:SubProcess' && scope.triggeredByEvent === true;
}

/** An event sub-process catches the errors of the scope around it. */
function parentScopeId(eventSubProcess: ModdleElement): string {
  return (eventSubProcess.$parent?.id as string | undefined) ?? (eventSubProcess.id as string);
}
