import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { type ModelResource, type ProcessEngine, parseBpmn } from '../../processes/engine';
import { executableProcesses, jobTaskTypes } from '../../processes/engine/bpmn-parse';
import { FUND_SWITCH_PROCESS, FUND_SWITCH_TASK_TYPES } from './fund-switch-workers';
import { MERCHANT_WITHDRAWAL_PROCESS, MERCHANT_WITHDRAWAL_TASK_TYPES } from './merchant-withdrawal-workers';
import { PAYMENT_PROCESS, PAYMENT_TASK_TYPES } from './payment-workers';
import { DAY_CLOSE_PROCESS, DAY_CLOSE_TASK_TYPES } from './day-close-steps';
import type { ReadStore } from '../../projections/read-store';

/** The BPMN models the product deploys at start, in src/api/processes (editable in Camunda Modeler). */
export const PROCESS_MODEL_FILES = ['fund-switch.bpmn', 'merchant-withdrawal.bpmn', 'payment.bpmn', 'day-close.bpmn'] as const;

/**
 * The models as files: read from src/api/processes both when running from src/ and from dist/ (the build does
 * not copy them, so one copy is edited and deployed). Under jest's ES modules there is no __dirname, and the
 * working directory of `npm test` is the project.
 */
export function processModels(): ModelResource[] {
  const dir = typeof __dirname === 'string' ? join(__dirname, '..', '..', '..', 'src', 'api', 'processes') : join(process.cwd(), 'src', 'api', 'processes');
  return PROCESS_MODEL_FILES.map((name) => ({ name, xml: readFileSync(join(dir, name), 'utf8') }));
}

/** The processes the product runs, each with the task types its workers serve: a model deployed for it may use no other. */
export const PRODUCT_PROCESSES: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  [FUND_SWITCH_PROCESS, FUND_SWITCH_TASK_TYPES],
  [MERCHANT_WITHDRAWAL_PROCESS, MERCHANT_WITHDRAWAL_TASK_TYPES],
  [PAYMENT_PROCESS, PAYMENT_TASK_TYPES],
  [DAY_CLOSE_PROCESS, DAY_CLOSE_TASK_TYPES],
]);

const FILE_DEPLOYED_PREFIX = 'process:model-file:';

/**
 * Deploys the model files at start, each only when the file changed since it was last deployed at a start
 * (or the engine has no version of its process): a version an operator deployed since (POST /processes/models)
 * stays the one new instances use across restarts, until a release changes the file.
 */
export async function deployModelFiles(engine: ProcessEngine, readStore: ReadStore): Promise<void> {
  const deployedProcesses = new Set((await engine.models()).map((model) => model.bpmnProcessId));
  for (const model of processModels()) {
    const checksum = createHash('sha256').update(model.xml).digest('hex');
    const record = await readStore.getRecord(`${FILE_DEPLOYED_PREFIX}${model.name}`);
    const deployedBefore = (await processesOf(model.xml))?.every(({ processId }) => deployedProcesses.has(processId)) ?? false;
    if (record?.checksum === checksum && deployedBefore) continue;
    await engine.deploy([model]);
    await readStore.setRecord(`${FILE_DEPLOYED_PREFIX}${model.name}`, { checksum });
  }
}

/**
 * The executable processes a model defines, each with the task types of its jobs; undefined when the XML does
 * not parse, which the engine's deploy then refuses naming the file and the element.
 */
export async function processesOf(xml: string): Promise<{ processId: string; taskTypes: string[] }[] | undefined> {
  const parsed = await parseBpmn(xml);
  if (!parsed.ok) return undefined;
  return executableProcesses(parsed.context).map((process) => ({ processId: String(process.id), taskTypes: jobTaskTypes(process) }));
}
