import type { JsonObject, JsonValue } from '../process-engine';
import type { VariableMapping } from './compiled-model';
import { evaluateFeel, FeelEvaluationError } from './feel';

/** zeebe:taskDefinition retries: a literal or a FEEL expression, a whole number of at least 1. */
export function evaluateRetries(retries: string, variables: JsonObject): number {
  const value = retries.startsWith('=') ? evaluateFeel(retries, variables) : Number(retries);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new FeelEvaluationError(retries, `retries must be a whole number of at least 1, it gave ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Evaluates every mapping against `context` first and assigns afterwards, so a mapping that fails changes
 * nothing. Targets may be paths (`payment.status`): the objects on the way are copied from `base`.
 */
export function mapVariables(mappings: readonly VariableMapping[], context: JsonObject, base: JsonObject): JsonObject {
  const values = mappings.map((mapping) => ({ target: mapping.target, value: evaluateFeel(mapping.source, context) }));
  const mapped: JsonObject = {};
  for (const { target, value } of values) assignPath(mapped, base, target.split('.'), value);
  return mapped;
}

function assignPath(into: JsonObject, base: JsonObject, path: string[], value: JsonValue): void {
  const [head, ...rest] = path;
  if (rest.length === 0) {
    into[head] = value;
    return;
  }
  const existing = into[head] ?? base[head];
  const child: JsonObject = existing !== null && typeof existing === 'object' && !Array.isArray(existing) ? { ...existing } : {};
  into[head] = child;
  assignPath(child, child, rest, value);
}
