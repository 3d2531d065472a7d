/**
 * A process that runs the embedded engine until the test kills it with SIGKILL (see persistence.test.ts):
 * `node --import tsx crashing-engine.ts FILE MODE NOW_MS`. It says on stdout when it reached the point to die at.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddedProcessEngine } from '../../../src/processes/engine';

const [path, mode, nowMs] = process.argv.slice(2);
const fixture = (file: string) => ({ name: file, xml: readFileSync(join(__dirname, 'fixtures', file), 'utf8') });

async function main(): Promise<void> {
  const engine = await EmbeddedProcessEngine.open({ path, clock: () => Number(nowMs), log: { log: () => undefined, warn: () => undefined } });
  await engine.deploy([fixture('two-step-payment.bpmn'), fixture('fund-switch.bpmn')]);
  if (mode === 'job-in-flight') {
    // The handler never answers: the process dies with the job handed out and not completed.
    engine.registerWorker('reserve-funds', (job) => {
      process.stdout.write(`JOB ${job.key} ${job.instanceId}\n`);
      return new Promise(() => undefined);
    });
    await engine.startInstance('two-step-payment', { amount: '42.00' }, { businessKey: 'crash-1' });
  } else {
    const { instanceId } = await engine.startInstance('fund-switch', { switchId: 'SW-CRASH' });
    await engine.whenSettled();
    process.stdout.write(`WAITING ${instanceId}\n`);
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
