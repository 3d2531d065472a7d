/**
 * What IFW knows of a person that the law on personal information (PIPL) protects: their name, and
 * optionally their phone number and the bank card their cash is withdrawn to and deposited from.
 */
export interface PersonalDetails {
  name: string;
  phone?: string;
  bankCard?: string;
}

/** Details as answers and read models show them: the bank card masked to its last four digits. */
export interface ShownDetails {
  name: string;
  phone?: string;
  bankCard?: string;
}

/** Shown in place of an erased person's name; their phone and card are not shown at all. */
export const ERASED_NAME = '[erased]';

/** E.164: a plus, a country code that does not start with 0, at most 15 digits in all. */
export const PHONE = /^\+[1-9][0-9]{7,14}$/;
/** Card numbers (PANs) of 13 to 19 digits, UnionPay's 16 to 19 included; no spaces. */
export const BANK_CARD = /^[0-9]{13,19}$/;

const SHOWN_CARD_DIGITS = 4;

export function maskedBankCard(card: string): string {
  return `****${card.slice(-SHOWN_CARD_DIGITS)}`;
}

/** The details as shown; `undefined` (erased, or their key is gone) shows the erased marker alone. */
export function shownDetails(details: PersonalDetails | undefined): ShownDetails {
  if (!details) return { name: ERASED_NAME };
  const { name, phone, bankCard } = details;
  return { name, ...(phone !== undefined && { phone }), ...(bankCard !== undefined && { bankCard: maskedBankCard(bankCard) }) };
}

/** The Luhn check digit of card numbers (ISO/IEC 7812): catches any one mistyped digit and most swaps. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}
