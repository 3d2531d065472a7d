import { TRANSACTION_CSV_COLUMNS } from './wallet-schemas';
import type { TransactionView } from './wallet-transactions.query';

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

/** RFC 4180: a field with a comma, a double quote or a line break is quoted, its quotes doubled. */
function csvField(value: string | null): string {
  if (value === null) return '';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A header line, then one line per row; lines end in CRLF as RFC 4180 has it. */
export function transactionsCsv(items: readonly TransactionView[]): string {
  const lines = [TRANSACTION_CSV_COLUMNS.join(',')];
  for (const item of items) lines.push(TRANSACTION_CSV_COLUMNS.map((column) => csvField(item[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Media types an Accept header may name, at most; a longer header is read no further. */
const MAX_ACCEPT_RANGES = 20;

/**
 * True when the client prefers text/csv over JSON: the highest-q media range that either form satisfies is
 * text/csv (ties go to the one listed first). No Accept, or `*\/*`, means JSON.
 */
export function prefersCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  let best: { csv: boolean; q: number } | undefined;
  for (const range of accept.split(',').slice(0, MAX_ACCEPT_RANGES)) {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q) || q <= 0) continue;
    const csv = type === 'text/csv';
    if (!csv && type !== 'application/json' && type !== '*/*' && type !== 'application/*') continue;
    if (best === undefined || q > best.q) best = { csv, q };
  }
  return best?.csv ?? false;
}
