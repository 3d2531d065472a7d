import fc from 'fast-check';
import { EVENT_STORE } from '../../src/api/event-store.module';
import type { EventStore } from '../../src/eventstore';
import { AUDITOR_KEY, COMPLIANCE_KEY, OPERATOR_KEY, TestApp, type ApiResponse } from '../api/test-app';
import {
  badlyEncodedBody,
  contentTypes,
  hostileValue,
  nestedBody,
  nesting,
  notUtf8,
  oddBodies,
  oddHeaderValues,
  oddQueryValues,
  oversize,
  oversizedBody,
  rawNumbers,
} from './hostile-input';
import { describeRequest, sendRaw, type BodySegment, type RawAnswer, type RawRequest } from './raw-request';

/**
 * Our own mutations of every route of the OpenAPI document, sent over a real socket: for each POST, bodies with
 * fields of the wrong type, odd numbers and amounts, odd Unicode, deep nesting, over 64 KiB, bytes that are not
 * UTF-8, keys given twice, wrong content types and repeated or odd headers; for each GET, odd query values.
 * Whatever comes, the answer is never a 5xx; a 4xx is an RFC 9457 problem with a `code`; and a refused request
 * writes nothing (the log's last position, as GET /health reports it, is the same after it). A failure names
 * the request that reproduces it: method, path, headers and the body's bytes.
 *
 * The world: fund FZ with the income of 2026-01-05; a customer and a merchant with 1000.00 each.
 */
const SEED = 20_260_105;
const POST_RUNS = 120;
const GET_RUNS = 60;
const FUND = 'FZ';

type Party = { id: string; walletId: string; key: string };
type JsonSchema = { type?: string; format?: string; example?: unknown; enum?: unknown[]; properties?: Record<string, JsonSchema>; required?: string[]; items?: JsonSchema; minItems?: number; minLength?: number; minimum?: number };
type OperationDocument = { 'x-roles'?: string[]; parameters?: { name: string; in: string }[]; requestBody?: { content: { 'application/json': { schema: JsonSchema } } } };

/** A route of the document, made concrete: its path with real ids, the key of a caller it lets in, a body that passes. */
interface Route {
  name: string;
  path: string;
  key: string | undefined;
  /** The body's fields and a value each that passes validation; `{}` for a route that documents no body. */
  validBody: Record<string, unknown>;
  /** It documents a body, so its schema refuses fields it does not name; a route without one ignores the body. */
  hasBody: boolean;
  queryNames: string[];
}

let app: TestApp;
let customer: Party;
let merchant: Party;
let routes: { posts: Route[]; gets: Route[] };

async function ok(response: Promise<ApiResponse>, status = 201): Promise<void> {
  const answer = await response;
  if (answer.status !== status) throw new Error(`setup step answered ${answer.status}: ${JSON.stringify(answer.body)}`);
}

beforeAll(async () => {
  app = await TestApp.start();
  customer = await app.party('customer', 'Fuzz Customer');
  merchant = await app.party('merchant', 'Fuzz Merchant');
  await ok(app.post('/funds', OPERATOR_KEY, { code: FUND, name: 'Fuzz Money Fund' }));
  await ok(app.post(`/funds/${FUND}/incomes`, OPERATOR_KEY, { date: '2026-01-05', perTenK: '0.5000' }));
  for (const party of [customer, merchant]) await ok(app.post(`/wallets/${party.walletId}/deposits`, party.key, { amount: '1000.00' }));
  routes = routesOf((await app.request('GET', '/openapi.json')).body.paths);
});

afterAll(async () => {
  await app.stop();
});

/** The caller a route's first role stands for: a customer or merchant on its own wallet, or a staff key. */
function callerOf(roles: readonly string[]): { key: string | undefined; party: Party } {
  const role = roles[0];
  if (role === undefined) return { key: undefined, party: customer };
  if (role.startsWith('customer')) return { key: customer.key, party: customer };
  if (role.startsWith('merchant')) return { key: merchant.key, party: merchant };
  const staff: Record<string, string> = { operator: OPERATOR_KEY, auditor: AUDITOR_KEY, compliance: COMPLIANCE_KEY };
  if (!staff[role]) throw new Error(`no key stands for the role "${role}": add it to callerOf`);
  return { key: staff[role], party: customer };
}

