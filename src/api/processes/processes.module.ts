import { Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { IfwConfig } from '../../config';
import type { EventStore, JsonObject } from '../../eventstore';
import { DEFAULT_LEASE_TTL_MS, DEFAULT_LOG_CONSUMER_OPTIONS, LogFeed, type ReadStore } from '../../projections';
import type { ProcessEngine } from '../../processes/engine';
import { openProcessEngine } from '../../processes/engine/open-process-engine';
import { registerFundSwitchWorkers } from './fund-switch-workers';
import { registerMerchantWithdrawalWorkers } from './merchant-withdrawal-workers';
import { registerPaymentWorkers } from './payment-workers';
import { deployModelFiles } from './process-models';
import { TransferProcesses, TransfersBehindError } from './transfer-processes';
import { BusinessCalendar } from '../calendar/business-calendar';
import type { CommandResponse } from '../commands/idempotency-claims';
import { IFW_CONFIG } from '../config.module';
import { EVENT_STORE } from '../event-store.module';
import { READ_STORE, processOwnerName } from '../projections/projections.module';
import { PROCESS_ENGINE } from './process-engine.token';
import { ProcessesController } from './processes.controller';


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
    @Inject(PROCESS_ENGINE) private readonly engine: ProcessEngine,
    @Inject(IFW_CONFIG) private readonly config: IfwConfig,
  ) {}

  /** Before any bootstrap hook: a day close completed at start waits for the transfers before it. */
  onModuleInit(): void {
    this.processes.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.processes.stop();
    await this.engine.close();
  }

  /** Waits up to `waitMs` for every transfer begun up to `position`, or throws TransfersBehindError. */
  async require(position: bigint, waitMs: number): Promise<void> {
    if ((await this.processes.completed(position, waitMs)) === undefined) throw new TransfersBehindError(position, waitMs);
  }

  async completed<Body extends JsonObject>(response: CommandResponse<Body>): Promise<CommandResponse<Body>> {
    const paymentId = typeof response.body.paymentId === 'string' ? response.body.paymentId : undefined;
    const last = await this.processes.completed(BigInt(response.body.position), this.config.readWaitMs, paymentId);
    if (last === undefined) return { ...response, status: 202 };
    return { ...response, body: { ...response.body, position: last.toString() } };
  }
}

/**
 * The process side: the engine with the product's models deployed (a model that fails to parse or lint stops
 * the start, naming the file and the element) and their job workers, and the consumer of the log that
 * completes transfers and publishes what instances wait for.
 */
/** The job workers of every model, registered once the engine and the transfers exist. */
@Injectable()
class ProcessWorkers implements OnModuleInit {
  constructor(
    @Inject(PROCESS_ENGINE) private readonly engine: ProcessEngine,
    private readonly transfers: TransferProcesses,
    private readonly commands: CommandBus,
    private readonly calendar: BusinessCalendar,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  onModuleInit(): void {
    const deps = { commands: this.commands, calendar: this.calendar, store: this.store, readStore: this.readStore, log: new Logger('ProcessWorkers') };
    registerFundSwitchWorkers(this.engine, deps);
    registerPaymentWorkers(this.engine, deps);
    registerMerchantWithdrawalWorkers(this.engine, { ...deps, transfersCompleted: (position, timeoutMs) => this.transfers.completed(position, timeoutMs) });
  }
}

@Global()
@Module({
  providers: [
    {
      provide: PROCESS_ENGINE,
      useFactory: async (config: IfwConfig, readStore: ReadStore) => {
        const logger = new Logger('ProcessEngine');
        const engine = await openProcessEngine(config.processEngineUrl, { log: (line) => logger.log(line), warn: (line) => logger.warn(line) });
        try {
          await deployModelFiles(engine, readStore);
        } catch (error) {
          await engine.close();
          throw error;
        }
        return engine;
      },
      inject: [IFW_CONFIG, READ_STORE],
    },
    {
      provide: TransferProcesses,
      useFactory: (store: EventStore, feed: LogFeed, readStore: ReadStore, commands: CommandBus, engine: ProcessEngine) =>
        new TransferProcesses(store, feed, readStore, commands, engine, {
          owner: processOwnerName(),
          leaseTtlMs: DEFAULT_LEASE_TTL_MS,
          clock: Date.now,
          consumer: DEFAULT_LOG_CONSUMER_OPTIONS,
          maxConcurrentTransfers: MAX_CONCURRENT_TRANSFERS,
        }),
      inject: [EVENT_STORE, LogFeed, READ_STORE, CommandBus, PROCESS_ENGINE],
    },
    Transfers,
    ProcessWorkers,
  ],
  controllers: [ProcessesController],
  exports: [Transfers, PROCESS_ENGINE],
})
export class ProcessesModule {}
