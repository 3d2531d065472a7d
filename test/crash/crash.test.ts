import { runCrashScenario } from './crash-scenario';

/**
 * The crash test (docs/crash-test.md): `ifw serve` under 32 clients sending every kind of command, each with an
 * Idempotency-Key, SIGKILLed five times at moments drawn from the seed (one inside a day close, one inside a
 * fund switch) and started again on its data; then every answered command is in the log once, nothing took
 * effect twice, the audit verifies, the read models equal a rebuild, the books balance and every process
 * completed. Both store modes run at once: most of a round is the restarted server waiting out the dead one's
 * leases, which costs no CPU.
 */
const SEED = Number(process.env.IFW_CRASH_SEED ?? 20260105);
/** Both modes together on two shared cores, with room: the brief's bound is 3 minutes. */
const TIMEOUT_MS = 170_000;

describe('ifw serve killed with SIGKILL under load', () => {
  it.concurrent.each([
    ['default', ''],
    ['single-stream', '?multiStreamAppend=false'],
  ])(
    'loses no answered command and applies none twice, on the %s store',
    async (name, storeOptions) => {
      const startedMs = Date.now();
      const say = (line: string) => process.stdout.write(`[crash ${name} ${((Date.now() - startedMs) / 1000).toFixed(1)} s] ${line}\n`);
      const outcome = await runCrashScenario(name, storeOptions, SEED, say);
      const lines = [
        `crash test on the ${name} store, seed ${SEED}: ${outcome.requests} requests in ${(outcome.elapsedMs / 1000).toFixed(1)} s`,
        ...outcome.killPoints.map((p) => `  round ${p.round} (${p.kind}): killed ${p.plan}; log at ${p.position}; ${p.landed}`),
        ...outcome.verified.map((line) => `  verified: ${line}`),
        ...outcome.violations.slice(0, 40).map((line) => `  VIOLATION: ${line}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
      expect(outcome.violations).toEqual([]);
    },
    TIMEOUT_MS,
  );
});
