import highsLoader, { type Highs } from 'highs';

/**
 * HiGHS (wasm) is instantiated once per process and reused: loading the module costs ~40 ms, one small
 * IIMMF solve ~0.1 ms. The promise is cached so concurrent first callers share one instance.
 */
let runtime: Promise<Highs> | undefined;

export function loadHighs(): Promise<Highs> {
  if (!runtime) {
    runtime = highsLoader().catch((error: unknown) => {
      runtime = undefined; // let a later caller try again rather than caching a failed load
      throw error;
    });
  }
  return runtime;
}
