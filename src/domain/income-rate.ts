/**
 * A fund's daily income per 10,000 shares (万份收益): CNY with 4 decimals, occasionally negative. Kept as a
 * bigint count of 0.0001 CNY so that income arithmetic stays exact until the one rounding at posting.
 */
export type PerTenKMicros = bigint;

export class IncomeRateFormatError extends Error {
  readonly code = 'INVALID_PER_TEN_K';
  constructor(readonly rule: string) {
    super(rule);
  }
}

const RATE = /^-?(0|[1-9]\d{0,3})(\.\d{1,4})?$/;

/** "0.6543" → 6543n. Bounded to ±9999.9999 CNY per 10,000 shares, far beyond any money fund. */
export function parsePerTenK(text: unknown): PerTenKMicros {
  if (typeof text !== 'string') throw new IncomeRateFormatError('must be a decimal string such as "0.6543"');
  if (/^-?\d+\.\d{5,}$/.test(text)) throw new IncomeRateFormatError('must have at most 4 decimal places');
  if (!RATE.test(text)) throw new IncomeRateFormatError('must be a decimal number of CNY per 10,000 shares such as "0.6543"');
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = text.replace('-', '').split('.');
  const value = BigInt(whole!) * 10_000n + BigInt(fraction.padEnd(4, '0'));
  return negative ? -value : value;
}

export function formatPerTenK(value: PerTenKMicros): string {
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  return `${sign}${abs / 10_000n}.${(abs % 10_000n).toString().padStart(4, '0')}`;
}

/**
 * A holder's income for one day in fen, rounded once towards zero: shares × perTenK / 10,000. With holding
 * h fen (h/100 shares) and rate r (r/10,000 CNY): income = h·r / 10^8 fen. Towards zero so that no holder is
 * charged more of a loss than their exact share, as none is paid more of a gain: flooring took up to a fen
 * too much from every holder on a day of negative income. The fund's income on the holders' total is
 * rounded the same way, so what the holders get together has its sign and at most its magnitude, and the
 * remainder booked to the rounding residual lies between zero and the fund's income.
 */
export function dailyIncomeFen(holdingFen: bigint, perTenK: PerTenKMicros): bigint {
  // bigint division truncates towards zero.
  return (holdingFen * perTenK) / 100_000_000n;
}
