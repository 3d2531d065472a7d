import { Module } from '@nestjs/common';
import { PartiesController } from './parties.controller';
import { GetMerchantProfileHandler, ListPartiesHandler, ListPartyKeysHandler } from './parties.queries';
import { PartyCommands } from './party-commands';
import { PartyErasure } from './party-erasure';

@Module({ controllers: [PartiesController], providers: [PartyCommands, PartyErasure, ListPartiesHandler, ListPartyKeysHandler, GetMerchantProfileHandler] })
export class PartiesModule {}
