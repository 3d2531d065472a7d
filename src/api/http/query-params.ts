import { isIsoDate } from '../../domain/iso-date';
import { MAX_CURSOR_LENGTH } from '../../projections/page-cursor';
import { HttpProblem } from './problem';

/** Query parameters arrive as strings, once each; a repeated one is an array, which no parameter here accepts. */
type QueryValue = unknown;

function single(name: string, value: QueryValue): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new HttpProblem(400, `${name} must be given once, as a single value`, { code: 'INVALID_PARAMETER', field: name });
  return value;
}

function invalid(name: string, detail: string): HttpProblem {
  return new HttpProblem(400, detail, { code: 'INVALID_PARAMETER', field: name });
}

/** `?minPosition=`: a non-negative integer, the `position` of a write's response. */
export function parseMinPosition(value: QueryValue): bigint | undefined {
  const text = single('minPosition', value);
  if (text === undefined) return undefined;
  if (!/^(0|[1-9][0-9]{0,19})$/.test(text)) throw invalid('minPosition', `minPosition must be a non-negative integer such as "1234" (the position of a write's response), not "${text.slice(0, 40)}"`);
  return BigInt(text);
}

export const PAGE_LIMITS = { defaultLimit: 50, maxLimit: 200 } as const;

/** The schema of every paged listing's `limit`. */
export const PAGE_LIMIT_SCHEMA = { type: 'integer', minimum: 1, maximum: PAGE_LIMITS.maxLimit, default: PAGE_LIMITS.defaultLimit };
/** How a paged listing documents its `limit` unless it names what a page holds. */
export const PAGE_LIMIT_QUERY = { description: `page size, 1 to ${PAGE_LIMITS.maxLimit}`, schema: PAGE_LIMIT_SCHEMA };

/** `?limit=` of a paged listing: 1 to PAGE_LIMITS.maxLimit, the default when absent. */
export function parseLimit(limitValue: QueryValue): number {
  const limitText = single('limit', limitValue);
  if (limitText === undefined) return PAGE_LIMITS.defaultLimit;
  if (!/^[0-9]{1,6}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > PAGE_LIMITS.maxLimit) {
    throw invalid('limit', `limit must be an integer from 1 to ${PAGE_LIMITS.maxLimit}, not "${limitText.slice(0, 40)}"`);
  }
  return Number(limitText);
}

/** `?limit=&cursor=` of a paged listing. */
export function parsePage(limitValue: QueryValue, cursorValue: QueryValue): { limit: number; cursor: string | undefined } {
  const limit = parseLimit(limitValue);
  const cursor = single('cursor', cursorValue);
  if (cursor !== undefined && (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(cursor))) {
    throw invalid('cursor', 'cursor is not one this listing issued: pass back nextCursor exactly as it was received');
  }
  return { limit, cursor };
}

/** `?from=&to=` as calendar dates, from not after to; either may be absent. */
export function parseDateRange(fromValue: QueryValue, toValue: QueryValue, names: { from: string; to: string } = { from: 'from', to: 'to' }): { from?: string; to?: string } {
  const from = parseDate(names.from, fromValue);
  const to = parseDate(names.to, toValue);
  if (from !== undefined && to !== undefined && from > to) throw invalid(names.from, `${names.from} (${from}) must not be after ${names.to} (${to})`);
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

export function parseDate(name: string, value: QueryValue): string | undefined {
  const text = single(name, value);
  if (text === undefined) return undefined;
  if (!isIsoDate(text)) throw invalid(name, `${name} must be a calendar date written YYYY-MM-DD, such as "2026-01-05"`);
  return text;
}

/** One of a fixed set of values, or absent. */
export function parseChoice<T extends string>(name: string, value: QueryValue, choices: readonly T[]): T | undefined {
  const text = single(name, value);
  if (text === undefined) return undefined;
  if (!choices.includes(text as T)) throw invalid(name, `${name} must be one of ${choices.map((c) => `"${c}"`).join(', ')}`);
  return text as T;
}

/** A free-text search term of bounded length. */
export function parseSearch(name: string, value: QueryValue, maxLength = 100): string | undefined {
  const text = single(name, value);
  if (text === undefined) return undefined;
  if (text.length === 0 || [...text].length > maxLength) throw invalid(name, `${name} must be 1 to ${maxLength} characters long`);
  return text;
}

/** `2026-01-05T10:00:00Z`, `2026-01-05T18:00:00.250+08:00`: seconds and their fraction optional, the offset required. */
const ISO_INSTANT = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.(\d{1,9}))?)?(Z|([+-])([01]\d|2[0-3]):([0-5]\d))$/;

/**
 * An ISO-8601 instant with its offset, as milliseconds since the epoch. Digits after the millisecond are cut
 * off, not rounded: event times are whole milliseconds, so an event is at or before the instant exactly when
 * it is at or before the cut-off millisecond.
 */
export function parseInstant(name: string, value: QueryValue): number | undefined {
  const text = single(name, value);
  if (text === undefined) return undefined;
  const match = ISO_INSTANT.exec(text);
  if (!match || !isIsoDate(match[1])) {
    throw invalid(name, `${name} must be an ISO-8601 time with its offset, such as "2026-01-05T10:00:00Z" or "2026-01-05T18:00:00+08:00", not "${text.slice(0, 40)}"`);
  }
  const [, date, hours, minutes, seconds = '0', fraction = '', zone, sign, offsetHours, offsetMinutes] = match;
  const [year, month, day] = date!.split('-').map(Number) as [number, number, number];
  const localMs = Date.UTC(year, month - 1, day, Number(hours), Number(minutes), Number(seconds), Number(fraction.padEnd(3, '0').slice(0, 3)));
  const offsetMs = zone === 'Z' ? 0 : (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  return localMs - offsetMs;
}