/** Real values of the path parameters, so that requests get past the lookups to the parsing of what they carry. */
function pathParameter(name: string, party: Party): string {
  const values: Record<string, string> = {
    walletId: party.walletId,
    customerId: customer.id,
    merchantId: merchant.id,
    keyId: '0123456789abcdef',
    code: FUND,
    processId: 'no-such-process',
    rebuildId: '00000000-0000-4000-8000-00000000000f',
    name: 'activity',
    date: '2026-01-05',
    stream: `wallet-${customer.walletId}`,
  };
  const value = values[name];
  if (value === undefined) throw new Error(`no value for the path parameter {${name}}: add one to pathParameter`);
  return value;
}

/** A value the schema describes, valid as far as the document can say: an example, a first choice, a minimum. */
function validValue(schema: JsonSchema, party: Party): unknown {
  if (schema.example !== undefined) return schema.example;
  if (schema.enum) return schema.enum[0];
  switch (schema.type) {
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((field) => [field, validValue(schema.properties![field]!, party)]));
    case 'array':
      return Array.from({ length: schema.minItems ?? 1 }, () => validValue(schema.items!, party));
    case 'boolean':
      return true;
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    default:
      if (schema.format === 'uuid') return party === merchant ? customer.walletId : merchant.walletId;
      if (schema.format === 'date') return '2026-01-05';
      return 'x'.repeat(schema.minLength ?? 1);
  }
}

function routesOf(paths: Record<string, Record<string, OperationDocument>>): { posts: Route[]; gets: Route[] } {
  const posts: Route[] = [];
  const gets: Route[] = [];
  for (const [template, operations] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (method !== 'post' && method !== 'get') continue;
      const { key, party } = callerOf(operation['x-roles'] ?? []);
      const path = template.replace(/\{([^}]+)\}/g, (_, name: string) => pathParameter(name, party));
      const schema = operation.requestBody?.content['application/json'].schema;
      const route: Route = {
        name: `${method.toUpperCase()} ${template}`,
        path,
        key,
        validBody: schema ? (validValue(schema, party) as Record<string, unknown>) : {},
        hasBody: schema !== undefined,
        queryNames: (operation.parameters ?? []).filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name),
      };
      (method === 'post' ? posts : gets).push(route);
    }
  }
  return { posts, gets };
}

const authorization = (key: string | undefined): [string, string][] => (key ? [['authorization', `Bearer ${key}`]] : []);
const JSON_TYPE: [string, string] = ['content-type', 'application/json'];
const text = (json: string): BodySegment[] => [{ text: json }];

/** The field a mutation puts its value in: one of the body's, or one it does not take. */
const fieldOf = (route: Route) => fc.constantFrom(...Object.keys(route.validBody), 'unknownField');

/** A request, and whether it must be refused whatever the route: a refusal is always allowed. */
interface Mutation {
  request: RawRequest;
  mustBeRefused: boolean;
}

