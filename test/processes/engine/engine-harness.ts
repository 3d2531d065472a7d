import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedProcessEngine, type EmbeddedEngineOptions, type InstanceState, type InstanceView, ModelRejectedError, type ModelResource } from '../../../src/processes/engine';

export const FIXTURES_DIR = join(process.cwd(), 'test', 'processes', 'engine', 'fixtures');

export function fixture(file: string): ModelResource {
  return { name: file, xml: readFileSync(join(FIXTURES_DIR, file), 'utf8') };
}

/** A clock the test moves itself: timers and back-offs fire only when it says so. */
export class FakeClock {
  constructor(public nowMs = Date.UTC(2026, 0, 5, 9, 0, 0)) {}
  readonly read = (): number => this.nowMs;
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

/** A promise and its resolve function, to hold a job handler until the test lets it go. */
export class Deferred<T = void> {
  resolve!: (value: T) => void;
  reject!: (error: Error) => void;
  readonly promise = new Promise<T>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });
}

/** An engine on a file of its own in a temporary directory, with a fake clock and its log lines kept. */
export class EngineHarness {
  readonly clock = new FakeClock();
  readonly logLines: string[] = [];
  readonly path: string;
  private readonly dir: string;
  private engines: EmbeddedProcessEngine[] = [];

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'ifw-engine-'));
    this.path = join(this.dir, 'processes.db');
  }

  /** Opens an engine on the harness's file; several in turn simulate restarts. */
  async open(options: Partial<EmbeddedEngineOptions> = {}): Promise<EmbeddedProcessEngine> {
    const log = { log: (line: string) => this.logLines.push(line), warn: (line: string) => this.logLines.push(line) };
    const engine = await EmbeddedProcessEngine.open({ path: this.path, clock: this.clock.read, log, ...options });
    this.engines.push(engine);
    return engine;
  }

  async dispose(): Promise<void> {
    for (const engine of this.engines) await engine.close();
    this.engines = [];
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The instance once the engine has settled, which must exist. */
export async function settledInstance(engine: EmbeddedProcessEngine, instanceId: string): Promise<InstanceView> {
  await engine.whenSettled();
  const view = await engine.instance(instanceId);
  if (!view) throw new Error(`no instance ${instanceId}`);
  return view;
}

export async function expectState(engine: EmbeddedProcessEngine, instanceId: string, state: InstanceState): Promise<InstanceView> {
  const view = await settledInstance(engine, instanceId);
  if (view.state !== state) throw new Error(`instance ${instanceId} is ${view.state}, not ${state}: ${JSON.stringify(view, null, 2)}`);
  return view;
}

export function visited(view: InstanceView): string[] {
  return view.history.map((entry) => entry.elementId);
}

/** The ModelRejectedError a deploy must fail with. */
export async function rejection(deploy: Promise<unknown>): Promise<ModelRejectedError> {
  const error = await deploy.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(ModelRejectedError);
  return error as ModelRejectedError;
}
