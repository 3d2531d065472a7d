import { createHash } from 'node:crypto';
import { checkDeployBounds } from '../engine-input';
import { executableProcesses, parseBpmn } from '../bpmn-parse';
import { lintModel, type ZeebeTarget } from '../lint';
import { type DeployedModel, type ModelProblem, ModelRejectedError, type ModelResource } from '../process-engine';
import { type CompiledModel, compileModel } from './compiled-model';
import type { ModelRow } from './instance-records';
import type { SqliteEngineStore } from './sqlite-engine-store';

interface PreparedModel {
  resourceName: string;
  xml: string;
  checksum: string;
  compiled: CompiledModel;
}

/**
 * Every deployed version of every process. New instances take the latest version; a running instance keeps
 * the version it started on, whose model stays here for as long as the file does. Compiled models are kept
 * once per version and shared by its instances.
 */
export class ModelCatalog {
  private readonly versions = new Map<string, ModelRow[]>();
  private readonly compiled = new Map<string, Promise<CompiledModel>>();
  /** Deploys run one at a time: two of them must not both take the next version of a process. */
  private deploying: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: SqliteEngineStore,
    private readonly lintTarget: ZeebeTarget,
  ) {
    for (const row of store.models()) this.add(row);
  }

  latest(bpmnProcessId: string): ModelRow | undefined {
    return this.versions.get(bpmnProcessId)?.at(-1);
  }

  all(): DeployedModel[] {
    return [...this.versions.values()].flat().map(toDeployedModel).sort((a, b) => a.bpmnProcessId.localeCompare(b.bpmnProcessId) || a.version - b.version);
  }

  /** The compiled model of one version (compiled again from its XML after a restart). */
  model(bpmnProcessId: string, version: number): Promise<CompiledModel> {
    const id = `${bpmnProcessId}@${version}`;
    let model = this.compiled.get(id);
    if (!model) {
      const row = this.versions.get(bpmnProcessId)?.find((candidate) => candidate.version === version);
      if (!row) return Promise.reject(new Error(`version ${version} of ${bpmnProcessId} is not in the engine's file`));
      model = prepare({ name: row.resourceName, xml: row.xml }, this.lintTarget, false).then((prepared) => prepared.compiled);
      this.compiled.set(id, model);
    }
    return model;
  }

  /** Checks every resource before deploying any: one bad file refuses the whole deploy. */
  deploy(resources: readonly ModelResource[], clockMs: () => number): Promise<DeployedModel[]> {
    const deployed = this.deploying.then(() => this.deployNow(resources, clockMs()));
    this.deploying = deployed.catch(() => undefined);
    return deployed;
  }

  private async deployNow(resources: readonly ModelResource[], nowMs: number): Promise<DeployedModel[]> {
    checkDeployBounds(resources);
    const prepared: PreparedModel[] = [];
    for (const resource of resources) prepared.push(await prepare(resource, this.lintTarget, true));
    const seen = new Map<string, string>();
    for (const model of prepared) {
      const other = seen.get(model.compiled.bpmnProcessId);
      if (other) throw rejected(model.resourceName, model.compiled.bpmnProcessId, `process ${model.compiled.bpmnProcessId} is also defined by ${other}`);
      seen.set(model.compiled.bpmnProcessId, model.resourceName);
    }
    const rows: ModelRow[] = [];
    const deployed: DeployedModel[] = [];
    for (const model of prepared) {
      const latest = this.latest(model.compiled.bpmnProcessId);
      if (latest?.checksum === model.checksum) {
        deployed.push(toDeployedModel(latest));
        continue;
      }
      const row: ModelRow = { bpmnProcessId: model.compiled.bpmnProcessId, version: (latest?.version ?? 0) + 1, resourceName: model.resourceName, checksum: model.checksum, xml: model.xml, deployedAtMs: nowMs };
      rows.push(row);
      deployed.push(toDeployedModel(row));
      this.compiled.set(`${row.bpmnProcessId}@${row.version}`, Promise.resolve(model.compiled));
    }
    this.store.insertModels(rows);
    for (const row of rows) this.add(row);
    return deployed;
  }

  private add(row: ModelRow): void {
    const versions = this.versions.get(row.bpmnProcessId) ?? [];
    versions.push(row);
    this.versions.set(row.bpmnProcessId, versions);
  }
}

async function prepare(resource: ModelResource, lintTarget: ZeebeTarget, lint: boolean): Promise<PreparedModel> {
  const parsed = await parseBpmn(resource.xml);
  if (!parsed.ok) throw new ModelRejectedError(resource.name, parsed.problems);
  if (lint) {
    // The linter parses its own copy: linting reads a model through moddle's get(), which adds empty collections
    // (`eventDefinitions: []`) to the elements it looks at, and the engine compiles the model as it was written.
    const report = await lintModel(resource.xml, lintTarget);
    if (report.errors.length > 0) throw new ModelRejectedError(resource.name, report.errors);
  }
  const processes = executableProcesses(parsed.context);
  if (processes.length !== 1) {
    const message = `the embedded engine runs one executable process per file; this one has ${processes.length}`;
    throw new ModelRejectedError(resource.name, [{ rule: 'embedded-engine/one-process', message, elementId: processes[1]?.id as string | undefined }]);
  }
  const compiled = compileModel(parsed.context, processes[0]);
  if (!compiled.ok) throw new ModelRejectedError(resource.name, compiled.problems);
  return { resourceName: resource.name, xml: resource.xml, checksum: createHash('sha256').update(resource.xml).digest('hex'), compiled: compiled.model };
}


function rejected(resourceName: string, elementId: string, message: string): ModelRejectedError {
  const problem: ModelProblem = { elementId, rule: 'embedded-engine/duplicate-process', message };
  return new ModelRejectedError(resourceName, [problem]);
}

function toDeployedModel(row: ModelRow): DeployedModel {
  return { bpmnProcessId: row.bpmnProcessId, version: row.version, resourceName: row.resourceName, deployedAt: new Date(row.deployedAtMs) };
}
