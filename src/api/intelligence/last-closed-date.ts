import { type IsoDate, isIsoDate } from '../../domain/iso-date';
import type { ReadModels } from '../../projections';
import { CALENDAR_COLLECTION, CALENDAR_DOC_ID } from '../../projections/read-models/calendar.projection';

export const CALENDAR_PROJECTION = 'calendar';

/**
 * The last closed business date as the calendar read model has it, so an answer built from other read models
 * at a position sees the calendar at that position too. Null until a close is in it, and also while the
 * document is missing or not in the shape expected (a read store still catching up): no closed date is known.
 */
export async function lastClosedDate(readModels: ReadModels): Promise<IsoDate | null> {
  const doc = await readModels.get(CALENDAR_PROJECTION, CALENDAR_COLLECTION, CALENDAR_DOC_ID);
  const date = doc?.lastClosedDate;
  return isIsoDate(date) ? date : null;
}
