import fc from 'fast-check';
import type { BodySegment } from './raw-request';

/**
 * The inputs that break parsers and validators, as fast-check arbitraries: what a JSON body's field, a whole
 * body, a header or a query value can be when the client is careless or hostile.
 */

/** JSON values of a type no field of the API takes where they are put. */
const wrongTypes = fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, [], {}, [null], [[]], { $ne: null }, { value: '1.00' }, ['1.00']);

/** Numbers as JSON.stringify writes them: huge, negative, tiny, past 2^53. */
const oddNumbers = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -0, 1e21, 2 ** 64),
);

/** Strings shaped like amounts, with 20 digits, many decimals, a sign, an exponent or another script's digits. */
export const oddAmounts = fc.oneof(
  fc.stringMatching(/^-?[1-9][0-9]{19}(\.[0-9]{2})?$/),
  fc.stringMatching(/^[0-9]{1,3}\.[0-9]{3,40}$/),
  fc.stringMatching(/^-[0-9]{1,16}(\.[0-9]{1,2})?$/),
  fc.constantFrom('0', '0.00', '-0', '-0.00', '1e3', '1E-2', '0x10', '+1.00', ' 1.00', '1.00 ', '1,00', '1_000.00', 'Infinity', 'NaN', '１.００', '٣.٠٠', '१.००'),
  fc.constantFrom('1.00\u0000', '\u202e1.00', '1\u200b.00', '10000000000000.01', '99999999999999999999.99'),
);

/** Text that trips text handling: lone surrogates, direction marks, zero-width characters, NUL, escapes, length. */
export const oddText = fc.oneof(
  fc.constantFrom('\ud800', '\udfff', 'a\ud800b', '\udc00\ud800', '\u202eevil', '\u200f\u200e', '\u200b', '\ufeff', '\u0000', 'a\u0000b', '\u001b[31m', 'e\u0301\u0301\u0301'),
  fc.constantFrom('\u{1f4a9}', '\u2028\u2029', '\r\n', ' ', '', '\\', '"', '%00', '${x}', '<script>', "'; DROP TABLE events; --", 'x'.repeat(10_000)),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

const oddDates = fc.constantFrom('2026-02-30', '2026-1-5', '99999-01-01', '2026-01-05T00:00:00Z', '0000-00-00', '-2026-01-05', '2026-01-05 ', '２０２６-01-05');

/** A value for any field of a JSON body. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(wrongTypes, oddNumbers, oddAmounts, oddText, oddDates);

/** Numbers JSON allows that JSON.stringify never writes, put in a body as raw text. */
export const rawNumbers = fc.constantFrom('1e400', '-1e400', '123456789012345678901234567890', '0.1e-400', '-0', '1.0000000000000000000000001', '1E+400', '00', '1.', '.5', '+1');

/** Whole bodies that are not one JSON object with each key once. */
export const oddBodies = fc.constantFrom(
  '[]',
  'null',
  '"x"',
  '0',
  'true',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  '{} {}',
  '{}x',
  '{/* a comment */}',
  "{'a':1}",
  '{"a":NaN}',
  '{"a":1,}',
  '{\u00a0}',
  '{"a"\u0000:1}',
  '',
  ' ',
  '\ufeff',
);

/** How deep a body nests, and in what: past any limit of a recursive walk, still under 64 KiB. */
export const nesting = fc.record({ depth: fc.constantFrom(100, 1_000, 10_000, 30_000), kind: fc.constantFrom('array', 'object') });

export function nestedBody(field: string, { depth, kind }: { depth: number; kind: 'array' | 'object' }): BodySegment[] {
  const [open, close] = kind === 'array' ? ['[', ']'] : ['{"a":', '}'];
  return [{ text: `{${JSON.stringify(field)}:` }, { text: open, times: depth }, { text: '1' }, { text: close, times: depth }, { text: '}' }];
}

/** Bodies over the 64 KiB limit. */
export const oversize = fc.integer({ min: 64 * 1024 + 1, max: 256 * 1024 });

export function oversizedBody(field: string, padBytes: number): BodySegment[] {
  return [{ text: `{${JSON.stringify(field)}:"` }, { text: 'x', times: padBytes }, { text: '"}' }];
}

/** Byte sequences that are not UTF-8, as hex: stray, overlong, surrogate, cut short, past U+10FFFF. */
export const notUtf8 = fc.constantFrom('ff', 'fe', '80', 'c3', 'c0af', 'e282', 'eda080', 'edbfbf', 'f09f98', 'f4908080', 'f888808080');

export function badlyEncodedBody(field: string, hex: string): BodySegment[] {
  return [{ text: `{${JSON.stringify(field)}:"a` }, { hex }, { text: 'b"}' }];
}

/** Content types other than a plain application/json, and odd spellings of it. */
export const contentTypes = fc.constantFrom(
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/problem+json',
  'application/merge-patch+json',
  'application/jsonx',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/json;;',
  'application/json, text/plain',
  '',
  '*/*',
);

/** Values of a header the API reads (Idempotency-Key, X-Correlation-Id), as node:http may send them. */
export const oddHeaderValues = fc.constantFrom('', ' ', 'a b', 'x'.repeat(256), 'x'.repeat(8_000), '\t', 'caf\u00e9', '\u00ff\u00fe', '../../etc/passwd', '%00', '"quoted"', 'a,b');

/** What a query parameter's value can be, percent-encoded as sent: bad escapes, bad UTF-8, odd numbers and dates. */
export const oddQueryValues = fc.oneof(
  fc.constantFrom('', '%', '%ZZ', '%FF', '%ED%A0%80', '%C0%AF', '%00', '%E2%80%AE', '%E2%80%8B', '%EF%BB%BF', '+', '%20', 'a%2Cb'),
  fc.constantFrom('-1', '0', '00', '1e3', '1.5', '0x10', '+1', '%201', '99999999999999999999', '18446744073709551616', '9'.repeat(400)),
  fc.constantFrom('2026-02-30', '2026-01-05T10:00:00', '9999-12-31T23:59:59Z', '0000-01-01', '2026-01-05T25:00:00Z', '2026-01-05T10:00:00%2B25:00', 'now'),
  fc.constantFrom('a'.repeat(5_000), 'null', 'undefined', 'true', '[]', '%7B%7D', '__proto__'),
  fc.string({ unit: 'grapheme', maxLength: 30 }).map((text) => encodeURIComponent(text)),
);
