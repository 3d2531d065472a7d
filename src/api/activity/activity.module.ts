import { Module } from '@nestjs/common';
import { ActivityController } from './activity.controller';
import { ListActivityHandler } from './activity.queries';

@Module({ controllers: [ActivityController], providers: [ListActivityHandler] })
export class ActivityModule {}
