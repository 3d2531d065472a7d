import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { PrincipalResolver } from './principal-resolver';

/** Every route passes the AuthGuard; routes open it with the decorators of access.decorator.ts. */
@Global()
@Module({ providers: [PrincipalResolver, { provide: APP_GUARD, useClass: AuthGuard }], exports: [PrincipalResolver] })
export class AuthModule {}
