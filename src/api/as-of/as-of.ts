import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '../../eventstore';
import { EVENT_STORE } from '../event-store.module';
import type { RouteDoc } from '../http/openapi';
import { HttpProblem } from '../http/problem';
import { parseDate, parseInstant } from '../http/query-params';
import { ClosedBusinessDays } from './closed-business-days';

/**
 * The moment an as-of read answers for. Events recorded at or before `atMs` are in; in each stream, the first
 * event recorded after it and everything after that are out.
 */
export interface AsOf {
  atMs: number;
  /** The query parameter it was asked by, exactly as a link to the next page must repeat it. */
  parameter: { name: 'asOf' | 'asOfBusinessDate'; value: string };
}

/**
 * How far past this server's clock an asOf may be: a client's clock a little ahead is not an error. An answer
 * for a moment that recent may still gain events being recorded at it.
 */
export const MAX_AS_OF_CLOCK_SKEW_MS = 5_000;

/** The two query parameters of an as-of read, for a route's documentation. */
export const AS_OF_QUERY: NonNullable<RouteDoc['query']> = {
  asOf: {
    description:
      'Answer as of this recorded time, an ISO-8601 time with its offset (`2026-01-05T10:00:00Z`): from the events recorded at or before it. ' +
      `422 AS_OF_BEFORE_LOG before the log's first event; 400 AS_OF_IN_FUTURE more than ${MAX_AS_OF_CLOCK_SKEW_MS / 1000} s after the server's time. Not with asOfBusinessDate.`,
    schema: { type: 'string', format: 'date-time', example: '2026-01-05T10:00:00Z' },
  },
  asOfBusinessDate: {
    description: "Answer as of the end of this business date: right after its day close was recorded. 422 BUSINESS_DATE_NOT_CLOSED when no close of that date was recorded (not closed yet, before the calendar began, or not a business date). Not with asOf.",
    schema: { type: 'string', format: 'date', example: '2026-01-05' },
  },
};

/** Turns `?asOf=` or `?asOfBusinessDate=` into a cut-off within the log, or refuses it naming the parameter. */
@Injectable()
export class AsOfResolver {
  /** The log's first event never changes, so its time is read once. */
  private logStartMs: number | undefined;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly closedDays: ClosedBusinessDays,
  ) {}

  /** Undefined when neither parameter is given: the read is of now. */
  async resolve(query: Record<string, unknown>): Promise<AsOf | undefined> {
    const atMs = parseInstant('asOf', query.asOf);
    const businessDate = parseDate('asOfBusinessDate', query.asOfBusinessDate);
    if (atMs !== undefined && businessDate !== undefined) {
      throw new HttpProblem(400, 'give asOf (a time) or asOfBusinessDate (a closed business date), not both', { code: 'INVALID_PARAMETER', field: 'asOf' });
    }
    if (businessDate !== undefined) return { atMs: await this.closedDays.closedAtMs(businessDate), parameter: { name: 'asOfBusinessDate', value: businessDate } };
    if (atMs === undefined) return undefined;
    const nowMs = Date.now();
    if (atMs > nowMs + MAX_AS_OF_CLOCK_SKEW_MS) {
      throw new HttpProblem(400, `asOf ${new Date(atMs).toISOString()} is in the future: this server's time is ${new Date(nowMs).toISOString()}`, { code: 'AS_OF_IN_FUTURE', field: 'asOf' });
    }
    const startMs = await this.logStart();
    if (startMs === undefined || atMs < startMs) {
      const begins = startMs === undefined ? 'the log is still empty' : `the log begins at ${new Date(startMs).toISOString()}`;
      throw new HttpProblem(422, `asOf ${new Date(atMs).toISOString()} is before the log begins: ${begins}`, { code: 'AS_OF_BEFORE_LOG', field: 'asOf' });
    }
    return { atMs, parameter: { name: 'asOf', value: String(query.asOf) } };
  }

  private async logStart(): Promise<number | undefined> {
    if (this.logStartMs === undefined) for await (const first of this.store.readAll({ maxCount: 1 })) this.logStartMs = first.recordedAt.getTime();
    return this.logStartMs;
  }
}
