import { Module } from '@nestjs/common';
import { IntelligenceModule } from '../intelligence/intelligence.module';
import { DayClose } from '../processes/day-close';
import { OperationsController } from './operations.controller';

@Module({ imports: [IntelligenceModule], controllers: [OperationsController], providers: [DayClose] })
export class OperationsModule {}
