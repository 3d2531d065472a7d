import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A customer's or merchant's API key: `ifw_<partyId>_<secret>`. The party id lets the key be checked
 * against the one party's stored hash without any index; only sha256(secret) is ever stored.
 */
const KEY = /^ifw_([0-9a-f-]{36})_([A-Za-z0-9_-]{43})$/;

export function issueApiKey(partyId: string): { apiKey: string; secretHash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { apiKey: `ifw_${partyId}_${secret}`, secretHash: hashSecret(secret) };
}

export function parseApiKey(apiKey: string): { partyId: string; secret: string } | undefined {
  const match = KEY.exec(apiKey);
  return match ? { partyId: match[1]!, secret: match[2]! } : undefined;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Compares two hex digests in constant time, so response timing reveals nothing about a stored hash. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
