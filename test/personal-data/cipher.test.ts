import { randomBytes } from 'node:crypto';
import { DATA_KEY_BYTES, SealBrokenError, openDetails, sealDetails } from '../../src/personal-data/cipher';
import { maskedBankCard, passesLuhn, shownDetails } from '../../src/personal-data/personal-details';

const DETAILS = { name: 'Li Wei', phone: '+8613800138000', bankCard: '6222020200000000006' };
const PARTY = '11111111-1111-4111-8111-111111111111';
const KEY_ID = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';

describe('the cipher of personal details', () => {
  const key = randomBytes(DATA_KEY_BYTES);

  it('opens what it sealed, and the sealed text shows none of it', () => {
    const sealed = sealDetails(DETAILS, key, KEY_ID, PARTY);
    expect(openDetails(sealed, key, PARTY)).toEqual(DETAILS);
    expect(sealed).toMatchObject({ scheme: 'aes-256-gcm', keyId: KEY_ID });
    const text = JSON.stringify(sealed);
    for (const value of [...Object.values(DETAILS), '13800138000', '0000000006']) expect(text).not.toContain(value);
  });

  it('seals the same details twice as two unrelated texts: a fresh nonce each time', () => {
    const first = sealDetails(DETAILS, key, KEY_ID, PARTY);
    const second = sealDetails(DETAILS, key, KEY_ID, PARTY);
    expect(first.iv).not.toBe(second.iv);
    expect(first.ciphertext).not.toBe(second.ciphertext);
  });

  it('fails authentication under a wrong key', () => {
    const sealed = sealDetails(DETAILS, key, KEY_ID, PARTY);
    expect(() => openDetails(sealed, randomBytes(DATA_KEY_BYTES), PARTY)).toThrow(SealBrokenError);
  });

  it('fails authentication when a byte of the text, the tag or the nonce changed', () => {
    const sealed = sealDetails(DETAILS, key, KEY_ID, PARTY);
    const flipped = (text: string) => {
      const bytes = Buffer.from(text, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      return bytes.toString('base64url');
    };
    expect(() => openDetails({ ...sealed, ciphertext: flipped(sealed.ciphertext) }, key, PARTY)).toThrow(SealBrokenError);
    expect(() => openDetails({ ...sealed, tag: flipped(sealed.tag) }, key, PARTY)).toThrow(SealBrokenError);
    expect(() => openDetails({ ...sealed, iv: flipped(sealed.iv) }, key, PARTY)).toThrow(SealBrokenError);
    expect(() => openDetails({ ...sealed, tag: sealed.tag.slice(0, 8) }, key, PARTY)).toThrow(SealBrokenError);
  });

  it("does not open in another party's registration, nor under another key id", () => {
    const sealed = sealDetails(DETAILS, key, KEY_ID, PARTY);
    expect(() => openDetails(sealed, key, '22222222-2222-4222-8222-222222222222')).toThrow('does not open under key');
    expect(() => openDetails({ ...sealed, keyId: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb' }, key, PARTY)).toThrow(SealBrokenError);
  });
});

describe('personal details as shown', () => {
  it('masks the bank card to its last four digits, and shows an erased person by the marker alone', () => {
    expect(maskedBankCard('6222020200000000006')).toBe('****0006');
    expect(shownDetails(DETAILS)).toEqual({ name: 'Li Wei', phone: '+8613800138000', bankCard: '****0006' });
    expect(shownDetails({ name: 'Li Wei' })).toEqual({ name: 'Li Wei' });
    expect(shownDetails(undefined)).toEqual({ name: '[erased]' });
  });

  it('checks card numbers by Luhn: one digit changed, or two swapped, fails', () => {
    expect(['6222020200000000006', '4111111111111111', '79927398713'].map(passesLuhn)).toEqual([true, true, true]);
    expect(['6222020200000000004', '4111111111111121', '79927398731'].map(passesLuhn)).toEqual([false, false, false]);
  });
});
