/**
 * Quantiles by linear interpolation between order statistics (R's type 7, numpy's default): the one rule of
 * every quantile the models and their reports take.
 */

/** The `probability`-quantile of an ascending, non-empty array. */
export function quantileOfSorted(sorted: readonly number[], probability: number): number {
  const position = (sorted.length - 1) * probability;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

/** The `probability`-quantile of a sample in any order; NaN for an empty one. */
export function quantileOf(values: readonly number[], probability: number): number {
  if (values.length === 0) return NaN;
  return quantileOfSorted([...values].sort((a, b) => a - b), probability);
}
