import { Module } from '@nestjs/common';
import { AsOfResolver } from './as-of';
import { AsOfFolds } from './as-of-folds';
import { ClosedBusinessDays } from './closed-business-days';

/** As-of reads' shared parts; one instance per application, so every route shares one cache of checkpoints. */
@Module({ providers: [AsOfResolver, ClosedBusinessDays, AsOfFolds], exports: [AsOfResolver, AsOfFolds] })
export class AsOfModule {}
