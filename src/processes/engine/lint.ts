import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ModelProblem } from './process-engine';

/** The Camunda 8 releases whose rule sets bpmnlint-plugin-camunda-compat 2.61 ships and this project may target. */
export type ZeebeTarget = '8.5' | '8.6' | '8.7' | '8.8';

/**
 * 8.5 by default: the last release under the Zeebe Community License (8.6+ needs a Camunda license in
 * production), and a model valid for 8.5 stays valid for the later releases.
 */
export const DEFAULT_ZEEBE_TARGET: ZeebeTarget = '8.5';

export interface LintReport {
  /** Problems that keep a model from being deployed. */
  errors: ModelProblem[];
  /** Modelling advice (bpmnlint's `warn` rules); a model with warnings deploys. */
  warnings: ModelProblem[];
}

/** A lint that takes longer than this has hung: the worker is replaced and the deploy refused. */
const LINT_TIMEOUT_MS = 30_000;
/** The worker stops after this long without work (it holds bpmnlint's rules, tens of megabytes). */
const LINT_WORKER_IDLE_MS = 10_000;

/**
 * bpmnlint's recommended rules (what Camunda Modeler checks: every element labelled and drawn, no implicit
 * splits or ends, ...) plus camunda-compat's rules for the target release, which know Zeebe's extension
 * elements (a service task needs a zeebe:taskDefinition, a message catch a correlation key, FEEL must parse).
 */
function lintConfig(target: ZeebeTarget) {
  return { extends: ['bpmnlint:recommended', `plugin:camunda-compat/camunda-cloud-${target.replace('.', '-')}`] };
}

/**
 * The linter runs in a worker thread, for three reasons. bpmnlint is CommonJS that require()s ES-module-only
 * packages (min-dash): Node 20.19+ loads them, jest's module system does not, and a worker thread has Node's
 * own loader whatever runs the engine. Linting a large model takes a while and stays off the event loop the
 * HTTP API shares. And a linter per model: bpmnlint keeps rule instances per linter and some rules
 * (no-duplicate-sequence-flows) remember the elements they saw, so a shared one reports one model's flows as
 * duplicates of another's.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const load = require('node:module').createRequire(workerData.anchor);
const { Linter } = load('bpmnlint');
const NodeResolver = load('bpmnlint/lib/resolver/node-resolver');
const { BpmnModdle } = load('bpmn-moddle');
const zeebe = load('zeebe-bpmn-moddle/resources/zeebe.json');
parentPort.on('message', async ({ id, xml, config }) => {
  try {
    const { rootElement } = await new BpmnModdle({ zeebe }).fromXML(xml);
    const linter = new Linter({ config, resolver: new NodeResolver({ require: load }) });
    parentPort.postMessage({ id, results: await linter.lint(rootElement) });
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});
`;

interface LintResult {
  id?: string;
  message: string;
  category: 'error' | 'warn' | 'info' | 'rule-error';
}

type WorkerReply = { id: number; results: Record<string, LintResult[]> } | { id: number; error: string };

interface PendingLint {
  resolve(results: Record<string, LintResult[]>): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

class LintWorker {
  private worker?: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, PendingLint>();
  private idleTimer?: NodeJS.Timeout;

  lint(xml: string, target: ZeebeTarget): Promise<Record<string, LintResult[]>> {
    const worker = this.running();
    const id = this.nextId++;
    clearTimeout(this.idleTimer);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Error(`bpmnlint did not answer within ${LINT_TIMEOUT_MS} ms`)), LINT_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      worker.postMessage({ id, xml, config: lintConfig(target) });
    });
  }

  private running(): Worker {
    if (this.worker) return this.worker;
    // Resolved from the project (dist/ or, under jest, the working directory of `npm test`), as package-require.ts does.
    const anchor = typeof __filename === 'string' ? __filename : join(process.cwd(), 'package.json');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { anchor } });
    worker.on('message', (reply: WorkerReply) => this.answer(reply));
    worker.on('error', (error) => this.worker === worker && this.fail(error));
    worker.on('exit', (code) => this.worker === worker && this.fail(new Error(`the lint worker exited with code ${code}`)));
    // After the listeners, which ref the worker's port again: an idle linter never keeps the process alive.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private answer(reply: WorkerReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    clearTimeout(pending.timer);
    if ('error' in reply) pending.reject(new Error(reply.error));
    else pending.resolve(reply.results);
    if (this.pending.size === 0) this.stopWhenIdle();
  }

  /** The worker is gone or hung: everything waiting fails, and the next lint starts a new one. */
  private fail(error: Error): void {
    const worker = this.worker;
    this.worker = undefined;
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.pending.clear();
    void worker?.terminate();
  }

  private stopWhenIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.pending.size > 0) return;
      const worker = this.worker;
      this.worker = undefined;
      void worker?.terminate();
    }, LINT_WORKER_IDLE_MS);
    this.idleTimer.unref();
  }
}

const lintWorker = new LintWorker();

/**
 * Lints one BPMN file in the Zeebe dialect through bpmnlint's API. A file that does not even parse is
 * reported by parseBpmn (bpmn-parse.ts), which deploy runs first.
 */
export async function lintModel(xml: string, target: ZeebeTarget = DEFAULT_ZEEBE_TARGET): Promise<LintReport> {
  const results = await lintWorker.lint(xml, target);
  const report: LintReport = { errors: [], warnings: [] };
  for (const [rule, reports] of Object.entries(results)) {
    for (const result of reports) {
      const problem: ModelProblem = { ...(result.id !== undefined && { elementId: result.id }), rule, message: result.message };
      if (result.category === 'error' || result.category === 'rule-error') report.errors.push(problem);
      else if (result.category === 'warn') report.warnings.push(problem);
    }
  }
  return report;
}
