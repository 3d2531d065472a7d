/**
 * The calendar a backtest books on, as day-indexed arrays (day 0 = the market's first date), precomputed so
 * that the day loop of every wallet only reads them: business days (the product's: the exchanges' trading
 * days, src/domain/iso-date.ts, so holidays are not business days), the next business day, the first
 * business day of each quarter, the calendar year and the instant-redemption cap in force. The arrays run
 * beyond the market's last day, because an order placed near the end settles after it.
 */
import { isBusinessDay } from '../../domain/iso-date';
import { ruleSetOn } from '../../domain/rules/rule-set';
import { calendarDay, isoDateOfDayNumber, isoDayNumber } from '../market/sim-calendar';

export interface BacktestCalendar {
  readonly business: Uint8Array;
  /** The first business day after day t. */
  readonly nextBusiness: Int32Array;
  /** 1 on the first business day of January, April, July and October. */
  readonly quarterStart: Uint8Array;
  readonly year: Uint16Array;
  /** The instant cap per fund per day in force on day t, fen, from `capFromDay` on (NaN before). */
  readonly capFen: Float64Array;
}

/** Days past the market's last day that the arrays cover: two business days after it, across the longest holiday. */
const TAIL_DAYS = 24;

export function backtestCalendar(firstDate: string, days: number, capFromDay: number): BacktestCalendar {
  const firstDayNumber = isoDayNumber(firstDate);
  if (firstDayNumber === undefined) throw new RangeError(`not an ISO date: ${firstDate}`);
  const span = days + TAIL_DAYS;
  const business = new Uint8Array(span);
  const month = new Uint8Array(span);
  const year = new Uint16Array(span);
  for (let t = 0; t < span; t += 1) {
    const day = calendarDay(firstDayNumber + t);
    business[t] = isBusinessDay(day.date) ? 1 : 0;
    month[t] = day.month;
    year[t] = day.year;
  }
  const nextBusiness = new Int32Array(span);
  for (let t = span - 1; t >= 0; t -= 1) nextBusiness[t] = t + 1 >= span ? t + 1 : business[t + 1] === 1 ? t + 1 : nextBusiness[t + 1]!;
  const quarterStart = new Uint8Array(span);
  for (let t = 1; t < span; t += 1) {
    if (business[t] !== 1 || (month[t]! - 1) % 3 !== 0) continue;
    let first = true;
    for (let u = t - 1; u >= 0 && month[u] === month[t]; u -= 1) if (business[u] === 1) first = false;
    quarterStart[t] = first ? 1 : 0;
  }
  const capFen = new Float64Array(span).fill(NaN);
  for (let t = Math.max(0, capFromDay); t < span; t += 1) capFen[t] = Number(ruleSetOn(isoDateOfDayNumber(firstDayNumber + t)).instantRedemptionCapFen);
  return { business, nextBusiness, quarterStart, year, capFen };
}
