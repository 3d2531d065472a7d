import { defineBody, FUND_CODE_FIELD } from '../../../src/api/http/body-schema';
import { HttpProblem } from '../../../src/api/http/problem';
import { validateBody, validateParam } from '../../../src/api/http/validate-body';

const schema = defineBody({
  amount: { kind: 'amount' },
  perTenK: { kind: 'perTenK' },
  date: { kind: 'isoDate' },
  name: { kind: 'string', minLength: 2, maxLength: 5 },
  fundCode: FUND_CODE_FIELD,
  direction: { kind: 'enum', values: ['in', 'out'] },
  walletId: { kind: 'id' },
  note: { kind: 'string', minLength: 1, maxLength: 10, optional: true },
});

const valid = {
  amount: '1234.56',
  perTenK: '-0.1234',
  date: '2024-02-29',
  name: '余额宝',
  fundCode: '000198',
  direction: 'in',
  walletId: '3F2B8C1E-9A4D-4E5F-8B6A-1C2D3E4F5A6B',
};

/** Runs validateBody and returns the 400 problem it throws, failing if it throws anything else. */
function refusal(body: unknown): HttpProblem {
  try {
    validateBody(schema, body);
  } catch (error) {
    if (error instanceof HttpProblem) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(body)}`);
}

function refusalOf(field: string, value: unknown): HttpProblem {
  return refusal({ ...valid, [field]: value });
}

describe('validateBody', () => {
  it('returns a typed body: bigint money, strings, a lower-cased id, optional fields absent', () => {
    const body = validateBody(schema, valid);
    expect(body).toEqual({
      amount: 123456n,
      perTenK: -1234n,
      date: '2024-02-29',
      name: '余额宝',
      fundCode: '000198',
      direction: 'in',
      walletId: '3f2b8c1e-9a4d-4e5f-8b6a-1c2d3e4f5a6b',
    });
    // Compile-time checks of the inferred type.
    const fen: bigint = body.amount;
    const direction: 'in' | 'out' = body.direction;
    const note: string | undefined = body.note;
    expect([fen, direction, note]).toEqual([123456n, 'in', undefined]);
    expect(validateBody(schema, { ...valid, note: 'thanks' }).note).toBe('thanks');
  });

  it.each([
    ['-1.00', 'amount must be positive'],
    ['0', 'amount must be greater than zero'],
    ['0.00', 'amount must be greater than zero'],
    ['1.234', 'amount must have at most 2 decimal places (fen)'],
    ['abc', 'amount must be a decimal number of CNY such as "1234.56"'],
    ['1e3', 'amount must be a decimal number of CNY such as "1234.56"'],
    [' 1.00', 'amount must be a decimal number of CNY such as "1234.56"'],
    ['', 'amount must be a decimal number of CNY such as "1234.56"'],
    ['10000000000000.01', 'amount must be at most 10000000000000.00'],
    [12.5, 'amount must be a decimal string such as "1234.56", not a JSON number'],
    [null, 'amount must be a decimal string of CNY such as "1234.56", not null'],
    [true, 'amount must be a decimal string of CNY such as "1234.56", not a boolean'],
    [{ value: '1.00' }, 'amount must be a decimal string of CNY such as "1234.56", not an object'],
  ])('refuses amount %j', (amount, detail) => {
    const problem = refusalOf('amount', amount);
    expect(problem).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', field: 'amount', detail });
  });

  it('accepts the largest amount, 10^15 fen', () => {
    expect(validateBody(schema, { ...valid, amount: '10000000000000.00' }).amount).toBe(10n ** 15n);
  });

  it.each([
    ['0.12345', 'perTenK must have at most 4 decimal places'],
    ['x', 'perTenK must be a decimal number of CNY per 10,000 shares such as "0.6543"'],
    [0.65, 'perTenK must be a decimal string such as "0.6543"'],
    [null, 'perTenK must be a decimal string such as "0.6543", not null'],
  ])('refuses perTenK %j', (perTenK, detail) => {
    expect(refusalOf('perTenK', perTenK)).toMatchObject({ status: 400, field: 'perTenK', detail });
  });

  it.each(['2026-13-01', '2026-02-30', '2025-02-29', '20260101', '2026-1-05', '2026-01-05T00:00:00Z', 20260105])('refuses date %j', (date) => {
    expect(refusalOf('date', date)).toMatchObject({
      status: 400,
      field: 'date',
      detail: 'date must be a calendar date written YYYY-MM-DD, such as "2026-01-05"',
    });
  });

  it('refuses strings of the wrong length, type or pattern', () => {
    expect(refusalOf('name', 'x')).toMatchObject({ field: 'name', detail: 'name must be 2 to 5 characters long' });
    expect(refusalOf('name', '123456')).toMatchObject({ field: 'name', detail: 'name must be 2 to 5 characters long' });
    // Length is counted in code points, so an emoji is one character, not two.
    expect(validateBody(schema, { ...valid, name: '👛👛' }).name).toBe('👛👛');
    expect(refusalOf('name', 42)).toMatchObject({ field: 'name', detail: 'name must be a string, not a number' });
    expect(refusalOf('fundCode', 'yeb')).toMatchObject({
      field: 'fundCode',
      detail: 'fundCode must be upper-case letters and digits, such as "000198"',
    });
  });

  it('refuses values outside an enum and ids that are not UUIDs', () => {
    expect(refusalOf('direction', 'sideways')).toMatchObject({ field: 'direction', detail: 'direction must be one of "in", "out"' });
    for (const id of ['wallet-1', '3f2b8c1e9a4d4e5f8b6a1c2d3e4f5a6b', '3f2b8c1e-9a4d-4e5f-8b6a-1c2d3e4f5a6', 7]) {
      expect(refusalOf('walletId', id)).toMatchObject({ field: 'walletId', detail: expect.stringMatching(/^walletId must be a UUID/) });
    }
  });

  it('names a missing required field', () => {
    const { amount: _amount, ...withoutAmount } = valid;
    expect(refusal(withoutAmount)).toMatchObject({ status: 400, field: 'amount', detail: 'amount is required' });
  });

  it('refuses an extra field by name, even one that looks harmless', () => {
    expect(refusal({ ...valid, currency: 'CNY' })).toMatchObject({
      status: 400,
      field: 'currency',
      detail: expect.stringContaining('unknown field "currency"'),
    });
    expect(refusal(JSON.parse(`{"__proto__": {"admin": true}, "amount": "1.00"}`))).toMatchObject({ field: '__proto__' });
  });

  it.each([
    [[valid], 'an array'],
    [null, 'null'],
    ['{"amount":"1.00"}', 'a string'],
    [42, 'a number'],
    [undefined, 'empty'],
  ])('refuses a body that is not a JSON object: %j', (body, what) => {
    expect(refusal(body)).toMatchObject({ status: 400, field: null, detail: `the request body must be a JSON object, not ${what}` });
  });

  it('an empty schema accepts only {}', () => {
    expect(validateBody(defineBody({}), {})).toEqual({});
    expect(() => validateBody(defineBody({}), { x: 1 })).toThrow('this request accepts no fields');
  });
});

describe('validateParam', () => {
  it('accepts a UUID and returns it lower-cased', () => {
    expect(validateParam('walletId', 'id', '3F2B8C1E-9A4D-4E5F-8B6A-1C2D3E4F5A6B')).toBe('3f2b8c1e-9a4d-4e5f-8b6a-1c2d3e4f5a6b');
  });

  it('refuses a bad parameter with 400 INVALID_PARAMETER naming it', () => {
    expect(() => validateParam('walletId', 'id', 'not-a-uuid')).toThrow(HttpProblem);
    try {
      validateParam('walletId', 'id', 'not-a-uuid');
    } catch (error) {
      expect(error).toMatchObject({ status: 400, code: 'INVALID_PARAMETER', field: 'walletId', detail: expect.stringMatching(/^walletId must be a UUID/) });
    }
    expect(() => validateParam('code', FUND_CODE_FIELD, '000198')).not.toThrow();
    expect(() => validateParam('code', FUND_CODE_FIELD, '00 198')).toThrow('code must be upper-case letters and digits');
    expect(() => validateParam('date', 'isoDate', '2026-02-30')).toThrow('date must be a calendar date');
  });
});
