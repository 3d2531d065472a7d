import type { ServerUnderTest } from './crash-server';

export type RequestKind =
  | 'fund'
  | 'customer'
  | 'merchant'
  | 'party-key'
  | 'deposit'
  | 'withdrawal'
  | 'payment'
  | 'purchase'
  | 'redemption'
  | 'rebalance'
  | 'instant-withdrawal'
  | 'income'
  | 'day-close';

/** One command as a client means it: its Idempotency-Key (also its correlation id), path, body and key never change. */
export interface CrashRequest {
  id: string;
  kind: RequestKind;
  path: string;
  body: Record<string, unknown>;
  apiKey: string;
}

export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- command answers are read field by field
  body: any;
  replayed: boolean;
  /** Sends of the request: one, plus one per retry after a cut-off connection or a "not yet". */
  attempts: number;
  /** Sends cut off by a kill of the server. */
  cutOff: number;
}

export type SentRequest = CrashRequest & { answer: Answer };

/**
 * Answers that say "not yet" and are not recorded under the key (a close or the transfers under way, a wallet
 * still being opened, the restarted server before its leases): the same request is sent again.
 */
const NOT_YET = new Set([404, 409, 429, 503]);
/** One send may wait for a day close, which itself may wait 30 s for the transfers behind a restart. */
const ATTEMPT_TIMEOUT_MS = 90_000;
/** A request unanswered this long is a product failure (a process stuck, a server that never comes back). */
const REQUEST_DEADLINE_MS = 120_000;
/** Pauses between "not yet" answers: growing from the first to the last, so a retry does not hammer a close. */
const RETRY_PAUSE_MS = { first: 20, last: 500 } as const;

/**
 * Every request the clients sent, with its final answer; counts the 2xx answers so that kills can be placed
 * after a number of them; collects what breaks the contract (a 500, a request never answered).
 */
export class RequestLog {
  readonly sent: SentRequest[] = [];
  readonly failures: string[] = [];
  private successes = 0;
  private readonly waiters: { count: number; resolve(): void }[] = [];

  constructor(private readonly server: ServerUnderTest) {}

  /** Sends until a final answer: again after a kill (once the server is back) and after every "not yet". */
  async send(request: CrashRequest): Promise<Answer> {
    const deadlineMs = Date.now() + REQUEST_DEADLINE_MS;
    let cutOff = 0;
    for (let attempt = 1; Date.now() < deadlineMs; attempt++) {
      const url = await this.server.whenUp();
      const generation = this.server.generation;
      let status: number;
      let text: string;
      let replayed: boolean;
      try {
        const response = await fetch(`${url}${request.path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${request.apiKey}`, 'content-type': 'application/json', 'idempotency-key': request.id, 'x-correlation-id': request.id },
          body: JSON.stringify(request.body),
          signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
        });
        text = await response.text();
        status = response.status;
        replayed = response.headers.get('idempotent-replayed') === 'true';
      } catch (error) {
        if (this.server.generation !== generation) {
          cutOff += 1;
          continue;
        }
        this.failures.push(`${request.kind} ${request.id}: ${String(error)} while the server was up`);
        await pause(attempt);
        continue;
      }
      if (NOT_YET.has(status)) {
        await pause(attempt);
        continue;
      }
      const answer: Answer = { status, body: text.length > 0 ? JSON.parse(text) : {}, replayed, attempts: attempt, cutOff };
      this.record(request, answer);
      return answer;
    }
    this.failures.push(`${request.kind} ${request.id} ${request.path} ${JSON.stringify(request.body)}: no final answer within ${REQUEST_DEADLINE_MS} ms`);
    const unanswered: Answer = { status: 0, body: {}, replayed: false, attempts: 0, cutOff };
    this.sent.push({ ...request, answer: unanswered });
    return unanswered;
  }

  /** Resolves once `count` more requests than now have been answered 2xx. */
  successesFromNow(count: number): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ count: this.successes + count, resolve }));
  }

  private record(request: CrashRequest, answer: Answer): void {
    this.sent.push({ ...request, answer });
    if (answer.status >= 500) this.failures.push(`${request.kind} ${request.id} ${request.path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    if (answer.status < 200 || answer.status > 299) return;
    this.successes += 1;
    for (const waiter of this.waiters.filter((w) => w.count <= this.successes)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
}

/** A retry's pause: pacing against a server that said "not yet", never a wait for something to happen. */
function pause(attempt: number): Promise<void> {
  const ms = Math.min(RETRY_PAUSE_MS.last, RETRY_PAUSE_MS.first * 2 ** Math.min(attempt - 1, 10));
  return new Promise((resolve) => setTimeout(resolve, ms));
}
