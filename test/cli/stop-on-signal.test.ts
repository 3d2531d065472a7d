import { jest } from '@jest/globals';
import { runUntilSignal } from '../../src/cli/stop-on-signal';

describe('runUntilSignal', () => {
  let lines: string[];
  beforeEach(() => {
    lines = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  });
  afterEach(() => jest.restoreAllMocks());

  it('says which signal came, stops, and says how long the stop took', async () => {
    const running = runUntilSignal('ifw test', async () => undefined, { json: true });
    process.emit('SIGTERM');
    expect(await running).toBe(0);
    expect(lines.map((line) => JSON.parse(line))).toEqual([{ event: 'stopping', signal: 'SIGTERM' }, { event: 'stopped', signal: 'SIGTERM', tookMs: expect.any(Number) }]);
  });

  it('ends the process with a failure when the stop hangs, since what hangs keeps it alive', async () => {
    const exited = new Promise<unknown>((resolve) => jest.spyOn(process, 'exit').mockImplementation(((code: unknown) => resolve(code)) as () => never));
    void runUntilSignal('ifw test', () => new Promise(() => undefined), { json: false, timeoutMs: 5 });
    process.emit('SIGINT');
    expect(await exited).toBe(1);
    expect(lines).toEqual(['ifw test: SIGINT received, stopping (at most 0.005 s)', 'ifw test: did not stop within 0.005 s']);
  });

  it('reports a stop that fails, with a failure status', async () => {
    const running = runUntilSignal('ifw test', () => Promise.reject(new Error('the store would not close')), { json: false });
    process.emit('SIGTERM');
    expect(await running).toBe(1);
    expect(lines[1]).toBe('ifw test: failed to stop cleanly: the store would not close');
  });
});
