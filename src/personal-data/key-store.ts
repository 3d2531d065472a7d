/** A person's data key: 32 random bytes under an id of its own, which the sealed details name. */
export interface DataKey {
  keyId: string;
  key: Buffer;
}

/** An erasure begun and not known to be finished: its key is to be deleted once its PersonErased is in the log. */
export interface PendingErasure {
  keyId: string;
  partyId: string;
}

/**
 * Where persons' data keys live, apart from the log: deleting a key is what erases the details sealed
 * under it. The embedded adapter is sqlite-key-store.ts.
 */
export interface KeyStore {
  /** A new random key, on disk when this resolves. */
  createKey(): Promise<DataKey>;
  /** The key, or undefined when it was deleted (or never stored): the details it sealed read as erased. */
  findKey(keyId: string): Promise<Buffer | undefined>;
  /** Records, on disk, that the key is to be deleted for this party: what start-up finishes after a crash. */
  beginErasure(erasure: PendingErasure): Promise<void>;
  /** Deletes the key and its pending erasure; nothing happens when they are gone already. */
  deleteKey(keyId: string): Promise<void>;
  /** Drops a pending erasure whose PersonErased never reached the log, keeping the key. */
  abandonErasure(keyId: string): Promise<void>;
  /** Pending erasures, at most `limit` of them. */
  pendingErasures(limit: number): Promise<PendingErasure[]>;
  close(): Promise<void>;
}
