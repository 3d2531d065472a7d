import { checkDeployBounds } from '../engine-input';
import { executableProcesses, parseBpmn } from '../bpmn-parse';
import { lintModel, type ZeebeTarget } from '../lint';
import { ModelRejectedError, type ModelResource } from '../process-engine';

/**
 * Checks a deploy before it goes to Zeebe, with the same parser and linter as the embedded engine, so that a
 * model is refused with the same ModelRejectedError (file, element, rule) whichever engine runs it. Zeebe
 * would refuse some of these itself, but in words of its own and only after a round trip; bpmnlint also
 * refuses what Zeebe would accept and run wrongly (an implicit split, a task with no task definition).
 * Unlike the embedded engine, nothing is refused for being beyond the embedded engine's subset: Zeebe runs
 * script tasks, sub-processes, parallel gateways, several processes per file and the rest of its dialect.
 */
export async function checkModelsForZeebe(resources: readonly ModelResource[], lintTarget: ZeebeTarget): Promise<void> {
  checkDeployBounds(resources);
  const definedBy = new Map<string, string>();
  for (const resource of resources) {
    const parsed = await parseBpmn(resource.xml);
    if (!parsed.ok) throw new ModelRejectedError(resource.name, parsed.problems);
    const report = await lintModel(resource.xml, lintTarget);
    if (report.errors.length > 0) throw new ModelRejectedError(resource.name, report.errors);
    for (const process of executableProcesses(parsed.context)) {
      const id = String(process.id);
      const other = definedBy.get(id);
      if (other !== undefined) {
        throw new ModelRejectedError(resource.name, [{ elementId: id, rule: 'zeebe/duplicate-process', message: `process ${id} is also defined by ${other}` }]);
      }
      definedBy.set(id, resource.name);
    }
  }
}

