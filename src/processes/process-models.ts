import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelResource } from './engine';

/** The BPMN models the product deploys at start, in src/processes (editable in Camunda Modeler). */
export const PROCESS_MODEL_FILES = ['fund-switch.bpmn'] as const;

/**
 * The models as files: read from src/processes both when running from src/ and from dist/ (the build does
 * not copy them, so one copy is edited and deployed). Under jest's ES modules there is no __dirname, and the
 * working directory of `npm test` is the project.
 */
export function processModels(): ModelResource[] {
  const dir = typeof __dirname === 'string' ? join(__dirname, '..', '..', 'src', 'processes') : join(process.cwd(), 'src', 'processes');
  return PROCESS_MODEL_FILES.map((name) => ({ name, xml: readFileSync(join(dir, name), 'utf8') }));
}
