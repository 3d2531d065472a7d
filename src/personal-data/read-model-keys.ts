import { invariant } from '../invariant';
import type { KeyStore } from './key-store';

let lent: KeyStore | undefined;

/**
 * Lends the process's key store to its read models, until the returned function is called. Projections
 * are defined once for every process (READ_MODELS), so they cannot be handed one: whoever opens the key
 * store of a process that runs them (the API's PersonalDataModule, `ifw projector`, `ifw projections
 * rebuild`) lends it here before they start, and takes it back after they stop. A process serves one data
 * folder, so it has one key store.
 */
export function lendToReadModels(keys: KeyStore): () => void {
  invariant(lent === undefined, 'a second key store lent to the read models of this process, which serves one data folder');
  lent = keys;
  return () => {
    if (lent === keys) lent = undefined;
  };
}

/** The key store the parties read model opens sealed details with. */
export function readModelKeys(): KeyStore {
  if (lent === undefined) throw new Error('the parties read model opens sealed personal details with the key store, and none is open in this process');
  return lent;
}
