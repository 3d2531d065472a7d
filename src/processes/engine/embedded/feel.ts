import { evaluate } from 'feelin';
import type { JsonObject, JsonValue } from '../process-engine';

/**
 * Zeebe's expressions are FEEL, marked by a leading `=` (`=amount > 10000`); any other attribute value is a
 * literal (never a truthy string). Every expression of a model goes through here.
 */
export function isFeelExpression(text: string): boolean {
  return text.startsWith('=');
}

/** Why an expression could not give a usable value; the engine turns it into an incident. */
export class FeelEvaluationError extends Error {
  constructor(
    readonly expression: string,
    reason: string,
  ) {
    super(`FEEL expression ${JSON.stringify(expression)} failed: ${reason}`);
    this.name = 'FeelEvaluationError';
  }
}

/**
 * Warnings that only say a name was not there: FEEL gives null for them, as Zeebe's FEEL does, and the caller
 * decides whether null will do (a mapping may be null, a condition may not). Any other warning (a type
 * mismatch, an unknown function) means the expression is wrong for these variables.
 */
const ABSENCE_WARNINGS = new Set(['NO_VARIABLE_FOUND', 'NO_CONTEXT_ENTRY_FOUND', 'NO_PROPERTY_FOUND']);

/** Evaluates `expression` (with or without its `=`) against the variables; the result as JSON. */
export function evaluateFeel(expression: string, variables: JsonObject): JsonValue {
  return evaluateWithAbsences(expression, variables).value;
}

export function evaluateCondition(expression: string, variables: JsonObject): boolean {
  const { value, absences } = evaluateWithAbsences(expression, variables);
  if (typeof value !== 'boolean') throw new FeelEvaluationError(expression, `a condition must give true or false, it gave ${JSON.stringify(value)}${absences}`);
  return value;
}

/** Zeebe accepts a string or a number as a correlation key and compares its text. */
export function evaluateCorrelationKey(expression: string, variables: JsonObject): string {
  if (!isFeelExpression(expression)) return expression;
  const { value, absences } = evaluateWithAbsences(expression, variables);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new FeelEvaluationError(expression, `a correlation key must be a string or a number, it gave ${JSON.stringify(value)}${absences}`);
}

/** A literal, or an expression that must give a string (a task type, an ISO-8601 timer value). */
export function evaluateText(expression: string, variables: JsonObject, what: string): string {
  if (!isFeelExpression(expression)) return expression;
  const { value, absences } = evaluateWithAbsences(expression, variables);
  if (typeof value !== 'string' || value.length === 0) throw new FeelEvaluationError(expression, `${what} must be a text, it gave ${JSON.stringify(value)}${absences}`);
  return value;
}

/** The value, and which names were missing (said in the message when the value will not do). */
function evaluateWithAbsences(expression: string, variables: JsonObject): { value: JsonValue; absences: string } {
  const body = isFeelExpression(expression) ? expression.slice(1) : expression;
  let result: ReturnType<typeof evaluate>;
  try {
    result = evaluate(body, variables, 'camunda');
  } catch (error) {
    throw new FeelEvaluationError(expression, (error as Error).message);
  }
  const fatal = result.warnings.filter((warning) => !ABSENCE_WARNINGS.has(warning.type));
  if (fatal.length > 0) throw new FeelEvaluationError(expression, fatal.map((warning) => warning.message).join('; '));
  const absences = describeAbsences(result.warnings);
  return { value: toJson(expression, result.value, absences), absences };
}

function describeAbsences(warnings: ReturnType<typeof evaluate>['warnings']): string {
  const absent = warnings.filter((warning) => ABSENCE_WARNINGS.has(warning.type));
  return absent.length > 0 ? ` (${absent.map((warning) => warning.message).join('; ')})` : '';
}

/** FEEL values as JSON: temporal values become their ISO-8601 text; functions and ranges have no JSON form. */
function toJson(expression: string, value: unknown, absences: string): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new FeelEvaluationError(expression, `it gave ${value}${absences}`);
    return value;
  }
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((item) => toJson(expression, item, absences));
  if (typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return String((value as { toJSON(): unknown }).toJSON());
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toJson(expression, item, absences)]));
  }
  throw new FeelEvaluationError(expression, `it gave a value with no JSON form (${Object.prototype.toString.call(value)})`);
}
