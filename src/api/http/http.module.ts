import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { DocsController, OPENAPI_INFO, OPENAPI_ROUTES } from './docs.controller';
import type { OpenApiInfo, RouteDoc } from './openapi';
import { ProblemDetailsFilter } from './problem-details.filter';

const DEFAULT_INFO: OpenApiInfo = {
  title: 'IFW API',
  version: '0.1.0',
  description:
    'Intelligent financial wallet. Money is a decimal string of CNY ("1234.56"); errors are RFC 9457 ' +
    'application/problem+json with a stable `code`; every POST honours an Idempotency-Key header.',
};

/**
 * The HTTP edge: RFC 9457 errors for the whole application (APP_FILTER is global whichever module
 * provides it) and the API's documentation built from the route table.
 */
@Module({})
export class HttpModule {
  static forRoutes(routes: RouteDoc[], info: OpenApiInfo = DEFAULT_INFO): DynamicModule {
    return {
      module: HttpModule,
      controllers: [DocsController],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: OPENAPI_ROUTES, useValue: routes },
        { provide: OPENAPI_INFO, useValue: info },
      ],
    };
  }
}
