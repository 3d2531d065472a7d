/**
 * The business key of every process about one wallet begins with the wallet's id, so the instances of any
 * model can be found by wallet (`GET /processes?wallet=`, the switches under way in a portfolio) with one
 * prefix, on any engine that filters by business key.
 */
export function walletProcessKey(walletId: string, model: string, id: string): string {
  return `${walletProcessKeyPrefix(walletId)}${model}:${id}`;
}

export function walletProcessKeyPrefix(walletId: string): string {
  return `wallet:${walletId}:`;
}
