import fc from 'fast-check';
import { encodeData, decodeData } from '../../src/domain/event-codec';
import { fundDecider, type FundEvent } from '../../src/domain/fund/fund.decider';
import { IncomeRateFormatError, dailyIncomeFen, formatPerTenK, parsePerTenK } from '../../src/domain/income-rate';
import { MAX_DAYS_PER_CLOSE, addDays, businessDayOnOrAfter, daysAfterUpTo, daysBackFrom, isBusinessDay, isIsoDate, nextBusinessDay } from '../../src/domain/iso-date';
import { ACCOUNTS } from '../../src/domain/ledger/accounts';
import { posting } from '../../src/domain/ledger/posting';
import { MAX_AMOUNT_FEN, MoneyFormatError, fenFromJson, fenOfFormatted, formatFen, parseAmount } from '../../src/domain/money';
import { fold } from '../../src/domain/decider';
import { InvariantViolation } from '../../src/invariant';

/** Fixed seed: a failing run can be replayed exactly, and CI never flakes. */
const PROPERTY_RUNS = { seed: 42, numRuns: 500 };

function refusal(parse: () => unknown): Error {
  try {
    parse();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected the value to be refused');
}

describe('money: bigint fen inside, decimal strings outside', () => {
  it.each([
    ['1234.56', 123_456n],
    ['0.01', 1n],
    ['0.1', 10n],
    ['1', 100n],
    ['1.5', 150n],
    ['10000000000000.00', 10n ** 15n],
  ])('parses "%s" as %p fen', (text, fen) => {
    expect(parseAmount(text)).toBe(fen);
  });

  it('accepts 10^15 fen (10 trillion CNY) and refuses one fen more', () => {
    expect(MAX_AMOUNT_FEN).toBe(10n ** 15n);
    expect(parseAmount(formatFen(MAX_AMOUNT_FEN))).toBe(MAX_AMOUNT_FEN);
    expect(refusal(() => parseAmount('10000000000000.01')).message).toBe('must be at most 10000000000000.00');
    expect(refusal(() => parseAmount('9999999999999999.99')).message).toBe('must be at most 10000000000000.00');
  });

  it.each([
    ['-1.00', 'must be positive'],
    ['-0.01', 'must be positive'],
    ['0', 'must be greater than zero'],
    ['0.00', 'must be greater than zero'],
    ['1.234', 'must have at most 2 decimal places (fen)'],
    ['0.001', 'must have at most 2 decimal places (fen)'],
    ['abc', 'must be a decimal number of CNY such as "1234.56"'],
    ['', 'must be a decimal number of CNY such as "1234.56"'],
    ['01.00', 'must be a decimal number of CNY such as "1234.56"'],
    ['00.01', 'must be a decimal number of CNY such as "1234.56"'],
    ['1,000.00', 'must be a decimal number of CNY such as "1234.56"'],
    ['1e3', 'must be a decimal number of CNY such as "1234.56"'],
    [' 1.00', 'must be a decimal number of CNY such as "1234.56"'],
    ['1.', 'must be a decimal number of CNY such as "1234.56"'],
    ['.50', 'must be a decimal number of CNY such as "1234.56"'],
    ['+1.00', 'must be a decimal number of CNY such as "1234.56"'],
  ])('refuses "%s": %s', (text, rule) => {
    const error = refusal(() => parseAmount(text));
    expect(error).toBeInstanceOf(MoneyFormatError);
    expect(error).toMatchObject({ code: 'INVALID_AMOUNT', rule, message: rule });
  });

  it.each([1234.56, 100, null, undefined, 123_456n])('refuses the non-string %p: a JSON number is not an amount', (value) => {
    expect(refusal(() => parseAmount(value))).toMatchObject({ code: 'INVALID_AMOUNT', rule: 'must be a decimal string such as "1234.56", not a JSON number' });
  });

  it.each([
    [123_456n, '1234.56'],
    [1n, '0.01'],
    [10n, '0.10'],
    [100n, '1.00'],
    [0n, '0.00'],
    [-5n, '-0.05'],
    [-123_456n, '-1234.56'],
    [10n ** 15n, '10000000000000.00'],
  ])('formats %p fen as "%s"', (fen, text) => {
    expect(formatFen(fen)).toBe(text);
  });

  it('reads stored fen back from integer strings only', () => {
    expect(fenFromJson('123456')).toBe(123_456n);
    expect(fenFromJson('-5')).toBe(-5n);
    for (const bad of [123, '1.5', '', '12a', null]) expect(() => fenFromJson(bad)).toThrow(MoneyFormatError);
  });
});

describe('income per 10,000 shares: bigint 0.0001 CNY', () => {
  it.each([
    ['0.6543', 6_543n],
    ['-0.0001', -1n],
    ['1', 10_000n],
    ['0.65', 6_500n],
    ['9999.9999', 99_999_999n],
    ['-0', 0n],
  ])('parses "%s" as %p', (text, value) => {
    expect(parsePerTenK(text)).toBe(value);
  });

  it.each([
    ['0.12345', 'must have at most 4 decimal places'],
    ['-0.12345', 'must have at most 4 decimal places'],
    ['10000', 'must be a decimal number of CNY per 10,000 shares such as "0.6543"'],
    ['01.5', 'must be a decimal number of CNY per 10,000 shares such as "0.6543"'],
    ['+0.5', 'must be a decimal number of CNY per 10,000 shares such as "0.6543"'],
    ['abc', 'must be a decimal number of CNY per 10,000 shares such as "0.6543"'],
  ])('refuses "%s": %s', (text, rule) => {
    const error = refusal(() => parsePerTenK(text));
    expect(error).toBeInstanceOf(IncomeRateFormatError);
    expect(error).toMatchObject({ code: 'INVALID_PER_TEN_K', rule });
  });

  it('refuses a JSON number', () => {
    expect(refusal(() => parsePerTenK(0.6543))).toMatchObject({ code: 'INVALID_PER_TEN_K', rule: 'must be a decimal string such as "0.6543"' });
  });

  it.each([
    [6_543n, '0.6543'],
    [-1n, '-0.0001'],
    [0n, '0.0000'],
    [12_345n, '1.2345'],
    [-99_999_999n, '-9999.9999'],
  ])('formats %p as "%s"', (value, text) => {
    expect(formatPerTenK(value)).toBe(text);
  });

  it('computes a day of income as holding fen × perTenK / 10^8 fen, rounded towards zero', () => {
    // 1,000,000 fen = 10,000 shares; at 0.6543 CNY per 10,000 shares they earn 0.6543 CNY = 65.43 fen.
    expect(dailyIncomeFen(1_000_000n, 6_543n)).toBe(65n);
    expect(dailyIncomeFen(1_000_000n, -6_543n)).toBe(-65n);
    expect(dailyIncomeFen(100_000_000n, 10_000n)).toBe(10_000n); // 1,000,000 shares at 1 CNY per 10,000: 100 CNY exactly
    expect(dailyIncomeFen(100_000_000n, -10_000n)).toBe(-10_000n);
    expect(dailyIncomeFen(1_000n, 6_543n)).toBe(0n);
    expect(dailyIncomeFen(1_000n, -6_543n)).toBe(0n);
    expect(dailyIncomeFen(0n, 6_543n)).toBe(0n);
    expect(dailyIncomeFen(0n, -6_543n)).toBe(0n);
  });
});

describe('ISO business dates', () => {
  it('accepts real calendar dates only', () => {
    expect(['2026-01-05', '2024-02-29', '2025-12-31'].every(isIsoDate)).toBe(true);
    expect(['2026-02-30', '2025-02-29', '2026-13-01', '2026-00-10', '2026-1-5', '20260105', '2026-01-05T00:00:00Z', ''].some(isIsoDate)).toBe(false);
    expect([20260105, null, undefined, new Date('2026-01-05')].some(isIsoDate)).toBe(false);
  });

  it('adds calendar days across months and years, and refuses a date that is not one', () => {
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2026-01-05', -5)).toBe('2025-12-31');
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
  });

  it('knows business days are Monday to Friday', () => {
    expect(['2026-01-05', '2026-01-06', '2026-01-07', '2026-01-08', '2026-01-09'].every(isBusinessDay)).toBe(true);
    expect(['2026-01-10', '2026-01-11'].some(isBusinessDay)).toBe(false);
  });

  it.each([
    ['2026-01-05', '2026-01-06'],
    ['2026-01-09', '2026-01-12'],
    ['2026-01-10', '2026-01-12'],
    ['2026-01-11', '2026-01-12'],
    ['2025-12-31', '2026-01-05'], // New Year's Day 2026 closes the exchanges 1 to 3 January
  ])('finds the business day after %s: %s', (date, next) => {
    expect(nextBusinessDay(date)).toBe(next);
  });

  it('finds the first business day on or after a date', () => {
    expect(businessDayOnOrAfter('2026-01-09')).toBe('2026-01-09');
    expect(businessDayOnOrAfter('2026-01-10')).toBe('2026-01-12');
  });

  it('lists the calendar days after a date up to another, inclusive', () => {
    expect(daysAfterUpTo('2026-01-09', '2026-01-12')).toEqual(['2026-01-10', '2026-01-11', '2026-01-12']);
    expect(daysAfterUpTo('2026-01-09', '2026-01-10')).toEqual(['2026-01-10']);
    expect(daysAfterUpTo('2026-01-09', '2026-01-09')).toEqual([]);
    expect(daysAfterUpTo('2026-01-12', '2026-01-09')).toEqual([]);
  });

  it('lists a date and the days before it, newest first, across a month and a leap day', () => {
    expect(daysBackFrom('2024-03-01', 3)).toEqual(['2024-03-01', '2024-02-29', '2024-02-28']);
    expect(daysBackFrom('2026-01-01', 1)).toEqual(['2026-01-01']);
    expect(daysBackFrom('2026-01-01', 0)).toEqual([]);
    const back = daysBackFrom('2026-12-31', 800);
    expect(back.every((day, i) => day === addDays('2026-12-31', -i))).toBe(true);
  });

  it(`bounds a close to ${MAX_DAYS_PER_CLOSE} days`, () => {
    expect(MAX_DAYS_PER_CLOSE).toBe(31);
    expect(daysAfterUpTo('2026-01-01', '2026-02-01')).toHaveLength(31);
    expect(() => daysAfterUpTo('2026-01-01', '2026-02-02')).toThrow(RangeError);
  });
});

describe('event codec: bigint fields named …Fen or …PerTenK', () => {
  const accruedData = {
    date: '2026-01-12',
    holdingFen: 1_000_000n,
    perTenK: -6_543n,
    amountFen: -66n,
    postings: [posting(ACCOUNTS.fundIncome('YEB'), ACCOUNTS.fundHolding('w-1', 'YEB'), -66n)],
  };

  it('stores bigints as integer strings and gives them back', () => {
    const json = encodeData(accruedData);
    expect(json).toEqual({
      date: '2026-01-12',
      holdingFen: '1000000',
      perTenK: '-6543',
      amountFen: '-66',
      postings: [{ debit: 'fund-holding:w-1:YEB', credit: 'fund-income:YEB', amountFen: '66' }],
    });
    expect(decodeData(JSON.parse(JSON.stringify(json)))).toEqual(accruedData);
  });

  it('decodes only the fields whose names carry the unit; other strings stay strings', () => {
    expect(decodeData({ walletId: '123', dailyPerTenK: '7', cashFen: '5', count: 3, flag: true, none: null })).toEqual({
      walletId: '123',
      dailyPerTenK: 7n,
      cashFen: 5n,
      count: 3,
      flag: true,
      none: null,
    });
  });

  it('drops undefined fields', () => {
    expect(encodeData({ amountFen: 1n, note: undefined })).toEqual({ amountFen: '1' });
  });

  it.each([{ amount: 1n }, { nested: { total: 2n } }, { amounts: [3n] }])('treats a bigint in a field not ending in Fen or PerTenK as a broken invariant: %p', (data) => {
    expect(() => encodeData(data)).toThrow(InvariantViolation);
    expect(() => encodeData(data)).toThrow(/does not end in Fen or PerTenK/);
  });
});

describe('properties', () => {
  // Holdings from a fen to 10^11 CNY, small ones often (their shares round to nothing), and rates over the whole
  // range as well as within the ±2 CNY per 10,000 shares that money funds pay, of both signs.
  const holdingsFen = fc.array(fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 13n }), fc.bigInt({ min: 0n, max: 100_000n })), { minLength: 1, maxLength: 20 });
  const signedPerTenK = fc.oneof(fc.bigInt({ min: -99_999_999n, max: 99_999_999n }), fc.bigInt({ min: -20_000n, max: 20_000n }));
  const abs = (value: bigint) => (value < 0n ? -value : value);

  it("each holder's share is their exact income rounded towards zero: its sign, at most its magnitude, less than a fen short", () => {
    fc.assert(
      fc.property(holdingsFen, signedPerTenK, (parts, perTenK) => {
        for (const part of parts) {
          const exactTimes10e8 = part * perTenK;
          const shareTimes10e8 = dailyIncomeFen(part, perTenK) * 100_000_000n;
          expect(shareTimes10e8 === 0n || shareTimes10e8 < 0n === exactTimes10e8 < 0n).toBe(true);
          expect(abs(shareTimes10e8) <= abs(exactTimes10e8)).toBe(true);
          expect(abs(exactTimes10e8) - abs(shareTimes10e8) < 100_000_000n).toBe(true);
        }
      }),
      PROPERTY_RUNS,
    );
  });

  it("the fund books the remainder of the holders' shares whatever the split and the sign, between zero and its income", () => {
    fc.assert(
      fc.property(holdingsFen, signedPerTenK, (parts, perTenK) => {
        const history: FundEvent[] = [
          { type: 'FundRegistered', data: { code: 'YEB', name: "Yu'E Bao", registeredOn: '2026-01-05' } },
          { type: 'IncomePublished', data: { date: '2026-01-05', perTenK } },
        ];
        const totalHoldingsFen = parts.reduce((sum, part) => sum + part, 0n);
        const distributedFen = parts.reduce((sum, part) => sum + dailyIncomeFen(part, perTenK), 0n);
        const [event] = fundDecider.decide({ type: 'DistributeIncome', date: '2026-01-05', holdingsFen: totalHoldingsFen, distributedFen }, fold(fundDecider, history));
        if (event?.type !== 'IncomeDistributed') throw new Error(`decided ${event?.type}`);
        const { totalFen, residualFen, postings } = event.data;
        expect(totalFen).toBe(dailyIncomeFen(totalHoldingsFen, perTenK));
        expect(distributedFen + residualFen).toBe(totalFen);
        // The remainder has the sign of the fund's income, at most its magnitude, and is under a fen per holder.
        expect(residualFen === 0n || residualFen < 0n === totalFen < 0n).toBe(true);
        expect(abs(residualFen) <= abs(totalFen)).toBe(true);
        expect(abs(residualFen) < BigInt(parts.length)).toBe(true);
        // A kept gain is credited to the residual account, a borne loss debited to it.
        const residualAccount = ACCOUNTS.roundingResidual('YEB');
        const balanceFen = postings.reduce((sum, p) => sum + (p.debit === residualAccount ? p.amountFen : 0n) - (p.credit === residualAccount ? p.amountFen : 0n), 0n);
        expect(balanceFen).toBe(-residualFen);
      }),
      PROPERTY_RUNS,
    );
  });

  it('parseAmount(formatFen(x)) === x for every amount from 1 fen to 10^15 fen', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: MAX_AMOUNT_FEN }), (fen) => parseAmount(formatFen(fen)) === fen),
      PROPERTY_RUNS,
    );
  });

  it('parsePerTenK(formatPerTenK(r)) === r for every rate within ±9999.9999', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -99_999_999n, max: 99_999_999n }), (perTenK) => parsePerTenK(formatPerTenK(perTenK)) === perTenK),
      PROPERTY_RUNS,
    );
  });

  it('decodeData(encodeData(e)) gives back every bigint field of an event', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.bigInt({ min: 1n, max: 10n ** 15n }), (amountFen, postingFen) => {
        const data = { walletId: 'w-1', amountFen, postings: [{ debit: 'a', credit: 'b', amountFen: postingFen }] };
        expect(decodeData(JSON.parse(JSON.stringify(encodeData(data))))).toEqual(data);
      }),
      PROPERTY_RUNS,
    );
  });
});

describe('fenOfFormatted', () => {
  it('reads back whatever formatFen writes, negative amounts included, and refuses anything else', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }), (fen) => expect(fenOfFormatted(formatFen(fen))).toBe(fen)), { seed: 20260105 });
    for (const text of ['1.5', '1,00', '+1.00', '-.05', '']) expect(() => fenOfFormatted(text)).toThrow(MoneyFormatError);
  });
});
