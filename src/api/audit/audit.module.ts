import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { ReadLogHandler, ReadStreamEventsHandler, StreamStateHandler, VerifyLogHandler } from './audit.queries';

export { AUDIT_ROUTES } from './audit.controller';

@Module({ controllers: [AuditController], providers: [ReadLogHandler, ReadStreamEventsHandler, StreamStateHandler, VerifyLogHandler] })
export class AuditModule {}