/** The body's fields as JSON members, with one of them (or a new one) given as raw JSON text, once or twice. */
function membersWith(body: Record<string, unknown>, field: string, rawValue: string, times = 1): string {
  const others = Object.entries(body).filter(([name]) => name !== field).map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`);
  return `{${[...others, ...Array.from({ length: times }, () => `${JSON.stringify(field)}:${rawValue}`)].join(',')}}`;
}

/**
 * Every way a POST is mutated. What is not one UTF-8 JSON object of at most 64 KiB with each key once, or comes
 * with two Authorization headers, must be refused; so must what breaks the schema of a route that has one.
 */
function hostilePosts(route: Route): fc.Arbitrary<Mutation> {
  const headers: [string, string][] = [JSON_TYPE, ...authorization(route.key)];
  const anyAnswer = (body: BodySegment[], sentHeaders = headers): Mutation => ({ request: { method: 'POST', path: route.path, headers: sentHeaders, body }, mustBeRefused: false });
  const refusal = (body: BodySegment[], sentHeaders = headers): Mutation => ({ ...anyAnswer(body, sentHeaders), mustBeRefused: true });
  const schemaRefusal = route.hasBody ? refusal : anyAnswer;
  const valid = text(JSON.stringify(route.validBody));
  const required = Object.keys(route.validBody);
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fieldOf(route), hostileValue).map(([field, value]) => anyAnswer(text(JSON.stringify({ ...route.validBody, [field]: value })))) },
    fc.tuple(fieldOf(route), rawNumbers).map(([field, raw]) => anyAnswer(text(membersWith(route.validBody, field, raw)))),
    ...(required.length > 0 ? [fc.constantFrom(...required).map((field) => refusal(text(JSON.stringify({ ...route.validBody, [field]: undefined }))))] : []),
    fc.tuple(fieldOf(route), hostileValue).map(([field, value]) => refusal(text(membersWith(route.validBody, field, JSON.stringify(value) ?? 'null', 2)))),
    oddBodies.map((body) => (parsesAsJson(body) ? schemaRefusal : refusal)(text(body))),
    fc.tuple(fieldOf(route), nesting).map(([field, shape]) => schemaRefusal(nestedBody(field, shape))),
    fc.tuple(fieldOf(route), oversize).map(([field, bytes]) => refusal(oversizedBody(field, bytes))),
    fc.tuple(fieldOf(route), notUtf8).map(([field, hex]) => refusal(badlyEncodedBody(field, hex))),
    fc.constant(refusal([{ hex: Buffer.from(JSON.stringify(route.validBody), 'utf16le').toString('hex') }])),
    contentTypes.map((type) => anyAnswer(valid, [['content-type', type], ...authorization(route.key)])),
    fc.constant(anyAnswer(valid, [JSON_TYPE, JSON_TYPE, ...authorization(route.key)])),
    fc.constant(anyAnswer(valid, [JSON_TYPE, ['content-encoding', 'gzip'], ...authorization(route.key)])),
    twoAuthorizations(route.key).map((authorizations) => refusal(valid, [JSON_TYPE, ...authorizations])),
    oddAuthorizations(route.key).map((authorization) => anyAnswer(valid, [JSON_TYPE, ['authorization', authorization]])),
    fc.tuple(fc.constantFrom('idempotency-key', 'x-correlation-id'), oddHeaderValues).map(([name, value]) => anyAnswer(valid, [...headers, [name, value]])),
    fc.constant(anyAnswer(valid, [...headers, ['idempotency-key', 'fuzz-a'], ['idempotency-key', 'fuzz-b']])),
  );
}

function parsesAsJson(body: string): boolean {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

/** Two Authorization headers, the same key twice or another beside it: refused, whatever keys they name. */
function twoAuthorizations(key: string | undefined): fc.Arbitrary<[string, string][]> {
  const own = `Bearer ${key ?? OPERATOR_KEY}`;
  return fc.constantFrom<[string, string][]>(
    [['authorization', own], ['authorization', own]],
    [['authorization', own], ['authorization', `Bearer ${OPERATOR_KEY}`]],
    [['authorization', own], ['authorization', 'Basic eDp4']],
  );
}

/** One Authorization header, oddly spelt: RFC 6750 allows some (several spaces after the scheme), not others. */
function oddAuthorizations(key: string | undefined): fc.Arbitrary<string> {
  const own = `Bearer ${key ?? OPERATOR_KEY}`;
  return fc.constantFrom(`${own}, ${own}`, `${own} `, `Bearer  ${key ?? OPERATOR_KEY}`, `${own}\u00e9`, `Bearer ${'x'.repeat(8_000)}`, 'Bearer', 'bearer', `${own}\t`);
}

/** A GET with odd values for some of its query parameters, a parameter it does not take, or one given twice. */
function hostileGets(route: Route): fc.Arbitrary<Mutation> {
  const names = fc.constantFrom(...route.queryNames, 'unknown', '__proto__', 'limit[]');
  return fc.array(fc.tuple(names, oddQueryValues), { minLength: 1, maxLength: 4 }).map((pairs) => ({
    request: { method: 'GET', path: `${route.path}?${pairs.map(([name, value]) => `${encodeURIComponent(name)}=${value}`).join('&')}`, headers: authorization(route.key) },
    mustBeRefused: false,
  }));
}

interface WrittenEvent {
  position: bigint;
  type: string;
  stream: string;
}

/**
 * A final refusal (422) of a request with an Idempotency-Key is recorded, by design, so that a retry gets it
 * again: a claim and the refusal on the key's own stream, and nothing else.
 */
function isRecordedRefusal(request: RawRequest, answer: RawAnswer, written: readonly WrittenEvent[]): boolean {
  if (answer.status !== 422 || !request.headers.some(([name]) => name === 'idempotency-key')) return false;
  const types = written.map((event) => event.type).join(',');
  return (types === 'RequestAccepted,RequestRefused' || types === 'RequestRefused') && written.every((event) => event.stream === written[0]!.stream && event.stream.startsWith('idempotency-'));
}

/** What must hold of every answer; throws a message naming the request and the answer otherwise. */
function checkAnswer({ request, mustBeRefused }: Mutation, answer: RawAnswer, written: readonly WrittenEvent[]): void {
  const fault =
    mustBeRefused && answer.status < 300
      ? `accepted (${answer.status}) a request that must be refused`
      : faultOf(answer, isRecordedRefusal(request, answer, written) ? [] : written);
  if (fault) throw new Error(`${fault}\nrequest:\n  ${describeRequest(request)}\nanswer: ${answer.status} ${answer.contentType} ${answer.text.slice(0, 400)}`);
}

function faultOf(answer: RawAnswer, written: readonly WrittenEvent[]): string | undefined {
  if (answer.status >= 500) return `answered ${answer.status}, a server error`;
  if (answer.status < 200 || (answer.status >= 300 && answer.status < 400)) return `answered ${answer.status}, neither a success nor a refusal`;
  if (answer.status < 300) return undefined;
  if (!answer.contentType.startsWith('application/problem+json')) return `refused with ${answer.contentType || 'no content type'}, not application/problem+json`;
  let problem: { code?: unknown; status?: unknown };
  try {
    problem = JSON.parse(answer.text) as typeof problem;
  } catch {
    return 'refused with a problem that is not JSON';
  }
  if (typeof problem.code !== 'string' || problem.code === '') return 'refused with a problem without a code';
  if (problem.status !== answer.status) return `refused with a problem whose status ${String(problem.status)} is not the answer's`;
  if (written.length > 0) return `refused, yet the log gained ${written.map((event) => `${event.position} ${event.type} on ${event.stream}`).join(', ')}`;
  return undefined;
}

