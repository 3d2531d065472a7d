import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Controller, Get, Header, Inject, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import getSwaggerUiPath from 'swagger-ui-dist/absolute-path.js';
import { buildOpenApiDocument, type JsonSchema, type OpenApiDocument, type OpenApiInfo, type RouteDoc } from './openapi';
import { HttpProblem } from './problem';
import { Public } from '../auth/access.decorator';

/** Injection token of the route table (RouteDoc[]) that GET /openapi.json documents. */
export const OPENAPI_ROUTES = Symbol('OPENAPI_ROUTES');
/** Injection token of the document's info block (OpenApiInfo). */
export const OPENAPI_INFO = Symbol('OPENAPI_INFO');

const ANY_OBJECT: JsonSchema = { type: 'object', additionalProperties: true };

const OPENAPI_DOCUMENT_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'An OpenAPI 3.0.3 document; see the OpenAPI Specification for the members inside paths and components.',
  additionalProperties: false,
  required: ['openapi', 'info', 'tags', 'paths', 'components'],
  properties: {
    openapi: { type: 'string', enum: ['3.0.3'] },
    info: {
      type: 'object',
      additionalProperties: false,
      required: ['title', 'version'],
      properties: { title: { type: 'string' }, version: { type: 'string' }, description: { type: 'string' } },
    },
    tags: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string' } } } },
    paths: { type: 'object', description: 'path → method → operation', additionalProperties: ANY_OBJECT },
    components: {
      type: 'object',
      additionalProperties: false,
      required: ['securitySchemes', 'schemas', 'responses'],
      properties: {
        securitySchemes: { ...ANY_OBJECT, description: 'the bearer API key scheme' },
        schemas: { ...ANY_OBJECT, description: 'the shared schemas, such as Problem' },
        responses: { ...ANY_OBJECT, description: 'the shared error responses' },
      },
    },
  },
};

/** The documentation's own routes; the controller adds them to the table it documents. */
export const DOCS_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/openapi.json',
    summary: 'This OpenAPI document',
    tag: 'docs',
    roles: [],
    responses: { 200: { description: 'the OpenAPI 3.0.3 document of the API', schema: OPENAPI_DOCUMENT_SCHEMA } },
  },
  {
    method: 'get',
    path: '/docs',
    summary: 'A browsable Swagger UI of this document',
    tag: 'docs',
    roles: [],
    responses: { 200: { description: 'the Swagger UI page, which loads /openapi.json', contentType: 'text/html', schema: { type: 'string', description: 'an HTML page' } } },
  },
];

/** The only swagger-ui-dist files the page uses; an allow-list, so no other path is ever read from disk. */
const SWAGGER_UI_ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'index.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

// Absolute links: relative ones would resolve against "/" when the page is fetched as /docs.
const DOCS_PAGE = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>IFW API</title>
    <link rel="stylesheet" type="text/css" href="/docs/swagger-ui.css">
    <link rel="stylesheet" type="text/css" href="/docs/index.css">
    <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
    <link rel="icon" type="image/png" href="/docs/favicon-16x16.png" sizes="16x16">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js" charset="UTF-8"></script>
    <script src="/docs/swagger-initializer.js" charset="UTF-8"></script>
  </body>
</html>
`;

// validatorUrl null: Swagger UI otherwise sends the document to validator.swagger.io for a badge, which
// leaks the API description and fails behind firewalls.
const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
};
`;

/** The OpenAPI document and a browsable Swagger UI, served from the installed package with no CDN. */
@Controller()
@Public()
export class DocsController {
  private readonly document: OpenApiDocument;
  private readonly assets = new Map<string, Promise<Buffer>>();

  constructor(@Inject(OPENAPI_ROUTES) routes: RouteDoc[], @Inject(OPENAPI_INFO) info: OpenApiInfo) {
    // Built once at startup so that a broken route table (a duplicate route) stops the server from starting.
    this.document = buildOpenApiDocument([...routes, ...DOCS_ROUTES], info);
  }

  @Get('openapi.json')
  openApi(): OpenApiDocument {
    return this.document;
  }

  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  docsPage(): string {
    return DOCS_PAGE;
  }

  @Get('docs/swagger-initializer.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  initializer(): string {
    return INITIALIZER;
  }

  @Get('docs/:asset')
  async asset(@Param('asset') name: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    const contentType = Object.hasOwn(SWAGGER_UI_ASSETS, name) ? SWAGGER_UI_ASSETS[name] : undefined;
    if (!contentType) throw HttpProblem.notFound(`no documentation asset named "${name}"`);
    let content = this.assets.get(name);
    if (!content) {
      content = readFile(join(getSwaggerUiPath(), name));
      // A failed read is not cached, so a transient error does not break the page for good.
      content.catch(() => this.assets.delete(name));
      this.assets.set(name, content);
    }
    void reply.header('content-type', contentType).header('cache-control', 'public, max-age=86400');
    return content;
  }
}
