import { Global, Inject, Injectable, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { IfwConfig } from '../../config';
import type { EventStore, JsonObject } from '../../eventstore';
import { DEFAULT_LEASE_TTL_MS, DEFAULT_LOG_CONSUMER_OPTIONS, LogFeed, type ReadStore } from '../../projections';
import { TransferProcesses } from '../../processes/transfer-processes';
import type { CommandResponse } from '../commands/idempotency-claims';
import { IFW_CONFIG } from '../config.module';
import { EVENT_STORE } from '../event-store.module';
import { READ_STORE, processOwnerName } from '../projections/projections.module';

/** Transfers whose steps run at once: enough to share commits, few enough to bound the locks held. */
const MAX_CONCURRENT_TRANSFERS = 64;

/**
 * What a request that begins a transfer waits for: its last step, within the read wait. The answer then
 * carries that step's position, so a read with `?minPosition=` sees both sides; past the wait it is 202,
 * and the transfer completes on its own.
 */
@Injectable()
export class Transfers implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly processes: TransferProcesses,
    @Inject(IFW_CONFIG) private readonly config: IfwConfig,
  ) {}

  /** Before any bootstrap hook: a day close completed at start waits for the transfers before it. */
  onModuleInit(): void {
    this.processes.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.processes.stop();
  }

  async completed<Body extends JsonObject>(response: CommandResponse<Body>): Promise<CommandResponse<Body>> {
    const last = await this.processes.completed(BigInt(response.body.position), this.config.readWaitMs);
    if (last === undefined) return { status: 202, body: response.body };
    return { status: response.status, body: { ...response.body, position: last.toString() } };
  }
}

@Global()
@Module({
  providers: [
    {
      provide: TransferProcesses,
      useFactory: (store: EventStore, feed: LogFeed, readStore: ReadStore, commands: CommandBus) =>
        new TransferProcesses(store, feed, readStore, commands, {
          owner: processOwnerName(),
          leaseTtlMs: DEFAULT_LEASE_TTL_MS,
          clock: Date.now,
          consumer: DEFAULT_LOG_CONSUMER_OPTIONS,
          maxConcurrentTransfers: MAX_CONCURRENT_TRANSFERS,
        }),
      inject: [EVENT_STORE, LogFeed, READ_STORE, CommandBus],
    },
    Transfers,
  ],
  exports: [Transfers],
})
export class ProcessesModule {}
