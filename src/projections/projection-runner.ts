import { Logger } from '@nestjs/common';
import { BehaviorSubject, filter, firstValueFrom, map, timeout } from 'rxjs';
import type { EventStore, RecordedEvent } from '../eventstore';
import { invariant } from '../invariant';
import { BatchView } from './batch-view';
import { type LogBatchHandler, LogConsumer, type LogConsumerOptions } from './log-consumer';
import type { LogFeed } from './log-feed';
import { type ProjectionDefinition, checkpointKey } from './projection';
import type { ProjectionCatalog } from './projection-catalog';
import { type Batch, type DocWrite, type LeaseClaim, LeaseLostError } from './read-store';

export type ProjectionState = 'standby' | 'catching-up' | 'live' | 'halted';


export interface ProjectionError {
  message: string;
  /** The event at fault for a halt; null for a failed write, which is retried. */
  position: string | null;
  atMs: number;
}

export interface ProjectionStatus {
  name: string;
  version: number;
  state: ProjectionState;
  /** Position of the last event applied, null before the first. */
  position: string | null;
  /** Events of the log not yet applied (a difference of positions, exact on the embedded store). */
  lagEvents: number;
  /** Age of the oldest event not yet applied; 0 when live. */
  lagMs: number;
  lastError: ProjectionError | null;
  /** Who holds the lease to write this projection. */
  leaseOwner: string | null;
  /** Events this runner applied to the projection since it started. */
  eventsApplied: number;
}

export interface RunnerOptions {
  /** Names this process in leases; every writer of a read store must have its own. */
  owner: string;
  leaseTtlMs: number;
  clock: () => number;
  consumer: LogConsumerOptions;
  /** `live` follows each projection's served version; `rebuild` writes the given versions and stops once caught up. */
  mode: { kind: 'live' } | { kind: 'rebuild'; versions: ReadonlyMap<string, number> };
}

export const DEFAULT_LEASE_TTL_MS = 10_000;
/**
 * A rebuild gives up after this many turns in a row failed (a disk full for good, a read store gone): it
 * fails visibly instead of running for ever and keeping every later rebuild of the projection refused. A
 * live runner never gives up: it must follow the log for as long as the process lives.
 */
export const MAX_REBUILD_FAILED_TURNS = 20;

interface Slot {
  definition: ProjectionDefinition;
  types: ReadonlySet<string>;
  version: number;
  leaseName: string;
  leaseRenewAtMs: number;
  state: ProjectionState;
  position$: BehaviorSubject<bigint | undefined>;
  lagMs: number;
  lastError: ProjectionError | null;
  leaseOwner: string | null;
  eventsApplied: number;
  /** Applied in the batch being written; counted once it is. */
  pendingApplied: number;
}

/**
 * Drives a set of projections from one read of the log, each from its own checkpoint: catch up in batches,
 * then follow live. A batch's documents and checkpoints are written together. A handler that throws halts its
 * projection at that event, visibly; the event is never skipped. A failed write is retried with back-off.
 * Each projection is written under a lease, so only one process writes it at a time; a standby process takes
 * over when the holder stops renewing.
 */
export class ProjectionRunner implements LogBatchHandler {
  private readonly logger = new Logger(ProjectionRunner.name);
  private readonly slots: Slot[];
  private readonly consumer: LogConsumer;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private headPosition = -1n;
  /** Events of the log this runner has read and written past, for progress reports. */
  eventsRead = 0;
  private caughtUpOnce = false;
  private failedTurnsInARow = 0;
  private readonly caughtUp$ = new BehaviorSubject(false);

  constructor(
    private readonly store: EventStore,
    private readonly catalog: ProjectionCatalog,
    feed: LogFeed,
    definitions: readonly ProjectionDefinition[],
    private readonly options: RunnerOptions,
  ) {
    // An idle runner still turns often enough to renew its leases before they expire.
    this.consumer = new LogConsumer(store, feed, { ...options.consumer, idleWaitMs: Math.min(options.consumer.idleWaitMs, Math.floor(options.leaseTtlMs / 3)) });
    this.slots = definitions.map((definition) => ({
      definition,
      types: new Set(definition.eventTypes),
      version: this.targetVersion(definition.name),
      leaseName: options.mode.kind === 'live' ? definition.name : `${definition.name}@rebuild`,
      leaseRenewAtMs: 0,
      state: 'standby',
      position$: new BehaviorSubject<bigint | undefined>(undefined),
      lagMs: 0,
      lastError: null,
      leaseOwner: null,
      eventsApplied: 0,
      pendingApplied: 0,
    }));
  }

