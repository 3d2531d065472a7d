import type { RecordedEvent } from '../../src/eventstore';
import { BatchView } from '../../src/projections/batch-view';
import { versionedCollection } from '../../src/projections/projection';
import type { ReadStore } from '../../src/projections/read-store';
import { calendarProjection } from '../../src/projections/read-models/calendar.projection';
import { projectEvents, recorded } from './project-events';

/** Given the calendar stream's events, then the one calendar document other read models' queries read. */
const started = recorded(1, 'calendar', 'CalendarStarted', { businessDate: '2026-01-08' }, { businessDate: '2026-01-08' });
const closeThursday = [
  recorded(2, 'calendar', 'DayCloseStarted', { date: '2026-01-08', days: ['2026-01-08'], nextBusinessDate: '2026-01-09' }, { businessDate: '2026-01-08' }),
  recorded(3, 'calendar', 'DayClosed', { date: '2026-01-08', nextBusinessDate: '2026-01-09' }, { businessDate: '2026-01-08' }),
];
const closeFriday = [
  recorded(5, 'calendar', 'DayCloseStarted', { date: '2026-01-09', days: ['2026-01-09'], nextBusinessDate: '2026-01-12' }, { businessDate: '2026-01-09' }),
  recorded(6, 'calendar', 'DayClosed', { date: '2026-01-09', nextBusinessDate: '2026-01-12' }, { businessDate: '2026-01-09' }),
];
// Another stream's event in between changes nothing.
const unrelated = recorded(4, 'wallet-00000000-0000-4000-8000-000000000001', 'CashDeposited', { amountFen: 100n, postings: [] }, { businessDate: '2026-01-09' });
const history = [started, ...closeThursday, unrelated, ...closeFriday];

async function calendarAfter(events: RecordedEvent[]) {
  return (await projectEvents(calendarProjection, events)).get('calendar', 'calendar');
}

async function reapply(store: ReadStore, events: readonly RecordedEvent[]): Promise<void> {
  const view = new BatchView(store, 1);
  for (const event of events.filter((e) => calendarProjection.eventTypes.includes(e.type))) {
    view.at(event.position);
    await calendarProjection.apply(event, view);
  }
  await store.commit({ writes: view.writes(), checkpoints: [] });
}

describe('the calendar read model', () => {
  it('starts at the configured business date with nothing closed', async () => {
    expect(await calendarAfter([started])).toEqual({ businessDate: '2026-01-08', lastClosedDate: null, closingDate: null });
  });

  it('shows a close in progress between DayCloseStarted and DayClosed', async () => {
    expect(await calendarAfter([started, closeThursday[0]!])).toEqual({ businessDate: '2026-01-08', lastClosedDate: null, closingDate: '2026-01-08' });
  });

  it('moves to the next business day when a close finishes: Friday is followed by Monday', async () => {
    expect(await calendarAfter([started, ...closeThursday])).toEqual({ businessDate: '2026-01-09', lastClosedDate: '2026-01-08', closingDate: null });
    expect(await calendarAfter(history)).toEqual({ businessDate: '2026-01-12', lastClosedDate: '2026-01-09', closingDate: null });
  });

  it('ignores a close recorded before the calendar started, as the aggregate does', async () => {
    expect(await calendarAfter(closeThursday)).toBeUndefined();
  });

  it('gives the same document in one batch as in a batch per event', async () => {
    const oneBatch = await projectEvents(calendarProjection, history, { oneBatch: true });
    const perEvent = await projectEvents(calendarProjection, history);
    expect(await oneBatch.all('calendar')).toEqual(await perEvent.all('calendar'));
  });

  it('is unchanged when events it already applied are applied again (a batch replayed after a crash)', async () => {
    const projected = await projectEvents(calendarProjection, history);
    const before = await projected.all('calendar');
    await reapply(projected.store, history);
    expect(await projected.store.find(versionedCollection('calendar', 1), { limit: 10 })).toEqual(before);
  });
});
