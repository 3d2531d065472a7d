import { Module } from '@nestjs/common';
import { PartiesController } from './parties.controller';
import { GetMerchantProfileHandler, ListPartiesHandler } from './parties.queries';
import { PartyCommands } from './party-commands';

@Module({ controllers: [PartiesController], providers: [PartyCommands, ListPartiesHandler, GetMerchantProfileHandler] })
export class PartiesModule {}
