import { Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { IfwConfig } from '../../config';
import type { EventStore } from '../../eventstore';
import { invariant } from '../../invariant';
import type { KeyStore, PendingErasure } from '../../personal-data/key-store';
import { openKeyStore } from '../../personal-data/open-key-store';
import { lendToReadModels } from '../../personal-data/read-model-keys';
import { IFW_CONFIG } from '../config.module';
import { EVENT_STORE } from '../event-store.module';
import { loadPerson } from './person-aggregate';

/** Pending erasures looked at per round at start-up; each round settles all it looked at. */
const PENDING_ERASURES_PAGE = 100;

/**
 * The process's key store. It is opened while the modules initialise (a key store that cannot be opened stops
 * the start with its reason), lent to the read models before they start, and closed after they stopped.
 */
@Injectable()
export class PersonalDataKeys implements OnModuleInit, OnApplicationShutdown {
  private store: KeyStore | undefined;
  private takeBack: () => void = () => undefined;
  private readonly log = new Logger('PersonalData');

  constructor(
    @Inject(IFW_CONFIG) private readonly config: IfwConfig,
    @Inject(EVENT_STORE) private readonly events: EventStore,
  ) {}

  get keys(): KeyStore {
    invariant(this.store !== undefined, 'the key store is used before the application initialised');
    return this.store;
  }

  async onModuleInit(): Promise<void> {
    this.store = openKeyStore(this.config);
    this.takeBack = lendToReadModels(this.store);
    await this.finishPendingErasures();
  }

  async onApplicationShutdown(): Promise<void> {
    this.takeBack();
    await this.store?.close();
  }

  /**
   * Settles an erasure begun, as the log has it: its key is deleted when its PersonErased is there, and kept
   * (the erasure did not happen; a retry does it) when it is not.
   */
  async settleErasure(erasure: PendingErasure): Promise<boolean> {
    const person = await loadPerson(this.events, erasure.partyId);
    const recorded = person.registered && person.erased;
    if (recorded) await this.keys.deleteKey(erasure.keyId);
    else await this.keys.abandonErasure(erasure.keyId);
    return recorded;
  }

  /** Erasures a stop interrupted: each is settled as the log has it. */
  private async finishPendingErasures(): Promise<void> {
    for (;;) {
      const pending = await this.keys.pendingErasures(PENDING_ERASURES_PAGE);
      for (const erasure of pending) {
        const recorded = await this.settleErasure(erasure);
        this.log.log(`an erasure of party ${erasure.partyId} interrupted by a stop: ${recorded ? 'recorded, so its key is deleted now' : 'never recorded, so its key is kept'}`);
      }
      if (pending.length < PENDING_ERASURES_PAGE) return;
    }
  }
}

/**
 * Global, and imported by AppModule before the read models' module: Nest closes modules in the reverse order,
 * so the key store closes after the projections that open registrations with it have stopped.
 */
@Global()
@Module({ providers: [PersonalDataKeys], exports: [PersonalDataKeys] })
export class PersonalDataModule {}
