/**
 * ISO-8601 timer values as BPMN timer events carry them, turned into due times on the engine's own clock, never
 * the wall clock: a test moves time by moving the clock, and a recovered instance keeps its timers' due times.
 */

export type TimerKind = 'timeDuration' | 'timeDate' | 'timeCycle';

interface IsoDuration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const DURATION = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?!$)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
/** `R/PT10M` repeats for ever, `R3/PT10M` three times; a cycle with a start or end date is not supported. */
const CYCLE = /^R(\d*)\/(P.+)$/;

export class InvalidTimerValueError extends Error {}

function parseDuration(text: string): IsoDuration {
  const match = DURATION.exec(text.trim());
  if (!match) throw new InvalidTimerValueError(`"${text}" is not an ISO-8601 duration such as PT15M or P1DT12H`);
  const [years, months, weeks, days, hours, minutes, seconds] = match.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
  return { years, months, weeks, days, hours, minutes, seconds };
}

/**
 * Calendar parts move the date in UTC, a month past the 31st landing on the month's last day (Java's
 * plusMonths, which Zeebe uses, rather than Date's roll-over into the next month); the rest is exact time.
 */
function addDuration(fromMs: number, duration: IsoDuration): number {
  const date = new Date(fromMs);
  const months = duration.years * 12 + duration.months;
  if (months) {
    const day = date.getUTCDate();
    date.setUTCDate(1);
    date.setUTCMonth(date.getUTCMonth() + months);
    const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
    date.setUTCDate(Math.min(day, lastDay));
  }
  if (duration.weeks || duration.days) date.setUTCDate(date.getUTCDate() + duration.weeks * 7 + duration.days);
  return date.getTime() + ((duration.hours * 60 + duration.minutes) * 60 + duration.seconds) * 1_000;
}

/** When a timer set at `nowMs` is due. */
export function timerDueAtMs(kind: TimerKind, value: string, nowMs: number): number {
  switch (kind) {
    case 'timeDuration':
      return addDuration(nowMs, parseDuration(value));
    case 'timeDate': {
      const dueAtMs = Date.parse(value);
      if (Number.isNaN(dueAtMs)) throw new InvalidTimerValueError(`"${value}" is not an ISO-8601 date and time such as 2026-01-31T15:00:00Z`);
      return dueAtMs;
    }
    case 'timeCycle':
      return addDuration(nowMs, parseDuration(parseCycle(value).interval));
  }
}

export function parseCycle(value: string): { repetitions?: number; interval: string } {
  const match = CYCLE.exec(value.trim());
  if (!match) throw new InvalidTimerValueError(`"${value}" is not an ISO-8601 repeating interval such as R3/PT10M`);
  return { repetitions: match[1] === '' ? undefined : Number(match[1]), interval: match[2] };
}

/** Checks a literal timer value at deploy time. */
export function checkTimerValue(kind: TimerKind, value: string): void {
  timerDueAtMs(kind, value, 0);
}
