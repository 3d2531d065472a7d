import {
  coefficientOfVariation,
  leastSquaresSlope,
  mean,
  nearestRankPercentile,
  rounded,
  shares,
  standardDeviation,
  timeOfMonthShares,
  weekdayMeans,
} from '../../src/api/parties/merchant-statistics';

describe("the statistics of a merchant's profile, worked by hand", () => {
  it('mean, sample standard deviation and coefficient of variation', () => {
    // 1..5: mean 3; squared deviations 4 + 1 + 0 + 1 + 4 = 10, over n − 1 = 4 gives 2.5.
    expect(mean([1, 2, 3, 4, 5])).toBe(3);
    expect(standardDeviation([1, 2, 3, 4, 5])).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(coefficientOfVariation([1, 2, 3, 4, 5])).toBeCloseTo(Math.sqrt(2.5) / 3, 12);
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5; squared deviations sum to 32, over 7.
    expect(standardDeviation([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 12);
  });

  it('leaves out what a series too short or centred on zero cannot say', () => {
    expect(mean([])).toBeNull();
    expect(standardDeviation([5])).toBeNull();
    expect(leastSquaresSlope([5])).toBeNull();
    expect(coefficientOfVariation([-1, 1])).toBeNull();
    expect(nearestRankPercentile([], 50)).toBeNull();
    expect(shares([0n, 0n])).toBeNull();
    expect(timeOfMonthShares(['2026-01-05'], [0n])).toBeNull();
  });

  it('the least-squares slope per step', () => {
    // x = 0..4 (mean 2), y = 3, 1, 4, 1, 5 (mean 2.8): Σ(x − 2)(y − 2.8) = 4, Σ(x − 2)² = 10.
    expect(leastSquaresSlope([3, 1, 4, 1, 5])).toBeCloseTo(0.4, 12);
    expect(leastSquaresSlope([10, 12, 14, 16])).toBeCloseTo(2, 12);
    expect(leastSquaresSlope([7, 7, 7])).toBe(0);
  });

  it('nearest-rank percentiles are values of the series, exact in fen', () => {
    const values = [50n, 15n, 40n, 20n, 35n];
    // Sorted 15, 20, 35, 40, 50: rank ⌈p/100 × 5⌉.
    expect(nearestRankPercentile(values, 10)).toBe(15n);
    expect(nearestRankPercentile(values, 30)).toBe(20n);
    expect(nearestRankPercentile(values, 40)).toBe(20n);
    expect(nearestRankPercentile(values, 50)).toBe(35n);
    expect(nearestRankPercentile(values, 90)).toBe(50n);
    expect(nearestRankPercentile(values, 100)).toBe(50n);
    expect(() => nearestRankPercentile(values, 0)).toThrow(RangeError);
  });

  it('the mean per weekday', () => {
    // Mondays 5 and 12 January 2026 hold 10 and 30; Tuesday the 6th holds 20.
    expect(weekdayMeans(['2026-01-05', '2026-01-06', '2026-01-12'], [10, 20, 30])).toEqual({ monday: 20, tuesday: 20, wednesday: null, thursday: null, friday: null });
  });

  it('shares of a whole and of the month', () => {
    expect(shares([1n, 3n])).toEqual([0.25, 0.75]);
    expect(timeOfMonthShares(['2026-01-05', '2026-01-10', '2026-01-15', '2026-01-30'], [50n, 50n, 300n, 600n])).toEqual({ days1to10: 0.1, days11to20: 0.3, days21to31: 0.6 });
  });

  it('rounds for display and keeps null', () => {
    expect(rounded(2.345678, 2)).toBe(2.35);
    expect(rounded(null, 2)).toBeNull();
  });
});
