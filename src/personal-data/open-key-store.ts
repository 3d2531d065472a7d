import { ConfigError, type IfwConfig } from '../config';
import { CachedKeyStore, DEFAULT_KEY_CACHE_BOUNDS } from './cached-key-store';
import type { KeyStore } from './key-store';
import { SqliteKeyStore } from './sqlite-key-store';

/** The key store the configuration names, with its keys cached in memory (DEFAULT_KEY_CACHE_BOUNDS). */
export function openKeyStore(config: Pick<IfwConfig, 'keyStoreUrl'>): KeyStore {
  if (config.keyStoreUrl === undefined) {
    throw new ConfigError(
      'IFW_KEYSTORE_URL is not set, and the event store is not embedded, so there is no data folder to keep the keys of personal data beside: set it to sqlite:PATH, on a disk of this host (docs/personal-data.md)',
    );
  }
  return new CachedKeyStore(SqliteKeyStore.open(config.keyStoreUrl.slice('sqlite:'.length)), DEFAULT_KEY_CACHE_BOUNDS);
}
