import { KeyQueueFullError, KeyedMutex } from '../../src/api/commands/keyed-mutex';

/** A task that holds its keys until `finish` is called. */
function held(): { task: () => Promise<string>; finish: () => void; started: () => boolean } {
  let finish!: () => void;
  let started = false;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    task: async () => {
      started = true;
      await done;
      return 'done';
    },
    finish: () => finish(),
    started: () => started,
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedMutex', () => {
  it('runs the tasks of one key one at a time, in order', async () => {
    const mutex = new KeyedMutex();
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => mutex.run(['a'], async () => {
      order.push(n);
      await turn();
      order.push(n);
    })));
    expect(order).toEqual([1, 1, 2, 2, 3, 3]);
  });

  it('refuses a task that would wait behind more than maxWaitingPerKey others, and takes it again once they are done', async () => {
    const mutex = new KeyedMutex({ maxKeys: 10, maxWaitingPerKey: 2 });
    const tasks = [held(), held(), held()];
    const running = tasks.map((t) => mutex.run(['a'], t.task));
    await expect(mutex.run(['a'], async () => 'refused?')).rejects.toThrow(KeyQueueFullError);
    // Another key is not held up by the full queue.
    await expect(mutex.run(['b'], async () => 'b')).resolves.toBe('b');
    await turn();
    expect(tasks.map((t) => t.started())).toEqual([true, false, false]);
    for (const t of tasks) t.finish();
    await expect(Promise.all(running)).resolves.toEqual(['done', 'done', 'done']);
    await expect(mutex.run(['a'], async () => 'again')).resolves.toBe('again');
  });

  it('refuses a new key when maxKeys are locked, releasing what it had taken', async () => {
    const mutex = new KeyedMutex({ maxKeys: 2, maxWaitingPerKey: 10 });
    const first = held();
    const running = mutex.run(['a', 'b'], first.task);
    await turn();
    await expect(mutex.run(['a', 'c'], async () => 'refused?')).rejects.toThrow('2 keys are locked at once');
    first.finish();
    await running;
    // Nothing of the refused task is left locked: both keys are free again.
    await expect(mutex.run(['a', 'c'], async () => 'free')).resolves.toBe('free');
  });
});
