import { IncomeRateFormatError, parsePerTenK } from '../../domain/income-rate';
import { MoneyFormatError, parseAmount } from '../../domain/money';
import type { BodyOf, BodySchema, ChoicesField, EnumField, FieldSpec, ListField, StringField } from './body-schema';
import { HttpProblem } from './problem';

/**
 * Checks a parsed JSON body against its schema and returns it typed, or throws HttpProblem 400 naming the
 * first field at fault. Only the schema's fields are copied out, so nothing unchecked reaches a handler.
 */
export function validateBody<const S extends BodySchema>(schema: S, body: unknown): BodyOf<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw HttpProblem.badRequest(null, `the request body must be a JSON object, not ${describeJsonType(body)}`);
  }
  const record = body as Record<string, unknown>;
  const known = Object.keys(schema);
  for (const key of Object.keys(record)) {
    if (!Object.hasOwn(schema, key)) {
      throw HttpProblem.badRequest(key, `unknown field "${key}": this request accepts ${known.length ? known.join(', ') : 'no fields'}`);
    }
  }
  const result: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema)) {
    const value = record[name];
    if (value === undefined) {
      if (spec.optional) continue;
      throw HttpProblem.badRequest(name, `${name} is required`);
    }
    result[name] = validateField(name, spec, value);
  }
  return result as BodyOf<S>;
}

/** Path parameters arrive as strings; they follow the same rules as body fields of the string kinds. */
export type ParamSpec = 'id' | 'isoDate' | StringField | EnumField;

export function validateParam(name: string, spec: ParamSpec, value: unknown): string {
  const field: FieldSpec = typeof spec === 'string' ? { kind: spec } : spec;
  try {
    return validateField(name, field, value) as string;
  } catch (error) {
    if (error instanceof HttpProblem) throw new HttpProblem(400, error.detail, { code: 'INVALID_PARAMETER', field: name });
    throw error;
  }
}

function validateField(name: string, spec: FieldSpec, value: unknown): unknown {
  switch (spec.kind) {
    case 'list':
      return validateList(name, spec, value);
    case 'amount':
      return parseOrRefuse(name, value, 'a decimal string of CNY such as "1234.56"', (text) => parseAmount(text));
    case 'perTenK':
      return parseOrRefuse(name, value, 'a decimal string such as "0.6543"', (text) => parsePerTenK(text));
    case 'isoDate':
      if (typeof value !== 'string' || !isCalendarDate(value)) {
        throw HttpProblem.badRequest(name, `${name} must be a calendar date written YYYY-MM-DD, such as "2026-01-05"`);
      }
      return value;
    case 'id':
      if (typeof value !== 'string' || !UUID.test(value)) {
        throw HttpProblem.badRequest(name, `${name} must be a UUID such as "3f2b8c1e-9a4d-4e5f-8b6a-1c2d3e4f5a6b"`);
      }
      return value.toLowerCase();
    case 'enum':
      if (typeof value !== 'string' || !spec.values.includes(value)) {
        throw HttpProblem.badRequest(name, `${name} must be one of ${spec.values.map((v) => `"${v}"`).join(', ')}`);
      }
      return value;
    case 'string':
      return checkString(name, spec, value);
    case 'choices':
      return validateChoices(name, spec, value);
    case 'boolean':
      if (typeof value !== 'boolean') throw HttpProblem.badRequest(name, `${name} must be true or false, not ${describeJsonType(value)}`);
      return value;
  }
}

function validateList(name: string, spec: ListField, value: unknown): unknown[] {
  if (!Array.isArray(value) || value.length < spec.minItems || value.length > spec.maxItems) {
    throw HttpProblem.badRequest(name, `${name} must be an array of ${spec.minItems} to ${spec.maxItems} objects, not ${Array.isArray(value) ? `${value.length} of them` : describeJsonType(value)}`);
  }
  return value.map((item, index) => {
    try {
      return validateBody(spec.item, item);
    } catch (error) {
      if (!(error instanceof HttpProblem)) throw error;
      const place = `${name}[${index}]`;
      throw HttpProblem.badRequest(error.field ? `${place}.${error.field}` : place, `${place}: ${error.detail}`);
    }
  });
}

function validateChoices(name: string, spec: ChoicesField, value: unknown): string[] {
  const allowed = spec.values.map((v) => `"${v}"`).join(', ');
  if (!Array.isArray(value) || value.length < spec.minItems || value.length > spec.values.length) {
    throw HttpProblem.badRequest(name, `${name} must be an array of ${spec.minItems} to ${spec.values.length} of ${allowed}, not ${Array.isArray(value) ? `${value.length} of them` : describeJsonType(value)}`);
  }
  for (const [index, item] of value.entries()) {
    if (typeof item !== 'string' || !spec.values.includes(item)) throw HttpProblem.badRequest(`${name}[${index}]`, `${name}[${index}] must be one of ${allowed}`);
    if (value.indexOf(item) !== index) throw HttpProblem.badRequest(`${name}[${index}]`, `${name}[${index}] repeats "${item}"`);
  }
  return value as string[];
}

function parseOrRefuse(name: string, value: unknown, expected: string, parse: (text: unknown) => bigint): bigint {
  // The domain parsers' message for a non-string is about JSON numbers; null, booleans and objects get their own.
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw HttpProblem.badRequest(name, `${name} must be ${expected}, not ${describeJsonType(value)}`);
  }
  try {
    return parse(value);
  } catch (error) {
    if (error instanceof MoneyFormatError || error instanceof IncomeRateFormatError) {
      throw HttpProblem.badRequest(name, `${name} ${error.rule}`);
    }
    throw error;
  }
}

function checkString(name: string, spec: StringField, value: unknown): string {
  if (typeof value !== 'string') throw HttpProblem.badRequest(name, `${name} must be a string, not ${describeJsonType(value)}`);
  const length = [...value].length;
  if (length < spec.minLength || length > spec.maxLength) {
    const range = spec.minLength === spec.maxLength ? `exactly ${spec.minLength}` : `${spec.minLength} to ${spec.maxLength}`;
    throw HttpProblem.badRequest(name, `${name} must be ${range} characters long`);
  }
  if (spec.pattern && !spec.pattern.test(value)) {
    throw HttpProblem.badRequest(name, `${name} must be ${spec.patternDescription ?? `a string matching ${spec.pattern.source}`}`);
  }
  return value;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The round trip through Date rejects dates that do not exist, such as 2026-02-30. */
function isCalendarDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === text;
}

function describeJsonType(value: unknown): string {
  if (value === undefined) return 'empty';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}
