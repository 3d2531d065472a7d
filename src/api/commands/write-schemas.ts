import type { JsonSchema } from '../http/openapi';

/** Money a command answers with never goes below zero: a refused debit is a 422, not a negative balance. */
export const CNY: JsonSchema = { type: 'string', pattern: '^(0|[1-9][0-9]*)\\.[0-9]{2}$', description: 'CNY as a decimal string, 2 decimals', example: '100.00' };
export const SIGNED_CNY: JsonSchema = { type: 'string', pattern: '^-?(0|[1-9][0-9]*)\\.[0-9]{2}$', description: 'CNY as a decimal string, 2 decimals; may be negative', example: '-0.03' };
export const PER_TEN_K_TEXT: JsonSchema = { type: 'string', pattern: '^-?(0|[1-9][0-9]*)\\.[0-9]{4}$', description: 'income per 10,000 shares in CNY, 4 decimals; may be negative', example: '0.6543' };
export const UUID: JsonSchema = { type: 'string', format: 'uuid' };
export const DATE: JsonSchema = { type: 'string', format: 'date' };
export const FUND_CODE: JsonSchema = { type: 'string', pattern: '^[A-Z0-9]{2,12}$', description: 'the fund code' };

const POSITION: JsonSchema = {
  type: 'string',
  pattern: '^(0|[1-9][0-9]*)$',
  description: "the event store position of the write (of the first write on a replay); pass it as a GET's minPosition to read your own write",
};

/**
 * The body of a write: the command's own fields plus the `position` every command answers with, closed, so a
 * field added to a handler without its documentation fails the response-schema test.
 */
export function writeResponseSchema(description: string, properties: Record<string, JsonSchema>, optional: readonly string[] = []): JsonSchema {
  return {
    type: 'object',
    description,
    additionalProperties: false,
    required: [...Object.keys(properties).filter((name) => !optional.includes(name)), 'position'],
    properties: { ...properties, position: POSITION },
  };
}
