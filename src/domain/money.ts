/**
 * Money is bigint fen (0.01 CNY) inside and a decimal string outside. Fund shares have a fixed NAV of 1.00
 * CNY, so a holding of N fen is N/100 shares and shares are counted in fen too.
 */
export type Fen = bigint;

/** The largest amount any single operation may carry: 10^15 fen (10 trillion CNY). */
export const MAX_AMOUNT_FEN = 10n ** 15n;

export class MoneyFormatError extends Error {
  readonly code = 'INVALID_AMOUNT';
  constructor(readonly rule: string) {
    super(rule);
  }
}

const AMOUNT = /^(0|[1-9]\d{0,15})(\.\d{1,2})?$/;

/** Parses a positive amount such as "1234.56" into fen; the message of a refusal names the rule broken. */
export function parseAmount(text: unknown): Fen {
  if (typeof text !== 'string') throw new MoneyFormatError('must be a decimal string such as "1234.56", not a JSON number');
  if (text.startsWith('-')) throw new MoneyFormatError('must be positive');
  if (/^\d+\.\d{3,}$/.test(text)) throw new MoneyFormatError('must have at most 2 decimal places (fen)');
  if (!AMOUNT.test(text)) throw new MoneyFormatError('must be a decimal number of CNY such as "1234.56"');
  const [whole, fraction = ''] = text.split('.');
  const fen = BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0'));
  if (fen === 0n) throw new MoneyFormatError('must be greater than zero');
  if (fen > MAX_AMOUNT_FEN) throw new MoneyFormatError(`must be at most ${formatFen(MAX_AMOUNT_FEN)}`);
  return fen;
}

/** 123456n → "1234.56"; -5n → "-0.05". */
export function formatFen(fen: Fen): string {
  const sign = fen < 0n ? '-' : '';
  const abs = fen < 0n ? -fen : fen;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** Reads fen back from an event or a snapshot, where they are stored as integer strings. */
export function fenFromJson(text: unknown): Fen {
  if (typeof text !== 'string' || !/^-?\d+$/.test(text)) throw new MoneyFormatError(`stored fen must be an integer string, got ${String(text)}`);
  return BigInt(text);
}

/** The inverse of formatFen: "1234.56" or "-0.05", as the API writes CNY, back to fen. */
export function fenOfFormatted(text: string): Fen {
  const match = /^(-?)(\d+)\.(\d{2})$/.exec(text);
  if (!match) throw new MoneyFormatError(`must be an amount of CNY as formatFen writes one, got "${text}"`);
  const fen = BigInt(match[2]!) * 100n + BigInt(match[3]!);
  return match[1] ? -fen : fen;
}
