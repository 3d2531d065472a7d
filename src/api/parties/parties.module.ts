import { Module } from '@nestjs/common';
import { PartiesController } from './parties.controller';
import { RegisterPartyHandler } from './register-party.command';

@Module({ controllers: [PartiesController], providers: [RegisterPartyHandler] })
export class PartiesModule {}
