import { BpmnModdle } from 'bpmn-moddle';
import type { ModdleContext, ModdleElement } from './moddle-types';
import type { ModelProblem } from './process-engine';
import { packageRequire } from './package-require';

/** The Zeebe extension schema (zeebe:taskDefinition, zeebe:ioMapping, zeebe:subscription, ...). */
const zeebeSchema: Record<string, unknown> = packageRequire('zeebe-bpmn-moddle/resources/zeebe.json');

export type ParsedModel = { ok: true; context: ModdleContext } | { ok: false; problems: ModelProblem[] };

/**
 * Reads a BPMN file in the Zeebe dialect. Malformed XML, an unknown element or attribute of the BPMN schema
 * and a reference to an id that does not exist are all problems; moddle only warns about the last two and
 * would otherwise hand the engine a model with holes in it.
 */
export async function parseBpmn(xml: string): Promise<ParsedModel> {
  let context: ModdleContext;
  try {
    context = (await new BpmnModdle({ zeebe: zeebeSchema }).fromXML(xml)) as ModdleContext;
  } catch (error) {
    return { ok: false, problems: [malformedXmlProblem(xml, error as Error)] };
  }
  const problems = context.warnings.map((warning) => ({
    elementId: warning.element?.id ?? elementIdNear(xml, warningOffset(warning.message, xml)),
    rule: 'parse',
    message: firstLine(warning.message),
  }));
  if (problems.length > 0) return { ok: false, problems };
  if (!context.rootElement.$instanceOf('bpmn:Definitions')) {
    return { ok: false, problems: [{ rule: 'parse', message: `the root element is ${context.rootElement.$type}, not bpmn:definitions` }] };
  }
  return { ok: true, context };
}

/** The processes a model defines with isExecutable="true". */
export function executableProcesses(context: ModdleContext): ModdleElement[] {
  const rootElements = (context.rootElement.rootElements as ModdleElement[] | undefined) ?? [];
  return rootElements.filter((element) => element.$instanceOf('bpmn:Process') && element.isExecutable === true);
}

/** The zeebe (or other) extension element of a type on a BPMN element. */
export function extension(element: ModdleElement, type: string): ModdleElement | undefined {
  const values = ((element.extensionElements as ModdleElement | undefined)?.values as ModdleElement[] | undefined) ?? [];
  return values.find((value) => value.$type === type);
}

/** Every flow node in the process and its sub-processes, with the scope (process or sub-process) it sits in. */
export function* flowElementsOf(container: ModdleElement, scope: ModdleElement): Generator<{ element: ModdleElement; scope: ModdleElement }> {
  for (const element of (container.flowElements as ModdleElement[] | undefined) ?? []) {
    if (element.$type === 'bpmn:SequenceFlow') continue;
    yield { element, scope };
    if (element.$type === 'bpmn:SubProcess' || element.$type === 'bpmn:Transaction') yield* flowElementsOf(element, element);
  }
}

/** The task types of a process's jobs: what workers must serve for its instances to complete. */
export function jobTaskTypes(process: ModdleElement): string[] {
  const types: string[] = [];
  for (const { element } of flowElementsOf(process, process)) {
    const type = extension(element, 'zeebe:TaskDefinition')?.type;
    if (typeof type === 'string') types.push(type);
  }
  return types;
}

function malformedXmlProblem(xml: string, error: Error): ModelProblem {
  const offset = warningOffset(error.message, xml);
  return { elementId: elementIdNear(xml, offset), rule: 'parse', message: error.message.replace(/\s+/g, ' ').trim() };
}

/** The character offset of the `line: N` / `column: M` moddle puts in its messages. */
function warningOffset(message: string, xml: string): number | undefined {
  const line = /line: (\d+)/.exec(message);
  const column = /column: (\d+)/.exec(message);
  if (!line) return undefined;
  const lines = xml.split('\n');
  const before = lines.slice(0, Number(line[1]) - 1).reduce((sum, text) => sum + text.length + 1, 0);
  return before + (column ? Number(column[1]) : 0);
}

/** The id of the last element opened before `offset`: malformed XML has no element, but the author wants to know where to look. */
function elementIdNear(xml: string, offset: number | undefined): string | undefined {
  if (offset === undefined) return undefined;
  const ids = [...xml.slice(0, offset).matchAll(/<[\w:-]+\s[^>]*?\bid="([^"]+)"/g)];
  return ids.at(-1)?.[1];
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}
