import { dirname, join } from 'node:path';
import { isIsoDate } from './domain/iso-date';

/**
 * The only place that reads the environment: every variable IFW understands is listed here, so the
 * compose file and the docs can be checked against this list (test/config.test.ts does).
 */
export const ENVIRONMENT_VARIABLES = {
  PORT: 'HTTP port of the API (default 3000)',
  IFW_HOST: 'address the API listens on (default 127.0.0.1; 0.0.0.0 in a container)',
  IFW_DATA_DIR: 'folder of the embedded stores (default ./data)',
  IFW_EVENTSTORE_URL: 'event store: sqlite:PATH, sqlite::memory: or esdb://HOST:2113?tls=false (default sqlite:<data>/ifw.db)',
  IFW_READSTORE_URL: 'read models: sqlite:PATH or mongodb://HOST:27017/ifw (default sqlite:<data>/read.db)',
  IFW_PROCESS_ENGINE_URL: 'process engine: embedded:PATH or zeebe://HOST:26500 (default embedded:<data>/processes.db)',
  IFW_API_KEYS: 'staff keys as key=role pairs separated by commas; roles operator, auditor, compliance',
  IFW_START_DATE: 'first business date of a new ledger, YYYY-MM-DD (default: the first start, UTC)',
  IFW_READ_WAIT_MS: 'longest wait of a GET with ?minPosition= for the read models to reach it, before 503 (default 2000)',
  IFW_READY_MAX_LAG_MS: 'GET /ready answers 503 while a read model is further behind the log than this (default 5000)',
  IFW_AUDIT_KEY: "key of the log's keyed checkpoints, written every 1,000 events by the embedded store (at least 16 characters; none without it)",
  IFW_CORS_ORIGINS: 'origins whose browser pages may call the API, separated by commas, e.g. https://app.example.com (default: none, CORS off)',
  IFW_MAX_CONNECTIONS: 'HTTP connections served at once; one more is answered 503 with Retry-After (default 1024)',
  IFW_RATE_LIMIT_PER_ADDRESS: 'requests a second one client address may send, twice that at once; past it 429 with Retry-After (default 500)',
  IFW_RATE_LIMIT_PER_KEY: 'requests a second one API key may send, twice that at once; past it 429 with Retry-After (default 100)',
  IFW_WRONG_KEYS_PER_ADDRESS: 'wrong API keys one client address may send before each further attempt waits a second (429); default 20',
  IFW_GIT_COMMIT: 'the git commit recorded with each forecast (default: git rev-parse HEAD of the working directory, else "unknown")',
  IFW_KEYSTORE_URL: "keys of persons' sealed details: sqlite:PATH or sqlite::memory: (default sqlite:keys.db beside an embedded event store; required with esdb://)",
} as const;

export type StaffRole = 'operator' | 'auditor' | 'compliance';
const STAFF_ROLES: readonly string[] = ['operator', 'auditor', 'compliance'];

export type EnvironmentVariable = keyof typeof ENVIRONMENT_VARIABLES;

export interface IfwConfig {
  port: number;
  host: string;
  dataDir: string;
  eventStoreUrl: string;
  readStoreUrl: string;
  processEngineUrl: string;
  /** Staff API key → role. */
  staffKeys: ReadonlyMap<string, StaffRole>;
  startDate: string;
  readWaitMs: number;
  readyMaxLagMs: number;
  /** The key of the log's keyed checkpoints; undefined writes none. */
  auditKey: string | undefined;
  /**
   * Where persons' data keys are kept (sqlite:PATH or sqlite::memory:); undefined when the event store is not
   * embedded and IFW_KEYSTORE_URL is unset, which the commands that need the keys refuse to start with.
   */
  keyStoreUrl: string | undefined;
  /** Origins allowed to call the API from a browser page; empty turns CORS off. */
  corsOrigins: readonly string[];
  maxConnections: number;
  /** Requests a second per client address and per API key; each may burst to twice its rate. */
  rateLimits: { perAddressPerS: number; perKeyPerS: number; wrongKeysPerAddress: number };
  /** Whether this process writes the read models (`ifw serve --no-projector` leaves that to `ifw projector`). */
  runProjector: boolean;
  /** The commit forecasts record, for an image built without `.git`; undefined asks git. */
  gitCommit: string | undefined;
}

export class ConfigError extends Error {
  readonly code = 'INVALID_CONFIG';
}

/** Command-line options, which win over the environment. */
export interface ConfigOverrides {
  dataDir?: string;
  port?: string;
  host?: string;
  /** The first business date of a new ledger, YYYY-MM-DD. */
  startDate?: string;
  runProjector?: boolean;
}

