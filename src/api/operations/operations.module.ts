import { Module } from '@nestjs/common';
import { DayClose } from './day-close';
import { OperationsController } from './operations.controller';

@Module({ controllers: [OperationsController], providers: [DayClose] })
export class OperationsModule {}
