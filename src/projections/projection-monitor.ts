import type { EventStore } from '../eventstore';
import { checkpointKey } from './projection';
import type { ProjectionCatalog } from './projection-catalog';
import type { ProjectionRunner, ProjectionStatus } from './projection-runner';

/**
 * The state of every projection as any process sees it: from this process's runner where it writes the
 * projection, otherwise from the read store (checkpoint, halt record, lease) against the head of the log, so
 * a server started with --no-projector still reports a projector elsewhere that halted or fell behind.
 */
export class ProjectionMonitor {
  constructor(
    private readonly store: EventStore,
    private readonly catalog: ProjectionCatalog,
    private readonly runner: ProjectionRunner | undefined,
    private readonly clock: () => number,
  ) {}

  async statuses(): Promise<ProjectionStatus[]> {
    const local = new Map((this.runner?.statuses() ?? []).map((s) => [s.name, s]));
    const head = await this.store.lastPosition();
    const statuses: ProjectionStatus[] = [];
    for (const name of this.catalog.names()) {
      const mine = local.get(name);
      const authoritative = mine && (this.runner?.writes(name) || mine.state === 'halted');
      statuses.push(authoritative ? mine : await this.fromStore(name, head));
    }
    return statuses;
  }

  private async fromStore(name: string, head: bigint): Promise<ProjectionStatus> {
    const record = await this.catalog.load(name);
    const version = record?.activeVersion ?? this.catalog.activeVersion(name);
    const position = await this.catalog.readStore.checkpoint(checkpointKey(name, version));
    const halt = await this.catalog.halt(name, version);
    const lease = await this.catalog.readStore.lease(name);
    const behind = position === undefined ? head + 1n : head - position;
    const lagMs = behind > 0n ? await this.ageOfFirstEventAfter(position) : 0;
    return {
      name,
      version,
      state: halt ? 'halted' : behind > 0n ? 'catching-up' : 'live',
      position: position === undefined ? null : position.toString(),
      lagEvents: Math.max(0, Number(behind)),
      lagMs,
      lastError: halt ? { message: halt.message, position: halt.position, atMs: halt.atMs } : null,
      leaseOwner: lease && lease.expiresAtMs > this.clock() ? lease.owner : null,
      eventsApplied: 0,
    };
  }

  private async ageOfFirstEventAfter(position: bigint | undefined): Promise<number> {
    for await (const event of this.store.readAll({ fromPosition: position ?? 'start', maxCount: 2 })) {
      if (position !== undefined && event.position <= position) continue;
      return Math.max(0, this.clock() - event.recordedAt.getTime());
    }
    return 0;
  }
}
