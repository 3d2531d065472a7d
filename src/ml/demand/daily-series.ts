/**
 * Merchants' demand arrives as dated records; ARIMA needs one value for every calendar day. This turns
 * records into a gapless daily series or says which day is missing (demand is never invented: a day with no
 * record is a gap unless the caller says missing days mean zero demand).
 */
import { addDays, isIsoDate, type IsoDate } from '../../domain/iso-date';
import { DemandForecastError } from './errors';

export interface DailyPoint {
  date: IsoDate;
  value: number;
}

export interface DailySeries {
  start: IsoDate;
  values: number[];
}

export function toDailySeries(points: readonly DailyPoint[], options: { missingDaysAreZero?: boolean } = {}): DailySeries {
  if (!Array.isArray(points) || points.length === 0) throw new DemandForecastError('TOO_FEW_POINTS', 'no dated points', { points: 0, required: 1 });
  points.forEach((p, i) => {
    if (!isIsoDate(p?.date)) throw new DemandForecastError('BAD_SPEC', `point ${i} has no ISO date (YYYY-MM-DD): ${String(p?.date)}`, { index: i });
  });
  const sorted = points.map((p, i) => ({ ...p, i })).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.i - b.i));
  const values: number[] = [];
  let expected = sorted[0]!.date;
  for (let k = 0; k < sorted.length; k++) {
    const p = sorted[k]!;
    if (k > 0 && p.date === sorted[k - 1]!.date) {
      throw new DemandForecastError('BAD_SPEC', `two points for ${p.date} (input positions ${sorted[k - 1]!.i} and ${p.i})`, { index: p.i, date: p.date });
    }
    while (expected < p.date) {
      if (!options.missingDaysAreZero) {
        throw new DemandForecastError('GAP', `no value for ${expected} (the series has a gap before ${p.date})`, { index: values.length, date: expected });
      }
      values.push(0);
      expected = addDays(expected, 1);
    }
    values.push(p.value);
    expected = addDays(expected, 1);
  }
  return { start: sorted[0]!.date, values };
}
