import { AUDITOR_KEY, type ServerUnderTest } from './crash-server';

export interface LoggedEvent {
  position: string;
  stream: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/** Bounds of the waits on observable conditions: each is a poll that ends when the condition holds or its time is up. */
export const WAIT_BOUNDS = { readyMs: 60_000, logWatchMs: 60_000, settleMs: 60_000 } as const;
/** Between two reads of a condition that does not hold yet. */
const POLL_MS = 25;
const PAGE = 200;

/** A GET as the auditor (or `key`), on the server as it is now; throws unless it answers 200 (or `okStatuses`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- read models are checked field by field
export async function read(server: ServerUnderTest, path: string, okStatuses: readonly number[] = [200]): Promise<{ status: number; body: any }> {
  const url = await server.whenUp();
  const get = () => fetch(`${url}${path}`, { headers: { authorization: `Bearer ${AUDITOR_KEY}` } });
  // A GET may be sent again on a connection that closed as it was reused; the read changes nothing.
  const response = await get().catch(get);
  const body = (await response.json()) as unknown;
  if (!okStatuses.includes(response.status)) throw new Error(`GET ${path} answered ${response.status}: ${JSON.stringify(body)}`);
  return { status: response.status, body };
}

/** Reads `probe` until it returns a value, at most `boundMs`; throws naming `what` past it. */
export async function until<T>(what: string, boundMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadlineMs = Date.now() + boundMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() >= deadlineMs) throw new Error(`${what}: not so within ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** GET /ready is 200: the restarted server's read models hold their leases again and are caught up. */
export function ready(server: ServerUnderTest): Promise<true> {
  return until('the server is ready', WAIT_BOUNDS.readyMs, async () => ((await read(server, '/ready', [200, 503])).status === 200 ? true : undefined));
}

export async function lastPosition(server: ServerUnderTest): Promise<bigint> {
  return BigInt((await read(server, '/health')).body.lastPosition as string);
}

/** Follows the log from `after` (GET /audit/log) until an event `matches`; returns it. */
export async function watchLog(server: ServerUnderTest, after: bigint, what: string, matches: (event: LoggedEvent) => boolean): Promise<LoggedEvent> {
  let cursor = after + 1n;
  return until(what, WAIT_BOUNDS.logWatchMs, async () => {
    for (;;) {
      const page = (await read(server, `/audit/log?fromPosition=${cursor}&limit=${PAGE}`)).body as { items: LoggedEvent[] };
      const found = page.items.find(matches);
      if (found) return found;
      if (page.items.length === 0) return undefined;
      cursor = BigInt(page.items.at(-1)!.position) + 1n;
    }
  });
}

/** Every instance the engine knows, in every state, paged through. */
export interface InstanceSummary {
  processId: string;
  model: string;
  state: string;
  businessKey: string | null;
}

export async function allInstances(server: ServerUnderTest, query = ''): Promise<InstanceSummary[]> {
  const instances: InstanceSummary[] = [];
  let cursor: string | null = null;
  do {
    const page = (await read(server, `/processes?limit=${PAGE}${query}${cursor === null ? '' : `&cursor=${cursor}`}`)).body as { items: InstanceSummary[]; nextCursor: string | null };
    instances.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return instances;
}