  start(): void {
    invariant(!this.running, 'the runner was started twice');
    // The consumer takes every failure of a turn again after a back-off (log-consumer.ts): it ends only when stopped.
    this.running = this.consumer.run(this, this.abort.signal);
  }

  /** Resolves once every projection has caught up with the log at least once (or halted). */
  whenCaughtUp(): Promise<void> {
    return firstValueFrom(this.caughtUp$.pipe(filter(Boolean))).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    for (const slot of this.slots) {
      if (slot.leaseOwner === this.options.owner) await this.catalog.readStore.releaseLease(slot.leaseName, this.options.owner).catch(() => undefined);
    }
  }

  /** The position of the last event in the log, as of the runner's last turn. */
  head(): bigint {
    return this.headPosition;
  }

  statuses(): ProjectionStatus[] {
    return this.slots.map((slot) => {
      const position = slot.position$.value;
      const behind = position === undefined ? this.headPosition + 1n : this.headPosition - position;
      return {
        name: slot.definition.name,
        version: slot.version,
        state: slot.state,
        position: position === undefined ? null : position.toString(),
        lagEvents: slot.state === 'live' ? 0 : Math.max(0, Number(behind)),
        lagMs: slot.state === 'live' ? 0 : slot.lagMs,
        lastError: slot.lastError,
        leaseOwner: slot.leaseOwner,
        eventsApplied: slot.eventsApplied,
      };
    });
  }

  /** True when this process writes the projection, so its position can be awaited without asking the store. */
  writes(name: string): boolean {
    const slot = this.slot(name);
    return slot !== undefined && slot.leaseOwner === this.options.owner && slot.state !== 'halted';
  }

  /** The position this process has applied and committed, when it writes the projection; no store is asked. */
  appliedPosition(name: string): bigint | undefined {
    return this.writes(name) ? this.slot(name)!.position$.value : undefined;
  }

  /** Resolves once the projection has applied the log up to `position`; rejects after `timeoutMs` or on a halt. */
  async reach(name: string, position: bigint, timeoutMs: number): Promise<void> {
    const slot = this.slot(name);
    invariant(slot !== undefined, () => `no projection ${name} in this runner`);
    await firstValueFrom(
      slot.position$.pipe(
        map((at) => {
          if (slot.state === 'halted') throw new Error(`projection ${name} is halted: ${slot.lastError?.message}`);
          return at !== undefined && at >= position;
        }),
        filter(Boolean),
        timeout(timeoutMs),
      ),
    );
  }

  // The LogBatchHandler side, called by the consumer's loop.

  async prepare(): Promise<boolean> {
    const nowMs = this.options.clock();
    this.headPosition = await this.store.lastPosition();
    for (const slot of this.slots) {
      if (slot.state === 'halted') continue;
      await this.followServedVersion(slot);
      if (nowMs >= slot.leaseRenewAtMs) await this.renewLease(slot, nowMs);
    }
    return this.active().length > 0;
  }

  position(): bigint | undefined {
    let lowest: bigint | undefined;
    for (const slot of this.active()) {
      const at = slot.position$.value;
      if (at === undefined) return undefined;
      if (lowest === undefined || at < lowest) lowest = at;
    }
    return lowest;
  }

  async handle(events: readonly RecordedEvent[]): Promise<void> {
    const last = events[events.length - 1]!.position;
    const batch = { writes: [] as DocWrite[], checkpoints: [] as Batch['checkpoints'][number][], leases: [] as LeaseClaim[] };
    const advanced: Slot[] = [];
    for (const slot of this.active()) {
      const view = await this.applyAll(slot, events);
      if (!view) continue;
      batch.writes.push(...view.writes());
      batch.checkpoints.push({ key: checkpointKey(slot.definition.name, slot.version), position: last });
      batch.leases.push({ name: slot.leaseName, owner: this.options.owner });
      advanced.push(slot);
    }
    try {
      await this.catalog.readStore.commit(batch);
    } catch (error) {
      if (error instanceof LeaseLostError) this.loseLease(error.lease.name);
      throw error;
    }
    this.eventsRead += events.length;
    this.failedTurnsInARow = 0;
    const lagMs = Math.max(0, this.options.clock() - events[0]!.recordedAt.getTime());
    for (const slot of advanced) {
      slot.lagMs = lagMs;
      slot.lastError = null;
      slot.eventsApplied += slot.pendingApplied;
      if (slot.state !== 'live') slot.state = 'catching-up';
      slot.position$.next(last);
    }
  }