async function writtenAfter(position: string): Promise<WrittenEvent[]> {
  const written: WrittenEvent[] = [];
  for await (const { position: at, type, stream } of app.app.get<EventStore>(EVENT_STORE).readAll({ fromPosition: BigInt(position) + 1n })) written.push({ position: at, type, stream });
  return written;
}

/** Sends one request, checks its answer, and lets what an accepted one started finish before the next. */
async function sendAndCheck(mutation: Mutation): Promise<void> {
  const before = await app.lastPosition();
  let answer: RawAnswer;
  try {
    answer = await sendRaw(app.url, mutation.request);
  } catch (error) {
    throw new Error(`no answer (${error instanceof Error ? error.message : String(error)})\nrequest:\n  ${describeRequest(mutation.request)}`);
  }
  checkAnswer(mutation, answer, (await app.lastPosition()) === before ? [] : await writtenAfter(before));
  if (answer.status < 300) await app.settleProcesses();
}

/** Runs each route's mutations and throws what failed on every route, so that one failing route does not hide the others. */
async function mutateEach(list: readonly Route[], mutationsOf: (route: Route) => fc.Arbitrary<Mutation>, numRuns: number): Promise<void> {
  const failures: string[] = [];
  for (const route of list) {
    const details = await fc.check(fc.asyncProperty(mutationsOf(route), sendAndCheck), { seed: SEED, numRuns, endOnFailure: true });
    if (!details.failed) continue;
    const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    failures.push(`${route.name} (fast-check seed ${details.seed}, path ${details.counterexamplePath}): ${error}`);
  }
  if (failures.length > 0) throw new Error(`${failures.length} of ${list.length} routes failed:\n\n${failures.join('\n\n')}`);
}

describe('mutated requests to every route of the OpenAPI document', () => {
  it('finds the routes to mutate', () => {
    expect(routes.posts.length).toBeGreaterThan(20);
    expect(routes.gets.length).toBeGreaterThan(20);
  });

  it('answers every mutated POST with a success or a problem, and writes nothing when it refuses', async () => {
    await mutateEach(routes.posts, hostilePosts, POST_RUNS);
  }, 120_000);

  it('answers every GET with odd query values with a success or a problem, and writes nothing', async () => {
    await mutateEach(routes.gets, hostileGets, GET_RUNS);
  }, 120_000);
});
