import { Module } from '@nestjs/common';
import { PartiesController } from './parties.controller';
import { GetMerchantProfileHandler, ListPartiesHandler } from './parties.queries';
import { PartyCommands } from './party-commands';
import { PartyErasure } from './party-erasure';

@Module({ controllers: [PartiesController], providers: [PartyCommands, PartyErasure, ListPartiesHandler, GetMerchantProfileHandler] })
export class PartiesModule {}
