import { WriteFailureWatch } from '../../src/eventstore/write-failure-watch';

describe('WriteFailureWatch', () => {
  it('keeps the first refusal, probes at most once a second after it, and clears on a landed write or probe', async () => {
    const clock = { nowMs: 10_000 };
    const watch = new WriteFailureWatch(() => clock.nowMs);
    let probes = 0;
    const probe = (lands: boolean) => async () => (probes++, lands);

    expect(await watch.current(probe(true))).toBeUndefined();
    watch.refused('disk-full', 'database or disk is full');
    clock.nowMs += 500;
    watch.refused('disk-error', 'a later one');
    expect(await watch.current(probe(true))).toEqual({ reason: 'disk-full', detail: 'database or disk is full', sinceMs: 10_000 });
    clock.nowMs += 500;
    expect(await watch.current(probe(false))).toMatchObject({ reason: 'disk-full' });
    expect(await watch.current(probe(true))).toMatchObject({ reason: 'disk-full' }); // within the second after that probe
    clock.nowMs += 1_000;
    expect(await watch.current(probe(true))).toBeUndefined();
    expect(probes).toBe(2);

    watch.refused('read-only', 'attempt to write a readonly database');
    watch.landed();
    expect(await watch.current(probe(false))).toBeUndefined();
  });
});
