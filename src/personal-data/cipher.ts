import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { SealedPersonalData } from '../domain/party/party.decider';
import { canonicalJson } from '../eventstore';
import { invariant } from '../invariant';
import type { PersonalDetails } from './personal-details';

/** AES-256 takes 32-byte keys; GCM's nonce is 12 bytes and its tag 16. */
export const DATA_KEY_BYTES = 32;
const IV_BYTES = 12;

/** A nonce drawn from a seed for one party: what generated histories use, so the same seed writes the same log. */
export function seededNonce(seed: string): Buffer {
  return createHash('sha256').update(seed).digest().subarray(0, IV_BYTES);
}
const TAG_BYTES = 16;

/** A sealed value that does not open under the key it names: the wrong key, or a byte changed. */
export class SealBrokenError extends Error {
  readonly code = 'SEAL_BROKEN';
  constructor(partyId: string, keyId: string) {
    super(`the personal data of party ${partyId} does not open under key ${keyId}: it was sealed under another key, or changed since`);
    this.name = 'SealBrokenError';
  }
}

/**
 * The authenticated context of a seal: the party and the key it belongs to, so a sealed value copied into
 * another party's registration does not open there.
 */
function associatedData(partyId: string, keyId: string): Buffer {
  return Buffer.from(`ifw personal data\n${partyId}\n${keyId}`, 'utf8');
}

/**
 * Seals a person's details under their data key. A fresh random nonce each time: a key seals one
 * registration, and even sealing the same details twice gives two unrelated texts.
 */
/** `iv` must never repeat under one key; a fresh random one unless a generator of seeded histories gives its own. */
export function sealDetails(details: PersonalDetails, key: Buffer, keyId: string, partyId: string, iv: Buffer = randomBytes(IV_BYTES)): SealedPersonalData {
  invariant(iv.length === IV_BYTES, () => `an AES-GCM nonce is ${IV_BYTES} bytes, not ${iv.length}`);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(partyId, keyId));
  const ciphertext = Buffer.concat([cipher.update(canonicalJson(details), 'utf8'), cipher.final()]);
  return { scheme: 'aes-256-gcm', keyId, iv: iv.toString('base64url'), ciphertext: ciphertext.toString('base64url'), tag: cipher.getAuthTag().toString('base64url') };
}

/** The details sealed in `sealed`; SealBrokenError when they do not authenticate under `key`. */
export function openDetails(sealed: SealedPersonalData, key: Buffer, partyId: string): PersonalDetails {
  const tag = Buffer.from(sealed.tag, 'base64url');
  if (tag.length !== TAG_BYTES) throw new SealBrokenError(partyId, sealed.keyId);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64url'), { authTagLength: TAG_BYTES });
  decipher.setAAD(associatedData(partyId, sealed.keyId));
  decipher.setAuthTag(tag);
  try {
    const text = Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    return JSON.parse(text) as PersonalDetails;
  } catch {
    throw new SealBrokenError(partyId, sealed.keyId);
  }
}
