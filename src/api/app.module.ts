import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { EventStore } from '../eventstore';
import { EventStoreModule } from './event-store.module';
import { HealthModule } from './health/health.module';

@Module({})
export class AppModule {
  static forStore(store: EventStore): DynamicModule {
    return { module: AppModule, imports: [CqrsModule.forRoot(), EventStoreModule.forStore(store), HealthModule] };
  }
}
