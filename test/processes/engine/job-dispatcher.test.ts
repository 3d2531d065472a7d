import type { Job } from '../../../src/processes/engine';
import { type DispatchHost, JobDispatcher } from '../../../src/processes/engine/embedded/job-dispatcher';

/** Jobs waiting per task type, handed out oldest first, as the engine's file does. */
class WaitingJobs implements DispatchHost {
  private readonly waiting = new Map<string, Job[]>();
  readonly succeeded: string[] = [];

  add(taskType: string, count: number): void {
    const jobs = this.waiting.get(taskType) ?? [];
    for (let i = 0; i < count; i++) jobs.push({ key: `${taskType}-${jobs.length}`, type: taskType } as Job);
    this.waiting.set(taskType, jobs);
  }

  clockMs(): number {
    return 0;
  }

  activatableJobs(taskType: string, limit: number, running: ReadonlySet<string>): Job[] {
    return (this.waiting.get(taskType) ?? []).filter((job) => !running.has(job.key)).slice(0, limit);
  }

  jobSucceeded(job: Job): void {
    this.succeeded.push(job.key);
    const jobs = this.waiting.get(job.type)!;
    jobs.splice(jobs.indexOf(job), 1);
  }

  jobFailed(): void {}
}

describe('the job dispatcher', () => {
  it('gives a freed slot to every worker in turn, so a busy worker registered first starves none after it', async () => {
    const host = new WaitingJobs();
    const dispatcher = new JobDispatcher(host, 2);
    host.add('switch.redeem', 200);
    host.add('switch.buy', 200);
    host.add('close.finish', 1);
    for (const taskType of ['switch.redeem', 'switch.buy', 'close.finish']) dispatcher.register(taskType, async () => ({}), { maxConcurrentJobs: 2 });
    await dispatcher.whenIdle();
    expect(host.succeeded).toHaveLength(401);
    // Two slots for three busy workers: the close's one job is done within a few rounds, not after the 400.
    expect(host.succeeded.indexOf('close.finish-0')).toBeLessThan(10);
  });
});
