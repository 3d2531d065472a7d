import { join } from 'node:path';
import { type ChildServer, startChild, stopChild } from '../child-server';

/** The built command line: jest's pretest builds dist/ (npm test), and jest runs from the repository's root. */
export const MAIN_JS = join(process.cwd(), 'dist', 'cli', 'main.js');

export const OPERATOR_KEY = 'crash-test-operator-key-0001';
export const AUDITOR_KEY = 'crash-test-auditor-key-00001';

/** The environment of every `ifw` the crash test runs on one data folder: the store mode, the staff keys, the first day. */
export function crashEnv(dir: string, storeOptions: string): NodeJS.ProcessEnv {
  return {
    IFW_EVENTSTORE_URL: `sqlite:${join(dir, 'ifw.db')}${storeOptions}`,
    // Inherited settings of other stores must not leak into the child: the embedded defaults under DIR.
    IFW_READSTORE_URL: '',
    IFW_PROCESS_ENGINE_URL: '',
    IFW_API_KEYS: `${OPERATOR_KEY}=operator,${AUDITOR_KEY}=auditor`,
    IFW_START_DATE: '2026-01-05',
  };
}

/**
 * `ifw serve` on one data folder, killed and started again by the test. Clients wait on `whenUp()` while it is
 * down, so a request cut off by a kill is sent again to the next server, never to nothing.
 */
export class ServerUnderTest {
  private child: ChildServer | undefined;
  /** The latest child, dead or alive, for its stderr. */
  private latest: ChildServer | undefined;
  private up: Deferred;
  /** Raised by every kill: a client whose request failed in a generation knows whether the server went away under it. */
  generation = 0;
  private readonly unexpectedExits: string[] = [];

  constructor(
    private readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.up = pending();
  }

  async start(): Promise<void> {
    const child = await startChild([MAIN_JS, 'serve', '--data', this.dir, '--port', '0', '--json'], this.env, 'ifw serve');
    const generation = this.generation;
    void child.exited.then((code) => {
      if (this.generation === generation && this.child === child) this.unexpectedExits.push(`ifw serve exited by itself with status ${code}:\n${child.stderrTail.join('\n')}`);
    });
    this.child = child;
    this.latest = child;
    this.up.resolve(child.url);
  }

  whenUp(): Promise<string> {
    return this.up.promise;
  }

  /** The server as of now, for a request sent at once; undefined while it is down. */
  get url(): string | undefined {
    return this.child?.url;
  }

  /** SIGKILL, marked down first so that the requests it cuts off wait for the next start. */
  async kill(): Promise<void> {
    const child = this.child!;
    this.child = undefined;
    this.generation += 1;
    this.up = pending();
    child.child.kill('SIGKILL');
    await child.exited;
  }

  /**
   * SIGTERM and its orderly close (SIGKILL past stopChild's bound), for good: a request still waiting for the
   * server is refused from now on.
   */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.generation += 1;
    const stopped = new Error('the crash test stopped the server');
    // Requests waiting for a restart are refused, and so is every one sent from now on.
    if (!this.up.settled) this.up.reject(stopped);
    this.up = pending();
    this.up.reject(stopped);
    if (child) await stopChild(child);
  }

  /** Exits no kill of the test caused: a crash of the product itself. */
  crashes(): readonly string[] {
    return this.unexpectedExits;
  }

  stderrTail(): readonly string[] {
    return this.latest?.stderrTail ?? [];
  }
}

interface Deferred {
  promise: Promise<string>;
  settled: boolean;
  resolve(url: string): void;
  reject(error: Error): void;
}

function pending(): Deferred {
  const deferred = { settled: false } as Deferred;
  deferred.promise = new Promise<string>((resolve, reject) => {
    deferred.resolve = (url) => {
      deferred.settled = true;
      resolve(url);
    };
    deferred.reject = (error) => {
      deferred.settled = true;
      reject(error);
    };
  });
  // A server stopped for good with no request waiting for it is no unhandled rejection.
  deferred.promise.catch(() => undefined);
  return deferred;
}
