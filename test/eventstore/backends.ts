import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventStore, openEventStore } from '../../src/eventstore';

/** A backend the conformance suite runs against, and what it can do that others cannot. */
export interface Backend {
  name: string;
  open(): EventStore;
  cleanup(): void;
  atomicAppendMany: boolean;
}

/** A clock that moves one millisecond per reading, so recordedAt is deterministic. */
export function steppingClock(startMs = Date.UTC(2026, 0, 1)): () => number {
  let now = startMs;
  return () => now++;
}

export function backends(): Backend[] {
  const dirs: string[] = [];
  const list: Backend[] = [
    {
      name: 'sqlite in memory',
      open: () => openEventStore('sqlite::memory:', { clock: steppingClock() }),
      cleanup: () => {},
      atomicAppendMany: true,
    },
    {
      name: 'sqlite on disk',
      open: () => {
        const dir = mkdtempSync(join(tmpdir(), 'ifw-es-'));
        dirs.push(dir);
        return openEventStore(`sqlite:${join(dir, 'events.db')}`, { clock: steppingClock() });
      },
      cleanup: () => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })),
      atomicAppendMany: true,
    },
    {
      name: 'sqlite on disk, multiStreamAppend=false',
      open: () => {
        const dir = mkdtempSync(join(tmpdir(), 'ifw-es-'));
        dirs.push(dir);
        return openEventStore(`sqlite:${join(dir, 'events.db')}?multiStreamAppend=false`, { clock: steppingClock() });
      },
      cleanup: () => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })),
      atomicAppendMany: false,
    },
  ];
  const esdbUrl = process.env.IFW_TEST_ESDB_URL;
  if (esdbUrl) {
    list.push({
      name: `EventStoreDB at ${esdbUrl}`,
      open: () => openEventStore(esdbUrl, { clock: steppingClock() }),
      cleanup: () => {},
      atomicAppendMany: false,
    });
  } else {
    console.log('conformance: EventStoreDB skipped (set IFW_TEST_ESDB_URL=esdb://localhost:2113?tls=false to run it)');
  }
  return list;
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}
