import type { PartyRegisteredData, SealedPersonalData } from '../domain/party/party.decider';
import { openDetails, sealDetails } from './cipher';
import type { KeyStore } from './key-store';
import type { PersonalDetails } from './personal-details';

/**
 * Seals a new registration's details under a key of their own. The key is on disk before this resolves, so
 * the event that names it is appended after: a crash in between leaves a key that seals nothing, never an
 * event whose key was lost.
 */
export async function sealForRegistration(keys: KeyStore, partyId: string, details: PersonalDetails): Promise<SealedPersonalData> {
  const { keyId, key } = await keys.createKey();
  return sealDetails(details, key, keyId, partyId);
}

/**
 * The details a registration recorded: in the clear before version 3, sealed since (only then is the key
 * store asked for). Undefined when their key is gone, which is what erasure does: a missing key reads as
 * erased, never as an error. A seal that does not open under its key is an error (SealBrokenError): the log
 * or the key store was changed.
 */
export async function registeredDetails(data: PartyRegisteredData, keys: () => KeyStore): Promise<PersonalDetails | undefined> {
  if (data.sealedPersonalData === undefined) return { name: data.name };
  const key = await keys().findKey(data.sealedPersonalData.keyId);
  return key === undefined ? undefined : openDetails(data.sealedPersonalData, key, data.partyId);
}