export function loadConfig(overrides: ConfigOverrides = {}, env: Partial<Record<EnvironmentVariable, string>> = process.env): IfwConfig {
  const dataDir = overrides.dataDir ?? env.IFW_DATA_DIR ?? './data';
  const portText = overrides.port ?? env.PORT ?? '3000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new ConfigError(`PORT must be an integer from 1 to 65535 (0 picks a free one); got "${portText}"`);
  }
  // An explicit --data wins over URLs from the environment, so `ifw ... --data DIR` always means DIR.
  const fromEnv = overrides.dataDir === undefined;
  const eventStoreUrl = (fromEnv && env.IFW_EVENTSTORE_URL) || `sqlite:${dataDir}/ifw.db`;
  return {
    port,
    host: overrides.host ?? env.IFW_HOST ?? '127.0.0.1',
    dataDir,
    eventStoreUrl,
    readStoreUrl: (fromEnv && env.IFW_READSTORE_URL) || `sqlite:${dataDir}/read.db`,
    processEngineUrl: (fromEnv && env.IFW_PROCESS_ENGINE_URL) || `embedded:${dataDir}/processes.db`,
    staffKeys: parseStaffKeys(env.IFW_API_KEYS ?? ''),
    startDate: parseStartDate(overrides.startDate ?? env.IFW_START_DATE),
    readWaitMs: parseMs('IFW_READ_WAIT_MS', env.IFW_READ_WAIT_MS, 2_000),
    readyMaxLagMs: parseMs('IFW_READY_MAX_LAG_MS', env.IFW_READY_MAX_LAG_MS, 5_000),
    auditKey: parseAuditKey(env.IFW_AUDIT_KEY),
    corsOrigins: parseOrigins(env.IFW_CORS_ORIGINS ?? ''),
    maxConnections: parseWhole('IFW_MAX_CONNECTIONS', env.IFW_MAX_CONNECTIONS, 1_024),
    rateLimits: {
      perAddressPerS: parseWhole('IFW_RATE_LIMIT_PER_ADDRESS', env.IFW_RATE_LIMIT_PER_ADDRESS, 500),
      perKeyPerS: parseWhole('IFW_RATE_LIMIT_PER_KEY', env.IFW_RATE_LIMIT_PER_KEY, 100),
      wrongKeysPerAddress: parseWhole('IFW_WRONG_KEYS_PER_ADDRESS', env.IFW_WRONG_KEYS_PER_ADDRESS, 20),
    },
    keyStoreUrl: parseKeyStoreUrl((fromEnv && env.IFW_KEYSTORE_URL) || undefined, eventStoreUrl),
    runProjector: overrides.runProjector ?? true,
    gitCommit: env.IFW_GIT_COMMIT || undefined,
  };
}

function parseStaffKeys(text: string): Map<string, StaffRole> {
  const keys = new Map<string, StaffRole>();
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const at = pair.lastIndexOf('=');
    const key = pair.slice(0, at);
    const role = pair.slice(at + 1);
    if (at <= 0 || !STAFF_ROLES.includes(role)) {
      throw new ConfigError(`IFW_API_KEYS must be key=role pairs with roles ${STAFF_ROLES.join(', ')}; "${pair.replace(key, '…')}" is not`);
    }
    if (key.length < 16) throw new ConfigError('IFW_API_KEYS: each key must be at least 16 characters long');
    keys.set(key, role as StaffRole);
  }
  return keys;
}

/** Milliseconds up to ten minutes: a bound on a wait, never unbounded. */
function parseMs(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  if (!/^\d{1,6}$/.test(text) || Number(text) > 600_000) throw new ConfigError(`${name} must be a number of milliseconds from 0 to 600000; got "${text}"`);
  return Number(text);
}

/** Exact origins only: a wildcard would let any page read what a user's key can. */
function parseOrigins(text: string): string[] {
  return text
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)
    .map((origin) => {
      const parsed = URL.canParse(origin) ? new URL(origin) : undefined;
      if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
        throw new ConfigError(`IFW_CORS_ORIGINS must list origins such as https://app.example.com (scheme, host and port only); "${origin}" is not one`);
      }
      return origin;
    });
}

/** A count from 1 to 100,000: a bound, never unbounded and never zero. */
function parseWhole(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  if (!/^\d{1,6}$/.test(text) || Number(text) < 1 || Number(text) > 100_000) throw new ConfigError(`${name} must be a whole number from 1 to 100000; got "${text}"`);
  return Number(text);
}

function parseAuditKey(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  if (text.length < 16) throw new ConfigError('IFW_AUDIT_KEY must be at least 16 characters long');
  return text;
}

/**
 * The keys live in a file of their own beside an embedded event store (in memory beside one in memory), so
 * erasing a key never touches the log's file. An EventStoreDB has no folder here to put them beside.
 */
function parseKeyStoreUrl(text: string | undefined, eventStoreUrl: string): string | undefined {
  if (text !== undefined) {
    if (!/^sqlite:.+/.test(text)) throw new ConfigError(`IFW_KEYSTORE_URL must be sqlite:PATH or sqlite::memory:; got "${text}"`);
    return text;
  }
  if (!eventStoreUrl.startsWith('sqlite:')) return undefined;
  const path = eventStoreUrl.slice('sqlite:'.length).split('?')[0]!;
  return path === ':memory:' ? 'sqlite::memory:' : `sqlite:${join(dirname(path), 'keys.db')}`;
}

function parseStartDate(text: string | undefined): string {
  if (text === undefined || text === '') return new Date().toISOString().slice(0, 10);
  if (!isIsoDate(text)) {
    throw new ConfigError(`IFW_START_DATE must be a date such as 2026-01-05; got "${text}"`);
  }
  return text;
}
