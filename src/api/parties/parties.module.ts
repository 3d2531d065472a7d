import { Module } from '@nestjs/common';
import { PartiesController } from './parties.controller';
import { GetMerchantProfileHandler, ListPartiesHandler } from './parties.queries';
import { RegisterPartyHandler } from './register-party.command';

@Module({ controllers: [PartiesController], providers: [RegisterPartyHandler, ListPartiesHandler, GetMerchantProfileHandler] })
export class PartiesModule {}