  async caughtUp(): Promise<void> {
    for (const slot of this.active()) slot.state = 'live';
    if (!this.caughtUpOnce && this.slots.every((s) => s.state === 'live' || s.state === 'halted')) {
      this.caughtUpOnce = true;
      this.caughtUp$.next(true);
    }
  }

  failed(error: Error): void {
    this.failedTurnsInARow++;
    for (const slot of this.active()) slot.lastError = { message: error.message, position: null, atMs: this.options.clock() };
    if (this.options.mode.kind === 'rebuild' && this.failedTurnsInARow >= MAX_REBUILD_FAILED_TURNS) {
      const givenUp = new Error(`the rebuild gave up after ${this.failedTurnsInARow} failed attempts in a row; the last: ${error.message}`);
      this.logger.error(givenUp.message);
      this.caughtUp$.error(givenUp);
      return;
    }
    this.logger.warn(`a projection batch was not written and will be retried: ${error.message}`);
  }

  /** Applies the events after the slot's position; on a handler error halts the slot and returns undefined. */
  private async applyAll(slot: Slot, events: readonly RecordedEvent[]): Promise<BatchView | undefined> {
    const view = new BatchView(this.catalog.readStore, slot.version);
    const after = slot.position$.value;
    let applied = 0;
    for (const event of events) {
      if ((after !== undefined && event.position <= after) || !slot.types.has(event.type)) continue;
      view.at(event.position);
      try {
        await slot.definition.apply(event, view);
      } catch (error) {
        await this.halt(slot, event, error as Error);
        return undefined;
      }
      applied++;
    }
    slot.pendingApplied = applied;
    return view;
  }

  private async halt(slot: Slot, event: RecordedEvent, error: Error): Promise<void> {
    const { name } = slot.definition;
    slot.state = 'halted';
    slot.lastError = { message: error.message, position: event.position.toString(), atMs: this.options.clock() };
    this.logger.error(`projection ${name} halted at position ${event.position} (${event.type} of ${event.stream}): ${error.message}`);
    await this.catalog.recordHalt(name, slot.version, { message: error.message, position: event.position.toString(), eventType: event.type, atMs: slot.lastError.atMs });
    slot.position$.next(slot.position$.value);
    if (this.slots.every((s) => s.state === 'live' || s.state === 'halted')) await this.caughtUp();
  }

  private async renewLease(slot: Slot, nowMs: number): Promise<void> {
    const lease = await this.catalog.readStore.claimLease(slot.leaseName, this.options.owner, nowMs, this.options.leaseTtlMs);
    const held = lease.owner === this.options.owner;
    if (held && slot.leaseOwner !== this.options.owner) await this.takeOver(slot);
    slot.leaseOwner = lease.owner;
    if (!held) slot.state = 'standby';
    slot.leaseRenewAtMs = held ? nowMs + this.options.leaseTtlMs / 3 : nowMs + this.options.leaseTtlMs / 2;
  }

  /** On taking the lease: start from the stored checkpoint, which the previous holder may have moved. */
  private async takeOver(slot: Slot): Promise<void> {
    slot.position$.next(await this.catalog.readStore.checkpoint(checkpointKey(slot.definition.name, slot.version)));
    await this.catalog.clearHalt(slot.definition.name, slot.version);
    slot.state = 'catching-up';
  }

  /** In live mode, a rebuild elsewhere may have switched the served version: continue from that version's checkpoint. */
  private async followServedVersion(slot: Slot): Promise<void> {
    if (this.options.mode.kind !== 'live') return;
    const record = await this.catalog.load(slot.definition.name);
    if (!record || record.activeVersion === slot.version) return;
    this.logger.log(`projection ${slot.definition.name} is served from version ${record.activeVersion} now; following it`);
    slot.version = record.activeVersion;
    slot.position$.next(await this.catalog.readStore.checkpoint(checkpointKey(slot.definition.name, slot.version)));
    slot.state = 'catching-up';
  }

  private loseLease(leaseName: string): void {
    const slot = this.slots.find((s) => s.leaseName === leaseName);
    if (!slot) return;
    slot.leaseOwner = null;
    slot.state = 'standby';
    slot.leaseRenewAtMs = 0;
  }

  private active(): Slot[] {
    return this.slots.filter((s) => s.state !== 'halted' && s.state !== 'standby');
  }

  private slot(name: string): Slot | undefined {
    return this.slots.find((s) => s.definition.name === name);
  }

  private targetVersion(name: string): number {
    return this.options.mode.kind === 'live' ? this.catalog.activeVersion(name) : this.options.mode.versions.get(name)!;
  }
}
